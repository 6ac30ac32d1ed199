"""Worked examples of the attainment method; every expected number is computed by hand."""

from decimal import Decimal

import pytest

from attainment import method as m
from attainment.method import Observation, TargetSpec, evaluate


def spec(
    comparator: str = m.AT_LEAST,
    value: float | None = 80,
    year: int = 2025,
    *,
    direction: str = m.HIGHER,
    measure: str = m.PERCENT,
    baseline_value: float | None = None,
    baseline_year: int | None = None,
    reads_change: bool = False,
) -> TargetSpec:
    return TargetSpec(comparator, value, year, direction, measure, baseline_value, baseline_year,
                      reads_change)


def yearly(*pairs: tuple[int, float]) -> list[Observation]:
    """Observations for whole years: the value for 2021 sits at t = 2022.0."""
    return [Observation(m.period_end_t(year, None), value) for year, value in pairs]


# --- time -------------------------------------------------------------------------------


def test_quarter_ends_at_its_last_day():
    assert m.period_end_t(2023, 3) == 2023.75
    assert m.period_end_t(2023, 4) == 2024.0


def test_year_ends_at_start_of_next_year():
    assert m.period_end_t(2022, None) == 2023.0


def test_invalid_quarter_is_rejected():
    with pytest.raises(ValueError):
        m.period_end_t(2023, 5)


def test_target_deadline_is_end_of_target_year():
    assert m.target_deadline_t(2025) == 2026.0


# --- effective target -------------------------------------------------------------------


@pytest.mark.parametrize("comparator", [m.AT_LEAST, m.MORE_THAN, m.AT_MOST, m.LESS_THAN, m.TOP_N])
def test_plain_comparators_target_the_stated_value(comparator):
    assert m.effective_target(spec(comparator, 10)) == 10


def test_reduce_by_with_baseline_targets_share_of_baseline():
    # 200 * (1 - 30/100) = 140
    assert m.effective_target(spec(m.REDUCE_BY, 30, baseline_value=200)) == pytest.approx(140)


def test_increase_by_with_baseline_targets_multiple_of_baseline():
    # 200 * (1 + 50/100) = 300
    assert m.effective_target(spec(m.INCREASE_BY, 50, baseline_value=200)) == pytest.approx(300)


def test_reduce_by_without_baseline_targets_the_percentage_itself():
    assert m.effective_target(spec(m.REDUCE_BY, 30, direction=m.LOWER, reads_change=True)) == 30


def test_milestone_has_no_numeric_target():
    assert m.effective_target(spec(m.MILESTONE, None, measure=m.MILESTONE)) is None


def test_decimal_values_from_the_orm_are_accepted():
    s = spec(m.REDUCE_BY, Decimal("30"), baseline_value=Decimal("200.0000"))
    assert m.effective_target(s) == pytest.approx(140)


# --- comparators ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comparator", "value", "actual", "holds"),
    [
        (m.AT_LEAST, 80, 80, True),
        (m.AT_LEAST, 80, 79.9, False),
        (m.MORE_THAN, 80, 80, False),
        (m.MORE_THAN, 80, 80.1, True),
        (m.AT_MOST, 5, 5, True),
        (m.AT_MOST, 5, 5.1, False),
        (m.LESS_THAN, 5, 5, False),
        (m.LESS_THAN, 5, 4.9, True),
        (m.TOP_N, 10, 10, True),
        (m.TOP_N, 10, 11, False),
    ],
)
def test_comparator_holds_at_and_around_the_boundary(comparator, value, actual, holds):
    assert m.comparator_holds(spec(comparator, value), actual) is holds


def test_reduce_by_with_baseline_holds_at_or_below_reduced_level():
    s = spec(m.REDUCE_BY, 30, direction=m.LOWER, baseline_value=200)  # target 140
    assert m.comparator_holds(s, 140)
    assert not m.comparator_holds(s, 141)


def test_increase_by_with_baseline_holds_at_or_above_raised_level():
    s = spec(m.INCREASE_BY, 50, baseline_value=200)  # target 300
    assert m.comparator_holds(s, 300)
    assert not m.comparator_holds(s, 299)


def test_reduce_by_without_baseline_reads_value_as_percent_reduced():
    s = spec(m.REDUCE_BY, 30, direction=m.LOWER, reads_change=True)
    assert m.comparator_holds(s, 35)  # 35 % reduced so far >= 30 %
    assert not m.comparator_holds(s, 20)


def test_milestone_holds_only_when_done():
    s = spec(m.MILESTONE, None, measure=m.MILESTONE)
    assert m.comparator_holds(s, m.DONE)
    assert not m.comparator_holds(s, m.IN_PROGRESS)


