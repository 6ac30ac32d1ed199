"""Reads about reports: what is due, what a user may see, the review queue, compliance."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Model, Prefetch, QuerySet
from django.utils import timezone

from reporting.models import (
    ApprovedFigure,
    ComplianceRecord,
    FigureOrigin,
    Period,
    Report,
    ReportLine,
    ReportState,
)
from targets.models import Indicator, Target
from targets.selectors import Responsibility, responsibilities
from units import access
from units.models import Membership, Role, Unit

SUBMITTED_STATES = (ReportState.SUBMITTED, ReportState.APPROVED)


def owes(responsibility: Responsibility, period: Period) -> bool:
    """Whether a responsibility asks for a figure in the period: the one rule every read of
    "what is due" goes through (quarters ask for quarterly indicators, years for yearly ones,
    and only of units that exist on some day of the period)."""
    return responsibility.covers(
        period_start=period.starts_on, period_end=period.ends_on, period_year=period.year,
        period_kind=period.kind,
    )


def _targets_owed(*, unit: Unit, period: Period) -> list[int]:
    """Ids of the targets the unit answers for in the period (inherited duties from handover)."""
    return [r.target_id for r in responsibilities(unit_ids=[unit.pk]) if owes(r, period)]


def indicators_due(*, unit: Unit, period: Period) -> list[Indicator]:
    """Indicators the unit must report for the period: those of the targets it answers for
    whose year is not before the period's year and whose reporting frequency matches the
    period's kind (none when the unit did not exist then)."""
    return list(
        Indicator.objects.filter(targets__in=_targets_owed(unit=unit, period=period))
        .distinct()
        .select_related("pillar")
        .order_by("pillar__order", "code")
    )


def targets_for(*, unit: Unit, period: Period) -> dict[int, list[Target]]:
    """The unit's targets owed in the period (see `owes`), by indicator id (for the form)."""
    by_indicator: dict[int, list[Target]] = defaultdict(list)
    targets = (
        Target.objects.filter(pk__in=_targets_owed(unit=unit, period=period))
        .select_related("indicator")
        .order_by("year", "level", "pk")
    )
    for target in targets:
        by_indicator[target.indicator_id].append(target)
    return dict(by_indicator)


def figure_origins(*, is_demo: bool) -> tuple[str, ...]:
    """Origins a report's history is read from: the demo dataset never mixes with the official."""
    return (FigureOrigin.DEMO,) if is_demo else (FigureOrigin.REPORT, FigureOrigin.DOCUMENT)


def approved_history(
    *, unit: Unit, period: Period, indicator_ids, is_demo: bool = False
) -> dict[int, list[ApprovedFigure]]:
    """Current approved figures of the unit in earlier periods of the same kind, oldest first."""
    rows = (
        ApprovedFigure.objects.filter(
            unit=unit,
            indicator_id__in=list(indicator_ids),
            period__kind=period.kind,
            period__starts_on__lt=period.starts_on,
            superseded_at__isnull=True,
            origin__in=figure_origins(is_demo=is_demo),
        )
        .select_related("period")
        .order_by("period__starts_on", "pk")
    )
    history: dict[int, list[ApprovedFigure]] = defaultdict(list)
    for row in rows:
        history[row.indicator_id].append(row)
    return dict(history)


def entry_is_demo(user) -> bool:
    """Whether what the user enters is demo data: the demo logins' is, everyone else's is real
    work, which a demo report never holds (and remove_demo never deletes)."""
    from dxtracker.demo_accounts import is_demo_login

    return is_demo_login(user)


def report_for_entry(*, user, unit: Unit, period: Period) -> Report | None:
    """The report the user works on for the unit and period: of the user's own dataset only."""
    return (
        Report.objects.filter(unit=unit, period=period, is_demo=entry_is_demo(user))
        .select_related("unit", "period")
        .first()
    )


