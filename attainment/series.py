"""Every row of many series at once: ``method.evaluate`` on each prefix, with numpy.

The engine judges a series (one unit's figures for a target, or the combined value of its
level) once per period, each time on the observations so far. Calling ``method.evaluate``
per row re-reads the prefix every time (O(n²) per series) and costs tens of microseconds of
Python per row; a full recompute writes hundreds of thousands of rows. Here the rows of all
series of one target are computed together, column by column, with the same floating-point
operations in the same order as ``method.py`` (sequential sums, ``pow`` for squares and
rates), so every value is equal to the oracle's, not just close:
``tests/attainment/test_series_property.py`` compares them row by row with ``method.evaluate``.

Scope: the trend method (every comparator and measure except ranks and milestones, which
the engine still sends through ``method.evaluate``; they are a few rows). Input contract:
each series' observations are finite and sorted by time; a row sees the first ``k`` of its
series, all at or before its ``as_of``. The engine builds exactly that; anything else is
handed to ``method.evaluate`` row by row (``_oracle_columns``), so the answer is always the
method's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from attainment import method

# The columns of a result, named as method.Evaluation's fields.
FIELDS = (
    "actual", "effective_target", "attainment_pct", "status", "ratio", "observed_rate",
    "required_rate", "projected_cagr", "projected_linear", "required_rate_from_now",
    "required_step_from_now", "places_gained", "base_t", "base_value", "n_observations",
    "rate_basis", "latest_t", "stale", "since_deadline_value", "since_deadline_t", "coverage",
    "not_comparable", "expected_now", "milestone_state",
)


@dataclass
class Batch:
    """Observations of several series, concatenated, and the rows to evaluate on them.

    Series ``s`` owns observations ``starts[s]`` to ``starts[s + 1]``; row ``r`` is judged as
    of ``as_of[r]`` on the first ``seen[r]`` observations of series ``series[r]``. Lists or
    numpy arrays alike.
    """

    t: list[float]
    value: list[float]
    coverage: list[float | None]
    starts: list[int]
    series: list[int]
    seen: list[int]
    as_of: list[float]


def supports(spec: method.TargetSpec) -> bool:
    """Whether a target is judged by the trend method (not a rank or a milestone)."""
    return not method._is_milestone(spec) and not method._is_rank(spec)


def evaluate(
    spec: method.TargetSpec,
    batch: Batch,
    *,
    final_due_t: float | None = None,
    level_ended_t: float | None = None,
) -> dict[str, list]:
    """Columns (``FIELDS``) of ``method.evaluate`` for every row of ``batch``."""
    if len(batch.series) == 0:
        return {name: [] for name in FIELDS}
    if not supports(spec) or not _well_formed(batch):
        return _oracle_columns(spec, batch, final_due_t, level_ended_t)
    with np.errstate(all="ignore"):
        return _trend_columns(spec, batch, final_due_t, level_ended_t)


def evaluations(columns: dict[str, list]) -> list[method.Evaluation]:
    """The columns as ``method.Evaluation`` objects (tests compare them with the oracle)."""
    return [method.Evaluation(**dict(zip(FIELDS, values, strict=True)))
            for values in zip(*(columns[name] for name in FIELDS), strict=True)]


def _well_formed(batch: Batch) -> bool:
    t = np.asarray(batch.t, dtype=float)
    v = np.asarray(batch.value, dtype=float)
    if not (np.isfinite(t).all() and np.isfinite(v).all()):
        return False
    starts = np.asarray(batch.starts)
    inner = np.ones(len(t), dtype=bool)
    # A series may start earlier than the previous one ended.
    inner[starts[1:-1][starts[1:-1] < len(t)]] = False
    if len(t) > 1 and not (np.diff(t) >= 0)[inner[1:]].all():
        return False
    seen = np.asarray(batch.seen)
    series = np.asarray(batch.series)
    if (seen < 0).any() or (seen > starts[series + 1] - starts[series]).any():
        return False
    last = starts[series] + seen - 1
    some = seen > 0
    return bool((t[last[some]] <= np.asarray(batch.as_of, dtype=float)[some]).all())


def _oracle_columns(spec, batch: Batch, final_due_t, level_ended_t) -> dict[str, list]:
    columns: dict[str, list] = {name: [] for name in FIELDS}
    for s, k, as_of in zip(batch.series, batch.seen, batch.as_of, strict=True):
        first = batch.starts[s]
        observations = [
            method.Observation(batch.t[i], batch.value[i], batch.coverage[i])
            for i in range(first, first + k)
        ]
        ev = method.evaluate(spec, observations, as_of, None, final_due_t=final_due_t,
                             level_ended_t=level_ended_t)
        for name in FIELDS:
            columns[name].append(getattr(ev, name))
    return columns


# The C library's pow() applied element by element, as Python's ** on floats is.
_LIBM_POW = np.frompyfunc(math.pow, 2, 1)


def _pow(base: np.ndarray, exponent: np.ndarray | float) -> np.ndarray:
    """base ** exponent element by element, bit for bit as Python computes it; NaN where
    Python gives a complex number or raises, inf where it overflows.

    Not np.power: on CPUs with AVX-512 numpy dispatches it to SIMD approximations that differ
    from the C library's pow() in the last bit (seen: required_rate_from_now), and ``x ** 2``
    on an array is x * x, which differs from pow(x, 2.0) too.
    """
    b = np.asarray(base, dtype=float)
    e = np.broadcast_to(np.asarray(exponent, dtype=float), b.shape)
    with np.errstate(invalid="ignore"):
        outside = ((b < 0) & (e != np.floor(e))) | ((b == 0) & (e < 0))
    b = np.where(outside, np.nan, b)
    try:
        return _LIBM_POW(b, e).astype(float)
    except OverflowError:
        return np.array([_pow_one(x, y) for x, y in zip(b.ravel().tolist(), e.ravel().tolist(),
                                                         strict=True)]).reshape(b.shape)


def _pow_where(ok: np.ndarray, base: np.ndarray, exponent: np.ndarray | float) -> np.ndarray:
    """_pow where ``ok`` holds, NaN elsewhere (rows that never read it)."""
    out = np.full(ok.shape, np.nan)
    if ok.any():
        out[ok] = _pow(np.broadcast_to(base, ok.shape)[ok],
                       np.broadcast_to(np.asarray(exponent, dtype=float), ok.shape)[ok])
    return out


def _pow_one(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except OverflowError:
        return math.inf


def _cumsum0(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Sequential sums from 0.0, as Python's sum() of floats: out[..., k] = sum(x[..., :k])."""
    shape = list(x.shape)
    shape[axis] = 1
    return np.cumsum(np.concatenate([np.zeros(shape, dtype=x.dtype), x], axis=axis), axis=axis)