def test_float_noise_does_not_break_at_least():
    # 0.1 + 0.7 = 0.7999999999999999 in binary floating point
    assert m.comparator_holds(spec(m.AT_LEAST, 0.8), 0.1 + 0.7)


def test_missing_actual_never_holds():
    assert not m.comparator_holds(spec(), None)


# --- attainment % -----------------------------------------------------------------------


def test_attainment_at_least_from_baseline():
    # (50 - 20) / (80 - 20) = 30/60 = 50 %
    assert m.attainment_pct(spec(baseline_value=20), 50) == pytest.approx(50)


def test_attainment_at_least_without_baseline_starts_from_zero():
    # 60 / 80 = 75 %
    assert m.attainment_pct(spec(), 60) == pytest.approx(75)


def test_attainment_is_100_when_comparator_holds():
    assert m.attainment_pct(spec(), 95) == 100


def test_attainment_is_clamped_at_zero_below_baseline():
    # (10 - 20) / 60 < 0 -> 0
    assert m.attainment_pct(spec(baseline_value=20), 10) == 0


def test_attainment_increase_by_from_baseline():
    # target 300; (250 - 200) / (300 - 200) = 50 %
    assert m.attainment_pct(spec(m.INCREASE_BY, 50, baseline_value=200), 250) == pytest.approx(50)


def test_attainment_reduce_by_from_baseline_is_mirrored():
    # target 140; (200 - 170) / (200 - 140) = 30/60 = 50 %
    s = spec(m.REDUCE_BY, 30, direction=m.LOWER, baseline_value=200)
    assert m.attainment_pct(s, 170) == pytest.approx(50)


def test_attainment_reduce_by_without_baseline_is_share_of_percent_reduced():
    # 12 % reduced of the 30 % required = 40 %
    s = spec(m.REDUCE_BY, 30, direction=m.LOWER, reads_change=True)
    assert m.attainment_pct(s, 12) == pytest.approx(40)


def test_attainment_at_most_from_baseline():
    # (15 - 8) / (15 - 5) = 70 %
    s = spec(m.AT_MOST, 5, direction=m.LOWER, measure=m.COUNT, baseline_value=15)
    assert m.attainment_pct(s, 8) == pytest.approx(70)


def test_attainment_at_most_without_baseline_is_target_over_actual():
    # 5 / 8 = 62.5 %
    s = spec(m.AT_MOST, 5, direction=m.LOWER, measure=m.COUNT)
    assert m.attainment_pct(s, 8) == pytest.approx(62.5)


def test_attainment_lower_is_better_guards_zero_actual():
    # at most -5 is not met by 0; target/actual would divide by zero
    s = spec(m.AT_MOST, -5, direction=m.LOWER, measure=m.COUNT)
    assert m.attainment_pct(s, 0) == 0


def test_attainment_zero_denominator_is_0_unless_met():
    s = spec(baseline_value=80)  # target == baseline
    assert m.attainment_pct(s, 70) == 0
    assert m.attainment_pct(s, 80) == 100


def test_attainment_ignores_baseline_already_beyond_target():
    # baseline 90 already met 80; distance from it is meaningless, so 75 / 80 = 93.75 %
    assert m.attainment_pct(spec(baseline_value=90), 75) == pytest.approx(93.75)


def test_attainment_top_n_is_all_or_nothing():
    s = spec(m.TOP_N, 10, direction=m.LOWER, measure=m.RANK)
    assert m.attainment_pct(s, 12) == 0
    assert m.attainment_pct(s, 10) == 100


@pytest.mark.parametrize(
    ("state", "pct"),
    [(m.NOT_STARTED, 0), (m.IN_PROGRESS, 50), (m.DONE, 100), (None, None)],
)
def test_attainment_milestone_by_state(state, pct):
    assert m.attainment_pct(spec(m.MILESTONE, None, measure=m.MILESTONE), state) == pct


def test_attainment_without_observation_is_none():
    assert m.attainment_pct(spec(), None) is None


# --- status bands -----------------------------------------------------------------------
# Base 100 at the end of 2020 (t 2021.0); target at least 146.41 by 2024 (deadline 2025.0).
# Required CAGR = (146.41/100)^(1/4) - 1 = 1.1 - 1 = 0.10.
# The 2021 value (t 2022.0) is one year on, so observed CAGR = value/100 - 1 and R = that/0.10.

BAND_SPEC = spec(m.AT_LEAST, 146.41, 2024)


def band(value_2021: float) -> m.Evaluation:
    return evaluate(BAND_SPEC, yearly((2020, 100), (2021, value_2021)), as_of_t=2022.0)


