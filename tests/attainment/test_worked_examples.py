"""Hand-computed worked examples, through the engine: figures in, recompute, results read back.

Conventions of the method (attainment/method.py): a value sits at the decimal year of the END
of its period (the year 2022 -> 2023.0, 2023 Q3 -> 2023.75, a baseline "2020" -> 2021.0); a
target "by 2025" is due at 2026.0. TODAY is 31 Dec 2024, i.e. 2025.0.
"""

from datetime import date
from decimal import Decimal

import pytest

from attainment.models import Scope, Status
from targets.models import Aggregation, Comparator, Direction, Level, Measure
from tests.attainment.conftest import figure, latest, recompute, row
from tests.factories import IndicatorFactory, PlanFactory, TargetFactory

pytestmark = pytest.mark.django_db

REQUIRED_40_TO_80 = 2 ** (1 / 5) - 1  # (80/40)^(1/(2026-2021)) - 1 = 0.148698...


def make_target(city, unit, *, comparator=Comparator.AT_LEAST, value="80", baseline=None,
                baseline_year=None, year=2025, measure=Measure.PERCENT,
                direction=Direction.HIGHER, aggregation=Aggregation.MEAN, level=Level.CITY,
                responsible=None):
    indicator = IndicatorFactory(measure=measure, direction=direction, aggregation=aggregation)
    return TargetFactory(
        plan=PlanFactory(city=city), indicator=indicator, comparator=comparator,
        value=None if value is None else Decimal(value), year=year, level=level,
        baseline_value=None if baseline is None else Decimal(baseline),
        baseline_year=baseline_year, responsible=responsible or [unit],
    )


# --- status bands: at least 80 by 2025 from a baseline of 40 in 2020 -----------------------

@pytest.mark.parametrize(
    ("value", "status", "ratio"),
    [
        # observed CAGR (v/40)^(1/2) - 1 from 2021.0 to 2023.0, over the required 14.87 %/yr
        (60, Status.ON_TRACK, (1.5 ** 0.5 - 1) / REQUIRED_40_TO_80),  # R = 1.511
        (50, Status.NEEDS_ACCELERATION, (1.25 ** 0.5 - 1) / REQUIRED_40_TO_80),  # R = 0.794
        (44, Status.LIMITED_PROGRESS, (1.1 ** 0.5 - 1) / REQUIRED_40_TO_80),  # R = 0.328
        (36, Status.DETERIORATING, (0.9 ** 0.5 - 1) / REQUIRED_40_TO_80),  # R = -0.345
    ],
)
def test_status_bands_at_least_with_baseline(city, department, value, status, ratio):
    target = make_target(city, department, baseline="40", baseline_year=2020)
    figure(target.indicator, department, "2022", value)

    recompute()

    result = latest(target)
    assert result.status == status
    assert result.ratio == pytest.approx(ratio)
    assert result.actual_value == pytest.approx(value)
    # (actual - 40) / (80 - 40), clamped to 0..100
    assert result.attainment_pct == pytest.approx(max(0.0, (value - 40) / 40 * 100))
    assert result.required_rate == pytest.approx(REQUIRED_40_TO_80)
    assert result.base_value == 40 and result.base_t == 2021.0
    unit_row = latest(target, scope=Scope.UNIT, unit=department)
    assert unit_row.status == status and unit_row.n_units == 1


def test_achieved_when_the_comparator_holds(city, department):
    target = make_target(city, department, baseline="40", baseline_year=2020)
    figure(target.indicator, department, "2022", 85)
    recompute()
    result = latest(target)
    assert result.status == Status.ACHIEVED
    assert result.attainment_pct == 100.0


def test_target_year_passed_unmet_is_missed_as_of_today(city, department):
    target = make_target(city, department, baseline="40", baseline_year=2020)
    figure(target.indicator, department, "2022", 60)

    recompute(today=date(2026, 3, 31))

    # Latest row: as of today (2026.25 > 2026.0), unmet -> missed, though on track in 2022.
    assert latest(target).status == Status.MISSED
    assert row(target, "2022").is_latest
    # The same row evaluated as of its own period would have been on track: the history
    # rows of earlier periods keep their as-of status.
    figure(target.indicator, department, "2023", 62)
    recompute(today=date(2026, 3, 31))
    assert row(target, "2022").status == Status.ON_TRACK
    assert not row(target, "2022").is_latest
    assert latest(target).status == Status.MISSED
    assert latest(target).period.code == "2023"


def test_insufficient_data_with_a_single_point_and_no_baseline(city, department):
    target = make_target(city, department)
    figure(target.indicator, department, "2023", 50)
    recompute()
    result = latest(target)
    assert result.status == Status.INSUFFICIENT_DATA
    assert result.attainment_pct == pytest.approx(50 / 80 * 100)  # baseline 0


