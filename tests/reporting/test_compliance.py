"""compliance_rows: expected reports against submitted on time, late, missing, pending."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from reporting.models import Period, PeriodKind
from reporting.selectors import ComplianceRow, compliance_rows
from tests.factories import ReportFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _at(day, hour=10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def past_period(db):
    today = timezone.localdate()
    return Period.objects.create(
        kind=PeriodKind.QUARTER, year=today.year, quarter=1 if today.month > 6 else 2,
        starts_on=today - timedelta(days=150), ends_on=today - timedelta(days=60),
        opens_on=today - timedelta(days=74), deadline=today - timedelta(days=45),
    )


def test_timeliness_per_unit(past_period, period, targets, department, commune, city):
    ReportFactory(unit=department, period=past_period, first_submitted_at=_at(past_period.deadline,
                                                                              23))
    ReportFactory(unit=commune, period=past_period,
                  first_submitted_at=_at(past_period.deadline + timedelta(days=3)))
    rows = compliance_rows(dataset="official", city=city, periods=[past_period, period])
    by_key = {(r.unit_id, r.period_id): r for r in rows}
    assert by_key[(department.pk, past_period.pk)].timeliness == "on_time"
    late = by_key[(commune.pk, past_period.pk)]
    assert (late.timeliness, late.days_late) == ("late", 3)
    assert by_key[(department.pk, period.pk)] == ComplianceRow(
        department.pk, period.pk, "pending", None, None)
    missing = compliance_rows(dataset="official", periods=[period],
                              today=period.deadline + timedelta(days=1))
    assert {r.timeliness for r in missing} == {"missing"}
    assert len(rows) == 4


def test_unit_not_valid_during_the_period_is_not_expected(past_period, targets, city,
                                                          department):
    gone = UnitFactory(code="TC-OLD", parent=city, valid_to=past_period.starts_on)
    targets["pct"].responsible_units.add(gone)
    rows = compliance_rows(dataset="official", periods=[past_period])
    assert gone.pk not in {r.unit_id for r in rows}
    assert department.pk in {r.unit_id for r in rows}


def test_targets_ended_before_the_period_expect_nothing(targets, department, commune):
    later = Period.objects.create(kind=PeriodKind.YEAR, year=2036, quarter=None,
                                  starts_on=datetime(2036, 1, 1).date(),
                                  ends_on=datetime(2036, 12, 31).date(),
                                  opens_on=datetime(2036, 12, 17).date(),
                                  deadline=datetime(2037, 1, 15).date())
    assert compliance_rows(dataset="official", periods=[later]) == []


def test_datasets_never_mix(past_period, targets, department, city):
    ReportFactory(unit=department, period=past_period, is_demo=True,
                  first_submitted_at=_at(past_period.deadline))
    official = {r.unit_id: r.timeliness for r in compliance_rows(
        dataset="official", city=city, periods=[past_period])}
    demo = {r.unit_id: r.timeliness for r in compliance_rows(
        dataset="demo", city=city, periods=[past_period])}
    assert official[department.pk] == "missing"
    assert demo[department.pk] == "on_time"


def test_city_filter(past_period, targets, other_unit, department):
    targets["pct"].responsible_units.add(other_unit)
    rows = compliance_rows(dataset="official", city=department.city, periods=[past_period])
    assert other_unit.pk not in {r.unit_id for r in rows}


def test_query_count_is_fixed(past_period, period, targets, city, django_assert_num_queries):
    for n in range(10):
        targets["cnt"].responsible_units.add(UnitFactory(code=f"TC-C{n}", parent=city))
    periods = [past_period, period]
    with django_assert_num_queries(2):
        rows = compliance_rows(dataset="official", city=city, periods=periods)
    assert len(rows) == 24


def test_yearly_periods_are_expected_only_from_units_with_yearly_indicators(
    db, department, commune
):
    from datetime import date

    from reporting.periods import period_ensure
    from targets.models import Frequency
    from tests.factories import IndicatorFactory, TargetFactory

    # The department answers for a quarterly and a yearly indicator, the commune for a
    # quarterly one only: the year is owed by the department alone, each quarter by both.
    TargetFactory(plan__city=department.city, year=2030, responsible=[department, commune])
    TargetFactory(plan__city=department.city, year=2030, responsible=[department],
                  indicator=IndicatorFactory(code="dti-rank", frequency=Frequency.YEARLY))
    year = period_ensure(kind=PeriodKind.YEAR, year=2024)
    quarter = period_ensure(kind=PeriodKind.QUARTER, year=2024, quarter=4)
    rows = compliance_rows(dataset="official", periods=[year, quarter], today=date(2025, 6, 1))
    assert sorted((r.unit_id, r.period_id, r.timeliness) for r in rows) == sorted([
        (department.pk, year.pk, "missing"),
        (department.pk, quarter.pk, "missing"),
        (commune.pk, quarter.pk, "missing"),
    ])