@pytest.mark.parametrize(
    ("value_2021", "ratio", "status"),
    [
        (109.6, 0.96, m.ON_TRACK),  # 0.096 / 0.10 = 0.96 >= 0.95
        (109.4, 0.94, m.NEEDS_ACCELERATION),  # 0.094 / 0.10 = 0.94 <  0.95
        (106.1, 0.61, m.NEEDS_ACCELERATION),  # 0.061 / 0.10 = 0.61 >= 0.6
        (105.9, 0.59, m.LIMITED_PROGRESS),  # 0.059 / 0.10 = 0.59 <  0.6
        (100.1, 0.01, m.LIMITED_PROGRESS),  # 0.001 / 0.10 = 0.01 >= 0
        (100.0, 0.00, m.LIMITED_PROGRESS),  # no change: R = 0 exactly
        (99.9, -0.01, m.DETERIORATING),  # -0.001 / 0.10 = -0.01 < 0
    ],
)
def test_status_band_just_inside_each_threshold(value_2021, ratio, status):
    ev = band(value_2021)
    assert ev.ratio == pytest.approx(ratio, abs=1e-9)
    assert ev.status == status
    assert ev.required_rate == pytest.approx(0.10)
    assert ev.rate_basis == m.RATE_BASIS_CAGR


@pytest.mark.parametrize(
    ("ratio", "status"),
    [
        (0.95, m.ON_TRACK),
        (0.6, m.NEEDS_ACCELERATION),
        (0.0, m.LIMITED_PROGRESS),
        (-1e-12, m.DETERIORATING),
    ],
)
def test_status_for_ratio_exact_thresholds_belong_to_the_better_band(ratio, status):
    assert m.status_for_ratio(ratio) == status


def test_achieved_when_latest_observation_meets_target():
    ev = evaluate(spec(), yearly((2021, 70), (2022, 85)), as_of_t=2023.0)
    assert ev.status == m.ACHIEVED
    assert ev.attainment_pct == 100
    assert ev.actual == 85


# --- lower is better --------------------------------------------------------------------


def test_lower_is_better_reduction_on_track():
    # reduce by 30 % from 100 (2020, t 2021.0) by 2025 (deadline 2026.0): target 70.
    # required = 0.7^(1/5) - 1 = -0.068850; 2022 (t 2023.0) at 85: observed = 0.85^(1/2) - 1
    # = -0.078046. Both negative = the right way: R = 0.078046 / 0.068850 = 1.13356.
    s = spec(
        m.REDUCE_BY, 30, direction=m.LOWER, measure=m.COUNT, baseline_value=100, baseline_year=2020
    )
    ev = evaluate(s, yearly((2022, 85)), as_of_t=2023.0)
    assert ev.effective_target == pytest.approx(70)
    assert ev.observed_rate == pytest.approx(-0.0780456, rel=1e-5)
    assert ev.required_rate == pytest.approx(-0.0688501, rel=1e-5)
    assert ev.ratio == pytest.approx(1.1335579, rel=1e-6)
    assert ev.status == m.ON_TRACK
    assert ev.base_t == 2021.0 and ev.base_value == 100


def test_lower_is_better_increase_is_deteriorating():
    # same target; 2022 at 105: observed = 1.05^(1/2) - 1 = +0.024695 (wrong way)
    # R = -0.024695 / 0.068850 = -0.35868
    s = spec(
        m.REDUCE_BY, 30, direction=m.LOWER, measure=m.COUNT, baseline_value=100, baseline_year=2020
    )
    ev = evaluate(s, yearly((2022, 105)), as_of_t=2023.0)
    assert ev.ratio == pytest.approx(-0.3586790, rel=1e-6)
    assert ev.status == m.DETERIORATING


def test_lower_is_better_at_most_needs_acceleration():
    # at most 5 days by 2025 (deadline 2026.0); 10 (t 2022.0) -> 8 (t 2024.0)
    # observed = 0.8^(1/2) - 1 = -0.105573; required = 0.5^(1/4) - 1 = -0.159104
    # R = 0.105573 / 0.159104 = 0.66355
    s = spec(m.AT_MOST, 5, direction=m.LOWER, measure=m.COUNT)
    ev = evaluate(s, yearly((2021, 10), (2023, 8)), as_of_t=2024.0)
    assert ev.ratio == pytest.approx(0.6635476, rel=1e-6)
    assert ev.status == m.NEEDS_ACCELERATION


def test_base_already_past_target_then_falling_is_deteriorating():
    # at least 80; 90 (t 2021.0) -> 75 (t 2022.0). observed = 75/90 - 1 = -0.16667,
    # required = (80/90)^(1/4) - 1 = -0.029016. A plain quotient would give +5.7 ("on track");
    # the method divides by |required|: R = -0.16667 / 0.029016 = -5.744 -> deteriorating.
    ev = evaluate(spec(m.AT_LEAST, 80, 2024), yearly((2020, 90), (2021, 75)), as_of_t=2022.0)
    assert ev.ratio == pytest.approx(-0.1666667 / 0.0290165, rel=1e-5)
    assert ev.status == m.DETERIORATING


