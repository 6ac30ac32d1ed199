"""Demo data: a deterministic set of quarterly reports so a newcomer's dashboards show something.

The documents give targets and only a few actual figures. ``demo_load`` writes, for every
unit responsible for a seeded target, approved quarterly reports from 2021 Q1 to 2026 Q3 with
plausible paths toward its targets: some on track, some behind, some stalled, some
deteriorating, and some reports late or missing so the compliance heatmap shows every state.

Every row is marked: Report.is_demo, ApprovedFigure.origin "demo", ReportEvent.channel "demo".
The engine computes the demo dataset apart from the official one, so demo figures never mix
with the documents' figures; ``demo_remove`` deletes every demo row and nothing else.

Determinism: each series draws from a random generator seeded with the unit and indicator
codes, so the same seeds give the same numbers whatever else is in the database.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from attainment import method
from attainment.models import Dataset, RecomputeRun, Rollup, TargetAttainment
from attainment.outbox import recompute_request_create
from dxtracker.demo_accounts import demo_logins
from reporting.compliance import compliance_refresh
from reporting.models import (
    ApprovedFigure,
    Channel,
    ComplianceRecord,
    FigureOrigin,
    MilestoneState,
    Period,
    PeriodKind,
    Report,
    ReportAction,
    ReportEvent,
    ReportLine,
    ReportState,
)
from reporting.periods import period_ensure
from reporting.selectors import owes
from targets.models import Measure, Target
from targets.selectors import responsibilities
from units.models import Membership, Role, Unit, UnitKind

SEED = 20210101
FIRST_QUARTER = (2021, 1)
LAST_QUARTER = (2026, 3)
START_T = 2021.0
BATCH = 500

# How a unit's series moves toward its target: (name, weight).
PROFILES = (
    ("on_track", 45),
    ("early", 15),
    ("behind", 20),
    ("stalled", 8),
    ("deteriorating", 12),
)
# How a report arrives: (name, weight); a unit's own reliability shifts these.
ARRIVALS = (("on_time", 80), ("late", 15), ("missing", 5))
UNRELIABLE_ARRIVALS = (("on_time", 50), ("late", 35), ("missing", 15))

NOTE_VI = "Dữ liệu minh họa — không phải số liệu chính thức"
NOTE_EN = "Demo data — not official figures"


@dataclass
class DemoSummary:
    reports: int = 0
    lines: int = 0
    figures: int = 0
    events: int = 0
    skipped_existing: int = 0
    skipped_real: int = 0
    drafts: int = 0


def demo_quarters() -> list[tuple[int, int]]:
    quarters, (year, quarter) = [], FIRST_QUARTER
    while (year, quarter) <= LAST_QUARTER:
        quarters.append((year, quarter))
        year, quarter = (year, quarter + 1) if quarter < 4 else (year + 1, 1)
    return quarters


def _pick(rng: random.Random, choices) -> str:
    names, weights = zip(*choices, strict=True)
    return rng.choices(names, weights=weights, k=1)[0]


def _spec(target: Target) -> method.TargetSpec:
    return method.TargetSpec(
        comparator=target.comparator,
        value=float(target.value) if target.value is not None else None,
        year=target.year,
        direction=target.indicator.direction,
        measure=target.indicator.measure,
        baseline_value=float(target.baseline_value) if target.baseline_value is not None else None,
        baseline_year=target.baseline_year,
    )


def _start_value(rng: random.Random, target: Target, goal: float, higher: bool) -> float:
    if target.baseline_value is not None:
        return float(target.baseline_value)
    if target.indicator.measure == Measure.RANK:
        return min(63.0, goal + rng.randint(6, 25))
    if higher:
        return goal * rng.uniform(0.25, 0.6)
    return goal * rng.uniform(1.4, 2.2) if goal > 0 else rng.uniform(5, 20)


def _end_fraction(rng: random.Random, profile: str) -> float:
    """How much of the way from start to target the series covers by the deadline."""
    return {
        "on_track": rng.uniform(1.02, 1.12),
        "early": rng.uniform(1.1, 1.25),
        "behind": rng.uniform(0.5, 0.8),
        "stalled": rng.uniform(0.1, 0.3),
        "deteriorating": rng.uniform(-0.3, -0.1),
    }[profile]


class _Series:
    """Piecewise-linear path through anchor points (t, value), with a little noise."""

    def __init__(self, anchors: list[tuple[float, float]], rng: random.Random, spread: float):
        self.anchors = sorted(anchors)
        self.rng = rng
        self.spread = spread

    def at(self, t: float) -> float:
        points = self.anchors
        if t <= points[0][0]:
            value = points[0][1]
        elif t >= points[-1][0]:
            value = points[-1][1]
        else:
            value = points[-1][1]
            for (t0, v0), (t1, v1) in zip(points, points[1:], strict=False):
                if t0 <= t <= t1:
                    value = v0 + (v1 - v0) * (t - t0) / (t1 - t0)
                    break
        return value + self.rng.gauss(0, self.spread)


def _series_for(unit: Unit, targets: list[Target], seed: int) -> tuple[str, object]:
    """('value', _Series) or ('milestone', {t: state}) for a unit's targets on one indicator."""
    indicator = targets[0].indicator
    rng = random.Random(f"{seed}:{unit.code}:{indicator.code}")
    profile = _pick(rng, PROFILES)
    targets = sorted(targets, key=lambda t: t.year)
    if indicator.measure == Measure.MILESTONE or targets[0].comparator == "milestone":
        done_by = {
            "on_track": targets[0].year + rng.uniform(0.25, 0.9),
            "early": targets[0].year - rng.uniform(0.5, 2.0),
        }.get(profile)
        started = START_T + rng.uniform(0.25, 2.5)
        return "milestone", (started, done_by)
    spec = _spec(targets[0])
    goal = method.effective_target(spec)
    if goal is None:
        goal = 100.0
    higher = method.goal_direction(spec) == method.HIGHER
    start = _start_value(rng, targets[0], goal, higher)
    anchors = [(START_T, start)]
    if profile == "deteriorating":
        peak_t = START_T + rng.uniform(1.5, 2.5)
        anchors.append((peak_t, start + (goal - start) * rng.uniform(0.35, 0.6)))
    previous = start
    for target in targets:
        t_spec = _spec(target)
        t_goal = method.effective_target(t_spec)
        if t_goal is None:
            continue
        fraction = _end_fraction(rng, profile)
        deadline = method.target_deadline_t(target.year)
        if profile == "early":
            anchors.append((deadline - rng.uniform(1.5, 2.5), previous + (t_goal - previous)))
        end = previous + (t_goal - previous) * fraction
        # A unit on track gets there early in the target year, not on its last day (and
        # before March 2025, when the cities' DOITs merged into their science departments).
        reached = deadline - rng.uniform(0.8, 1.0) if profile == "on_track" else deadline
        anchors.append((reached, end))
        previous = end
    spread = abs(goal - start) * 0.015
    return "value", _Series(anchors, rng, spread)


