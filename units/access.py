"""Who may read and write what: the one access rule of DX Tracker.

Pages, the API, dashboards, the reporting services and the tasks all ask this module; none
spells a rule of its own. The rule:

- a **member** of a city (reporter, reviewer or viewer of any of its units) reads the city's
  results: dashboards, attainment, rollups, completeness. The city includes the provinces it
  absorbed, whose history shows under it;
- a **national viewer** (the permission ``units.read_all_cities``, given through the group
  "National viewers" to the national reporting system and the ministry) reads every city's
  results and reports, and writes nothing;
- **unit-level reports**: a reporter reads and enters its own units' reports; a reviewer or viewer
  reads its city's, and its leaders' quarterly report; a reviewer approves, returns and
  reopens its city's;
- an **API token** acts with its user's scope (read-only unless the token may write);
- a **plan editor** (DOIT) imports and amends its city's plans, and reads its results;
- a **superuser** may do everything; an inactive account nothing;
- the **catalogue** (plans, targets, indicators, units) and the method page are public.

The rules are registered with django-rules, so ``user.has_perm("reporting.review_unit", unit)``
and the ``{% has_perm %}`` template tag give the same answer as the querysets below.
"""

from dataclasses import dataclass, field

import rules
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, IntegerField, Q, Value
from django.http import Http404

from units.models import Membership, Role, Unit, UnitKind

NATIONAL_VIEWER_PERM = "units.read_all_cities"
NATIONAL_VIEWERS_GROUP = "National viewers"

READ_CITY = "units.read_city"
READ_UNIT_REPORTS = "reporting.read_unit_reports"
ENTER_FIGURES = "reporting.enter_figures"
REVIEW_UNIT = "reporting.review_unit"
READ_CITY_REPORT = "leaders.read_city_report"
EDIT_PLANS = "targets.edit_plans"


@dataclass
class Scope:
    """What one user may reach, read in one query and kept on the user object (one request)."""

    everything: bool = False
    national: bool = False
    reporter_units: set[int] = field(default_factory=set)
    reviewer_cities: set[int] = field(default_factory=set)
    plan_editor_cities: set[int] = field(default_factory=set)
    member_cities: set[int] = field(default_factory=set)
    # Cities whose every unit's reports a viewer or reviewer reads.
    report_cities: set[int] = field(default_factory=set)
    # Absorbed province id -> the province that carries it (Sóc Trăng -> Cần Thơ).
    successors: dict[int, int] = field(default_factory=dict)
    _closures: dict[str, set[int]] = field(default_factory=dict)

    def closure(self, name: str) -> set[int]:
        """`member_cities`, `report_cities` or `reviewer_cities` with the provinces that
        were merged into them: their history shows under the city that carries them."""
        if name not in self._closures:
            self._closures[name] = _with_absorbed(getattr(self, name), self.successors)
        return self._closures[name]

    def readable_cities(self) -> set[int] | None:
        """Ids of the provinces whose results the user reads; None means every one."""
        if self.everything or self.national:
            return None
        return self.closure("member_cities")


def _with_absorbed(city_ids: set[int], successor: dict[int, int]) -> set[int]:
    """The cities plus the provinces that were merged into them, following chains."""
    closure = set(city_ids)
    for start in successor:
        current, seen = start, {start}
        while current is not None and current not in closure:
            current = successor.get(current)
            if current in seen:  # a cycle is a data error: stop rather than loop
                break
            seen.add(current)
        if current in closure:
            closure.add(start)
    return closure


_NATIONAL, _ABSORBED = "~national", "~absorbed"