def test_reduce_by_without_baseline_tracks_cumulative_percent_reduced():
    # value = % of procedures cut so far; 10 (t 2022.0) -> 20 (t 2023.0), need 30 by 2025.
    # observed = 20/10 - 1 = 1.0; required = (30/10)^(1/4) - 1 = 0.316074; R = 3.1638
    s = spec(m.REDUCE_BY, 30, direction=m.LOWER, reads_change=True)
    ev = evaluate(s, yearly((2021, 10), (2022, 20)), as_of_t=2023.0)
    assert m.goal_direction(s) == m.HIGHER
    assert ev.ratio == pytest.approx(3.1638159, rel=1e-6)
    assert ev.status == m.ON_TRACK
    assert ev.attainment_pct == pytest.approx(20 / 30 * 100)


# --- zero and negative values -----------------------------------------------------------


def test_zero_base_is_replaced_by_one_thousandth():
    # 0 (t 2021.0) -> 20 (t 2022.0); at least 50 by 2024 (deadline 2025.0); base -> 0.001
    # observed = 20/0.001 - 1 = 19999; required = 50000^(1/4) - 1 = 13.953488; R = 1433.26
    ev = evaluate(spec(m.AT_LEAST, 50, 2024), yearly((2020, 0), (2021, 20)), as_of_t=2022.0)
    assert ev.observed_rate == pytest.approx(19999)
    assert ev.required_rate == pytest.approx(13.953488, rel=1e-6)
    assert ev.ratio == pytest.approx(1433.2617, rel=1e-6)
    assert ev.status == m.ON_TRACK
    assert ev.base_value == 0  # reported as given; 0.001 is only inside the rate


def test_zero_target_is_replaced_by_one_thousandth():
    # incidents at most 0 by 2024; 10 (t 2021.0) -> 5 (t 2022.0); target -> 0.001
    # observed = 0.5 - 1 = -0.5; required = (0.001/10)^(1/4) - 1 = 0.1 - 1 = -0.9
    # R = 0.5 / 0.9 = 0.5556 -> limited progress
    s = spec(m.AT_MOST, 0, 2024, direction=m.LOWER, measure=m.COUNT)
    ev = evaluate(s, yearly((2020, 10), (2021, 5)), as_of_t=2022.0)
    assert ev.required_rate == pytest.approx(-0.9)
    assert ev.ratio == pytest.approx(0.5 / 0.9)
    assert ev.status == m.LIMITED_PROGRESS


def test_both_negative_values_use_cagr_with_sign_flip():
    # net balance at least -2 by 2024; -10 (t 2021.0) -> -6 (t 2022.0): improving.
    # raw observed = (-6/-10) - 1 = -0.4 and required = 0.2^(1/4) - 1 = -0.331260;
    # a negative base flips the sign: R = +0.4 / 0.331260 = 1.20751
    ev = evaluate(
        spec(m.AT_LEAST, -2, 2024, measure=m.MONEY_VND),
        yearly((2020, -10), (2021, -6)),
        as_of_t=2022.0,
    )
    assert ev.ratio == pytest.approx(1.2075118, rel=1e-6)
    assert ev.status == m.ON_TRACK
    assert ev.rate_basis == m.RATE_BASIS_CAGR


def test_value_changing_sign_falls_back_to_linear_rates():
    # -10 (t 2021.0) -> 5 (t 2023.0); at least 20 by 2025 (deadline 2026.0)
    # observed = 15 / 2 = 7.5 per year; required = 30 / 5 = 6 per year; R = 1.25
    ev = evaluate(
        spec(m.AT_LEAST, 20, measure=m.MONEY_VND), yearly((2020, -10), (2022, 5)), as_of_t=2023.0
    )
    assert ev.rate_basis == m.RATE_BASIS_LINEAR
    assert ev.observed_rate == pytest.approx(7.5)
    assert ev.required_rate == pytest.approx(6)
    assert ev.ratio == pytest.approx(1.25)
    assert ev.status == m.ON_TRACK
    assert ev.projected_cagr is None  # a growth-rate projection needs a growth rate


def test_value_turning_negative_is_deteriorating_on_linear_rates():
    # 10 (t 2021.0) -> -2 (t 2022.0); at least 20 by 2024 (deadline 2025.0)
    # observed = -12 per year; required = 10 / 4 = 2.5 per year; R = -4.8
    ev = evaluate(
        spec(m.AT_LEAST, 20, 2024, measure=m.MONEY_VND),
        yearly((2020, 10), (2021, -2)),
        as_of_t=2022.0,
    )
    assert ev.ratio == pytest.approx(-4.8)
    assert ev.status == m.DETERIORATING


