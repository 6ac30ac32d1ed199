"""The recompute itself: combining units, merged units, datasets, rollups, idempotence,
incremental runs, the query count; compliance records are not the recompute's."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attainment import storage
from attainment.engine import FLUSH_ROWS
from attainment.models import RecomputeRun, Rollup, RollupScope, Scope, Status, TargetAttainment
from reporting.models import ComplianceRecord, FigureOrigin, Report, ReportState
from targets.models import Aggregation, Level
from tests.attainment.conftest import figure, latest, period, recompute, row, snapshot
from tests.factories import (
    IndicatorFactory,
    PillarFactory,
    PlanFactory,
    TargetFactory,
    UnitFactory,
)
from units.models import UnitKind

pytestmark = pytest.mark.django_db


def districts(city, n):
    return [
        UnitFactory(code=f"{city.code}-D{i}", parent=city, kind=UnitKind.DISTRICT)
        for i in range(1, n + 1)
    ]


def district_target(city, units, aggregation, *, value="80", fraction=False):
    indicator = IndicatorFactory(aggregation=aggregation, fraction=fraction)
    return TargetFactory(plan=PlanFactory(city=city), indicator=indicator, level=Level.DISTRICT,
                         value=Decimal(value), responsible=units)


# --- combining units -----------------------------------------------------------------------

def test_combined_value_by_sum(city):
    d1, d2, d3 = districts(city, 3)
    target = district_target(city, [d1, d2, d3], Aggregation.SUM, value="100")
    for unit, value in ((d1, 10), (d2, 20), (d3, 35)):
        figure(target.indicator, unit, "2024-Q1", value)
    recompute()
    result = latest(target)
    assert result.actual_value == 65 and result.n_units == 3
    assert result.unit == city


def test_combined_value_by_mean(city):
    d1, d2, d3 = districts(city, 3)
    target = district_target(city, [d1, d2, d3], Aggregation.MEAN)
    for unit, value in ((d1, 60), (d2, 70), (d3, 95)):
        figure(target.indicator, unit, "2024-Q1", value)
    recompute()
    assert latest(target).actual_value == pytest.approx(75)


def test_combined_value_weighted_by_denominators(city):
    # 9/33 and 24/33 pool to 33/66 = 50 %, not the mean of 27.3 % and 72.7 %.
    d1, d2 = districts(city, 2)
    target = district_target(city, [d1, d2], Aggregation.WEIGHTED, fraction=True)
    figure(target.indicator, d1, "2024-Q1", None, numerator=Decimal(9), denominator=Decimal(33))
    figure(target.indicator, d2, "2024-Q1", None, numerator=Decimal(24),
           denominator=Decimal(33))
    recompute()
    result = latest(target)
    assert result.actual_value == pytest.approx(50)
    assert (result.numerator, result.denominator) == (33, 66)
    unit_row = latest(target, scope=Scope.UNIT, unit=d1)
    assert unit_row.actual_value == pytest.approx(9 / 33 * 100)
    assert (unit_row.numerator, unit_row.denominator) == (9, 33)


def test_combined_value_share_of_units_meeting_the_target(city):
    d1, d2, d3, d4 = districts(city, 4)
    target = district_target(city, [d1, d2, d3, d4], Aggregation.SHARE_MEETING)
    for unit, value in ((d1, 85), (d2, 80), (d3, 79.9), (d4, 10)):
        figure(target.indicator, unit, "2024-Q1", value)
    recompute()
    result = latest(target)
    assert result.actual_value == pytest.approx(50)  # d1 and d2 of four
    assert (result.numerator, result.denominator) == (2, 4)


def test_a_unit_keeps_its_latest_value_in_later_combined_periods(city):
    d1, d2 = districts(city, 2)
    target = district_target(city, [d1, d2], Aggregation.SUM, value="1000")
    figure(target.indicator, d1, "2024-Q1", 10)
    figure(target.indicator, d2, "2024-Q2", 20)
    recompute()
    assert row(target, "2024-Q1").actual_value == 10
    assert row(target, "2024-Q2").actual_value == 30  # d1's Q1 value still stands
    assert row(target, "2024-Q2").n_units == 2


def test_units_of_another_level_do_not_enter_a_district_level_value(city, department):
    d1, d2 = districts(city, 2)
    target = district_target(city, [d1, d2, department], Aggregation.MEAN)
    figure(target.indicator, d1, "2024-Q1", 60)
    figure(target.indicator, d2, "2024-Q1", 80)
    figure(target.indicator, department, "2024-Q1", 5)
    recompute()
    assert latest(target).actual_value == 70
    # ...but the department keeps its own row
    assert latest(target, scope=Scope.UNIT, unit=department).actual_value == 5


def test_a_city_level_figure_stated_for_the_city_is_the_city_value(city, doit):
    indicator = IndicatorFactory(aggregation=Aggregation.SUM)
    target = TargetFactory(plan=PlanFactory(city=city), indicator=indicator, value=Decimal(50),
                           responsible=[doit])
    figure(indicator, city, "2023", 42, origin=FigureOrigin.DOCUMENT)
    figure(indicator, doit, "2023", 7)
    recompute()
    assert latest(target).actual_value == 42


# --- units that changed --------------------------------------------------------------------

def test_commune_merged_away_in_2025_keeps_its_2023_figures(city):
    # Commune A merged into commune B on 1 July 2025; the target lists only B now. (Communes:
    # the district level itself ended that day, see test_verdicts.)
    a = UnitFactory(code="TC-DA", parent=city, kind=UnitKind.COMMUNE,
                    valid_to=date(2025, 7, 1))
    b = UnitFactory(code="TC-DB", parent=city, kind=UnitKind.COMMUNE)
    a.successor = b
    a.save()
    target = district_target(city, [b], Aggregation.MEAN)
    target.level = Level.COMMUNE
    target.save()
    figure(target.indicator, a, "2023", 40)
    figure(target.indicator, b, "2023", 60)
    figure(target.indicator, b, "2025-Q4", 90)

    recompute(today=date(2025, 12, 31))

    combined_2023 = row(target, "2023")
    assert combined_2023.actual_value == 50  # A's 40 counted beside B's 60
    assert combined_2023.n_units == 2
    final = latest(target)
    assert final.period.code == "2025-Q4"
    assert final.actual_value == 90  # A no longer existed in Q4 2025
    assert final.n_units == 1
    # A keeps its own history, attached to itself
    assert latest(target, scope=Scope.UNIT, unit=a).actual_value == 40
    # ...and counts for B in B's rollup, once per target
    rollup_b = Rollup.objects.get(dataset="official", scope=RollupScope.UNIT, unit=b,
                                  target_year__isnull=True)
    assert rollup_b.n_targets == 1
    assert rollup_b.status_counts[Status.ACHIEVED] == 1
    assert not Rollup.objects.filter(scope=RollupScope.UNIT, unit=a).exists()
    city_rollup = Rollup.objects.get(dataset="official", scope=RollupScope.CITY, city=city,
                                     target_year__isnull=True)
    assert city_rollup.n_targets == 1


def test_merged_unit_rolls_up_into_its_successor(city):
    a = UnitFactory(code="TC-DA", parent=city, kind=UnitKind.DISTRICT,
                    valid_to=date(2025, 7, 1))
    b = UnitFactory(code="TC-DB", parent=city, kind=UnitKind.DISTRICT)
    a.successor = b
    a.save()
    target = district_target(city, [a], Aggregation.MEAN)
    figure(target.indicator, a, "2023", 40)
    recompute()
    rollup_b = Rollup.objects.get(scope=RollupScope.UNIT, unit=b, target_year=2025)
    assert rollup_b.n_targets == 1 and rollup_b.mean_attainment == pytest.approx(50)


# --- datasets ------------------------------------------------------------------------------

def test_demo_and_official_never_mix(city, department):
    indicator = IndicatorFactory()
    target = TargetFactory(plan=PlanFactory(city=city), indicator=indicator,
                           responsible=[department])
    figure(indicator, department, "2024-Q1", 40)
    other = UnitFactory(code="TC-X", parent=city)
    target.responsible_units.add(other)
    figure(indicator, other, "2024-Q1", 90, origin=FigureOrigin.DEMO)

    recompute("official")
    recompute("demo")

    assert latest(target, dataset="official").actual_value == 40
    assert latest(target, dataset="official").n_units == 1
    assert latest(target, dataset="demo").actual_value == 90
    assert latest(target, dataset="demo").n_units == 1
    assert not TargetAttainment.objects.filter(dataset="official", unit=other).exclude(
        status=Status.INSUFFICIENT_DATA).exists()


def test_official_takes_the_later_approval_of_document_and_report(city, department):
    from django.utils import timezone

    indicator = IndicatorFactory()
    target = TargetFactory(plan=PlanFactory(city=city), indicator=indicator,
                           responsible=[department])
    earlier = timezone.now() - timezone.timedelta(days=30)
    figure(indicator, department, "2023", 30, origin=FigureOrigin.DOCUMENT)
    figure(indicator, department, "2023", 55, origin=FigureOrigin.REPORT, approved_at=earlier)
    recompute()
    assert latest(target).actual_value == 30  # the document figure was approved later
    assert latest(target).n_observations == 1


def test_superseded_figures_are_ignored(city, department):
    from django.utils import timezone

    indicator = IndicatorFactory()
    target = TargetFactory(plan=PlanFactory(city=city), indicator=indicator,
                           responsible=[department])
    figure(indicator, department, "2023", 10, superseded_at=timezone.now())
    figure(indicator, department, "2023", 70)
    recompute()
    assert latest(target).actual_value == 70


def test_unknown_dataset_is_refused():
    with pytest.raises(ValueError, match="unknown dataset"):
        recompute("other")


# --- rollups -------------------------------------------------------------------------------

def test_rollups_per_city_plan_pillar_unit_and_year(city, department, doit):
    plan = PlanFactory(city=city)
    gov = PillarFactory()
    eco = PillarFactory(code="digital_economy", name_vi="Kinh tế số", name_en="Digital economy")
    t1 = TargetFactory(plan=plan, indicator=IndicatorFactory(pillar=gov), year=2025,
                       responsible=[department])
    t2 = TargetFactory(plan=plan, indicator=IndicatorFactory(pillar=eco), year=2030,
                       responsible=[department, doit])
    t3 = TargetFactory(plan=plan, indicator=IndicatorFactory(pillar=gov), year=2025,
                       responsible=[doit])
    figure(t1.indicator, department, "2024-Q1", 90)  # achieved, 100 %
    figure(t2.indicator, department, "2024-Q1", 40)  # one point: insufficient data, 50 %
    # t3: no figures: insufficient data, no attainment
    recompute()
    assert latest(t3).status == Status.INSUFFICIENT_DATA

    def get(scope, **kw):
        return Rollup.objects.get(dataset="official", scope=scope, **kw)

    city_all = get(RollupScope.CITY, city=city, target_year=None)
    assert city_all.n_targets == 3
    assert city_all.status_counts[Status.ACHIEVED] == 1
    assert city_all.status_counts[Status.INSUFFICIENT_DATA] == 2
    assert city_all.mean_attainment == pytest.approx(75)  # (100 + 50) / 2
    assert get(RollupScope.CITY, city=city, target_year=2025).n_targets == 2
    assert get(RollupScope.PLAN, plan=plan, target_year=2030).n_targets == 1
    pillar_gov = get(RollupScope.PILLAR, plan=plan, pillar=gov, target_year=None)
    assert pillar_gov.n_targets == 2 and pillar_gov.mean_attainment == 100
    unit_dep = get(RollupScope.UNIT, unit=department, target_year=None)
    assert unit_dep.n_targets == 2 and unit_dep.mean_attainment == pytest.approx(75)
    unit_doit = get(RollupScope.UNIT, unit=doit, target_year=None)
    assert unit_doit.n_targets == 2  # t2 and t3, neither reported by DOIT
    assert unit_doit.status_counts[Status.INSUFFICIENT_DATA] == 2
    assert unit_doit.mean_attainment is None
    assert unit_doit.city == city


# --- idempotence, incremental, transactions ------------------------------------------------

def build_world(city, n_targets, n_periods, n_units=2):
    units = districts(city, n_units)
    plan = PlanFactory(city=city)
    targets = []
    for i in range(n_targets):
        aggregation = list(Aggregation)[i % 4]
        indicator = IndicatorFactory(aggregation=aggregation, code=f"ind-{n_targets}-{i}")
        targets.append(TargetFactory(plan=plan, indicator=indicator, level=Level.DISTRICT,
                                     baseline_value=Decimal(20 + i % 7), baseline_year=2020,
                                     year=2025 + 5 * (i % 2), responsible=units))
    quarters = [f"{2021 + q // 4}-Q{q % 4 + 1}" for q in range(n_periods)]
    for i, target in enumerate(targets):
        for j, unit in enumerate(units):
            for q, code in enumerate(quarters):
                figure(target.indicator, unit, code, 20 + (i + 3 * j + 2 * q) % 70)
    return targets, units


def test_recompute_twice_gives_identical_rows(city):
    build_world(city, 4, 5)
    recompute()
    first = snapshot()
    assert first
    recompute()
    assert snapshot() == first
    assert TargetAttainment.objects.count() == len([r for r in first
                                                    if r[0] == "TargetAttainment"])


def test_incremental_recompute_equals_a_full_one(city):
    targets, units = build_world(city, 6, 4)
    recompute()
    # New figures arrive for two targets; only they are recomputed.
    figure(targets[1].indicator, units[0], "2024-Q3", 99)
    figure(targets[4].indicator, units[1], "2024-Q3", 1)
    run = recompute(target_ids=[targets[1].pk, targets[4].pk])
    assert run.target_count == 2
    incremental = snapshot()
    recompute()
    assert snapshot() == incremental
    assert latest(targets[1], scope=Scope.UNIT, unit=units[0]).actual_value == 99


def test_a_failed_recompute_leaves_the_previous_results(city, monkeypatch):
    build_world(city, 2, 3)
    recompute()
    before = snapshot()

    def broken(ctx, cities):
        raise RuntimeError("rollups failed")

    monkeypatch.setattr("attainment.rollups.rollups_replace", broken)
    with pytest.raises(RuntimeError):
        recompute()
    assert snapshot() == before


def test_recompute_logs_a_run(city):
    build_world(city, 2, 2)
    run = recompute()
    run.refresh_from_db()
    assert RecomputeRun.objects.count() == 1
    assert run.trigger == "test" and run.dataset == "official"
    assert run.target_count == 2
    assert run.row_count == TargetAttainment.objects.count() + Rollup.objects.count()
    assert run.finished_at >= run.started_at


# --- queries -------------------------------------------------------------------------------

def _writes_to(model, statement: str) -> bool:
    # Result rows go in by COPY (PostgreSQL: a full run's into the fresh table it swaps in,
    # attainment_ta_<dataset>_<run>) or one executemany ("N times: INSERT ...", SQLite);
    # rollups by bulk_create.
    table = model._meta.db_table
    if model is TargetAttainment:
        table = rf"(?:{table}|attainment_ta_\w+)"
    return re.match(rf'(\d+ times: )?(INSERT INTO|COPY) "{table}"', statement) is not None


def _count(city, n_targets, n_periods):
    build_world(city, n_targets, n_periods)
    recompute()  # warm: the fallback period and everything else already exist
    with CaptureQueriesContext(connection) as ctx:
        recompute()
    statements = [q["sql"] for q in ctx.captured_queries]
    inserts = {
        model: sum(1 for s in statements if _writes_to(model, s))
        for model in (TargetAttainment, Rollup)
    }
    others = [s for s in statements if not any(_writes_to(m, s) for m in inserts)]
    return len(others), inserts


def _batches(model, rows):
    if model is TargetAttainment and connection.vendor != "postgresql":
        return -(-rows // FLUSH_ROWS)  # one statement per flush
    # PostgreSQL: one COPY open through the whole run; rollups: one statement, any backend.
    return 1


def test_query_count_of_a_full_recompute_does_not_grow_with_the_data(city):
    # 3 targets x 2 units x 3 periods = 18 figures, then 30 targets x 2 units x 10 = 600.
    small_reads, small_inserts = _count(city, 3, 3)
    TargetAttainment.objects.all().delete()
    large_city = UnitFactory(code="LC", kind=UnitKind.PROVINCE, parent=None)
    large_reads, large_inserts = _count(large_city, 30, 10)
    assert small_reads == large_reads
    # Result rows: one executemany per flush of FLUSH_ROWS rows on SQLite, one COPY on
    # PostgreSQL; rollups: one COPY or executemany.
    for model, count in large_inserts.items():
        assert count == _batches(model, model.objects.count())
    assert large_inserts[TargetAttainment] == small_inserts[TargetAttainment] == 1


def test_rows_written_in_one_statement_equal_those_the_orm_writes(city, monkeypatch):
    build_world(city, 4, 5)
    recompute()
    fast = snapshot()
    assert len({r.computed_at for r in TargetAttainment.objects.all()}) == 1

    def orm_write(rows):
        from django.utils import timezone

        TargetAttainment.objects.bulk_create(
            [TargetAttainment(**dict(zip(storage.COLUMNS[:-1], row[:-1], strict=True)),
                              computed_at=timezone.now()) for row in rows],
            batch_size=2000,
        )

    monkeypatch.setattr("attainment.storage.write_rows", orm_write)
    # The ORM writes into the results table itself, not into a table to swap in.
    monkeypatch.setattr("attainment.storage.swaps_whole_dataset", lambda: False)
    recompute()
    assert snapshot() == fast


def test_query_count_is_pinned(city, django_assert_num_queries):
    build_world(city, 3, 3)
    recompute()
    ta = TargetAttainment.objects.count()
    writes = sum(_batches(m, n) for m, n in ((TargetAttainment, ta),
                                             (Rollup, Rollup.objects.count())))
    assert writes == 2  # one INSERT per table at this size
    # pending recompute requests, run insert, savepoint, 7 catalogue reads (responsibilities
    # and amendments included), delete, figures, latest rows for rollups, delete rollups,
    # release, run update.
    lock = 1 if connection.vendor == "postgresql" else 0  # pg_advisory_xact_lock
    # PostgreSQL, a full run: the dataset's lock, and instead of the delete, the fresh table
    # swapped in (create, the parent's indexes read and 4 built, analyze, the old partition
    # looked up, detached, dropped, the new one attached).
    swap = 1 + 11 - 1 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(16 + lock + swap + writes):
        recompute()


# --- reporting compliance is not the recompute's -------------------------------------------

def test_the_recompute_writes_no_compliance_records(city, department):
    from django.utils import timezone

    indicator = IndicatorFactory()
    TargetFactory(plan=PlanFactory(city=city), indicator=indicator, year=2025,
                  responsible=[department])
    Report.objects.create(unit=department, period=period("2024-Q1"),
                          state=ReportState.SUBMITTED,
                          first_submitted_at=timezone.make_aware(
                              timezone.datetime(2024, 4, 20, 10)))
    recompute()
    assert not ComplianceRecord.objects.exists()
