"""Attainment method: how far a plan target is met and whether it is on track.

This is the product's published method. It is pure computation (no Django) so the
Celery engine, the tests and any notebook compute exactly the same numbers.

Source: the progress status of Open SDG (open-sdg/open-sdg, docs/progress-methodology.md;
implemented in open-sdg/sdg-build, sdg/ProgressMeasure.py), which implements Statistics
Canada's progress measure, itself derived from Eurostat's SDG progress assessment.

Time
    Every value sits at the decimal year of the END of its period: 2023 Q3 -> 2023.75,
    the year 2022 -> 2023.0. A target "by 2025" is due at the end of 2025 (2026.0).
    Only observations at or before ``as_of_t`` count, so re-evaluating a past date gives
    the answer that was true then.
    A target for year Y is judged on observations of periods ending in Y or earlier
    (t <= Y + 1). Later observations are returned as ``since_deadline_value`` / ``_t``
    ("where are we now") and never change the verdict on Y.
    ``final_due_t`` is the decimal year of the reporting deadline of the last period of Y
    (Q4's, or the year's for a yearly indicator); the caller passes it, this module knows
    no calendar. Between the end of Y and that deadline an unmet target is
    awaiting_final; after it, missed. Without ``final_due_t`` it is the end of Y.
    stale: the observation the verdict rests on ended more than STALE_AFTER_YEARS before
    the evaluation date, capped at the end of Y (a 2021 target is not stale in 2026 for
    resting on 2021 figures; a 2025 target resting on a 2022 rank is).

Target
    at_least / more_than / at_most / less_than / top_n compare against the stated value.
    reduce_by N with a baseline B means "at most B*(1-N/100)"; increase_by N with a
    baseline means "at least B*(1+N/100)". Without a baseline, the reported value is read
    as the cumulative % reduced / increased so far, compared "at least N", ONLY when the
    indicator is defined that way (``reads_change``); otherwise a count or a level says
    nothing about the change and the status is baseline_needed, never achieved.
    A milestone is met when its state is ``done``.
    Which way is better comes from the comparator (see ``goal_direction``), not from the
    indicator's ``direction``, because a reduce_by read as "% reduced" is higher-is-better.

Attainment %
    Distance covered from the baseline (0 when unknown) to the target, clamped to 0..100;
    100 whenever the comparator holds. Lower-is-better mirrors it; with no baseline it is
    target/actual. top_n is all or nothing. Milestones: not_started 0, in_progress 50,
    done 100.

Status
    achieved            the comparator holds on the latest observation.
    Ranks and milestones: otherwise missed after the deadline, else not_achieved.
    Everything else:
    missed              the last period of the target year is past its reporting deadline
                        and the latest observation of the year or before does not meet it.
    awaiting_final      the target year has ended, its last figures are not yet due, and
                        the latest observation does not meet it.
    insufficient_data   no observation, no target value, or fewer than two points in time
                        (the plan's baseline counts as one).
    baseline_needed     reduce_by / increase_by without a baseline on an indicator that
                        does not report the change itself.
    incomplete_data     the observation the verdict would rest on combines fewer of the units
                        owing it than COVERAGE_THRESHOLD (``Observation.coverage``).
    level_abolished     the target's administrative level ceased to exist
                        (``level_ended_t``) before the end of the target year.
    retired             a later document ended the target (``retired``); its figures stay
                        visible and nothing is judged on them. A target is judged against
                        the version of it in force on the period's last day, so the periods
                        before the retirement keep their verdicts.
    Ranks: an observation ranked in another field than the target's (``rank_field``: "top
    10 of 63" against a rank among 34) is not comparable: it is not judged, and
    ``not_comparable`` says so.
    Otherwise R = d * s * CAGR_observed / |CAGR_required|, both measured from the base
    observation (the plan's baseline when it has a value and a year, else the earliest
    observation):
        CAGR_observed = (current / base) ** (1 / (t_current - t_base)) - 1
        CAGR_required = (target / base) ** (1 / (deadline - t_base)) - 1
    d is +1 when higher is better, -1 when lower is better; s is -1 when the base is
    negative (dividing two negatives turns growth into decline). For an ordinary target
    this equals CAGR_observed / CAGR_required - for lower-is-better both rates are
    negative when moving the right way - and, as in Open SDG, it still reads "moving away"
    as negative when the base had already passed the target. A zero base or target is
    replaced by 0.001, as the method does.
    When base and current, or base and target, have different signs CAGR is undefined
    (Open SDG gives no status there). We fall back to linear annual rates:
        observed = (current - base) / (t_current - t_base)
        required = (target - base) / (deadline - t_base)
    with the same R = d * observed / |required|.
        R >= 0.95          on_track
        0.6 <= R < 0.95    needs_acceleration
        0 <= R < 0.6       limited_progress
        R < 0              deteriorating
    A required rate of 0 (target equals base but is not met) has no ratio: deteriorating
    when the value moved the wrong way, otherwise limited_progress (standing still is no
    progress, but it is not deterioration).

Expected now (not for milestones)
    expected_now: the straight line from the base observation to the target at the
    deadline, read at ``as_of_t`` (at the deadline once it has passed).

Projection (not for ranks or milestones)
    projected_cagr: current * (1 + CAGR_observed) ** (deadline - t_current).
    projected_linear: least-squares line through every point (baseline included) at the
    deadline. required_rate_from_now / required_step_from_now: the compound / linear
    yearly change still needed from ``as_of_t`` to the deadline.

Odd data (negative, zero, a single point, two values at the same time, NaN) never raises:
the result is a status and Nones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

AT_LEAST = "at_least"
MORE_THAN = "more_than"
AT_MOST = "at_most"
LESS_THAN = "less_than"
TOP_N = "top_n"
REDUCE_BY = "reduce_by"
INCREASE_BY = "increase_by"
MILESTONE = "milestone"
COMPARATORS = (AT_LEAST, MORE_THAN, AT_MOST, LESS_THAN, TOP_N, REDUCE_BY, INCREASE_BY, MILESTONE)

HIGHER = "higher"
LOWER = "lower"
DIRECTIONS = (HIGHER, LOWER)

PERCENT = "percent"
COUNT = "count"
RATE_PER_1000 = "rate_per_1000"
MONEY_VND = "money_vnd"
RANK = "rank"
MEASURES = (PERCENT, COUNT, RATE_PER_1000, MONEY_VND, RANK, MILESTONE)

ACHIEVED = "achieved"
ON_TRACK = "on_track"
NEEDS_ACCELERATION = "needs_acceleration"
LIMITED_PROGRESS = "limited_progress"
DETERIORATING = "deteriorating"
NOT_ACHIEVED = "not_achieved"
MISSED = "missed"
INSUFFICIENT_DATA = "insufficient_data"
AWAITING_FINAL = "awaiting_final"
BASELINE_NEEDED = "baseline_needed"
INCOMPLETE_DATA = "incomplete_data"
LEVEL_ABOLISHED = "level_abolished"
RETIRED = "retired"
STATUSES = (
    ACHIEVED,
    ON_TRACK,
    NEEDS_ACCELERATION,
    LIMITED_PROGRESS,
    DETERIORATING,
    NOT_ACHIEVED,
    AWAITING_FINAL,
    MISSED,
    INCOMPLETE_DATA,
    BASELINE_NEEDED,
    LEVEL_ABOLISHED,
    RETIRED,
    INSUFFICIENT_DATA,
)

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
DONE = "done"
MILESTONE_STATES = (NOT_STARTED, IN_PROGRESS, DONE)
MILESTONE_ATTAINMENT = {NOT_STARTED: 0.0, IN_PROGRESS: 50.0, DONE: 100.0}

# Thresholds on R, the ratio of observed to required growth (Open SDG defaults).
ON_TRACK_MIN_RATIO = 0.95
NEEDS_ACCELERATION_MIN_RATIO = 0.6
LIMITED_PROGRESS_MIN_RATIO = 0.0

# A target at a level (districts, communes, departments) is judged only when at least this
# share of the units owing a figure for the period reported it.
COVERAGE_THRESHOLD = 0.8

# A verdict resting on a figure older than this (in years) is flagged stale.
STALE_AFTER_YEARS = 1.0

# The method's stand-in for a zero base or target, which would break the CAGR.
ZERO_REPLACEMENT = 0.001

RATE_BASIS_CAGR = "cagr"
RATE_BASIS_LINEAR = "linear"

# Combined shares such as 24/33*100 carry float noise; it must not flip "at least 80".
_REL_TOL = 1e-9
_ABS_TOL = 1e-9


@dataclass(frozen=True)
class Observation:
    t: float  # decimal year of the END of the period
    value: float
    # Units that reported / units owing, for a value combined over a level; None: not one.
    coverage: float | None = None
    field: float | None = None  # for ranks: how many were ranked (63, or 34 after 2025)


@dataclass(frozen=True)
class TargetSpec:
    comparator: str
    value: float | None
    year: int
    direction: str
    measure: str
    baseline_value: float | None = None
    baseline_year: int | None = None
    reads_change: bool = False  # the indicator reports the % changed so far itself
    rank_field: float | None = None  # how many were ranked when the target was set


@dataclass(frozen=True)
class Evaluation:
    actual: float | None = None
    effective_target: float | None = None
    attainment_pct: float | None = None
    status: str = INSUFFICIENT_DATA
    ratio: float | None = None
    observed_rate: float | None = None
    required_rate: float | None = None
    projected_cagr: float | None = None
    projected_linear: float | None = None
    required_rate_from_now: float | None = None
    required_step_from_now: float | None = None  # linear change per year still needed
    places_gained: float | None = None
    base_t: float | None = None
    base_value: float | None = None
    n_observations: int = 0  # reported observations at or before as_of_t; not the baseline
    rate_basis: str | None = None  # "cagr" or "linear": the unit of observed/required_rate
    latest_t: float | None = None  # when the observation the verdict rests on ends
    stale: bool = False
    # The latest observation after the target year: shown, never judged.
    since_deadline_value: float | None = None
    since_deadline_t: float | None = None
    coverage: float | None = None  # of the observation the verdict rests on
    not_comparable: bool = False  # the latest rank was ranked in another field
    # Where the value should be now on a straight line from the base to the target.
    expected_now: float | None = None
    milestone_state: str | None = None  # the state judged (at the end of the target year)


@dataclass(frozen=True)
class _Rates:
    observed: float
    required: float
    progress: float  # observed rate signed so that positive means "the right way"
    ratio: float | None
    basis: str


def period_end_t(year: int, quarter: int | None) -> float:
    """Return the decimal year at the end of a year or quarter (2023 Q3 -> 2023.75)."""
    if quarter is None:
        return float(year) + 1.0
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1..4 or None, got {quarter!r}")
    return float(year) + quarter / 4.0


def target_deadline_t(year: int) -> float:
    """Return the decimal year by which a target for ``year`` must be met (its end)."""
    return float(year) + 1.0


def needs_baseline(spec: TargetSpec) -> bool:
    """Whether the target is a change from a baseline it does not have."""
    return (
        spec.comparator in (REDUCE_BY, INCREASE_BY)
        and not is_number(spec.baseline_value)
        and not spec.reads_change
    )


def comparable(spec: TargetSpec, observation: Observation) -> bool:
    """Whether a rank was ranked in the field the target was set in (always, otherwise)."""
    if not _is_rank(spec) or spec.rank_field is None or observation.field is None:
        return True
    return math.isclose(float(observation.field), float(spec.rank_field))


def covered(observation: Observation) -> bool:
    """Whether enough of the units owing the observation reported it to judge on it."""
    return observation.coverage is None or (
        observation.coverage >= COVERAGE_THRESHOLD
        or math.isclose(observation.coverage, COVERAGE_THRESHOLD)
    )


def goal_direction(spec: TargetSpec) -> str:
    """Return "higher" or "lower": which way the compared value should move."""
    comparator = _effective_comparator(spec)
    if comparator in (AT_LEAST, MORE_THAN):
        return HIGHER
    if comparator in (AT_MOST, LESS_THAN):
        return LOWER
    return spec.direction


def effective_target(spec: TargetSpec) -> float | None:
    """Return the number the actual value is compared with, or None for milestones."""
    if _is_milestone(spec) or not is_number(spec.value) or needs_baseline(spec):
        return None
    value = float(spec.value)
    if spec.comparator in (REDUCE_BY, INCREASE_BY) and is_number(spec.baseline_value):
        sign = -1.0 if spec.comparator == REDUCE_BY else 1.0
        return float(spec.baseline_value) * (1.0 + sign * value / 100.0)
    return value


def comparator_holds(spec: TargetSpec, actual: float | str | None) -> bool:
    """Return True when ``actual`` (a milestone state for milestones) meets the target."""
    if _is_milestone(spec):
        return actual == DONE
    if not is_number(actual):
        return False
    target = effective_target(spec)
    if target is None:
        return False
    actual = float(actual)
    close = math.isclose(actual, target, rel_tol=_REL_TOL, abs_tol=_ABS_TOL)
    comparator = _effective_comparator(spec)
    if comparator == AT_LEAST:
        return actual >= target or close
    if comparator == MORE_THAN:
        return actual > target and not close
    if comparator == AT_MOST:
        return actual <= target or close
    if comparator == LESS_THAN:
        return actual < target and not close
    return False


def attainment_pct(spec: TargetSpec, actual: float | str | None) -> float | None:
    """Return how much of the target is attained, 0..100, or None without a value."""
    if _is_milestone(spec):
        return MILESTONE_ATTAINMENT.get(actual) if isinstance(actual, str) else None
    if not is_number(actual):
        return None
    target = effective_target(spec)
    if target is None:
        return None
    if comparator_holds(spec, actual):
        return 100.0
    if spec.comparator == TOP_N:
        return 0.0
    actual = float(actual)
    baseline = _baseline_for_attainment(spec)
    if goal_direction(spec) == HIGHER:
        return _attainment_higher(actual, target, 0.0 if baseline is None else baseline)
    return _attainment_lower(actual, target, baseline)


def status_for_ratio(ratio: float) -> str:
    """Return the progress status for R, the observed over required growth ratio."""
    if ratio >= ON_TRACK_MIN_RATIO:
        return ON_TRACK
    if ratio >= NEEDS_ACCELERATION_MIN_RATIO:
        return NEEDS_ACCELERATION
    if ratio >= LIMITED_PROGRESS_MIN_RATIO:
        return LIMITED_PROGRESS
    return DETERIORATING


def evaluate(
    spec: TargetSpec,
    observations: Sequence[Observation],
    as_of_t: float,
    milestone_state: str | None = None,
    *,
    final_due_t: float | None = None,
    level_ended_t: float | None = None,
    retired: bool = False,
) -> Evaluation:
    """Evaluate a target against its observations as of ``as_of_t``; never raises.

    Only observations of periods ending in the target year or earlier are judged; the
    latest later one is returned as "since the deadline". An unmet target is missed only
    once ``as_of_t`` is past ``final_due_t`` (default: the end of the target year).
    """
    deadline = target_deadline_t(spec.year)
    seen = _usable_points(observations, as_of_t)
    later = [p for p in seen if p.t > deadline]
    in_year = [p for p in seen if p.t <= deadline]
    points = [p for p in in_year if comparable(spec, p)]
    refusal = RETIRED if retired else _refusal(spec, points, as_of_t, deadline, level_ended_t)
    if refusal is not None:
        return _refused(spec, refusal, in_year, later)
    timing = _Timing(
        year_over=as_of_t > deadline,
        final_passed=as_of_t > (deadline if final_due_t is None else max(final_due_t, deadline)),
    )
    if _is_milestone(spec):
        if points:
            # The state at the end of the year, not a later one.
            milestone_state = _MILESTONE_OF_ATTAINMENT.get(points[-1].value, milestone_state)
        ev = _evaluate_milestone(spec, len(points), milestone_state, timing)
    else:
        # A partial value (too few units reported) is no point on the trend.
        points = [p for p in points if covered(p)]
        base = _base_observation(spec, points)
        if _is_rank(spec):
            ev = _evaluate_rank(spec, points, base, timing)
        else:
            ev = _evaluate_trend(spec, points, base, as_of_t, timing)
    latest_t = points[-1].t if points else None
    return replace(
        ev,
        expected_now=_expected_now(ev, deadline, as_of_t),
        milestone_state=milestone_state if _is_milestone(spec) else None,
        latest_t=latest_t,
        coverage=points[-1].coverage if points else None,
        not_comparable=bool(in_year) and not comparable(spec, in_year[-1]),
        stale=latest_t is not None and latest_t < min(as_of_t, deadline) - STALE_AFTER_YEARS,
        since_deadline_value=later[-1].value if later else None,
        since_deadline_t=later[-1].t if later else None,
    )


def _refusal(
    spec: TargetSpec,
    points: list[Observation],
    as_of_t: float,
    deadline: float,
    level_ended_t: float | None,
) -> str | None:
    """A status that says why the target is not judged at all, or None."""
    if level_ended_t is not None and level_ended_t < deadline and as_of_t >= level_ended_t:
        return LEVEL_ABOLISHED
    if needs_baseline(spec):
        return BASELINE_NEEDED
    if points and not covered(points[-1]):
        return INCOMPLETE_DATA
    return None


def _refused(
    spec: TargetSpec, status: str, points: list[Observation], later: list[Observation]
) -> Evaluation:
    """The figures stay visible; nothing is judged on them."""
    latest = points[-1] if points else None
    return Evaluation(
        actual=latest.value if latest else None,
        effective_target=effective_target(spec),
        status=status,
        n_observations=len(points),
        latest_t=latest.t if latest else None,
        coverage=latest.coverage if latest else None,
        since_deadline_value=later[-1].value if later else None,
        since_deadline_t=later[-1].t if later else None,
    )


def _expected_now(ev: Evaluation, deadline: float, as_of_t: float) -> float | None:
    if ev.base_t is None or ev.base_value is None or ev.effective_target is None:
        return None
    span = deadline - ev.base_t
    if span <= 0:
        return None
    share = min(max(as_of_t - ev.base_t, 0.0), span) / span
    return ev.base_value + (ev.effective_target - ev.base_value) * share


@dataclass(frozen=True)
class _Timing:
    year_over: bool  # the target year has ended
    final_passed: bool  # ...and its last figures were due

    def unmet_status(self, before: str) -> str:
        """The status of an unmet target: ``before`` while the year runs."""
        if self.final_passed:
            return MISSED
        return AWAITING_FINAL if self.year_over else before


_MILESTONE_OF_ATTAINMENT = {pct: state for state, pct in MILESTONE_ATTAINMENT.items()}


def _evaluate_milestone(
    spec: TargetSpec, n_points: int, state: str | None, timing: _Timing
) -> Evaluation:
    if state not in MILESTONE_STATES:
        status = INSUFFICIENT_DATA
    elif state == DONE:
        status = ACHIEVED
    else:
        status = timing.unmet_status(NOT_ACHIEVED)
    return Evaluation(
        attainment_pct=attainment_pct(spec, state), status=status, n_observations=n_points
    )


def _evaluate_rank(
    spec: TargetSpec,
    points: list[Observation],
    base: Observation | None,
    timing: _Timing,
) -> Evaluation:
    latest = points[-1] if points else None
    actual = latest.value if latest else None
    target = effective_target(spec)
    if actual is None or target is None:
        status = INSUFFICIENT_DATA
    elif comparator_holds(spec, actual):
        status = ACHIEVED
    else:
        status = timing.unmet_status(NOT_ACHIEVED)
    places = None
    if latest is not None and base is not None and base.t < latest.t:
        places = base.value - latest.value
    return Evaluation(
        actual=actual,
        effective_target=target,
        attainment_pct=attainment_pct(spec, actual),
        status=status,
        places_gained=places,
        base_t=base.t if base else None,
        base_value=base.value if base else None,
        n_observations=len(points),
    )


def _evaluate_trend(
    spec: TargetSpec,
    points: list[Observation],
    base: Observation | None,
    as_of_t: float,
    timing: _Timing,
) -> Evaluation:
    latest = points[-1] if points else None
    actual = latest.value if latest else None
    target = effective_target(spec)
    deadline = target_deadline_t(spec.year)
    rates = None
    if latest is not None and base is not None and target is not None:
        rates = _rates(spec, base, latest, target, deadline)

    if actual is None or target is None:
        status = INSUFFICIENT_DATA
    elif comparator_holds(spec, actual):
        status = ACHIEVED
    elif timing.year_over:
        status = timing.unmet_status(MISSED)
    elif rates is None:
        status = INSUFFICIENT_DATA
    elif rates.ratio is None:
        status = DETERIORATING if rates.progress < 0 else LIMITED_PROGRESS
    else:
        status = status_for_ratio(rates.ratio)

    # The plan's baseline is a real point on the trend line; the earliest observation
    # is already among the points.
    series = [base, *points] if base is not None and _has_plan_baseline(spec) else points
    return Evaluation(
        actual=actual,
        effective_target=target,
        attainment_pct=attainment_pct(spec, actual),
        status=status,
        ratio=rates.ratio if rates else None,
        observed_rate=rates.observed if rates else None,
        required_rate=rates.required if rates else None,
        projected_cagr=_projected_cagr(latest, rates, deadline),
        projected_linear=_least_squares_at(series, deadline),
        required_rate_from_now=_required_rate_from_now(actual, target, deadline, as_of_t),
        required_step_from_now=_required_step_from_now(actual, target, deadline, as_of_t),
        base_t=base.t if base else None,
        base_value=base.value if base else None,
        n_observations=len(points),
        rate_basis=rates.basis if rates else None,
    )


def _rates(
    spec: TargetSpec,
    base: Observation,
    current: Observation,
    target: float,
    deadline: float,
) -> _Rates | None:
    elapsed = current.t - base.t
    horizon = deadline - base.t
    # Two values at the same time (or a baseline after the data) give no trend.
    if elapsed <= 0 or horizon <= 0:
        return None
    d = 1.0 if goal_direction(spec) == HIGHER else -1.0
    base_value = base.value if base.value != 0 else ZERO_REPLACEMENT
    target_value = target if target != 0 else ZERO_REPLACEMENT
    signs_differ = base_value * current.value < 0 or base_value * target_value < 0
    if not signs_differ:
        observed = _cagr(current.value, base_value, elapsed)
        required = _cagr(target_value, base_value, horizon)
        if observed is not None and required is not None:
            s = -1.0 if base_value < 0 else 1.0
            return _make_rates(observed, required, d * s, RATE_BASIS_CAGR)
    # Linear rates need no zero replacement, so they use the reported values.
    observed = (current.value - base.value) / elapsed
    required = (target - base.value) / horizon
    return _make_rates(observed, required, d, RATE_BASIS_LINEAR)


def _make_rates(observed: float, required: float, orientation: float, basis: str) -> _Rates:
    progress = orientation * observed
    # Dividing by |required| keeps "moving away" negative even when the base had already
    # passed the target (required then points the wrong way).
    ratio = progress / abs(required) if required != 0 else None
    if ratio is not None and not math.isfinite(ratio):
        ratio = None
    return _Rates(observed, required, progress, ratio, basis)


def _cagr(value: float, base: float, years: float) -> float | None:
    try:
        rate = (value / base) ** (1.0 / years) - 1.0
    except (OverflowError, ZeroDivisionError):
        return None
    # A negative ratio yields a complex number; a huge one may come back as inf.
    if isinstance(rate, complex) or not math.isfinite(rate):
        return None
    return rate


def _projected_cagr(
    latest: Observation | None, rates: _Rates | None, deadline: float
) -> float | None:
    if latest is None or rates is None or rates.basis != RATE_BASIS_CAGR:
        return None
    remaining = deadline - latest.t
    if remaining < 0:
        return None
    try:
        projected = latest.value * (1.0 + rates.observed) ** remaining
    except OverflowError:
        return None
    return projected if math.isfinite(projected) else None


def _least_squares_at(points: Sequence[Observation], t: float) -> float | None:
    if len({p.t for p in points}) < 2:
        return None
    n = len(points)
    mean_t = sum(p.t for p in points) / n
    mean_v = sum(p.value for p in points) / n
    sxx = sum((p.t - mean_t) ** 2 for p in points)
    sxy = sum((p.t - mean_t) * (p.value - mean_v) for p in points)
    if sxx == 0:
        return None
    return mean_v + sxy / sxx * (t - mean_t)


def _required_rate_from_now(
    actual: float | None, target: float | None, deadline: float, as_of_t: float
) -> float | None:
    if actual is None or target is None or deadline <= as_of_t:
        return None
    if actual <= 0 or target <= 0:
        return None
    return _cagr(target, actual, deadline - as_of_t)


def _required_step_from_now(
    actual: float | None, target: float | None, deadline: float, as_of_t: float
) -> float | None:
    if actual is None or target is None or deadline <= as_of_t:
        return None
    return (target - actual) / (deadline - as_of_t)


def _attainment_higher(actual: float, target: float, baseline: float) -> float:
    span = target - baseline
    if span == 0:
        return 0.0
    if span < 0:
        # A baseline already above the target leaves no distance to measure from.
        return _attainment_higher(actual, target, 0.0) if baseline != 0 else 0.0
    return _clamp_pct((actual - baseline) / span * 100.0)


def _attainment_lower(actual: float, target: float, baseline: float | None) -> float:
    if baseline is not None:
        span = baseline - target
        if span == 0:
            return 0.0
        if span > 0:
            return _clamp_pct((baseline - actual) / span * 100.0)
        # A baseline already below the target leaves no distance to measure from.
    # target/actual only reads as "share attained" for positive values.
    if actual <= 0 or target < 0:
        return 0.0
    return _clamp_pct(target / actual * 100.0)


def _baseline_for_attainment(spec: TargetSpec) -> float | None:
    # For reduce_by/increase_by without a baseline the value is already "% changed",
    # whose natural start is 0; baseline_value is None there anyway.
    return float(spec.baseline_value) if is_number(spec.baseline_value) else None


def _effective_comparator(spec: TargetSpec) -> str:
    if spec.comparator == TOP_N:
        return AT_MOST
    if spec.comparator in (REDUCE_BY, INCREASE_BY):
        if needs_baseline(spec):
            return spec.comparator
        if not is_number(spec.baseline_value):
            return AT_LEAST  # the reported value is the cumulative % change
        return AT_MOST if spec.comparator == REDUCE_BY else AT_LEAST
    return spec.comparator


def _has_plan_baseline(spec: TargetSpec) -> bool:
    return is_number(spec.baseline_value) and spec.baseline_year is not None


def _base_observation(spec: TargetSpec, points: list[Observation]) -> Observation | None:
    if _has_plan_baseline(spec):
        return Observation(period_end_t(spec.baseline_year, None), float(spec.baseline_value))
    return points[0] if points else None


def _usable_points(observations: Sequence[Observation], as_of_t: float) -> list[Observation]:
    # sorted() is stable: of two values at the same t, the one given last is "latest".
    usable = [
        Observation(float(o.t), float(o.value), o.coverage, o.field)
        for o in observations
        if is_number(o.t) and is_number(o.value)
    ]
    return sorted((o for o in usable if o.t <= as_of_t), key=lambda o: o.t)


def _is_milestone(spec: TargetSpec) -> bool:
    return spec.comparator == MILESTONE or spec.measure == MILESTONE


def _is_rank(spec: TargetSpec) -> bool:
    return spec.comparator == TOP_N or spec.measure == RANK


def is_number(x: object) -> bool:
    """Whether x is a finite number (Decimals from the ORM included)."""
    # Decimals from the ORM count as numbers; milestone states and booleans do not.
    if x is None or isinstance(x, (str, bool)):
        return False
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError, OverflowError):
        return False


def _clamp_pct(x: float) -> float:
    return max(0.0, min(100.0, x))