def report_to_show(*, user, unit: Unit, period: Period, dataset: str | None = None,
                   queryset: QuerySet[Report] | None = None) -> Report | None:
    """The report a page shows for the unit and period: of the dataset asked for, else of the
    user's own, else the other one (a reviewer opening a demo report's history)."""
    qs = (queryset if queryset is not None else Report.objects.all()).filter(
        unit=unit, period=period
    )
    if dataset in ("official", "demo"):
        return qs.filter(is_demo=dataset == "demo").first()
    own_first = "is_demo" if not entry_is_demo(user) else "-is_demo"
    return qs.order_by(own_first).first()


def reports_visible_to(*, user) -> QuerySet[Report]:
    """Reports of the units the user may read (every report for a superuser)."""
    qs = Report.objects.select_related("unit", "period")
    readable = access.report_unit_filter(user)
    return qs if readable is None else qs.filter(readable)


def review_queue(*, user) -> QuerySet[Report]:
    """Submitted reports of the cities the user reviews, oldest submission first."""
    qs = Report.objects.filter(state=ReportState.SUBMITTED).select_related(
        "unit", "period", "submitted_by"
    )
    city_ids = access.reviewer_city_ids(user)
    if city_ids is not None:
        qs = qs.filter(unit__city_id__in=city_ids)
    return qs.order_by("submitted_at", "pk")


def report_events(*, report: Report):
    """Every event of the report with its actor, in order."""
    return report.events.select_related("actor").order_by("at", "pk")


@dataclass(frozen=True)
class DueItem:
    """One unit's report for one open period, as the home page lists it."""

    unit: Unit
    period: Period
    report: Report | None
    indicator_count: int
    is_overdue: bool


def home_summary(*, user, today: date) -> dict:
    """What the start page shows: the user's units, due/overdue/returned reports, queue size."""
    memberships = list(
        Membership.objects.filter(user=user).select_related("unit").order_by("unit__code")
    )
    reporter_units = [m.unit for m in memberships if m.role == Role.REPORTER]
    # Quarters and years alike: a year is listed only for a unit answering for a yearly
    # indicator, since the count of indicators owed below is then non-zero.
    periods = list(
        Period.objects.filter(is_locked=False, opens_on__lte=today)
        .order_by("starts_on", "ends_on")
    )
    due_rows = _due_rows(unit_ids=[u.pk for u in reporter_units])
    reports = {
        (r.unit_id, r.period_id): r
        for r in Report.objects.filter(unit__in=reporter_units, period__in=periods,
                                       is_demo=entry_is_demo(user))
        .select_related("period")
    }
    items: list[DueItem] = []
    for unit in reporter_units:
        for period in periods:
            if not unit.exists_during(period.starts_on, period.ends_on):
                continue
            count = len({r.indicator_id for r in due_rows.get(unit.pk, ()) if owes(r, period)})
            if not count:
                continue
            report = reports.get((unit.pk, period.pk))
            done = report is not None and report.state in SUBMITTED_STATES
            if done:
                continue
            items.append(DueItem(unit, period, report, count, period.deadline < today))
    returned = [i for i in items if i.report and i.report.state == ReportState.RETURNED]
    is_reviewer = access.is_reviewer(user)
    is_viewer = any(m.role == Role.VIEWER for m in memberships)
    recent = list(
        reports_visible_to(user=user)
        .filter(unit__in=reporter_units)
        .order_by("-updated_at")[:10]
    ) if reporter_units else []
    return {
        "memberships": memberships,
        "due": [i for i in items if not i.is_overdue],
        "overdue": [i for i in items if i.is_overdue],
        "returned": returned,
        "recent": recent,
        "is_reviewer": is_reviewer,
        "is_viewer": is_viewer,
        "is_reporter": bool(reporter_units),
        "queue_count": review_queue(user=user).count() if is_reviewer else 0,
    }


def _due_rows(*, unit_ids) -> dict[int, list[Responsibility]]:
    """{unit_id: [Responsibility, ...]} for the units."""
    rows: dict[int, list[Responsibility]] = defaultdict(list)
    for r in responsibilities(unit_ids=unit_ids):
        rows[r.unit_id].append(r)
    return dict(rows)


