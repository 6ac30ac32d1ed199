"""What the leaders' report says, gathered from stored results in a fixed number of queries.

Every verdict, value, projection and compliance state is read from the engine's stored rows
(attainment.TargetAttainment, reporting.ComplianceRecord) and their selectors; nothing here
computes attainment. Counting rows by their stored status is all the report adds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q, QuerySet

from attainment.models import Dataset, Scope, Status, TargetAttainment
from dashboards.selectors import BEHIND_STATUSES
from reporting.models import (
    ApprovedFigure,
    ComplianceRecord,
    FigureOrigin,
    Period,
    PeriodKind,
    Timeliness,
)
from reporting.selectors import compliance_matrix
from targets.models import Pillar, Plan, Target
from units.access import READ_CITY_REPORT
from units.models import Unit, UnitKind

LATE = (Timeliness.LATE, Timeliness.MISSING)


@dataclass
class TargetLine:
    """A target with its stored result as of the report's period (None when there is none)."""

    target: Target
    result: TargetAttainment | None
    documents: list[ApprovedFigure] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.result.status if self.result else Status.INSUFFICIENT_DATA

    @property
    def is_behind(self) -> bool:
        return self.status in BEHIND_STATUSES

    @property
    def units_reported(self) -> int | None:
        """The engine's coverage: units that reported / units owing (None: a city's own
        figure, which answers no unit's duty, or no result)."""
        return self.result.units_reported if self.result else None

    @property
    def units_expected(self) -> int | None:
        return self.result.units_expected if self.result else None


@dataclass
class Headline:
    """Targets counted by stored status for a plan, or one pillar of it."""

    plan: Plan
    pillar: Pillar | None
    counts: dict[str, int]
    n_targets: int
    n_with_result: int
    units_reported: int  # summed over the results with coverage, as the engine's rollups do
    units_expected: int


@dataclass
class UnitStanding:
    """A responsible unit: its targets behind, and its report for the period."""

    unit: Unit
    n_targets: int
    n_behind: int
    timeliness: str | None
    days_late: int | None

    @property
    def is_behind(self) -> bool:
        return self.n_behind > 0 or self.timeliness in LATE


@dataclass
class CityReport:
    city: Unit
    period: Period
    dataset: str
    plans: list[Plan]
    lines: list[TargetLine]
    headlines: list[Headline]
    units: list[UnitStanding]
    compliance: list[ComplianceRecord]
    documents: list[ApprovedFigure]
    cutoff: datetime | None  # when the engine computed the newest result the report shows

    @property
    def is_demo(self) -> bool:
        return self.dataset == Dataset.DEMO

    @property
    def behind(self) -> list[TargetLine]:
        return [line for line in self.lines if line.is_behind]

    @property
    def units_behind(self) -> list[UnitStanding]:
        return [u for u in self.units if u.is_behind]

    @property
    def compliance_counts(self) -> dict[str, int]:
        counts = Counter(r.timeliness for r in self.compliance)
        return {t: counts.get(t, 0) for t in Timeliness.values}


def report_periods(*, today: date) -> QuerySet[Period]:
    """Quarters that have ended, newest first: the periods a report can be asked for."""
    return Period.objects.filter(kind=PeriodKind.QUARTER, ends_on__lt=today).order_by(
        "-ends_on"
    )


def downloadable_periods(*, user, city: Unit, today: date) -> QuerySet[Period]:
    """report_periods when the user may download the city's report, else none."""
    qs = report_periods(today=today)
    return qs if user.has_perm(READ_CITY_REPORT, city) else qs.none()


def period_due_for_mailing(*, today: date) -> Period | None:
    """The newest quarter whose reporting deadline has passed: the one to e-mail."""
    return (
        Period.objects.filter(kind=PeriodKind.QUARTER, deadline__lt=today)
        .order_by("-ends_on")
        .first()
    )


def report_cities() -> QuerySet[Unit]:
    """Cities that exist today and have a plan: those a report is written for."""
    return (
        Unit.objects.filter(kind=UnitKind.PROVINCE, valid_to__isnull=True, plans__isnull=False)
        .distinct()
        .order_by("code")
    )


def _as_of(rows: list[TargetAttainment], key) -> dict:
    """The last row of each key; rows come ordered by period end."""
    return {key(r): r for r in rows}