def _clamp(value: float, indicator, denominator: float | None) -> float:
    if indicator.measure == Measure.PERCENT:
        return max(0.0, min(100.0, value))
    if indicator.measure == Measure.RANK:
        return float(max(1, min(63, round(value))))
    if indicator.measure == Measure.COUNT:
        value = max(0.0, float(round(value)))
        return min(value, denominator) if denominator else value
    return max(0.0, value)


def _line_values(kind: str, series, t: float, indicator, denominator: float | None) -> dict:
    if kind == "milestone":
        started, done_by = series
        if done_by is not None and t >= done_by:
            state = MilestoneState.DONE
        elif t >= started:
            state = MilestoneState.IN_PROGRESS
        else:
            state = MilestoneState.NOT_STARTED
        return {"milestone_state": state}
    value = _clamp(series.at(t), indicator, denominator)
    if indicator.fraction and denominator:
        if indicator.measure == Measure.PERCENT:
            numerator = float(round(value / 100 * denominator))
            return {"numerator": numerator, "denominator": denominator,
                    "value": round(numerator / denominator * 100, 4)}
        return {"numerator": value, "denominator": denominator, "value": value}
    return {"value": round(value, 4)}


def _at(day: date, rng: random.Random) -> datetime:
    moment = datetime.combine(day, time(8)) + timedelta(minutes=rng.randint(0, 9 * 60))
    return timezone.make_aware(moment)


def _arrival(unit: Unit, period: Period, seed: int, now: datetime) -> datetime | None:
    """When the unit first submitted that period's report, or None when it never did."""
    rng = random.Random(f"{seed}:{unit.code}:{period.code}:arrival")
    reliability = random.Random(f"{seed}:{unit.code}:reliability").random()
    weights = ARRIVALS if reliability > 0.2 else UNRELIABLE_ARRIVALS
    arrival = _pick(rng, weights)
    if arrival == "missing":
        return None
    if arrival == "on_time":
        day = period.deadline - timedelta(days=rng.randint(0, 12))
    else:
        day = period.deadline + timedelta(days=rng.randint(1, 30))
    moment = _at(day, rng)
    return moment if moment < now else None