@dataclass(frozen=True)
class ComplianceRow:
    """Whether one expected report (unit, period) came on time, late, or not (yet)."""

    unit_id: int
    period_id: int
    timeliness: str  # "on_time" | "late" | "missing" | "pending"
    first_submitted_at: datetime | None
    days_late: int | None


def compliance_rows(
    *,
    dataset: str,
    city: Unit | None = None,
    periods=None,
    today: date | None = None,
    unit_ids=None,
) -> list[ComplianceRow]:
    """Expected reports against submitted ones, per unit and period.

    Expected: units responsible for at least one indicator due in the period (see `owes`)
    and valid during it. A report counts from its first submission: on time up to the
    deadline day (local time), late after it (days_late = days past the deadline). Without
    a submission it is missing once the deadline has passed and pending before. Dataset
    "demo" reads only demo reports, "official" only the others. ``unit_ids`` narrows the
    rows to those units (one report's record). Four queries whatever the size.

    A unit owes a quarter's report when it answers for a quarterly indicator, and a year's
    report when it answers for a yearly one (a ranking, a share of GRDP): the quarterly
    indicators are never asked for in a year, so a unit with none of the yearly kind owes
    no yearly report.
    """
    today = today or timezone.localdate()
    if periods is None:
        periods = Period.objects.filter(opens_on__lte=today)
    periods = sorted(periods, key=lambda p: (p.starts_on, p.ends_on))
    if not periods:
        return []
    owed: dict[int, list[Responsibility]] = defaultdict(list)
    for r in responsibilities(city=city, unit_ids=unit_ids):
        owed[r.unit_id].append(r)
    reports = Report.objects.filter(
        period__in=[p.pk for p in periods],
        unit_id__in=list(owed),
        is_demo=(dataset == "demo"),
    ).values_list("unit_id", "period_id", "first_submitted_at")
    submitted = {(u, p): at for u, p, at in reports}
    rows: list[ComplianceRow] = []
    for period in periods:
        for unit_id in sorted(owed):
            if not any(owes(r, period) for r in owed[unit_id]):
                continue
            at = submitted.get((unit_id, period.pk))
            rows.append(_compliance_row(unit_id, period, at, today))
    return rows


def _compliance_row(unit_id: int, period: Period, at: datetime | None, today: date):
    late = period.days_late(submitted_at=at, today=today)
    if at is not None:
        return ComplianceRow(unit_id, period.pk, "late" if late else "on_time", at, late)
    timeliness = "missing" if late else "pending"
    return ComplianceRow(unit_id, period.pk, timeliness, None, None)


def compliance_matrix(
    *,
    dataset: str,
    city: Model | int,
    periods: list[Period] | None = None,
) -> tuple[list, list[Period], dict[tuple[int, int], ComplianceRecord]]:
    """Units × periods of a city's reporting compliance, in one query.

    Returns (units ordered by kind and code, periods ordered by date, {(unit_id, period_id):
    record}); a cell without a record means nothing was expected of that unit then.
    """
    city_id = city.pk if isinstance(city, Model) else city
    qs = ComplianceRecord.objects.filter(dataset=dataset, unit__city_id=city_id)
    if periods is not None:
        qs = qs.filter(period_id__in=[p.pk for p in periods])
    records = list(qs.select_related("unit", "period"))
    cells = {(r.unit_id, r.period_id): r for r in records}
    units = sorted({r.unit.pk: r.unit for r in records}.values(), key=lambda u: (u.kind, u.code))
    if periods is None:
        found = {r.period.pk: r.period for r in records}.values()
        periods = sorted(found, key=lambda p: (p.ends_on, p.starts_on))
    else:
        periods = sorted(periods, key=lambda p: (p.ends_on, p.starts_on))
    return units, list(periods), cells


def prefetch_lines(qs: QuerySet[Report]) -> QuerySet[Report]:
    """The reports with their lines and indicators, for pages listing figures."""
    return qs.prefetch_related(
        Prefetch("lines", queryset=ReportLine.objects.select_related("indicator"))
    )
