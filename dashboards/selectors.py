"""Reads for the dashboard pages, each in a fixed number of queries whatever the data size.

Everything shown comes from stored tables (targets, the engine's TargetAttainment, Rollup
and ComplianceRecord rows, reports); nothing here computes attainment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count

from attainment.models import RollupScope, Scope, Status, TargetAttainment
from attainment.selectors import (
    latest_attainment,
    rollups,
    series_breaks,
    target_series,
    targets_being_recomputed,
)
from dashboards.timeaxis import t_to_date
from reporting.models import ComplianceRecord, Period, PeriodKind, Report, ReportState, Timeliness
from reporting.periods import period_bounds, quarter_of
from reporting.selectors import indicators_due
from targets.models import (
    CatalogueChange,
    Indicator,
    Level,
    Measure,
    NationalIndicator,
    Pillar,
    Plan,
    Target,
)
from units.models import Unit


@dataclass
class TargetRow:
    """A target with its latest stored result (None when the engine has none yet)."""

    target: Target
    attainment: TargetAttainment | None
    # an approval changed its figures and the recompute is still pending (the outbox)
    recomputing: bool = False

    @property
    def status(self) -> str:
        return self.attainment.status if self.attainment else Status.INSUFFICIENT_DATA

    @property
    def actual(self) -> float | None:
        return self.attainment.actual_value if self.attainment else None

    @property
    def attainment_pct(self) -> float | None:
        return self.attainment.attainment_pct if self.attainment else None

    @property
    def projected(self) -> float | None:
        return self.attainment.projected_linear if self.attainment else None

    @property
    def period(self) -> Period | None:
        return self.attainment.period if self.attainment else None

    @property
    def units_reported(self) -> int | None:
        return self.attainment.units_reported if self.attainment else None

    @property
    def units_expected(self) -> int | None:
        return self.attainment.units_expected if self.attainment else None


def _rows(targets: list[Target], attainments: list[TargetAttainment],
          recomputing: set[int]) -> list[TargetRow]:
    by_target = {a.target_id: a for a in attainments}
    return [TargetRow(t, by_target.get(t.pk), t.pk in recomputing) for t in targets]


# ---------------------------------------------------------------- city overview


@dataclass
class CityOverview:
    plans: list[Plan]
    plan: Plan | None
    pillars: list[Pillar]
    years: list[int]
    rows: list[TargetRow]  # after every filter
    plan_rows: list[TargetRow]  # plan and pillar filters only: the 2025 and 2030 sections
    pillar_rollups: list = field(default_factory=list)


def _main_plan(plans: list[Plan]) -> Plan | None:
    # The plan reaching furthest (to 2030) is the one a reader asks about first.
    return max(plans, key=lambda p: (max(p.horizon_years or [0]), -p.pk), default=None)


def city_overview(
    *, city: Unit, dataset: str, plan_id: int | None = None, year: int | None = None,
    pillar_id: int | None = None,
) -> CityOverview:
    """The city's targets of one plan with their latest status; five queries."""
    plans = list(Plan.objects.filter(city=city).order_by("code"))
    plan = next((p for p in plans if p.pk == plan_id), None) or _main_plan(plans)
    if plan is None:
        return CityOverview(plans, None, [], [], [], [])
    targets = list(
        Target.objects.filter(plan=plan)
        .select_related("plan", "indicator__pillar")
        .prefetch_related("responsible_units")
    )
    pillars = sorted({t.indicator.pillar for t in targets}, key=lambda p: (p.order, p.code))
    years = sorted({t.year for t in targets})
    attainments = list(latest_attainment(dataset=dataset, plan=plan, pillar=pillar_id))
    plan_targets = [t for t in targets if pillar_id is None or t.indicator.pillar_id == pillar_id]
    plan_rows = _rows(plan_targets, attainments, targets_being_recomputed(dataset=dataset))
    rows = [r for r in plan_rows if year is None or r.target.year == year]
    pillar_rollups = list(
        rollups(dataset=dataset, scope=RollupScope.PILLAR, city=city, plan=plan, year=year,
                pillar=pillar_id)
    )
    return CityOverview(plans, plan, pillars, years, rows, plan_rows, pillar_rollups)