def scope_of(user) -> Scope:
    """The user's scope, computed once per user object and kept on it for the request.

    One query: the memberships, the national viewer's grant (direct or through a group) and
    the absorbed provinces, as (kind, a, b) rows of a UNION ALL.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, "_dx_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(everything=True, national=True)
    else:
        scope = Scope()
        text, number = CharField(), IntegerField()
        memberships = Membership.objects.filter(user=user).values_list(
            "role", "unit_id", "unit__city_id"
        )
        grant = Permission.objects.filter(
            content_type__app_label="units", codename="read_all_cities",
        ).filter(Q(user=user) | Q(group__user=user)).values_list(
            Value(_NATIONAL, output_field=text), Value(0, output_field=number),
            Value(0, output_field=number),
        )
        absorbed = Unit.objects.filter(kind=UnitKind.PROVINCE, successor__isnull=False).values_list(
            Value(_ABSORBED, output_field=text), "pk", "successor_id"
        )
        # Meta orderings are cleared: SQLite refuses ORDER BY inside a compound statement.
        combined = memberships.order_by().union(grant.order_by(), absorbed.order_by(), all=True)
        for kind, unit_id, city_id in combined:
            if kind == _NATIONAL:
                scope.national = True
            elif kind == _ABSORBED:
                scope.successors[unit_id] = city_id
            else:
                city_id = city_id or unit_id
                scope.member_cities.add(city_id)
                if kind == Role.REPORTER:
                    scope.reporter_units.add(unit_id)
                if kind in (Role.REVIEWER, Role.VIEWER):
                    scope.report_cities.add(city_id)
                if kind == Role.REVIEWER:
                    scope.reviewer_cities.add(city_id)
                if kind == Role.PLAN_EDITOR:
                    scope.plan_editor_cities.add(city_id)
    user._dx_scope = scope
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope after the user's memberships or permissions change."""
    if hasattr(user, "_dx_scope"):
        del user._dx_scope


def _city_id(unit: Unit) -> int:
    return unit.city_id or unit.pk


# --- querysets: what lists and the API filter by ---------------------------------------------


def readable_city_ids(user) -> set[int] | None:
    """Provinces whose results (dashboards, attainment, rollups, completeness) the user reads;
    None means every province."""
    return scope_of(user).readable_cities()


def readable_cities(user):
    """Current cities (absorbed provinces are shown under their successor) the user reads."""
    qs = Unit.objects.filter(kind=UnitKind.PROVINCE, valid_to__isnull=True)
    ids = readable_city_ids(user)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.order_by("code")


def report_unit_filter(user, prefix: str = "unit__") -> Q | None:
    """Q over reports (or rows with a unit) the user may read; None means every row."""
    scope = scope_of(user)
    if scope.everything or scope.national:
        return None
    return Q(**{f"{prefix}pk__in": scope.reporter_units}) | Q(
        **{f"{prefix}city_id__in": scope.closure("report_cities")}
    )


def reviewer_city_ids(user) -> set[int] | None:
    """Cities whose reports the user approves and returns; None means every city."""
    scope = scope_of(user)
    if scope.everything:
        return None
    return scope.closure("reviewer_cities")


def is_plan_editor(user) -> bool:
    """Whether the user imports and amends any city's plans (the import page is theirs)."""
    scope = scope_of(user)
    return scope.everything or bool(scope.plan_editor_cities)


def edits_definitions(user) -> bool:
    """Whether the user records that a document redefines an indicator: indicators are
    shared by every city and redefined by national documents, so any city's plan editor."""
    return is_plan_editor(user)


def catalogue_history_filter(user, prefix: str = "") -> Q | None:
    """Q over catalogue changes and amendments the user may read (None: every row).

    Who edited a plan is read by those who read its city; an indicator's own changes (shared
    by every city) by every signed-in user.
    """
    city_ids = readable_city_ids(user)
    if city_ids is None:
        return None
    return Q(**{f"{prefix}plan__city_id__in": city_ids}) | Q(**{f"{prefix}plan__isnull": True})


def is_reviewer(user) -> bool:
    """Whether the user reviews any city (the start page offers the review queue)."""
    scope = scope_of(user)
    return scope.everything or bool(scope.reviewer_cities)


def reporters_to_remind(units) -> list[tuple[int, str]]:
    """(unit id, e-mail) of the active accounts that enter the units' figures."""
    return list(
        Membership.objects.filter(unit__in=units, role=Role.REPORTER, user__is_active=True)
        .values_list("unit_id", "user__email")
    )


# --- predicates: one object at a time -------------------------------------------------------


@rules.predicate
def reads_city(user, unit: Unit | None) -> bool:
    """Whether the user reads the results of `unit`'s city (a city, or any unit of it)."""
    return unit is not None and reads_city_id(user, _city_id(unit))