def city_report(*, city: Unit, period: Period, dataset: str) -> CityReport:
    """The report's content for a city as of a period's end; six queries.

    A target's result is the engine's row for the newest period ending by the period's end:
    for the newest period that is the dashboards' latest result. A target without any figure
    keeps the engine's placeholder verdict, whatever its row's date.
    """
    plans = list(Plan.objects.filter(city=city).order_by("code"))
    targets = list(
        Target.objects.filter(plan__city=city)
        .select_related("plan", "indicator__pillar")
        .prefetch_related("responsible_units")
        .order_by(
            "plan__code", "year", "indicator__pillar__order", "indicator__code", "level", "code"
        )
    )
    # A target the engine has no figure for carries one placeholder row dated today's quarter;
    # its verdict (insufficient data, baseline needed, level abolished) holds for any period.
    placeholder = Q(is_latest=True, n_observations=0, actual_value__isnull=True)
    results = list(
        TargetAttainment.objects.filter(dataset=dataset, target__plan__city=city)
        .filter(Q(period__ends_on__lte=period.ends_on) | placeholder)
        .select_related("period", "unit")
        .order_by("period__ends_on", "period__starts_on", "pk")
    )
    combined = _as_of([r for r in results if r.scope == Scope.COMBINED], lambda r: r.target_id)
    per_unit = _as_of(
        [r for r in results if r.scope == Scope.UNIT], lambda r: (r.target_id, r.unit_id)
    )
    documents = []
    if dataset == Dataset.OFFICIAL:
        # Figures transcribed from the source documents; demo reports never show them.
        documents = list(
            ApprovedFigure.objects.filter(
                origin=FigureOrigin.DOCUMENT, superseded_at__isnull=True, unit__city=city,
                period__ends_on__lte=period.ends_on,
            )
            .select_related("indicator", "unit", "period")
            .order_by("indicator__code", "period__ends_on", "unit__code")
        )
    lines = []
    for target in targets:
        result = combined.get(target.pk)
        used = [
            d for d in documents
            if result is not None and d.indicator_id == target.indicator_id
            and d.period_id == result.period_id
        ]
        lines.append(TargetLine(target, result, used))
    _units, _periods, cells = compliance_matrix(dataset=dataset, city=city, periods=[period])
    compliance = sorted(cells.values(), key=lambda r: (r.unit.kind, r.unit.code))
    shown = [line.result for line in lines if line.result] + list(per_unit.values())
    cutoff = max((r.computed_at for r in shown), default=None)
    return CityReport(
        city=city, period=period, dataset=dataset, plans=plans, lines=lines,
        headlines=_headlines(plans, lines), units=_standings(period, targets, per_unit, compliance),
        compliance=compliance, documents=documents, cutoff=cutoff,
    )


def _count(plan: Plan, pillar: Pillar | None, lines: list[TargetLine]) -> Headline:
    counts = Counter(line.status for line in lines)
    return Headline(
        plan=plan, pillar=pillar, counts={s: counts.get(s, 0) for s in Status.values},
        n_targets=len(lines), n_with_result=sum(line.result is not None for line in lines),
        units_reported=sum(line.units_reported or 0 for line in lines if line.units_expected),
        units_expected=sum(line.units_expected or 0 for line in lines),
    )


def _headlines(plans: list[Plan], lines: list[TargetLine]) -> list[Headline]:
    """Per plan: the whole plan, then each of its pillars in their order."""
    headlines = []
    for plan in plans:
        in_plan = [line for line in lines if line.target.plan_id == plan.pk]
        if not in_plan:
            continue
        headlines.append(_count(plan, None, in_plan))
        pillars = sorted({line.target.indicator.pillar for line in in_plan},
                         key=lambda p: (p.order, p.code))
        for pillar in pillars:
            headlines.append(_count(
                plan, pillar, [x for x in in_plan if x.target.indicator.pillar_id == pillar.pk]
            ))
    return headlines


def _standings(
    period: Period,
    targets: list[Target],
    per_unit: dict[tuple[int, int], TargetAttainment],
    compliance: list[ComplianceRecord],
) -> list[UnitStanding]:
    """Every responsible unit and every unit expected to report, most behind first."""
    units: dict[int, Unit] = {}
    n_targets: Counter = Counter()
    n_behind: Counter = Counter()
    for target in targets:
        for unit in target.responsible_units.all():
            units[unit.pk] = unit
            n_targets[unit.pk] += 1
            result = per_unit.get((target.pk, unit.pk))
            if result is not None and result.status in BEHIND_STATUSES:
                n_behind[unit.pk] += 1
    records = {r.unit_id: r for r in compliance}
    for record in compliance:
        units.setdefault(record.unit_id, record.unit)
    standings = [
        UnitStanding(
            unit=unit, n_targets=n_targets[pk], n_behind=n_behind[pk],
            timeliness=records[pk].timeliness if pk in records else None,
            days_late=records[pk].days_late if pk in records else None,
        )
        for pk, unit in units.items()
        # as on the dashboards, a unit gone by then answers for nothing: its successor does
        if unit.exists_during(period.starts_on, period.ends_on)
    ]
    late_order = {Timeliness.MISSING: 0, Timeliness.LATE: 1}
    standings.sort(key=lambda s: (-s.n_behind, late_order.get(s.timeliness, 2), s.unit.code))
    return standings