def test_target_of_other_sign_than_base_uses_linear_rates():
    # -10 (t 2021.0) -> -4 (t 2022.0); at least 6 by 2024: observed 6/yr, required 16/4 = 4/yr
    ev = evaluate(
        spec(m.AT_LEAST, 6, 2024, measure=m.MONEY_VND),
        yearly((2020, -10), (2021, -4)),
        as_of_t=2022.0,
    )
    assert ev.rate_basis == m.RATE_BASIS_LINEAR
    assert ev.ratio == pytest.approx(1.5)


def test_target_equal_to_base_and_falling_away_is_deteriorating():
    # base 80 = target 80: required rate 0, no ratio; 80 -> 79 moves away from "at least 80"
    ev = evaluate(spec(m.AT_LEAST, 80, 2024), yearly((2020, 80), (2021, 79)), as_of_t=2022.0)
    assert ev.required_rate == 0
    assert ev.ratio is None
    assert ev.status == m.DETERIORATING


def test_target_equal_to_base_and_standing_still_is_limited_progress():
    ev = evaluate(spec(m.MORE_THAN, 80, 2024), yearly((2020, 80), (2021, 80)), as_of_t=2022.0)
    assert ev.ratio is None
    assert ev.status == m.LIMITED_PROGRESS


# --- baselines, deadlines and thin data -------------------------------------------------


def test_plan_baseline_counts_as_the_first_point():
    # baseline 40 in 2020 (t 2021.0) + one observation 60 in 2022 (t 2023.0) -> a trend
    # observed = (60/40)^(1/2) - 1 = 0.224745; required = (80/40)^(1/5) - 1 = 0.148698
    s = spec(baseline_value=40, baseline_year=2020)
    ev = evaluate(s, yearly((2022, 60)), as_of_t=2023.0)
    assert ev.base_t == 2021.0
    assert ev.ratio == pytest.approx((1.5**0.5 - 1) / (2**0.2 - 1))
    assert ev.status == m.ON_TRACK
    assert ev.n_observations == 1


def test_one_observation_is_insufficient_data():
    ev = evaluate(spec(), yearly((2022, 60)), as_of_t=2023.0)
    assert ev.status == m.INSUFFICIENT_DATA
    assert ev.actual == 60
    assert ev.attainment_pct == pytest.approx(75)
    assert ev.ratio is None and ev.projected_linear is None


def test_no_observation_is_insufficient_data_with_nones():
    ev = evaluate(spec(), [], as_of_t=2023.0)
    assert ev.status == m.INSUFFICIENT_DATA
    assert ev.actual is None and ev.attainment_pct is None and ev.n_observations == 0


def test_target_year_passed_and_unmet_is_missed_on_the_figures_of_the_year():
    # at least 80 by 2023 (deadline 2024.0), evaluated at 2025.0: judged on 2021's 60,
    # 2024's 70 is shown as "since the deadline"
    ev = evaluate(spec(m.AT_LEAST, 80, 2023), yearly((2021, 60), (2024, 70)), as_of_t=2025.0)
    assert ev.status == m.MISSED
    assert ev.actual == 60 and ev.attainment_pct == pytest.approx(75)
    assert (ev.since_deadline_value, ev.since_deadline_t) == (70, 2025.0)


def test_only_figures_after_the_target_year_give_no_verdict():
    ev = evaluate(spec(m.AT_LEAST, 80, 2023), yearly((2024, 70)), as_of_t=2025.0)
    assert ev.status == m.INSUFFICIENT_DATA and ev.actual is None
    assert ev.since_deadline_value == 70


def test_deadline_itself_is_not_yet_passed():
    # by 2023 -> deadline 2024.0; as of 2024.0 the year's figure may still count
    ev = evaluate(spec(m.AT_LEAST, 80, 2023), yearly((2022, 60), (2023, 70)), as_of_t=2024.0)
    assert ev.status != m.MISSED


def test_observations_after_as_of_are_ignored():
    ev = evaluate(spec(), yearly((2021, 50), (2022, 60), (2024, 90)), as_of_t=2023.0)
    assert ev.actual == 60
    assert ev.n_observations == 2
    assert ev.status != m.ACHIEVED


def test_unsorted_observations_are_sorted_by_time():
    ev = evaluate(spec(), yearly((2022, 60), (2021, 50)), as_of_t=2023.0)
    assert ev.actual == 60 and ev.base_value == 50