# ---------------------------------------------------------------- who is behind

# The method's bands of a target that will not make it at the present pace, or did not: the
# engine decides the status (attainment/method.py); this only groups them for the ranking.
BEHIND_STATUSES = (
    Status.NEEDS_ACCELERATION,
    Status.LIMITED_PROGRESS,
    Status.DETERIORATING,
    Status.MISSED,
)


@dataclass
class UnitStanding:
    """One responsible unit of the city: how its targets stand and how it reports."""

    unit: Unit
    n_targets: int
    mean_attainment: float | None
    behind: int  # its targets whose latest status is in BEHIND_STATUSES
    overdue: int  # its expected reports still missing after their deadline


@dataclass
class Behind:
    units: list[UnitStanding]
    targets: list[TargetRow]  # the city's targets behind, lowest attainment first


def who_is_behind(*, city: Unit, dataset: str, plan: Plan, plan_rows: list[TargetRow],
                  today: date, pillar_id: int | None = None) -> Behind:
    """The units of the city ranked by targets behind, reports overdue and mean attainment,
    and the city's targets behind; three queries whatever the size.

    A unit's standing reads its own stored results (scope "unit") on the plan's targets; the
    overdue count reads the stored compliance records (timeliness "missing"). Units that no
    longer exist on `today` are left out: their duties and history went to their successor.
    """
    # Plain tuples in no order: a unit's standing needs three columns of each row, and at
    # 100 targets x 37 units a province the model instances cost more than the query.
    results = (
        latest_attainment(dataset=dataset, plan=plan, pillar=pillar_id, scope=Scope.UNIT)
        .order_by()
        .values_list("unit_id", "status", "attainment_pct")
    )
    missing = dict(
        ComplianceRecord.objects.filter(dataset=dataset, unit__city=city,
                                        timeliness=Timeliness.MISSING)
        .values_list("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    per_unit: dict[int, list[tuple[str, float | None]]] = defaultdict(list)
    for unit_id, status, pct in results:
        per_unit[unit_id].append((status, pct))
    units = Unit.objects.in_bulk(set(per_unit) | set(missing))
    standings = []
    for unit_id, unit in units.items():
        if not unit.exists_during(today):
            continue
        own = per_unit.get(unit_id, [])
        pcts = [pct for _status, pct in own if pct is not None]
        standings.append(UnitStanding(
            unit=unit, n_targets=len(own),
            mean_attainment=sum(pcts) / len(pcts) if pcts else None,
            behind=sum(status in BEHIND_STATUSES for status, _pct in own),
            overdue=missing.get(unit_id, 0),
        ))
    standings = [s for s in standings if s.behind or s.overdue]
    standings.sort(key=lambda s: (-s.behind, -s.overdue,
                                  s.mean_attainment if s.mean_attainment is not None else 101,
                                  s.unit.code))
    targets = sorted(
        (r for r in plan_rows if r.status in BEHIND_STATUSES),
        key=lambda r: (r.attainment_pct if r.attainment_pct is not None else 101,
                       r.target.year, r.target.code),
    )
    return Behind(standings, targets)


# ---------------------------------------------------------------- start page


@dataclass
class CityHeadline:
    """A city's headline numbers for the start page: its main plan's targets and reporting."""

    city: Unit
    plan: Plan | None
    n_targets: int
    achieved: int
    behind: int
    no_data: int
    reports_overdue: int


def city_headlines(*, cities: list[Unit], dataset: str) -> list[CityHeadline]:
    """Each city's main plan (the one the city overview opens on) with its targets counted by
    latest status, and its reports still missing after the deadline; four queries."""
    if not cities:
        return []
    plans: dict[int, list[Plan]] = defaultdict(list)
    for plan in Plan.objects.filter(city__in=cities).order_by("code"):
        plans[plan.city_id].append(plan)
    main = {city_id: _main_plan(city_plans) for city_id, city_plans in plans.items()}
    targets = Target.objects.filter(plan__in=[p.pk for p in main.values() if p])
    statuses: dict[int, dict[int, str]] = defaultdict(dict)
    for plan_id, target_id in targets.values_list("plan_id", "pk"):
        statuses[plan_id][target_id] = Status.INSUFFICIENT_DATA
    results = TargetAttainment.objects.filter(
        dataset=dataset, scope=Scope.COMBINED, is_latest=True,
        target__plan__in=[p.pk for p in main.values() if p],
    ).values_list("target__plan_id", "target_id", "status")
    for plan_id, target_id, status in results:
        statuses[plan_id][target_id] = status
    missing = dict(
        ComplianceRecord.objects.filter(dataset=dataset, unit__city__in=cities,
                                        timeliness=Timeliness.MISSING)
        .values_list("unit__city_id")
        .annotate(n=Count("pk"))
        .values_list("unit__city_id", "n")
    )
    headlines = []
    for city in cities:
        plan = main.get(city.pk)
        counted = list(statuses.get(plan.pk, {}).values()) if plan else []
        headlines.append(CityHeadline(
            city=city, plan=plan, n_targets=len(counted),
            achieved=sum(s == Status.ACHIEVED for s in counted),
            behind=sum(s in BEHIND_STATUSES for s in counted),
            no_data=sum(s == Status.INSUFFICIENT_DATA for s in counted),
            reports_overdue=missing.get(city.pk, 0),
        ))
    return headlines


# ---------------------------------------------------------------- target detail


@dataclass
class TargetDetail:
    target: Target
    series: list[TargetAttainment]
    latest: TargetAttainment | None
    siblings: list[Target]  # the same indicator, plan and year at every level
    unit_rows: list[TargetAttainment]  # each responsible unit's latest result
    series_break: date | None = None  # the day the city absorbed other provinces
    changes: list = field(default_factory=list)  # the target's recorded edits, newest first
    recomputing: bool = False  # a recompute of it is pending (the outbox)

    @property
    def since_deadline_on(self) -> date | None:
        """When the latest figure after the target year ends."""
        if self.latest is None or self.latest.since_deadline_t is None:
            return None
        return t_to_date(self.latest.since_deadline_t)

    @property
    def is_milestone(self) -> bool:
        return self.target.indicator.measure == Measure.MILESTONE


def target_for_detail(*, pk: int) -> Target | None:
    return (
        Target.objects.select_related("plan__city", "indicator__pillar")
        .prefetch_related("amendments")
        .filter(pk=pk)
        .first()
    )


def target_detail(*, target: Target, dataset: str) -> TargetDetail:
    """A target's series, its sibling targets by level, each unit's latest, and whether a
    recompute of it is pending; four queries."""
    series = target_series(dataset=dataset, target=target)
    latest = next((a for a in reversed(series) if a.is_latest), series[-1] if series else None)
    siblings = list(
        Target.objects.filter(plan_id=target.plan_id, indicator_id=target.indicator_id,
                              year=target.year)
        .select_related("indicator")
        .order_by("level")
    )
    sibling_ids = {t.pk for t in siblings}
    level_order = {level: i for i, level in enumerate(Level.values)}
    unit_rows = sorted(
        (
            a for a in latest_attainment(dataset=dataset, plan=target.plan_id,
                                         indicator=target.indicator_id, year=target.year,
                                         scope=Scope.UNIT)
            if a.target_id in sibling_ids
        ),
        key=lambda a: (level_order.get(a.target.level, 99), a.unit.code),
    )
    series_break = series_breaks().get(target.plan.city_id)
    changes = list(CatalogueChange.objects.filter(target=target).select_related("user"))
    recomputing = target.pk in targets_being_recomputed(dataset=dataset)
    return TargetDetail(target, series, latest, siblings, unit_rows, series_break, changes,
                        recomputing)


# ---------------------------------------------------------------- unit view


@dataclass
class NextReport:
    period_label: str
    period_code: str
    ends_on: date
    deadline: date
    indicators: list[Indicator]
    report_state: str | None
    overdue: bool

    @property
    def report_state_label(self) -> str:
        return str(ReportState(self.report_state).label) if self.report_state else ""


@dataclass
class UnitOverview:
    rows: list[TargetRow]
    next_report: NextReport | None
    records: list[ComplianceRecord]
    reports: list[Report]


def _previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def unit_overview(*, unit: Unit, dataset: str, today: date) -> UnitOverview:
    """The unit's targets with its own results, its next report due, its record; six queries."""
    targets = list(
        Target.objects.filter(responsible_units=unit)
        .select_related("plan", "indicator__pillar")
        .order_by("year", "indicator__pillar__order", "indicator__code", "level")
    )
    attainments = list(latest_attainment(dataset=dataset, unit=unit, scope=Scope.UNIT))
    rows = _rows(targets, attainments, targets_being_recomputed(dataset=dataset))
    reports = list(Report.objects.filter(unit=unit).select_related("period"))
    records = list(
        ComplianceRecord.objects.filter(dataset=dataset, unit=unit)
        .select_related("period")
        .order_by("period__ends_on", "period__starts_on")
    )
    next_report = None
    if unit.exists_during(today):
        next_report = _next_report(unit=unit, reports=reports, today=today)
    return UnitOverview(rows, next_report, records, reports)


def _next_report(*, unit: Unit, reports: list[Report], today: date) -> NextReport | None:
    """The earliest quarter still to be submitted: the last one ended, else the current one."""
    by_period = {(r.period.kind, r.period.year, r.period.quarter): r for r in reports}
    submitted = (ReportState.SUBMITTED, ReportState.APPROVED)
    current = quarter_of(today)
    candidates = [_previous_quarter(*current), current]
    periods = {
        (p.year, p.quarter): p
        for p in Period.objects.filter(
            kind=PeriodKind.QUARTER, year__in={c[0] for c in candidates},
            quarter__in={c[1] for c in candidates},
        )
    }
    for year, quarter in candidates:
        report = by_period.get((PeriodKind.QUARTER, year, quarter))
        if report is not None and report.state in submitted:
            continue
        period = periods.get((year, quarter))
        starts_on, ends_on = period_bounds(PeriodKind.QUARTER, year, quarter)
        deadline = period.deadline if period else ends_on + timedelta(
            days=settings.REPORT_DEADLINE_DAYS_AFTER_PERIOD
        )
        # Reporting's own rule of what is owed (frequency, target years, inherited duties),
        # asked of the quarter even before the nightly job has created its row.
        owed_in = period or Period(kind=PeriodKind.QUARTER, year=year, quarter=quarter,
                                   starts_on=starts_on, ends_on=ends_on, deadline=deadline)
        due = sorted(indicators_due(unit=unit, period=owed_in), key=lambda i: i.code)
        if not due:
            continue
        label = str(period) if period else str(
            Period(kind=PeriodKind.QUARTER, year=year, quarter=quarter)
        )
        return NextReport(
            period_label=label, period_code=f"{year}-Q{quarter}", ends_on=ends_on,
            deadline=deadline, indicators=due, report_state=report.state if report else None,
            overdue=deadline < today,
        )
    return None


# ---------------------------------------------------------------- cross-city comparison


@dataclass
class ComparisonRow:
    city: Unit
    target: Target
    latest: TargetAttainment | None

    @property
    def goal(self) -> float | None:
        if self.latest and self.latest.effective_target is not None:
            return self.latest.effective_target
        return float(self.target.value) if self.target.value is not None else None

    @property
    def actual(self) -> float | None:
        return self.latest.actual_value if self.latest else None

    @property
    def status(self) -> str:
        return self.latest.status if self.latest else Status.INSUFFICIENT_DATA

    @property
    def period(self) -> Period | None:
        return self.latest.period if self.latest else None

    @property
    def units_reported(self) -> int | None:
        return self.latest.units_reported if self.latest else None

    @property
    def units_expected(self) -> int | None:
        return self.latest.units_expected if self.latest else None


@dataclass
class ComparisonGroup:
    """The targets of one definition (the same indicator at the same level) in every city.

    Indicators under one national indicator can measure different things (a % of agencies, a
    count of datasets, a milestone; 5G in the central area or in residential areas), so each
    group gets its own axis and table and nothing of two groups is ever drawn together.
    """

    indicator: Indicator
    level: str
    rows: list[ComparisonRow]
    series: dict  # {city: [(period, value)]}, one line per city

    @property
    def key(self) -> str:
        return f"{self.indicator.code}-{self.level}"

    @property
    def level_label(self) -> str:
        return Level(self.level).label

    @property
    def is_milestone(self) -> bool:
        return self.indicator.measure == Measure.MILESTONE


@dataclass
class Comparison:
    indicators: list[NationalIndicator]
    indicator: NationalIndicator | None
    groups: list[ComparisonGroup]

    @property
    def rows(self) -> list[ComparisonRow]:
        return [row for group in self.groups for row in group.rows]


_LEVEL_ORDER = {level: i for i, level in enumerate(Level.values)}


def national_comparison(*, dataset: str, national_indicator_id: int | None) -> Comparison:
    """Every city's targets of one national indicator, grouped by definition; five queries."""
    indicators = list(
        NationalIndicator.objects.filter(indicators__targets__isnull=False)
        .distinct()
        .order_by("code")
    )
    chosen = next((n for n in indicators if n.pk == national_indicator_id), None)
    if chosen is None and indicators:
        chosen = indicators[0]
    if chosen is None:
        return Comparison(indicators, None, [])
    targets = list(
        Target.objects.filter(indicator__national_indicator=chosen)
        .select_related("plan__city", "indicator")
        .order_by("plan__city__code", "year", "plan__code", "code")
    )
    results = TargetAttainment.objects.filter(
        dataset=dataset, scope=Scope.COMBINED, target__in=[t.pk for t in targets]
    )
    latest = {a.target_id: a for a in results.filter(is_latest=True).select_related("period")}
    # The lines need only (period, value) of every quarter of every city: plain rows, and
    # each period read once, not a result and a period instance per point (34 x 40 here).
    values = list(
        results.filter(actual_value__isnull=False)
        .order_by("period__ends_on", "period__starts_on")
        .values_list("target_id", "period_id", "actual_value")
    )
    periods = Period.objects.in_bulk({period_id for _t, period_id, _v in values})
    points: dict[int, list] = {}
    for target_id, period_id, value in values:
        points.setdefault(target_id, []).append((periods[period_id], value))
    by_definition: dict[tuple[int, str], list[Target]] = {}
    for t in targets:
        by_definition.setdefault((t.indicator_id, t.level), []).append(t)
    groups = []
    for (_indicator_id, level), members in sorted(
        by_definition.items(),
        key=lambda item: (_LEVEL_ORDER.get(item[0][1], 99), item[1][0].indicator.code),
    ):
        # One line per city: the figures of its target with the longest series (the same
        # figures are judged against each of a city's target years).
        line_target: dict[int, Target] = {}
        for t in members:
            best = line_target.get(t.plan.city_id)
            if best is None or len(points.get(t.pk, ())) > len(points.get(best.pk, ())):
                line_target[t.plan.city_id] = t
        series = {t.plan.city: points.get(t.pk, []) for t in line_target.values()}
        rows = [ComparisonRow(t.plan.city, t, latest.get(t.pk)) for t in members]
        groups.append(ComparisonGroup(members[0].indicator, level, rows, series))
    return Comparison(indicators, chosen, groups)


# ---------------------------------------------------------------- compliance


def compliance_years(*, dataset: str, city: Unit) -> list[int]:
    """Years that have compliance records for the city, for the filter."""
    return sorted(
        set(
            ComplianceRecord.objects.filter(dataset=dataset, unit__city=city)
            .values_list("period__year", flat=True)
            .distinct()
        )
    )


def periods_of_year(*, year: int) -> list[Period]:
    return list(Period.objects.filter(year=year).order_by("ends_on", "starts_on"))