def reads_city_id(user, city_id: int) -> bool:
    """Whether the user reads the results of the province with that id."""
    scope = scope_of(user)
    # Cheapest answers first: most readers open their own city.
    return (
        scope.everything
        or city_id in scope.member_cities
        or bool(scope.member_cities) and city_id in scope.closure("member_cities")
        or scope.national
    )


@rules.predicate
def reads_unit_reports(user, unit: Unit | None) -> bool:
    """Whether the user reads `unit`'s reports, figures and evidence."""
    if unit is None:
        return False
    scope, city_id = scope_of(user), _city_id(unit)
    return (
        scope.everything
        or unit.pk in scope.reporter_units
        or city_id in scope.report_cities
        or bool(scope.report_cities) and city_id in scope.closure("report_cities")
        or scope.national
    )


@rules.predicate
def enters_figures(user, unit: Unit | None) -> bool:
    """Whether the user enters, saves and submits `unit`'s figures."""
    if unit is None:
        return False
    scope = scope_of(user)
    return scope.everything or unit.pk in scope.reporter_units


@rules.predicate
def reviews_unit(user, unit: Unit | None) -> bool:
    """Whether the user approves, returns and reopens `unit`'s reports (its city's DOIT)."""
    if unit is None:
        return False
    scope, city_id = scope_of(user), _city_id(unit)
    return (
        scope.everything
        or city_id in scope.reviewer_cities
        or bool(scope.reviewer_cities) and city_id in scope.closure("reviewer_cities")
    )


@rules.predicate
def reads_whole_city(user, city: Unit | None) -> bool:
    """Whether the user reads the city as a whole, every unit's reports and the leaders'
    quarterly report: its reviewers and viewers, national viewers."""
    if city is None:
        return False
    scope, city_id = scope_of(user), _city_id(city)
    return (
        scope.everything
        or city_id in scope.report_cities
        or bool(scope.report_cities) and city_id in scope.closure("report_cities")
        or scope.national
    )


def city_readers(city: Unit):
    """Active accounts that read the city as a whole as its reviewers or viewers, each once
    (who the leaders' report is e-mailed to; national viewers are not mailed every city)."""
    return (
        get_user_model().objects.filter(
            is_active=True, memberships__role__in=(Role.REVIEWER, Role.VIEWER),
            memberships__unit__city=city,
        )
        .distinct()
        .order_by("username")
    )


@rules.predicate
def edits_plans(user, city: Unit | None) -> bool:
    """Whether the user imports, amends and retires `city`'s plans (its DOIT plan editors)."""
    if city is None:
        return False
    scope = scope_of(user)
    return scope.everything or _city_id(city) in scope.plan_editor_cities


rules.add_perm(READ_CITY, reads_city)
rules.add_perm(EDIT_PLANS, edits_plans)
rules.add_perm(READ_CITY_REPORT, reads_whole_city)
rules.add_perm(READ_UNIT_REPORTS, reads_unit_reports)
rules.add_perm(ENTER_FIGURES, enters_figures)
rules.add_perm(REVIEW_UNIT, reviews_unit)


# --- pages: the city or unit named in a URL ---------------------------------------------------


def readable_city(*, user, code: str) -> Unit:
    """The current city with that code: 404 when unknown, 403 when the user may not read it."""
    city = Unit.objects.filter(kind=UnitKind.PROVINCE, valid_to__isnull=True, code=code).first()
    if city is None:
        # An absorbed province is a known place whose pages live under its successor.
        if Unit.objects.filter(kind=UnitKind.PROVINCE, code=code).exists():
            raise PermissionDenied
        raise Http404
    if not user.has_perm(READ_CITY, city):
        raise PermissionDenied
    return city


def readable_unit(*, user, code: str) -> Unit:
    """A unit whose city the user reads: 404 when unknown, 403 another city's."""
    unit = Unit.objects.select_related("city", "parent", "successor").filter(code=code).first()
    if unit is None:
        raise Http404
    if not user.has_perm(READ_CITY, unit):
        raise PermissionDenied
    return unit
