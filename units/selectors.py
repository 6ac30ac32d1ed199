"""Reads about units: the tree as of a date, successors, and what a user may do where."""

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from units.models import Membership, Role, Unit, UnitKind


def cities() -> QuerySet[Unit]:
    """Province-level units that exist today or existed (absorbed ones included)."""
    return Unit.objects.filter(kind=UnitKind.PROVINCE).order_by("code")


def units_as_of(day: date, *, city: Unit | None = None) -> QuerySet[Unit]:
    """Every unit that exists on `day`, optionally within one city."""
    qs = Unit.objects.existing(day)
    if city is not None:
        qs = qs.filter(city=city)
    return qs.order_by("kind", "code")


def unit_tree_as_of(day: date, *, city: Unit) -> list[dict]:
    """The city's tree on `day` as nested dicts {unit, children}, in one query."""
    units = list(units_as_of(day, city=city).select_related("parent"))
    by_parent: dict[int | None, list[Unit]] = {}
    ids = {u.pk for u in units}
    for unit in units:
        parent_id = unit.parent_id if unit.parent_id in ids else None
        if unit.pk == city.pk:
            parent_id = None
        elif parent_id is None and city.pk in ids:
            # A unit whose parent no longer exists (a commune after the district level was
            # abolished) hangs under the city rather than becoming a second root.
            parent_id = city.pk
        by_parent.setdefault(parent_id, []).append(unit)

    def build(unit: Unit) -> dict:
        return {"unit": unit, "children": [build(c) for c in by_parent.get(unit.pk, [])]}

    return [build(u) for u in by_parent.get(None, [])]


def successor_map(*, as_of: date | None = None) -> dict[int, int]:
    """Map every unit id to the id of the unit that carries it today (itself if it still exists).

    Follows chains (district → city; department → merged department) in memory: the unit
    table is small, so one query serves every caller. With `as_of`, a link is followed only
    when the unit had ceased by that day (valid_to <= as_of), giving the carrier on that day.
    """
    rows = Unit.objects.values_list("pk", "successor_id", "valid_to")
    direct = {
        pk: successor_id
        if as_of is None or (valid_to is not None and valid_to <= as_of)
        else None
        for pk, successor_id, valid_to in rows
    }
    resolved: dict[int, int] = {}
    for start in direct:
        seen = {start}
        current = start
        while direct.get(current):
            nxt = direct[current]
            if nxt in seen:  # a cycle is a data error; stop rather than loop forever
                break
            seen.add(nxt)
            current = nxt
        resolved[start] = current
    return resolved


def current_successor(unit: Unit) -> Unit:
    """The unit that carries `unit`'s reports today (the unit itself when it still exists)."""
    target_id = successor_map()[unit.pk]
    return unit if target_id == unit.pk else Unit.objects.get(pk=target_id)


def successor_as_of(unit: Unit, day: date) -> Unit:
    """The unit that carries `unit`'s reports on `day` (the unit itself if it still existed)."""
    target_id = successor_map(as_of=day)[unit.pk]
    return unit if target_id == unit.pk else Unit.objects.get(pk=target_id)


def rolled_up_unit_ids(unit: Unit, *, as_of: date | None = None) -> set[int]:
    """Ids of `unit` and of every unit whose figures roll up into it (its predecessors).

    A 2023 report of a district abolished in 2025 rolls up into the city: the city's
    rolled-up ids include that district.
    """
    carriers = successor_map(as_of=as_of)
    return {pk for pk, carrier in carriers.items() if carrier == unit.pk} | {unit.pk}


# Reviewers and viewers read a whole city (its dashboards, reports and the leaders' report);
# reporters read only their own unit.
CITY_READER_ROLES = (Role.REVIEWER, Role.VIEWER)


def _memberships(user, role: str) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, role=role)


def reporter_unit_ids(user) -> set[int]:
    """Units whose figures the user may enter."""
    if not user.is_authenticated:
        return set()
    return set(_memberships(user, Role.REPORTER).values_list("unit_id", flat=True))


def reviewer_city_ids(user) -> set[int]:
    """Cities whose reports the user may approve or return (DOIT reviewers)."""
    if not user.is_authenticated:
        return set()
    return set(_memberships(user, Role.REVIEWER).values_list("unit__city_id", flat=True))


def visible_unit_ids(user) -> set[int] | None:
    """Units whose reports the user may read; None means every unit (superuser)."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return None
    rows = Membership.objects.filter(user=user).values_list("role", "unit_id", "unit__city_id")
    unit_ids: set[int] = set()
    city_ids: set[int] = set()
    for role, unit_id, city_id in rows:
        unit_ids.add(unit_id)
        if role in CITY_READER_ROLES and city_id:
            city_ids.add(city_id)
    if city_ids:
        unit_ids |= set(Unit.objects.filter(city_id__in=city_ids).values_list("pk", flat=True))
    return unit_ids


def plan_editor_city_ids(user) -> set[int]:
    """Cities whose plans the user may import and amend (DOIT plan editors)."""
    if not user.is_authenticated:
        return set()
    return set(_memberships(user, Role.PLAN_EDITOR).values_list("unit__city_id", flat=True))


def can_edit_plans(user, city: Unit) -> bool:
    """Whether the user may import, amend and retire the plans of `city`."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or city.pk in plan_editor_city_ids(user)


def can_report_for(user, unit: Unit) -> bool:
    """Whether the user may enter and submit figures for `unit`."""
    return unit.pk in reporter_unit_ids(user)


def can_review(user, unit: Unit) -> bool:
    """Whether the user may approve or return `unit`'s reports."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or unit.city_id in reviewer_city_ids(user)


def can_view(user, unit: Unit) -> bool:
    """Whether the user may read `unit`'s reports."""
    visible = visible_unit_ids(user)
    return visible is None or unit.pk in visible


def city_reader_memberships(user, city: Unit) -> QuerySet[Membership]:
    """The user's memberships that let them read the whole city (reviewer or viewer there)."""
    return Membership.objects.filter(user=user, role__in=CITY_READER_ROLES, unit__city=city)


def can_read_city_report(user, city: Unit) -> bool:
    """Whether the user may download the city's quarterly report (its reviewers and viewers)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or city_reader_memberships(user, city).exists()


def city_readers(city: Unit):
    """Active users who read the city as a whole (reviewers and viewers), each once."""
    return (
        get_user_model().objects.filter(
            is_active=True, memberships__role__in=CITY_READER_ROLES,
            memberships__unit__city=city,
        )
        .distinct()
        .order_by("username")
    )
