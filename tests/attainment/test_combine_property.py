"""combine.combine_columns combines every period of a target at once; each period must be
exactly what combine() gives for the units taking part in it (value, numerator, denominator,
units counted), for every rule: exact sums where numpy's would round differently."""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attainment import method
from attainment.combine import RULES, UnitValue, combine, combine_columns

# Whole numbers (numpy's fast path), shares with float noise (fsum's), zeros of both signs,
# values far apart (1e16 + 1 rounds in a sequential sum, not in fsum), near 2**53.
NUMBERS = st.one_of(
    st.sampled_from([-12.5, -1.0, -0.0, 0.0, 0.5, 3.0, 10.0, 42.0, 79.9, 80.0, 85.0, 100.0,
                     24 / 33 * 100, 0.1, 0.2, 1e16, 1.0, 2.0 ** 53, -(2.0 ** 52), 1e-12]),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)
MAYBE = st.one_of(st.none(), NUMBERS)
UNITS = st.one_of(
    st.builds(UnitValue, NUMBERS),  # a value
    st.builds(UnitValue, st.none(), NUMBERS, NUMBERS),  # a fraction only (0/0 too)
    st.builds(UnitValue, NUMBERS, NUMBERS, NUMBERS),  # both
    st.builds(UnitValue, MAYBE, MAYBE, MAYBE),  # anything, nothing included
)
SPECS = st.one_of(st.none(), st.builds(
    method.TargetSpec,
    comparator=st.sampled_from([method.AT_LEAST, method.MORE_THAN, method.AT_MOST,
                                method.LESS_THAN, method.REDUCE_BY, method.TOP_N]),
    value=MAYBE, year=st.just(2025),
    direction=st.sampled_from([method.HIGHER, method.LOWER]),
    measure=st.sampled_from([method.PERCENT, method.COUNT]),
    baseline_value=st.sampled_from([None, 40.0]), baseline_year=st.sampled_from([None, 2020]),
))
PROFILE = settings(max_examples=500, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow])


@st.composite
def periods(draw):
    """[period][unit] -> UnitValue or None (the unit takes no part), and a spec per period."""
    n_units = draw(st.integers(1, 6))
    grid = draw(st.lists(st.lists(st.one_of(st.none(), UNITS), min_size=n_units,
                                  max_size=n_units), min_size=1, max_size=6))
    shared = draw(SPECS)
    specs = [draw(SPECS) if draw(st.booleans()) else shared for _ in grid]
    return grid, specs


def _column(grid, name):
    return np.array([[math.nan if u is None or getattr(u, name) is None
                      else getattr(u, name) for u in row] for row in grid], dtype=float)


@PROFILE
@given(case=periods(), rule=st.sampled_from(RULES))
def test_every_period_is_what_combine_gives(case, rule):
    grid, specs = case
    present = np.array([[u is not None for u in row] for row in grid], dtype=bool)
    columns = combine_columns(rule, _column(grid, "value"), _column(grid, "numerator"),
                              _column(grid, "denominator"), present, specs)
    for p, (row, spec) in enumerate(zip(grid, specs, strict=True)):
        expected = combine(rule, [u for u in row if u is not None], spec)
        got = (columns.value[p], columns.numerator[p], columns.denominator[p],
               columns.n_units[p])
        assert _same(got, (expected.value, expected.numerator, expected.denominator,
                           expected.n_units)), (rule, row, spec)


def _same(a, b):
    """Equal value for value, -0.0 apart from 0.0 (repr), NaN equal to itself."""
    return [repr(x) for x in a] == [repr(x) for x in b]


def test_sums_are_math_fsum_where_a_plain_sum_would_round():
    # 1e16 + 1.0 + 1.0 is 1e16 added in order, ten 0.1 are 0.9999999999999999; fsum (and
    # so combine) gives 1e16 + 2 and 1.0.
    grid = [[UnitValue(1e16), UnitValue(1.0), UnitValue(1.0)] + [None] * 7,
            [UnitValue(0.1)] * 10]
    present = np.array([[u is not None for u in row] for row in grid], dtype=bool)
    columns = combine_columns("sum", _column(grid, "value"), _column(grid, "numerator"),
                              _column(grid, "denominator"), present, [None, None])
    assert columns.value == [1e16 + 2.0, 1.0]
    assert sum([0.1] * 10) != 1.0
