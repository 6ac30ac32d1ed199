"""Recomputes scoped to a city: a city's run and an approval's run rewrite only the rollups
they change, and leave every stored row as a full run would; the nightly run is one task per
city and dataset."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attainment import engine
from attainment.models import RecomputeRun, Rollup, RollupScope, TargetAttainment
from attainment.services import recompute_cities
from attainment.tasks import recompute_all
from targets.models import Level
from tests.attainment.conftest import figure, recompute, snapshot
from tests.factories import IndicatorFactory, PlanFactory, TargetFactory, UnitFactory
from units.models import UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cities(city, other_city):
    """Two cities with a target each, and a district of the other city that was merged into
    this city on 1 July 2025: its old figures count in this city's unit rollups."""
    merged_into = UnitFactory(code="TC-D1", parent=city, kind=UnitKind.DISTRICT)
    old = UnitFactory(code="OC-D9", parent=other_city, kind=UnitKind.DISTRICT,
                      valid_to=date(2025, 7, 1), successor=merged_into)
    oc_district = UnitFactory(code="OC-D1", parent=other_city, kind=UnitKind.DISTRICT)
    targets = {}
    for name, owner, units in (("tc", city, [merged_into]), ("oc", other_city,
                                                            [old, oc_district])):
        indicator = IndicatorFactory(code=f"cities-{name}")
        targets[name] = TargetFactory(plan=PlanFactory(city=owner), indicator=indicator,
                                      level=Level.DISTRICT, value=Decimal(80),
                                      baseline_value=Decimal(20), baseline_year=2020,
                                      responsible=units)
    for q, value in ((1, 30), (2, 40)):
        figure(targets["tc"].indicator, merged_into, f"2024-Q{q}", value)
        figure(targets["oc"].indicator, old, f"2024-Q{q}", value + 5)
        figure(targets["oc"].indicator, oc_district, f"2024-Q{q}", value + 10)
    return {"targets": targets, "old": old, "carrier": merged_into, "oc_district": oc_district}


def _unit_rollup(unit) -> Rollup:
    return Rollup.objects.get(dataset="official", scope=RollupScope.UNIT, unit=unit,
                              target_year__isnull=True)


def test_an_approval_in_one_city_updates_the_unit_rollup_its_merged_unit_counts_in(
    two_cities, city, other_city
):
    recompute()
    assert _unit_rollup(two_cities["carrier"]).city == city
    assert _unit_rollup(two_cities["carrier"]).n_targets == 2  # its own and the old district's
    before = _unit_rollup(two_cities["carrier"]).mean_attainment
    # A new figure of the merged-away district for the other city's target, recomputed alone.
    figure(two_cities["targets"]["oc"].indicator, two_cities["old"], "2024-Q3", 95)
    recompute(target_ids=[two_cities["targets"]["oc"].pk])
    incremental = snapshot()
    assert _unit_rollup(two_cities["carrier"]).mean_attainment > before
    recompute()
    assert snapshot() == incremental


def test_an_incremental_run_rewrites_only_the_rollups_of_the_cities_it_touches(
    two_cities, city, other_city
):
    lone = UnitFactory(code="LC", kind=UnitKind.PROVINCE, parent=None)
    target = TargetFactory(plan=PlanFactory(city=lone), indicator=IndicatorFactory(),
                           responsible=[lone])
    figure(target.indicator, lone, "2024-Q1", 50)
    recompute()
    untouched = set(Rollup.objects.filter(city=lone).values_list("pk", flat=True))
    rewritten = set(Rollup.objects.filter(city__in=[city, other_city])
                    .values_list("pk", flat=True))
    recompute(target_ids=[two_cities["targets"]["oc"].pk])
    assert set(Rollup.objects.filter(city=lone).values_list("pk", flat=True)) == untouched
    # The other city's run also rewrites this city's rollups: the merged district counts here.
    assert not rewritten & set(Rollup.objects.values_list("pk", flat=True))