def _plan(seed: int):
    """Targets grouped by (unit, indicator), and the demo quarters."""
    targets = (
        Target.objects.select_related("indicator")
        .prefetch_related(Prefetch("responsible_units", queryset=Unit.objects.order_by("code")))
        .order_by("year", "code")
    )
    grouped: dict[tuple[Unit, int], list[Target]] = defaultdict(list)
    units: dict[int, Unit] = {}
    for target in targets:
        for unit in target.responsible_units.all():
            units[unit.pk] = unit
            grouped[(unit.pk, target.indicator_id)].append(target)
    periods = [
        period_ensure(kind=PeriodKind.QUARTER, year=y, quarter=q) for y, q in demo_quarters()
    ]
    # Yearly indicators (rankings, GRDP shares) are reported once a year, for finished years.
    periods += [
        period_ensure(kind=PeriodKind.YEAR, year=year)
        for year in range(FIRST_QUARTER[0], LAST_QUARTER[0])
    ]
    periods.sort(key=lambda p: (p.ends_on, p.kind))
    return units, grouped, periods


def _reporting_unit(unit: Unit, period: Period, all_units: dict[int, Unit]) -> Unit | None:
    """Who reports the unit's figures for the period: itself, or the department that took it
    over in a reorganisation. Units merged into a province are not continued: their level is
    gone."""
    current, seen = unit, set()
    while not current.exists_during(period.starts_on, period.ends_on):
        seen.add(current.pk)
        nxt = all_units.get(current.successor_id) if current.successor_id else None
        if nxt is None or nxt.pk in seen or nxt.kind == UnitKind.PROVINCE:
            return None
        current = nxt
    return current


@transaction.atomic
def demo_load(*, seed: int = SEED, now: datetime | None = None) -> DemoSummary:
    """Write the demo reports that are not there yet; running it again writes nothing."""
    now = now or timezone.now()
    summary = DemoSummary()
    units, grouped, periods = _plan(seed)
    all_units = {u.pk: u for u in Unit.objects.all()}
    # What a unit owes in a period follows reporting's one rule: the indicator's frequency
    # matches the period, the target is not past, and an inherited duty has begun.
    duties = {(r.unit_id, r.target_id): r for r in responsibilities()}
    # Units a demo login reports for get the last demo quarter as a draft to fill, so a
    # trial user can walk the whole path and see it land on the demo dashboards.
    entry_units = set(
        Membership.objects.filter(role=Role.REPORTER, user__in=demo_logins())
        .values_list("unit_id", flat=True)
    )
    quarters = [p for p in periods if p.kind == PeriodKind.QUARTER]
    last_period = quarters[-1] if quarters else None
    by_unit: dict[int, list[tuple[int, list[Target]]]] = defaultdict(list)
    for (unit_id, indicator_id), targets in sorted(grouped.items()):
        by_unit[unit_id].append((indicator_id, targets))

    # (reporting unit, period) -> {indicator id: line values}; the first unit (by code) to
    # report an indicator there wins, so merged units never give one indicator twice.
    planned: dict[tuple[int, int], dict[int, dict]] = {}
    for unit_id in sorted(by_unit, key=lambda pk: units[pk].code):
        unit = units[unit_id]
        series = {}
        for ind, targets in by_unit[unit_id]:
            fraction = targets[0].indicator.fraction
            den_rng = random.Random(f"{seed}:{unit.code}:{targets[0].indicator.code}:den")
            denominator = float(den_rng.randint(20, 60)) if fraction else None
            series[ind] = (_series_for(unit, targets, seed), targets, denominator)
        for period in periods:
            reporter = _reporting_unit(unit, period, all_units)
            if reporter is None:
                continue
            t = method.period_end_t(period.year, period.quarter)
            lines = planned.setdefault((reporter.pk, period.pk), {})
            for ind, ((kind, path), targets, denominator) in series.items():
                if ind in lines or not any(
                    owes(duties[(unit.pk, tg.pk)], period)
                    for tg in targets if (unit.pk, tg.pk) in duties
                ):
                    continue
                indicator = targets[0].indicator
                lines[ind] = {"indicator": indicator,
                              **_line_values(kind, path, t, indicator, denominator)}

    existing = {
        (u, p): demo
        for u, p, demo in Report.objects.filter(period__in=periods).values_list(
            "unit_id", "period_id", "is_demo"
        )
    }
    period_by_id = {p.pk: p for p in periods}
    reports: list[Report] = []
    drafts: list[Report] = []
    pending_lines: list[list[dict]] = []
    order = sorted(planned, key=lambda k: (all_units[k[0]].code, period_by_id[k[1]].ends_on))
    for reporter_id, period_id in order:
        lines = planned[(reporter_id, period_id)]
        if not lines:
            continue
        if (reporter_id, period_id) in existing:
            if existing[(reporter_id, period_id)]:
                summary.skipped_existing += 1
            else:
                summary.skipped_real += 1
            continue
        unit, period = all_units[reporter_id], period_by_id[period_id]
        if period == last_period and reporter_id in entry_units:
            drafts.append(Report(unit=unit, period=period, state=ReportState.DRAFT,
                                 is_demo=True))
            continue
        submitted_at = _arrival(unit, period, seed, now)
        if submitted_at is None:
            continue
        review_rng = random.Random(f"{seed}:{unit.code}:{period.code}:review")
        approved_at = min(submitted_at + timedelta(days=review_rng.randint(1, 9)), now)
        reports.append(Report(
            unit=unit, period=period, state=ReportState.APPROVED, is_demo=True,
            submitted_at=submitted_at, first_submitted_at=submitted_at,
            reviewed_at=approved_at, is_overdue=timezone.localdate(submitted_at) > period.deadline,
        ))
        pending_lines.append([lines[ind] for ind in sorted(lines)])
    Report.objects.bulk_create(reports, batch_size=BATCH)
    _write_children(reports, pending_lines, summary)
    Report.objects.bulk_create(drafts, batch_size=BATCH)
    ReportEvent.objects.bulk_create(
        [ReportEvent(report=draft, action=ReportAction.CREATED, revision=1,
                     channel=Channel.DEMO, reason="") for draft in drafts],
        batch_size=BATCH,
    )
    summary.reports = len(reports)
    summary.drafts = len(drafts)
    summary.events += len(drafts)
    if reports:
        # Demo figures count in the demo dataset only. Its compliance is written here, in the
        # load's transaction; its recompute goes through the outbox like an approval's, so a
        # broker that is down when the load commits delays the results (the sweep queues the
        # request again) instead of losing them.
        compliance_refresh(dataset=Dataset.DEMO)
        recompute_request_create(dataset=Dataset.DEMO,
                                 target_ids=Target.objects.values_list("pk", flat=True))
    return summary