def test_target_without_figures_gets_an_insufficient_data_latest_row(city, department):
    target = make_target(city, department)
    figure(IndicatorFactory(), department, "2024-Q3", 10)  # another indicator's figure

    recompute()

    result = latest(target)
    assert result.status == Status.INSUFFICIENT_DATA
    assert result.unit == city and result.actual_value is None and result.n_units == 0
    assert result.period.code == "2024-Q3"  # the latest period that exists and has started
    assert latest(target, scope=Scope.UNIT, unit=department).status == Status.INSUFFICIENT_DATA


# --- comparators ---------------------------------------------------------------------------

def test_more_than_is_strict(city, department):
    equal = make_target(city, department, comparator=Comparator.MORE_THAN)
    above = make_target(city, department, comparator=Comparator.MORE_THAN)
    figure(equal.indicator, department, "2023", 80)
    figure(above.indicator, department, "2023", 80.5)
    recompute()
    assert latest(equal).status == Status.INSUFFICIENT_DATA  # not met, one point
    assert latest(equal).attainment_pct == 100  # the whole distance, yet not "more than"
    assert latest(above).status == Status.ACHIEVED


def test_at_most_lower_is_better(city, department):
    # At most 10 by 2025 from 30 in 2020; 20 in 2022.
    target = make_target(city, department, comparator=Comparator.AT_MOST, value="10",
                         baseline="30", baseline_year=2020, direction=Direction.LOWER)
    figure(target.indicator, department, "2022", 20)
    recompute()
    result = latest(target)
    observed = (20 / 30) ** (1 / 2) - 1  # -18.35 %/yr
    required = (10 / 30) ** (1 / 5) - 1  # -19.73 %/yr
    assert result.ratio == pytest.approx(-1 * observed / abs(required))  # 0.930
    assert result.status == Status.NEEDS_ACCELERATION
    assert result.attainment_pct == pytest.approx((30 - 20) / (30 - 10) * 100)  # 50 %


def test_less_than_is_strict(city, department):
    target = make_target(city, department, comparator=Comparator.LESS_THAN, value="10",
                         direction=Direction.LOWER)
    figure(target.indicator, department, "2023", 10)
    recompute()
    assert latest(target).status != Status.ACHIEVED
    figure(target.indicator, department, "2024", 9.9)
    recompute()
    assert latest(target).status == Status.ACHIEVED


def test_reduce_by_with_a_baseline_is_at_most_the_reduced_value(city, department):
    # Reduce by 30 % from 100 (2020): at most 70. 85 in 2022 is half way.
    target = make_target(city, department, comparator=Comparator.REDUCE_BY, value="30",
                         baseline="100", baseline_year=2020, measure=Measure.COUNT,
                         direction=Direction.LOWER)
    figure(target.indicator, department, "2022", 85)
    recompute()
    result = latest(target)
    assert result.effective_target == pytest.approx(70)
    assert result.attainment_pct == pytest.approx(50)
    observed = (85 / 100) ** (1 / 2) - 1
    required = (70 / 100) ** (1 / 5) - 1
    assert result.ratio == pytest.approx(-observed / abs(required))  # 1.172
    assert result.status == Status.ON_TRACK


def test_reduce_by_without_a_baseline_reads_the_percent_reduced(city, department):
    # Only because the indicator reports "% reduced so far" itself.
    target = make_target(city, department, comparator=Comparator.REDUCE_BY, value="30")
    target.indicator.reports_change = True
    target.indicator.save()
    figure(target.indicator, department, "2023", 15)
    recompute()
    result = latest(target)
    assert result.effective_target == 30
    assert result.attainment_pct == pytest.approx(50)  # 15 of 30 points reduced


def test_increase_by_with_a_baseline(city, department):
    # Increase by 50 % from 40: at least 60.
    target = make_target(city, department, comparator=Comparator.INCREASE_BY, value="50",
                         baseline="40", baseline_year=2020)
    figure(target.indicator, department, "2023", 60)
    recompute()
    assert latest(target).effective_target == pytest.approx(60)
    assert latest(target).status == Status.ACHIEVED


def test_rank_target_can_tho_dti_15_to_5_within_top_10(city):
    # Document 001: rank 5/63 in 2022, up 10 places, so 15 in 2021; the plan wants top 10.
    target = make_target(city, city, comparator=Comparator.TOP_N, value="10", baseline="15",
                         baseline_year=2021, measure=Measure.RANK, direction=Direction.LOWER)
    figure(target.indicator, city, "2022", 5, origin="document")
    recompute()
    result = latest(target)
    assert result.status == Status.ACHIEVED
    assert result.places_gained == 10
    assert result.attainment_pct == 100
    assert result.ratio is None and result.projected_cagr is None