def test_two_values_at_the_same_time_give_no_trend():
    obs = [Observation(2023.0, 50), Observation(2023.0, 60)]
    ev = evaluate(spec(), obs, as_of_t=2023.0)
    assert ev.status == m.INSUFFICIENT_DATA
    assert ev.actual == 60  # the one given last
    assert ev.ratio is None and ev.projected_linear is None


def test_quarterly_observations_use_fractional_years():
    # Q1 2024 (2024.25) 40 -> Q3 2024 (2024.75) 50; at least 80 by 2025 (deadline 2026.0)
    # observed = (50/40)^(1/0.5) - 1 = 0.5625; required = 2^(1/1.75) - 1 = 0.485994
    obs = [Observation(m.period_end_t(2024, 1), 40), Observation(m.period_end_t(2024, 3), 50)]
    ev = evaluate(spec(), obs, as_of_t=2024.75)
    assert ev.observed_rate == pytest.approx(0.5625)
    assert ev.ratio == pytest.approx(1.1574210, rel=1e-6)
    assert ev.status == m.ON_TRACK


def test_target_without_value_is_insufficient_data():
    ev = evaluate(spec(m.AT_LEAST, None), yearly((2021, 50), (2022, 60)), as_of_t=2023.0)
    assert ev.status == m.INSUFFICIENT_DATA
    assert ev.effective_target is None


@pytest.mark.parametrize(
    "values",
    [
        [(2021, 0.0), (2022, 0.0)],
        [(2021, -5.0), (2022, 0.0)],
        [(2021, 0.0), (2022, -5.0)],
        [(2021, 1e-300), (2022, 1e300)],
        [(2021, float("nan")), (2022, 3.0)],
        [(2021, 5.0), (2022, float("inf"))],
    ],
)
@pytest.mark.parametrize("comparator", [m.AT_LEAST, m.AT_MOST, m.REDUCE_BY, m.INCREASE_BY])
def test_odd_data_never_raises(values, comparator):
    s = spec(comparator, 0, direction=m.LOWER, baseline_value=0, baseline_year=2020)
    ev = evaluate(s, yearly(*values), as_of_t=2023.0)
    assert ev.status in m.STATUSES
    ev = evaluate(spec(comparator, 10), yearly(*values), as_of_t=2023.0)
    assert ev.status in m.STATUSES


def test_tiny_time_step_with_huge_growth_does_not_overflow():
    obs = [Observation(2023.0, 1.0), Observation(2023.001, 1000.0)]
    ev = evaluate(spec(m.AT_LEAST, 1e6), obs, as_of_t=2023.5)
    assert ev.status in m.STATUSES


# --- projection -------------------------------------------------------------------------


def test_projection_values():
    # at least 80 by 2025 (deadline 2026.0); 50 (t 2022.0) -> 60 (t 2023.0); as of 2023.0
    # observed = 0.2; projected_cagr = 60 * 1.2^3 = 103.68
    # line through the two points rises 10/yr: at 2026.0 -> 60 + 3*10 = 90
    # rate from now = (80/60)^(1/3) - 1 = 0.100642; step from now = (80 - 60)/3 = 6.6667
    # required = 1.6^(1/4) - 1 = 0.124683; R = 0.2 / 0.124683 = 1.60407
    ev = evaluate(spec(), yearly((2021, 50), (2022, 60)), as_of_t=2023.0)
    assert ev.projected_cagr == pytest.approx(103.68)
    assert ev.projected_linear == pytest.approx(90)
    assert ev.required_rate_from_now == pytest.approx(0.1006424, rel=1e-6)
    assert ev.required_step_from_now == pytest.approx(20 / 3)
    assert ev.ratio == pytest.approx(1.6040724, rel=1e-6)


def test_linear_projection_is_least_squares_including_baseline():
    # points (2021.0, 10) [baseline], (2022.0, 14), (2023.0, 15): mean t 2022, mean v 13,
    # Sxy = (-1)(-3) + 0 + (1)(2) = 5, Sxx = 2 -> slope 2.5; at 2026.0: 13 + 2.5*4 = 23
    s = spec(m.AT_LEAST, 30, baseline_value=10, baseline_year=2020, measure=m.COUNT)
    ev = evaluate(s, yearly((2021, 14), (2022, 15)), as_of_t=2023.0)
    assert ev.projected_linear == pytest.approx(23)


def test_rate_from_now_is_none_after_deadline_or_for_non_positive_values():
    ev = evaluate(spec(m.AT_LEAST, 80, 2022), yearly((2021, 50), (2022, 60)), as_of_t=2024.0)
    assert ev.required_rate_from_now is None and ev.required_step_from_now is None
    ev = evaluate(spec(m.AT_LEAST, 5), yearly((2021, -5), (2022, 0)), as_of_t=2023.0)
    assert ev.required_rate_from_now is None
    assert ev.required_step_from_now == pytest.approx(5 / 3)


