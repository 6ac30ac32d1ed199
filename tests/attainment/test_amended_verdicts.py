"""Amended and retired targets in the engine: each period is judged against the version in
force on its last day, the latest row against the version in force today."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attainment.models import Rollup, RollupScope, Scope, Status, TargetAttainment
from dashboards.selectors import BEHIND_STATUSES, city_headlines
from targets.models import Aggregation, Comparator, Level, Measure, TargetAmendment
from tests.attainment.conftest import figure, latest, recompute, row
from tests.attainment.test_recompute import build_world
from tests.factories import IndicatorFactory, PlanFactory, TargetFactory, UnitFactory
from units.models import UnitKind

pytestmark = pytest.mark.django_db


def _department_target(city, *, value="80", year=2026, comparator=Comparator.AT_LEAST,
                       measure=Measure.PERCENT, aggregation=Aggregation.MEAN):
    department = UnitFactory(code=f"{city.code}-SO", parent=city, kind=UnitKind.DEPARTMENT)
    indicator = IndicatorFactory(aggregation=aggregation, measure=measure)
    target = TargetFactory(plan=PlanFactory(city=city, issued_on=date(2021, 6, 1)),
                           indicator=indicator, level=Level.DEPARTMENT, year=year,
                           comparator=comparator,
                           value=None if value is None else Decimal(value),
                           responsible=[department])
    return target, department


def _amend(target, day, *, value=None, year=None, retires=False, comparator=None):
    return TargetAmendment.objects.create(
        target=target, document_number=f"{day:%d%m}/QĐ-UBND", effective_from=day,
        comparator=comparator or target.comparator, year=year or target.year, retires=retires,
        value=target.value if value is None else Decimal(value))


def test_earlier_periods_keep_the_version_then_in_force(city):
    target, department = _department_target(city, value="80")
    figure(target.indicator, department, "2023-Q4", 50)
    figure(target.indicator, department, "2024-Q2", 70)
    figure(target.indicator, department, "2024-Q3", 72)
    # In force from 1 July 2024: Q2 ends the day before and keeps the plan's 80.
    _amend(target, date(2024, 7, 1), value="70")

    recompute()

    for scope in (Scope.UNIT, Scope.COMBINED):
        assert row(target, "2023-Q4", scope=scope).effective_target == 80
        q2 = row(target, "2024-Q2", scope=scope)
        assert (q2.effective_target, q2.status) == (80, Status.ON_TRACK)
        q3 = row(target, "2024-Q3", scope=scope)
        assert (q3.effective_target, q3.status, q3.is_latest) == (70, Status.ACHIEVED, True)


def test_an_amendment_in_force_later_than_today_judges_nothing_yet(city):
    target, department = _department_target(city, value="80")
    figure(target.indicator, department, "2024-Q3", 72)
    _amend(target, date(2025, 7, 1), value="70")  # after TODAY (31/12/2024)

    recompute()

    assert latest(target).effective_target == 80
    assert latest(target).status != Status.ACHIEVED


def test_a_later_year_moves_the_deadline(city):
    target, department = _department_target(city, value="80", year=2023)
    figure(target.indicator, department, "2022-Q4", 40)
    figure(target.indicator, department, "2023-Q4", 50)
    recompute()
    assert latest(target).status == Status.MISSED  # as issued: due in 2023, missed by now

    # Moved to 2026 from June 2024: the 2023 periods were judged as due in 2023, today's
    # verdict is judged against 2026, so 2024's row is no longer "missed".
    _amend(target, date(2024, 6, 1), year=2026)
    recompute()

    assert row(target, "2022-Q4").status != Status.MISSED
    assert latest(target).status not in (Status.MISSED, Status.AWAITING_FINAL)
    assert latest(target).expected_now is not None


def test_a_retired_target_keeps_its_rows_and_is_not_behind(city):
    target, department = _department_target(city, value="90")
    figure(target.indicator, department, "2023-Q2", 50)
    figure(target.indicator, department, "2024-Q3", 45)
    recompute()
    assert latest(target).status in BEHIND_STATUSES

    _amend(target, date(2024, 1, 1), retires=True)
    recompute()

    # Before the retirement: judged as issued; after: shown, not judged.
    before = row(target, "2023-Q2")
    assert before.status != Status.RETIRED and before.effective_target == 90
    for scope in (Scope.UNIT, Scope.COMBINED):
        result = latest(target, scope=scope)
        assert (result.status, result.actual_value) == (Status.RETIRED, 45)
        assert result.attainment_pct is None
        assert result.effective_target == 90  # what the retired version asked
    rollup = Rollup.objects.get(dataset="official", scope=RollupScope.CITY, city=city,
                                target_year=None)
    assert rollup.status_counts[Status.RETIRED] == 1 and rollup.mean_attainment is None
    headline = city_headlines(cities=[city], dataset="official")[0]
    assert headline.behind == 0


def test_a_retired_target_without_figures_says_retired(city):
    target, department = _department_target(city)
    _amend(target, date(2024, 3, 1), retires=True)

    recompute()

    assert latest(target).status == Status.RETIRED
    assert latest(target, scope=Scope.UNIT, unit=department).status == Status.RETIRED


def test_a_later_amendment_brings_a_retired_target_back(city):
    target, department = _department_target(city, value="60")
    figure(target.indicator, department, "2024-Q3", 70)
    _amend(target, date(2023, 1, 1), retires=True)
    _amend(target, date(2024, 4, 1), value="65")

    recompute()

    assert (latest(target).status, latest(target).effective_target) == (Status.ACHIEVED, 65)


def test_share_meeting_counts_the_units_meeting_the_version_in_force(city):
    districts = [UnitFactory(code=f"{city.code}-Q{i}", parent=city, kind=UnitKind.DISTRICT)
                 for i in range(2)]
    indicator = IndicatorFactory(aggregation=Aggregation.SHARE_MEETING)
    target = TargetFactory(plan=PlanFactory(city=city, issued_on=date(2021, 6, 1)),
                           indicator=indicator, level=Level.DISTRICT, year=2026,
                           value=Decimal(80), responsible=districts)
    for code in ("2024-Q1", "2024-Q3"):
        figure(indicator, districts[0], code, 85)
        figure(indicator, districts[1], code, 75)
    _amend(target, date(2024, 7, 1), value="70")

    recompute()

    assert row(target, "2024-Q1").actual_value == 50  # one of two meets 80
    assert row(target, "2024-Q3").actual_value == 100  # both meet 70


def test_a_rank_target_takes_the_field_of_its_own_version(city):
    target, department = _department_target(
        city, value="10", comparator=Comparator.TOP_N, measure=Measure.RANK)
    target.plan.issued_on = date(2021, 6, 1)
    target.plan.save()
    target.responsible_units.set([city])
    figure(target.indicator, city, "2021", 20, denominator=Decimal(63))
    figure(target.indicator, city, "2025", 8, denominator=Decimal(34))
    # Re-set after the 2025 ranking was published in the merged field of 34: the new
    # version reads ranks in that field, the plan's in the field of 63.
    _amend(target, date(2026, 1, 1), value="5")

    recompute(today=date(2026, 3, 1))

    assert row(target, "2021").rank_field == 63
    result = latest(target)
    assert (result.rank_field, result.not_comparable) == (34, False)
    assert result.effective_target == 5 and result.status != Status.ACHIEVED


def test_amendments_add_no_query_per_target(city):
    targets, _units = build_world(city, 3, 3)
    recompute()
    with CaptureQueriesContext(connection) as plain:
        recompute()
    for i, target in enumerate(targets):
        _amend(target, date(2021, 7, 1), value=str(50 + i))
        _amend(target, date(2022, 1, 1), retires=True)
    with CaptureQueriesContext(connection) as amended:
        recompute()
    assert len(amended) == len(plain)
    assert set(TargetAttainment.objects.filter(is_latest=True).values_list(
        "status", flat=True)) == {Status.RETIRED}