def _clamp_pct(x: np.ndarray) -> np.ndarray:
    # max(0.0, min(100.0, x)) keeps the first argument on ties, as Python's min/max do.
    return np.where(x > 0.0, np.where(x < 100.0, x, 100.0), 0.0)


def _isclose(a: np.ndarray, b: float, tol: float, abs_tol: float) -> np.ndarray:
    diff = np.abs(b - a)
    return (a == b) | (diff <= np.abs(tol * b)) | (diff <= np.abs(tol * a)) | (diff <= abs_tol)


def _holds(spec: method.TargetSpec, actual: np.ndarray, target: float) -> np.ndarray:
    close = _isclose(actual, target, method._REL_TOL, method._ABS_TOL)
    comparator = method._effective_comparator(spec)
    if comparator == method.AT_LEAST:
        return (actual >= target) | close
    if comparator == method.MORE_THAN:
        return (actual > target) & ~close
    if comparator == method.AT_MOST:
        return (actual <= target) | close
    if comparator == method.LESS_THAN:
        return (actual < target) & ~close
    return np.zeros(actual.shape, dtype=bool)


def _attainment(spec, actual: np.ndarray, target: float, holds: np.ndarray) -> np.ndarray:
    """method.attainment_pct for a trend target, row by row (NaN where it has none)."""
    baseline = method._baseline_for_attainment(spec)
    if method.goal_direction(spec) == method.HIGHER:
        base = 0.0 if baseline is None else baseline
        span = target - base
        if span < 0 and base != 0:
            base, span = 0.0, target
        pct = np.zeros(actual.shape) if span <= 0 else _clamp_pct((actual - base) / span * 100.0)
    else:
        span = None if baseline is None else baseline - target
        if span == 0:
            pct = np.zeros(actual.shape)
        elif span is not None and span > 0:
            pct = _clamp_pct((baseline - actual) / span * 100.0)
        elif target < 0:
            pct = np.zeros(actual.shape)
        else:
            pct = np.where(actual <= 0, 0.0, _clamp_pct(target / actual * 100.0))
    return np.where(holds, 100.0, pct)