# --- ranks ------------------------------------------------------------------------------

CAN_THO_DTI = spec(m.TOP_N, 10, 2025, direction=m.LOWER, measure=m.RANK)


def test_can_tho_dti_rank_top_ten_achieved_with_places_gained():
    # DTI rank 15 in 2021, 5 in 2022; target top 10 by 2025 -> achieved, 15 - 5 = 10 places
    ev = evaluate(CAN_THO_DTI, yearly((2021, 15), (2022, 5)), as_of_t=2023.0)
    assert ev.status == m.ACHIEVED
    assert ev.places_gained == 10
    assert ev.attainment_pct == 100
    assert ev.projected_cagr is None and ev.ratio is None


def test_rank_not_yet_in_top_n_is_not_achieved():
    ev = evaluate(CAN_THO_DTI, yearly((2021, 15), (2022, 12)), as_of_t=2023.0)
    assert ev.status == m.NOT_ACHIEVED
    assert ev.places_gained == 3
    assert ev.attainment_pct == 0


def test_rank_falling_gives_negative_places_gained():
    ev = evaluate(CAN_THO_DTI, yearly((2021, 12), (2022, 20)), as_of_t=2023.0)
    assert ev.places_gained == -8


def test_rank_outside_top_n_after_deadline_is_missed():
    ev = evaluate(CAN_THO_DTI, yearly((2025, 12)), as_of_t=2026.5)
    assert ev.status == m.MISSED
    assert ev.places_gained is None  # no earlier rank to compare with


def test_rank_without_observation_is_insufficient_data():
    assert evaluate(CAN_THO_DTI, [], as_of_t=2023.0).status == m.INSUFFICIENT_DATA


def test_rank_measure_with_at_most_uses_rank_rules():
    s = spec(m.AT_MOST, 10, direction=m.LOWER, measure=m.RANK)
    ev = evaluate(s, yearly((2021, 15), (2022, 12)), as_of_t=2023.0)
    assert ev.status == m.NOT_ACHIEVED
    assert ev.places_gained == 3


# --- milestones -------------------------------------------------------------------------

MILESTONE_SPEC = spec(m.MILESTONE, None, 2025, measure=m.MILESTONE)


@pytest.mark.parametrize(
    ("state", "as_of_t", "status", "pct"),
    [
        (m.DONE, 2024.0, m.ACHIEVED, 100),
        (m.DONE, 2027.0, m.ACHIEVED, 100),
        (m.IN_PROGRESS, 2024.0, m.NOT_ACHIEVED, 50),
        (m.NOT_STARTED, 2024.0, m.NOT_ACHIEVED, 0),
        (m.IN_PROGRESS, 2026.5, m.MISSED, 50),
        (None, 2024.0, m.INSUFFICIENT_DATA, None),
        (None, 2027.0, m.INSUFFICIENT_DATA, None),
    ],
)
def test_milestone_status_and_attainment(state, as_of_t, status, pct):
    ev = evaluate(MILESTONE_SPEC, [], as_of_t=as_of_t, milestone_state=state)
    assert ev.status == status
    assert ev.attainment_pct == pct
    assert ev.effective_target is None


def test_statuses_are_in_display_order():
    assert m.STATUSES == (
        "achieved",
        "on_track",
        "needs_acceleration",
        "limited_progress",
        "deteriorating",
        "not_achieved",
        "awaiting_final",
        "missed",
        "incomplete_data",
        "baseline_needed",
        "level_abolished",
        "retired",
        "insufficient_data",
    )


# --- not judged: no baseline, too few units, a level that ended, another rank field -------

@pytest.mark.parametrize("comparator", [m.REDUCE_BY, m.INCREASE_BY])
def test_a_count_with_no_baseline_needs_one_and_is_never_achieved(comparator):
    # 1,800 existing procedures say nothing about a 20 % reduction without the base count.
    s = spec(comparator, 20, measure=m.COUNT, direction=m.LOWER)
    ev = evaluate(s, yearly((2023, 1800), (2024, 1700)), as_of_t=2027.0)
    assert ev.status == m.BASELINE_NEEDED
    assert ev.actual == 1700 and ev.attainment_pct is None and ev.effective_target is None
    assert m.comparator_holds(s, 10_000) is False and m.attainment_pct(s, 30) is None


def test_a_percentage_reduced_so_far_is_read_as_such_only_when_the_indicator_says_so():
    s = spec(m.REDUCE_BY, 20, reads_change=True)
    assert evaluate(s, yearly((2024, 25)), as_of_t=2025.0).status == m.ACHIEVED