def test_a_city_run_equals_a_full_run(two_cities, city, other_city):
    recompute()
    full = snapshot()
    figure(two_cities["targets"]["tc"].indicator, two_cities["carrier"], "2024-Q3", 70)
    figure(two_cities["targets"]["oc"].indicator, two_cities["oc_district"], "2024-Q3", 10)
    for city_id in recompute_cities():
        run = recompute(city_id=city_id)
        assert run.target_count == 1
    by_city = snapshot()
    assert by_city != full
    recompute()
    assert snapshot() == by_city


def test_a_city_without_plans_loses_its_old_rollups(two_cities, other_city):
    recompute()
    two_cities["targets"]["oc"].plan.delete()
    assert Rollup.objects.filter(city=other_city).exists()
    assert other_city.pk in recompute_cities()
    recompute(city_id=other_city.pk)
    assert not Rollup.objects.filter(city=other_city).exists()
    assert other_city.pk not in recompute_cities()


def test_targets_and_a_city_together_are_refused(two_cities, city):
    with pytest.raises(ValueError):
        recompute(target_ids=[two_cities["targets"]["tc"].pk], city_id=city.pk)


def test_the_nightly_run_is_one_task_per_city_and_dataset(two_cities, city, other_city):
    assert recompute_all.delay().get() == 4
    runs = RecomputeRun.objects.filter(trigger="nightly")
    assert sorted(runs.values_list("dataset", flat=True)) == ["demo", "demo", "official",
                                                             "official"]
    assert sorted(runs.values_list("target_count", flat=True)) == [1, 1, 1, 1]
    nightly = snapshot()
    recompute(today=date.today())
    recompute(dataset="demo", today=date.today())
    assert snapshot() == nightly


def test_an_incremental_run_reads_a_fixed_number_of_queries(two_cities, city):
    recompute()
    with CaptureQueriesContext(connection) as small:
        recompute(target_ids=[two_cities["targets"]["oc"].pk])
    for i in range(5):
        unit = UnitFactory(code=f"OC-X{i}", parent=two_cities["oc_district"].parent,
                           kind=UnitKind.DISTRICT)
        two_cities["targets"]["oc"].responsible_units.add(unit)
        figure(two_cities["targets"]["oc"].indicator, unit, "2024-Q1", 10 + i)
    with CaptureQueriesContext(connection) as large:
        recompute(target_ids=[two_cities["targets"]["oc"].pk])
    assert len(large.captured_queries) == len(small.captured_queries)
    assert TargetAttainment.objects.filter(unit__code__startswith="OC-X").count() == 5


def test_an_approval_reads_only_the_figures_of_its_own_city(city, other_city, monkeypatch):
    # One national indicator, a target on it in each city: the other city's figures of the
    # same indicator cannot change this city's target, so an approval here does not read them.
    indicator = IndicatorFactory(code="shared-national")
    mine, theirs = (UnitFactory(code=f"{c.code}-D1", parent=c, kind=UnitKind.DISTRICT)
                    for c in (city, other_city))
    targets = [TargetFactory(plan=PlanFactory(city=c), indicator=indicator,
                             level=Level.DISTRICT, value=Decimal(80), responsible=[u])
               for c, u in ((city, mine), (other_city, theirs))]
    for unit in (mine, theirs):
        figure(indicator, unit, "2024-Q1", 50)
    recompute()
    full = snapshot()
    read: list[int] = []
    original = engine._figures_by_unit

    def spy(figures, ctx):
        read.extend(figures.columns["unit_id"].tolist())
        return original(figures, ctx)

    monkeypatch.setattr(engine, "_figures_by_unit", spy)
    recompute(target_ids=[targets[0].pk])
    assert read == [mine.pk]
    assert snapshot() == full
    read.clear()
    recompute()
    assert sorted(read) == sorted([mine.pk, theirs.pk])