def _status_for_ratio(ratio: np.ndarray) -> np.ndarray:
    return np.select(
        [ratio >= method.ON_TRACK_MIN_RATIO, ratio >= method.NEEDS_ACCELERATION_MIN_RATIO,
         ratio >= method.LIMITED_PROGRESS_MIN_RATIO],
        [method.ON_TRACK, method.NEEDS_ACCELERATION, method.LIMITED_PROGRESS],
        method.DETERIORATING,
    )


def _least_squares(spec, t, v, ok_points, starts, deadline) -> tuple[np.ndarray, np.ndarray]:
    """The least-squares line at the deadline through the first ℓ points of each series'
    trend line (the plan's baseline, then its covered in-year observations), for every ℓ:
    (values [series, ℓ], valid [series, ℓ])."""
    n_series = len(starts) - 1
    plan = method._has_plan_baseline(spec)
    lead = 1 if plan else 0
    idx = np.flatnonzero(ok_points)
    owner = np.searchsorted(starts, idx, side="right") - 1
    position = np.arange(len(idx)) - np.searchsorted(idx, starts[owner]) + lead
    width = max(1, lead, int(position.max()) + 1 if len(idx) else 0)
    lt = np.zeros((n_series, width))
    lv = np.zeros((n_series, width))
    lt[owner, position] = t[idx]
    lv[owner, position] = v[idx]
    fresh = np.zeros((n_series, width), dtype=bool)
    fresh[owner, position] = True
    if plan:
        bt = method.period_end_t(spec.baseline_year, None)
        lt[:, 0] = bt
        lv[:, 0] = float(spec.baseline_value)
        fresh[:, 0] = True
    # Distinct times among the first ℓ points: the observations are sorted, so a time is new
    # when it differs from the previous one (and, after a plan baseline, from the baseline's).
    step = np.ones((n_series, width), dtype=bool)
    step[:, lead + 1:] = lt[:, lead + 1:] != lt[:, lead:-1]
    if plan:
        step[:, 1:] &= lt[:, 1:] != bt
    distinct = _cumsum0((step & fresh).astype(float))  # [series, ℓ]
    n = np.arange(width + 1, dtype=float)
    n[0] = 1.0
    mean_t = _cumsum0(lt) / n  # [series, ℓ]
    mean_v = _cumsum0(lv) / n
    dt = lt[:, None, :] - mean_t[:, :, None]  # [series, ℓ, j]
    dv = lv[:, None, :] - mean_v[:, :, None]
    # Row ℓ of a series sums the squares of its points j < ℓ. The C library's pow() element
    # by element is most of this function's time, and series with the same times (units that
    # report every quarter, every province's copy of a target) have the same squares: they
    # are computed once per distinct row of times, for j < ℓ only (the rest are never read).
    times, which = np.unique(lt, axis=0, return_inverse=True)
    dt_times = times[:, None, :] - (_cumsum0(times) / n)[:, :, None]
    need = np.broadcast_to(np.arange(width)[None, None, :] < np.arange(width + 1)[None, :, None],
                           dt_times.shape)
    squares = np.zeros(dt_times.shape)
    squares[need] = _pow(dt_times[need], 2.0)
    sxx = _cumsum0(squares)[np.ravel(which)]
    sxy = _cumsum0(dt * dv)
    ell = np.arange(width + 1)
    sxx = sxx[:, ell, ell]
    sxy = sxy[:, ell, ell]
    line = mean_v + sxy / sxx * (deadline - mean_t)
    return line, (distinct >= 2) & (sxx != 0)