def test_rank_not_reached_is_not_achieved_then_missed(city):
    target = make_target(city, city, comparator=Comparator.TOP_N, value="10", baseline="15",
                         baseline_year=2021, measure=Measure.RANK, direction=Direction.LOWER)
    figure(target.indicator, city, "2022", 12, origin="document")
    recompute()
    assert latest(target).status == Status.NOT_ACHIEVED
    assert latest(target).places_gained == 3
    assert latest(target).attainment_pct == 0  # all or nothing
    # The year is over but its last figures are due by 15 January 2026.
    recompute(today=date(2026, 1, 2))
    assert latest(target).status == Status.AWAITING_FINAL
    recompute(today=date(2026, 1, 16))
    assert latest(target).status == Status.MISSED


def test_milestone_by_its_state(city, department):
    target = make_target(city, department, comparator=Comparator.MILESTONE, value=None,
                         measure=Measure.MILESTONE)
    figure(target.indicator, department, "2023", None, milestone_state="in_progress")
    recompute()
    assert latest(target).status == Status.NOT_ACHIEVED
    assert latest(target).attainment_pct == 50
    figure(target.indicator, department, "2024", None, milestone_state="done")
    recompute()
    assert latest(target).status == Status.ACHIEVED
    assert latest(target).n_observations == 2
    assert row(target, "2023").status == Status.NOT_ACHIEVED


# --- odd data ------------------------------------------------------------------------------

def test_no_baseline_uses_the_earliest_observation(city, department):
    target = make_target(city, department)
    figure(target.indicator, department, "2022", 40)
    figure(target.indicator, department, "2023", 60)
    recompute()
    result = latest(target)
    observed = 60 / 40 - 1  # one year, 2023.0 -> 2024.0
    required = (80 / 40) ** (1 / 3) - 1  # 2023.0 -> 2026.0
    assert result.ratio == pytest.approx(observed / required)  # 1.924
    assert result.status == Status.ON_TRACK
    assert result.attainment_pct == pytest.approx(75)  # 60/80, baseline 0
    assert result.base_t == 2023.0 and result.n_observations == 2
    # projections: 60 * 1.5^(2026 - 2024), and the line through (2023, 40), (2024, 60)
    assert result.projected_cagr == pytest.approx(60 * 1.5 ** 2)
    assert result.projected_linear == pytest.approx(100)
    # as of TODAY (2025.0): (80/60)^(1/1) - 1 and 20 per year still needed
    assert result.required_rate_from_now == pytest.approx(80 / 60 - 1)
    assert result.required_step_from_now == pytest.approx(20)


def test_zero_base_is_replaced_by_0_001(city, department):
    target = make_target(city, department, value="10", measure=Measure.COUNT)
    figure(target.indicator, department, "2022", 0)
    figure(target.indicator, department, "2023", 5)
    recompute()
    result = latest(target)
    observed = 5 / 0.001 - 1  # 4999 over one year
    required = (10 / 0.001) ** (1 / 3) - 1  # 20.54 per year over three
    assert result.ratio == pytest.approx(observed / required)
    assert result.status == Status.ON_TRACK
    assert result.attainment_pct == pytest.approx(50)


def test_values_changing_sign_fall_back_to_linear_rates(city, department):
    # At least 10 by 2025 from -20 in 2020; -5 in 2022. CAGR is undefined across zero.
    target = make_target(city, department, value="10", baseline="-20", baseline_year=2020,
                         measure=Measure.COUNT)
    figure(target.indicator, department, "2022", -5)
    recompute()
    result = latest(target)
    assert result.observed_rate == pytest.approx((-5 + 20) / 2)  # 7.5 per year
    assert result.required_rate == pytest.approx((10 + 20) / 5)  # 6 per year
    assert result.ratio == pytest.approx(7.5 / 6)
    assert result.status == Status.ON_TRACK
    assert result.attainment_pct == pytest.approx(50)  # 15 of 30
    assert result.projected_cagr is None


# --- history -------------------------------------------------------------------------------

def test_every_period_with_a_figure_has_a_row_and_only_the_last_is_latest(city, department):
    target = make_target(city, department, baseline="40", baseline_year=2020)
    for code, value in (("2023-Q1", 45), ("2023-Q2", 50), ("2023-Q3", 48)):
        figure(target.indicator, department, code, value)
    recompute()
    combined = row(target, "2023-Q2")
    assert not combined.is_latest
    assert combined.actual_value == 50
    # as of 2023.5: CAGR from 2021.0 over 2.5 years
    assert combined.observed_rate == pytest.approx(1.25 ** (1 / 2.5) - 1)
    assert latest(target).period.code == "2023-Q3"
    assert latest(target).actual_value == 48
