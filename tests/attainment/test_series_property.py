"""attainment.series computes every prefix of many series at once; each row must be exactly
what method.evaluate says for that prefix (every field, float for float)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attainment import method, series

COMPARATORS = [method.AT_LEAST, method.MORE_THAN, method.AT_MOST, method.LESS_THAN,
               method.REDUCE_BY, method.INCREASE_BY, method.TOP_N, method.MILESTONE]
MEASURES = [method.PERCENT, method.COUNT, method.RATE_PER_1000, method.MONEY_VND]
# Zeros, sign changes, near-equal values, shares with float noise (24/33*100).
VALUES = st.one_of(
    st.sampled_from([-12.5, -1.0, -0.0, 0.0, 0.0, 0.5, 3.0, 10.0, 42.0, 60.0, 79.9, 80.0,
                     80.0000000001, 85.0, 100.0, 250.0, 24 / 33 * 100, 1e-12]),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)
COVERAGE = st.sampled_from([None, None, 1.0, 0.8, 24 / 30, 0.79, 0.5, 0.0, 0.9])
# Quarter ends and year ends (a year and its Q4 end at the same time).
TIMES = st.sampled_from([2019 + q / 4 for q in range(1, 48)])
PROFILE = settings(max_examples=400, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow])


@st.composite
def specs(draw):
    comparator = draw(st.sampled_from(COMPARATORS))
    measure = (method.RANK if comparator == method.TOP_N and draw(st.booleans())
               else method.MILESTONE if comparator == method.MILESTONE
               else draw(st.sampled_from(MEASURES)))
    baseline = draw(st.sampled_from(["none", "plan", "value_only", "plan"]))
    return method.TargetSpec(
        comparator=comparator,
        value=draw(st.one_of(st.none(), VALUES)) if draw(st.integers(0, 9)) == 0
        else draw(VALUES),
        year=draw(st.sampled_from([2020, 2022, 2025, 2026, 2030])),
        direction=draw(st.sampled_from([method.HIGHER, method.LOWER])),
        measure=measure,
        baseline_value=None if baseline == "none" else draw(VALUES),
        baseline_year=draw(st.sampled_from([2018, 2020, 2023, 2027]))
        if baseline == "plan" else None,
        reads_change=draw(st.booleans()),
    )


@st.composite
def batches(draw):
    t, value, coverage, starts, rows = [], [], [], [0], []
    for s in range(draw(st.integers(1, 4))):
        times = sorted(draw(st.lists(TIMES, max_size=12)))
        t += times
        value += [draw(VALUES) for _ in times]
        coverage += [draw(COVERAGE) for _ in times]
        starts.append(len(t))
        for k in range(len(times) + 1):
            for later in draw(st.lists(st.sampled_from([0.0, 0.0, 0.25, 1.0, 3.3, 7.0]),
                                       min_size=1, max_size=2)):
                as_of = (times[k - 1] if k else 2019.0) + later
                rows.append((s, k, as_of))
    draw(st.randoms()).shuffle(rows)
    return series.Batch(t, value, coverage, starts, [r[0] for r in rows],
                        [r[1] for r in rows], [r[2] for r in rows])


def _oracle(spec, batch, final_due_t, level_ended_t):
    out = []
    for s, k, as_of in zip(batch.series, batch.seen, batch.as_of, strict=True):
        first = batch.starts[s]
        observations = [method.Observation(batch.t[i], batch.value[i], batch.coverage[i])
                        for i in range(first, first + k)]
        out.append(method.evaluate(spec, observations, as_of, final_due_t=final_due_t,
                                   level_ended_t=level_ended_t))
    return out


@PROFILE
@given(spec=specs(), batch=batches(),
       final_due=st.sampled_from([None, 0.0, 0.08, 0.25]),
       level_ended_t=st.sampled_from([None, None, 2025.5, 2031.0, 2022.0]))
def test_every_row_is_the_methods_evaluation_of_its_prefix(spec, batch, final_due,
                                                            level_ended_t):
    final_due_t = None if final_due is None else spec.year + 1 + final_due
    assert series._well_formed(batch)  # so a trend target takes the vectorised path
    got = series.evaluations(series.evaluate(spec, batch, final_due_t=final_due_t,
                                             level_ended_t=level_ended_t))
    assert got == _oracle(spec, batch, final_due_t, level_ended_t)


def test_a_batch_the_fast_path_cannot_take_is_judged_by_the_method():
    spec = method.TargetSpec(method.AT_LEAST, 80.0, 2025, method.HIGHER, method.PERCENT)
    # Unsorted times: not the engine's shape; the method's answer all the same.
    batch = series.Batch([2024.0, 2023.0], [50.0, 70.0], [None, None], [0, 2], [0, 0, 0],
                         [0, 1, 2], [2023.0, 2024.0, 2026.0])
    got = series.evaluations(series.evaluate(spec, batch))
    assert got == _oracle(spec, batch, None, None)
    assert got[2].status == method.DETERIORATING  # 70 in 2023, then 50


def test_the_fast_path_covers_the_trend_rows():
    spec = method.TargetSpec(method.AT_LEAST, 80.0, 2025, method.HIGHER, method.PERCENT,
                             baseline_value=20.0, baseline_year=2020)
    batch = series.Batch([2022.0, 2023.0, 2024.0], [30.0, 45.0, 60.0], [None] * 3, [0, 3],
                         [0, 0, 0, 0], [0, 1, 2, 3], [2021.5, 2022.0, 2023.0, 2024.0])
    assert series.supports(spec)
    got = series.evaluations(series.evaluate(spec, batch))
    assert got == _oracle(spec, batch, None, None)
    assert [e.status for e in got] == [method.INSUFFICIENT_DATA, method.ON_TRACK,
                                       method.ON_TRACK, method.ON_TRACK]
    assert got[3].projected_linear is not None


def test_powers_are_the_c_librarys_to_the_last_bit():
    # Found on a CPU with AVX-512, where numpy's own power differs from pow() in the last bit:
    # required_rate_from_now came out -0.16952277394921222 against the method's ...121.
    spec = method.TargetSpec(comparator=method.AT_LEAST, value=0.6, year=2025,
                             direction=method.HIGHER, measure=method.PERCENT)
    batch = series.Batch(t=[2019.25, 2019.25, 2023.25], value=[-12.5, -12.5, 1.0],
                         coverage=[None, None, None], starts=[0, 3], series=[0, 0, 0, 0],
                         seen=[0, 1, 2, 3], as_of=[2019.0, 2019.25, 2019.25, 2023.25])
    got = series.evaluations(series.evaluate(spec, batch, final_due_t=None, level_ended_t=None))
    assert got == _oracle(spec, batch, None, None)
    assert got[-1].required_rate_from_now == (0.6 / 1.0) ** (1.0 / (2026.0 - 2023.25)) - 1.0