def _trend_columns(spec, batch: Batch, final_due_t, level_ended_t) -> dict[str, list]:
    t = np.asarray(batch.t, dtype=float)
    v = np.asarray(batch.value, dtype=float)
    n_obs = len(t)
    if n_obs == 0:  # a harmless observation to index into; no row sees it
        t, v = np.zeros(1), np.zeros(1)
    coverage = list(batch.coverage) or [None]
    covered = np.array([c is None or c >= method.COVERAGE_THRESHOLD
                        or math.isclose(c, method.COVERAGE_THRESHOLD) for c in coverage])
    starts = np.asarray(batch.starts)
    series = np.asarray(batch.series)
    seen = np.asarray(batch.seen)
    as_of = np.asarray(batch.as_of, dtype=float)
    rows = len(series)
    deadline = method.target_deadline_t(spec.year)
    target = method.effective_target(spec)
    first = starts[series]

    in_year = t <= deadline
    in_year[n_obs:] = False
    in_year_count = _cumsum0(in_year.astype(np.int64))
    a = in_year_count[first + seen] - in_year_count[first]  # in-year observations seen
    has_in_year = a > 0
    last_in_year = np.maximum(first + a - 1, 0)
    later = seen > a
    last_seen = np.maximum(first + seen - 1, 0)

    ok_points = covered & in_year
    ok_count = _cumsum0(ok_points.astype(np.int64))
    c = ok_count[first + a] - ok_count[first]  # covered in-year observations seen

    abolished = np.zeros(rows, dtype=bool)
    if level_ended_t is not None and level_ended_t < deadline:
        abolished = as_of >= level_ended_t
    incomplete = has_in_year & ~covered[last_in_year]
    if method.needs_baseline(spec):
        refused_status = np.where(abolished, method.LEVEL_ABOLISHED, method.BASELINE_NEEDED)
        refused = np.ones(rows, dtype=bool)
    else:
        refused_status = np.where(abolished, method.LEVEL_ABOLISHED, method.INCOMPLETE_DATA)
        refused = abolished | incomplete
    judged = ~refused

    # Not refused: the last in-year observation is covered, so it is the latest point.
    latest_t = t[last_in_year]
    actual = v[last_in_year]
    has_target = target is not None
    tv = float(target) if has_target else 0.0
    plan = method._has_plan_baseline(spec)
    if plan:
        base_ok = np.ones(rows, dtype=bool)
        base_t = np.full(rows, method.period_end_t(spec.baseline_year, None))
        base_v = np.full(rows, float(spec.baseline_value))
    else:
        base_ok = c > 0
        first_ok = np.minimum(np.searchsorted(ok_count, ok_count[first] + 1) - 1, len(t) - 1)
        base_t = t[first_ok]
        base_v = v[first_ok]
    base_ok &= judged

    holds = _holds(spec, actual, tv) if has_target else np.zeros(rows, dtype=bool)
    pct = _attainment(spec, actual, tv, holds) if has_target else np.zeros(rows)
    valued = has_in_year & judged & has_target

    # Rates from the base to the latest point.
    elapsed = latest_t - base_t
    horizon = deadline - base_t
    rates_ok = valued & base_ok & (elapsed > 0) & (horizon > 0)
    d = 1.0 if method.goal_direction(spec) == method.HIGHER else -1.0
    bz = np.where(base_v != 0, base_v, method.ZERO_REPLACEMENT)
    tz = tv if tv != 0 else method.ZERO_REPLACEMENT
    signs_differ = (bz * actual < 0) | (bz * tz < 0)
    # Rates are read only where rates_ok holds (statuses, columns and projections alike):
    # the powers, the C library's pow() one element at a time, are taken only there.
    observed_c = _pow_where(rates_ok, actual / bz, 1.0 / elapsed) - 1.0
    required_c = _pow_where(rates_ok, tz / bz, 1.0 / horizon) - 1.0
    cagr = ~signs_differ & np.isfinite(observed_c) & np.isfinite(required_c)
    orientation = np.where(cagr, d * np.where(bz < 0, -1.0, 1.0), d)
    observed = np.where(cagr, observed_c, (actual - base_v) / elapsed)
    required = np.where(cagr, required_c, (tv - base_v) / horizon)
    progress = orientation * observed
    ratio = progress / np.abs(required)
    ratio_ok = rates_ok & (required != 0) & np.isfinite(ratio)

    year_over = as_of > deadline
    final_t = deadline if final_due_t is None else max(final_due_t, deadline)
    status = np.select(
        [~valued, holds, year_over, ~rates_ok, ~ratio_ok],
        [method.INSUFFICIENT_DATA, method.ACHIEVED,
         np.where(as_of > final_t, method.MISSED, method.AWAITING_FINAL),
         method.INSUFFICIENT_DATA,
         np.where(progress < 0, method.DETERIORATING, method.LIMITED_PROGRESS)],
        _status_for_ratio(ratio),
    )
    status = np.where(refused, refused_status, status)

    projected_cagr = actual * _pow_where(rates_ok & cagr, 1.0 + observed, deadline - latest_t)
    projected_cagr_ok = rates_ok & cagr & np.isfinite(projected_cagr)
    line, line_ok = _least_squares(spec, t, v, ok_points, starts, deadline)
    ell = c + (1 if plan else 0)
    projected_linear = line[series, ell]
    projected_linear_ok = line_ok[series, ell] & judged

    ahead = deadline - as_of
    from_now = valued & (ahead > 0)
    rate_from_now_ok = from_now & (actual > 0) & (tv > 0)
    rate_from_now = _pow_where(rate_from_now_ok, tv / actual, 1.0 / ahead) - 1.0
    rate_from_now_ok &= np.isfinite(rate_from_now)
    step_from_now = (tv - actual) / ahead

    span = deadline - base_t
    share_t = as_of - base_t
    share_t = np.where(share_t < 0.0, 0.0, share_t)
    share_t = np.where(span < share_t, span, share_t)
    expected_now = base_v + (tv - base_v) * (share_t / span)
    expected_ok = base_ok & has_target & (span > 0)

    stale_before = np.minimum(as_of, deadline) - method.STALE_AFTER_YEARS
    stale = has_in_year & judged & (latest_t < stale_before)

    def col(values: np.ndarray, ok: np.ndarray) -> list:
        # Sixteen columns per target, a million rows in all: masked in numpy, not per value.
        if ok.all():
            return values.tolist()
        masked = values.astype(object)
        masked[~ok] = None
        return masked.tolist()

    coverage_of_latest = [coverage[i] if keep else None
                          for i, keep in zip(last_in_year.tolist(), has_in_year.tolist(),
                                             strict=True)]
    none = [None] * rows
    return {
        "actual": col(actual, has_in_year),
        "effective_target": [target] * rows,
        "attainment_pct": col(pct, valued),
        "status": status.tolist(),
        "ratio": col(ratio, ratio_ok),
        "observed_rate": col(observed, rates_ok),
        "required_rate": col(required, rates_ok),
        "projected_cagr": col(projected_cagr, projected_cagr_ok),
        "projected_linear": col(projected_linear, projected_linear_ok),
        "required_rate_from_now": col(rate_from_now, rate_from_now_ok),
        "required_step_from_now": col(step_from_now, from_now),
        "places_gained": none,
        "base_t": col(base_t, base_ok),
        "base_value": col(base_v, base_ok),
        "n_observations": np.where(refused, a, c).tolist(),
        "rate_basis": col(np.where(cagr, method.RATE_BASIS_CAGR, method.RATE_BASIS_LINEAR),
                          rates_ok),
        "latest_t": col(latest_t, has_in_year),
        "stale": stale.tolist(),
        "since_deadline_value": col(v[last_seen], later),
        "since_deadline_t": col(t[last_seen], later),
        "coverage": coverage_of_latest,
        "not_comparable": [False] * rows,
        "expected_now": col(expected_now, expected_ok),
        "milestone_state": none,
    }
