"""What dashboards and the API read, after a real recompute; query counts pinned."""

from decimal import Decimal

import pytest

from attainment.models import RollupScope, Scope, Status
from attainment.selectors import (
    default_dataset,
    latest_attainment,
    rollups,
    target_series,
)
from reporting.compliance import compliance_refresh
from reporting.models import FigureOrigin
from reporting.selectors import compliance_matrix
from tests.attainment.conftest import TODAY, figure, period, recompute
from tests.factories import IndicatorFactory, PillarFactory, PlanFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(city, other_city, department, doit, other_unit):
    plan = PlanFactory(city=city)
    eco = PillarFactory(code="digital_economy", name_vi="Kinh tế số", name_en="Digital economy")
    t_gov = TargetFactory(plan=plan, indicator=IndicatorFactory(), year=2025,
                          responsible=[department])
    t_eco = TargetFactory(plan=plan, indicator=IndicatorFactory(pillar=eco), year=2030,
                          value=Decimal(50), responsible=[doit])
    t_other = TargetFactory(plan=PlanFactory(city=other_city), indicator=IndicatorFactory(),
                            responsible=[other_unit])
    for code, value in (("2023-Q4", 50), ("2024-Q2", 70)):
        figure(t_gov.indicator, department, code, value)
    figure(t_eco.indicator, doit, "2024-Q2", 60)
    figure(t_other.indicator, other_unit, "2024-Q2", 10)
    recompute()
    compliance_refresh(dataset="official", today=TODAY)
    return {"gov": t_gov, "eco": t_eco, "other": t_other, "plan": plan, "eco_pillar": eco}


def test_latest_attainment_filters(computed, city, department, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(latest_attainment(dataset="official", city=city))
        [(r.target.plan.city.code, r.target.indicator.pillar.code, r.unit.code, r.period.code)
         for r in rows]
    assert [r.target for r in rows] == [computed["gov"], computed["eco"]]
    assert {r.status for r in rows} == {Status.ON_TRACK, Status.ACHIEVED}
    assert list(latest_attainment(dataset="official", year=2030)) == [rows[1]]
    assert list(latest_attainment(dataset="official", pillar=computed["eco_pillar"])) == [rows[1]]
    assert list(latest_attainment(dataset="official", status=Status.ACHIEVED)) == [rows[1]]
    assert list(latest_attainment(dataset="official", unit=department)) == [rows[0]]
    unit_rows = list(latest_attainment(dataset="official", scope=Scope.UNIT, unit=department))
    assert [r.target for r in unit_rows] == [computed["gov"]]
    assert not latest_attainment(dataset="demo").exists()


def test_target_series_in_time_order(computed, django_assert_num_queries):
    with django_assert_num_queries(1):
        series = target_series(dataset="official", target=computed["gov"])
        codes = [r.period.code for r in series]
    assert codes == ["2023-Q4", "2024-Q2"]
    assert [r.is_latest for r in series] == [False, True]


def test_rollups_selector(computed, city, department):
    city_all = rollups(dataset="official", scope=RollupScope.CITY, city=city).get()
    assert city_all.n_targets == 2 and city_all.target_year is None
    assert rollups(dataset="official", scope=RollupScope.CITY, city=city, year=2030).get(
    ).n_targets == 1
    pillars = list(rollups(dataset="official", scope=RollupScope.PILLAR, plan=computed["plan"]))
    assert len(pillars) == 2
    assert rollups(dataset="official", scope=RollupScope.UNIT, unit=department).get(
    ).status_counts[Status.ON_TRACK] == 1


def test_compliance_matrix(computed, city, department, django_assert_num_queries):
    with django_assert_num_queries(1):
        units, periods, cells = compliance_matrix(dataset="official", city=city)
    assert department in units
    assert period("2024-Q2") in periods
    assert (department.pk, period("2024-Q2").pk) in cells
    only = [period("2024-Q2")]
    units, periods, cells = compliance_matrix(dataset="official", city=city, periods=only)
    assert periods == only and {p for _u, p in cells} == {only[0].pk}


def test_default_dataset_follows_demo_figures(computed, department):
    assert default_dataset() == "official"
    figure(computed["gov"].indicator, department, "2024-Q3", 1, origin=FigureOrigin.DEMO)
    assert default_dataset() == "demo"