def test_a_value_over_too_few_units_is_incomplete_data_with_its_coverage():
    # 2 of 9 districts at 85 % against "80 % at district level"
    obs = [m.Observation(2025.25, 85.0, coverage=2 / 9)]
    ev = evaluate(spec(m.AT_LEAST, 80), obs, as_of_t=2025.3)
    assert ev.status == m.INCOMPLETE_DATA
    assert ev.actual == 85 and ev.coverage == pytest.approx(2 / 9)
    assert ev.attainment_pct is None


def test_coverage_at_the_threshold_is_judged_and_partial_points_leave_the_trend():
    obs = [m.Observation(2024.25, 10.0, coverage=0.1), m.Observation(2024.5, 60.0, coverage=0.5),
           m.Observation(2025.25, 85.0, coverage=m.COVERAGE_THRESHOLD)]
    ev = evaluate(spec(m.AT_LEAST, 80), obs, as_of_t=2025.3)
    assert ev.status == m.ACHIEVED and ev.coverage == pytest.approx(m.COVERAGE_THRESHOLD)
    ev = evaluate(spec(m.AT_LEAST, 90), obs, as_of_t=2025.3)
    assert ev.n_observations == 1 and ev.status == m.INSUFFICIENT_DATA  # one full point


def test_a_target_at_a_level_abolished_before_its_year_ends_is_not_judged():
    # The district level ended on 1 July 2025 (2025.5); a 2030 district target
    ended = 2025.0 + 181 / 365
    s = spec(m.AT_LEAST, 80, 2030)
    ev = evaluate(s, yearly((2024, 95)), as_of_t=2031.0, level_ended_t=ended)
    assert ev.status == m.LEVEL_ABOLISHED and ev.actual == 95
    # ...before that day it was judged like any other, and a 2024 target still is
    assert evaluate(s, yearly((2024, 95)), as_of_t=2025.1, level_ended_t=ended).status == (
        m.ACHIEVED
    )
    assert evaluate(spec(m.AT_LEAST, 80, 2024), yearly((2024, 95)), as_of_t=2031.0,
                    level_ended_t=ended).status == m.ACHIEVED


@pytest.mark.parametrize("comparator", [m.AT_LEAST, m.REDUCE_BY, m.MILESTONE])
def test_a_retired_target_shows_its_figures_and_is_not_judged(comparator):
    # Retirement comes before every other refusal: the document ended the target.
    s = spec(comparator, None if comparator == m.MILESTONE else 80, 2025)
    ev = evaluate(s, yearly((2023, 60), (2024, 95)), as_of_t=2031.0, retired=True,
                  level_ended_t=2025.5)
    assert ev.status == m.RETIRED
    assert ev.actual == 95 and ev.n_observations == 2
    assert ev.attainment_pct is None and ev.ratio is None and ev.expected_now is None


def test_a_rank_among_34_is_not_compared_with_top_10_of_63():
    s = TargetSpec(m.TOP_N, 10, 2025, m.LOWER, m.RANK, rank_field=63)
    obs = [m.Observation(2023.0, 5.0, field=63), m.Observation(2026.0, 12.0, field=34)]
    ev = evaluate(s, obs, as_of_t=2026.5)
    assert ev.not_comparable is True
    assert ev.actual == 5 and ev.status == m.ACHIEVED  # on the last comparable rank
    assert ev.stale is True  # ...which is three years old
    same = evaluate(s, [m.Observation(2026.0, 12.0, field=63)], as_of_t=2026.5)
    assert same.not_comparable is False and same.status == m.MISSED


def test_expected_now_is_the_straight_line_from_the_base_to_the_target():
    # 40 in 2020 (t 2021.0) to 80 by the end of 2025 (2026.0): at 2023.5, half way: 60
    s = spec(m.AT_LEAST, 80, 2025, baseline_value=40, baseline_year=2020)
    assert evaluate(s, yearly((2022, 50)), as_of_t=2023.5).expected_now == pytest.approx(60)
    # after the deadline the line stops at the target
    assert evaluate(s, yearly((2022, 50)), as_of_t=2027.0).expected_now == pytest.approx(80)
    # the plan's baseline alone draws the line; with no base at all there is none
    assert evaluate(s, [], as_of_t=2023.5).expected_now == pytest.approx(60)
    assert evaluate(spec(m.AT_LEAST, 80), [], as_of_t=2023.5).expected_now is None


def test_a_milestone_is_judged_on_its_state_at_the_end_of_the_year():
    obs = [m.Observation(2025.75, 50.0), m.Observation(2026.25, 100.0)]
    ev = evaluate(MILESTONE_SPEC, obs, as_of_t=2026.5, milestone_state=m.DONE)
    assert ev.milestone_state == m.IN_PROGRESS and ev.status == m.MISSED
