"""Worked examples of combining unit values into a target-level value."""

import pytest

from attainment import method as m
from attainment.combine import (
    MEAN,
    RULES,
    SHARE_MEETING,
    SUM,
    WEIGHTED,
    CombinedValue,
    UnitValue,
    combine,
)
from attainment.method import TargetSpec

AT_LEAST_80 = TargetSpec(m.AT_LEAST, 80, 2025, m.HIGHER, m.PERCENT)


def values(*xs: float | None) -> list[UnitValue]:
    return [UnitValue(x) for x in xs]


def test_sum_adds_reported_values_and_skips_missing():
    assert combine(SUM, values(3, 4, None), None) == CombinedValue(7, None, None, 2)


def test_mean_is_arithmetic_mean():
    # (10 + 20 + 60) / 3 = 30
    assert combine(MEAN, values(10, 20, 60), None).value == pytest.approx(30)


def test_weighted_pools_fractions_with_equal_denominators():
    # districts: 9/33 and 24/33 procedures online -> (9 + 24) / (33 + 33) = 33/66 = 50 %
    units = [UnitValue(None, 9, 33), UnitValue(None, 24, 33)]
    result = combine(WEIGHTED, units, None)
    assert result.value == pytest.approx(50)
    assert (result.numerator, result.denominator, result.n_units) == (33, 66, 2)


def test_weighted_differs_from_mean_when_denominators_differ():
    # 9/33 and 24/40: pooled (9 + 24) / (33 + 40) = 33/73 = 45.2055 %,
    # whereas the mean of 27.2727 % and 60 % would be 43.6364 %
    units = [UnitValue(9 / 33 * 100, 9, 33), UnitValue(60, 24, 40)]
    assert combine(WEIGHTED, units, None).value == pytest.approx(33 / 73 * 100)
    assert combine(MEAN, units, None).value == pytest.approx((9 / 33 * 100 + 60) / 2)


def test_weighted_falls_back_to_mean_when_a_unit_has_no_fraction():
    # 9/33 -> 27.2727 %, the other unit only reports 60 %: mean = 43.6364 %
    units = [UnitValue(None, 9, 33), UnitValue(60)]
    result = combine(WEIGHTED, units, None)
    assert result.value == pytest.approx((900 / 33 + 60) / 2)
    assert result.numerator is None and result.denominator is None
    assert result.n_units == 2


def test_weighted_with_zero_total_denominator_falls_back_to_values():
    units = [UnitValue(None, 0, 0), UnitValue(None, 0, 0)]
    result = combine(WEIGHTED, units, None)
    assert result.value is None
    assert result.n_units == 2


def test_share_meeting_counts_units_meeting_the_comparator():
    # 85, 80 meet "at least 80"; 79.9 and 10 do not -> 2 of 4 = 50 %
    result = combine(SHARE_MEETING, values(85, 80, 79.9, 10), AT_LEAST_80)
    assert result == CombinedValue(50.0, 2.0, 4.0, 4)


def test_share_meeting_uses_the_effective_target():
    # reduce by 30 % from 200 -> at most 140: 140 and 100 meet it, 150 does not -> 66.67 %
    s = TargetSpec(m.REDUCE_BY, 30, 2025, m.LOWER, m.COUNT, baseline_value=200)
    assert combine(SHARE_MEETING, values(140, 100, 150), s).value == pytest.approx(200 / 3)


def test_share_meeting_without_target_is_none():
    assert combine(SHARE_MEETING, values(85, 90), None).value is None


def test_unit_value_is_read_from_its_fraction_when_missing():
    # 9/33 = 27.2727 % and 24/33 = 72.7273 %: mean 50 %
    units = [UnitValue(None, 9, 33), UnitValue(None, 24, 33)]
    assert combine(MEAN, units, None).value == pytest.approx(50)


@pytest.mark.parametrize("rule", RULES)
def test_empty_input_gives_no_value(rule):
    assert combine(rule, [], AT_LEAST_80) == CombinedValue(None, None, None, 0)


@pytest.mark.parametrize("rule", RULES)
def test_units_without_figures_give_no_value(rule):
    assert combine(rule, values(None, None), AT_LEAST_80).value is None


def test_unknown_rule_is_rejected():
    with pytest.raises(ValueError):
        combine("median", values(1, 2), None)