def _write_children(reports: list[Report], pending_lines: list[list[dict]], summary) -> None:
    lines, figures, events = [], [], []
    for report, values in zip(reports, pending_lines, strict=True):
        for entry in values:
            fields = {k: v for k, v in entry.items() if k != "indicator"}
            lines.append(ReportLine(report=report, indicator=entry["indicator"], **fields))
            figures.append(ApprovedFigure(
                indicator=entry["indicator"], unit=report.unit, period=report.period,
                origin=FigureOrigin.DEMO, report=report, revision=1,
                approved_at=report.reviewed_at, note_vi=NOTE_VI, note_en=NOTE_EN, **fields,
            ))
        created_at = report.submitted_at - timedelta(days=2)
        for action, at in ((ReportAction.CREATED, created_at),
                           (ReportAction.SUBMITTED, report.submitted_at),
                           (ReportAction.APPROVED, report.reviewed_at)):
            events.append(ReportEvent(report=report, action=action, at=at, revision=1,
                                      channel=Channel.DEMO, reason=""))
    ReportLine.objects.bulk_create(lines, batch_size=BATCH)
    ApprovedFigure.objects.bulk_create(figures, batch_size=BATCH)
    # `at` is auto_now_add, which bulk_create stamps with now; bulk_update writes the
    # historical times as given.
    times = [event.at for event in events]
    ReportEvent.objects.bulk_create(events, batch_size=BATCH)
    for event, at in zip(events, times, strict=True):
        event.at = at
    ReportEvent.objects.bulk_update(events, ["at"], batch_size=BATCH)
    summary.lines, summary.figures, summary.events = len(lines), len(figures), len(events)


@transaction.atomic
def demo_remove() -> dict[str, int]:
    """Delete every demo row: reports and their lines, events and figures, demo results."""
    demo_reports = Report.objects.filter(is_demo=True)
    report_ids = list(demo_reports.values_list("pk", flat=True))

    def delete(qs, label: str) -> int:
        return qs.delete()[1].get(label, 0)

    counts = {
        "figures": delete(ApprovedFigure.objects.filter(origin=FigureOrigin.DEMO),
                          "reporting.ApprovedFigure"),
        "events": delete(ReportEvent.objects.filter(report_id__in=report_ids),
                         "reporting.ReportEvent"),
        "lines": delete(ReportLine.objects.filter(report_id__in=report_ids),
                        "reporting.ReportLine"),
        "attainment": delete(TargetAttainment.objects.filter(dataset=Dataset.DEMO),
                             "attainment.TargetAttainment"),
        "rollups": delete(Rollup.objects.filter(dataset=Dataset.DEMO), "attainment.Rollup"),
        "compliance": delete(ComplianceRecord.objects.filter(dataset=Dataset.DEMO),
                             "reporting.ComplianceRecord"),
        "runs": delete(RecomputeRun.objects.filter(dataset=Dataset.DEMO),
                       "attainment.RecomputeRun"),
    }
    # Demo reports are written in bulk, so they have no history unless someone edited one.
    ReportLine.history.model.objects.filter(report_id__in=report_ids).delete()
    Report.history.model.objects.filter(id__in=report_ids).delete()
    counts["reports"] = delete(Report.objects.filter(pk__in=report_ids), "reporting.Report")
    return counts
