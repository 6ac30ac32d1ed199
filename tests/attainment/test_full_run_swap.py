"""A full run of a dataset on PostgreSQL builds its rows in a fresh table and swaps it in for
the dataset's partition: readers see the old results or the new ones, never half; the other
dataset's rows stand; per-city and approval runs keep writing through the parent.

PostgreSQL only (CI's PostgreSQL leg): SQLite keeps one plain table.
"""

import threading

import pytest
from django.db import connection

from attainment import rollups, storage
from attainment.models import TargetAttainment
from targets.models import Aggregation
from tests.attainment.conftest import figure, recompute, snapshot
from tests.attainment.test_recompute import district_target, districts
from tests.threads import db_thread

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def _partitions() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_expr(c.relpartbound, c.oid), c.relname FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'attainment_targetattainment'::regclass"
        )
        return dict(cursor.fetchall())


def _world(city, n_targets=3):
    units = districts(city, 3)
    targets = [district_target(city, units, Aggregation.MEAN) for _ in range(n_targets)]
    for n, target in enumerate(targets):
        for i, unit in enumerate(units):
            for quarter in (1, 2):
                figure(target.indicator, unit, f"2024-Q{quarter}", 40 + n + i * 3 + quarter)
    return units, targets


def test_readers_see_the_old_results_or_the_new_never_half(city):
    units, targets = _world(city)
    recompute()
    old = snapshot("official")
    for n, target in enumerate(targets):
        for i, unit in enumerate(units):
            figure(target.indicator, unit, "2024-Q3", 60 + n + i)

    computing, go_on = threading.Event(), threading.Event()
    swapped, commit = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    replace = rollups.rollups_replace

    def progress(done, total):
        computing.set()
        go_on.wait(timeout=30)

    def rollups_after_the_swap(ctx, cities):
        swapped.set()
        commit.wait(timeout=30)
        return replace(ctx, cities)

    seen: dict[str, list] = {}

    def read(name):
        seen[name] = snapshot("official")

    rollups.rollups_replace = rollups_after_the_swap
    try:
        runner = db_thread(recompute, progress=progress, errors=errors)
        runner.start()
        assert computing.wait(timeout=30)
        # While the new rows are being written into their own table: the old results, whole.
        assert snapshot("official") == old
        go_on.set()
        assert swapped.wait(timeout=30)
        # Between the swap and the commit a reader waits for the commit.
        late = db_thread(read, "late", errors=errors)
        late.start()
        late.join(timeout=2)
        assert late.is_alive()  # waiting for the commit, not reading half
        commit.set()
        runner.join(timeout=60)
        late.join(timeout=30)
    finally:
        rollups.rollups_replace = replace
        go_on.set()
        commit.set()
    assert errors == []
    new = snapshot("official")
    assert new != old
    assert seen["late"] == new
    recompute()  # the same figures, computed again: the same rows
    assert snapshot("official") == new


def test_a_full_run_replaces_only_its_datasets_partition(city):
    _world(city)
    recompute()
    recompute(dataset="demo")
    demo = snapshot("demo")
    before = _partitions()
    recompute()
    after = _partitions()
    assert set(after) == {"FOR VALUES IN ('official')", "FOR VALUES IN ('demo')"}
    assert after["FOR VALUES IN ('demo')"] == before["FOR VALUES IN ('demo')"]
    assert after["FOR VALUES IN ('official')"] != before["FOR VALUES IN ('official')"]
    assert snapshot("demo") == demo
    # The swapped-in table carries the parent's indexes, attached, not a second set.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass",
            [after["FOR VALUES IN ('official')"]],
        )
        assert cursor.fetchone()[0] == 4


def test_a_run_that_fails_leaves_the_old_partition_and_no_table_behind(city, monkeypatch):
    _world(city)
    recompute()
    old, tables = snapshot("official"), _partitions()

    def fail(ctx, cities):
        raise RuntimeError("rollups failed")

    monkeypatch.setattr(rollups, "rollups_replace", fail)
    with pytest.raises(RuntimeError):
        recompute()
    assert snapshot("official") == old and _partitions() == tables
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'attainment_ta_%%' "
                       "AND relkind = 'r'")
        assert cursor.fetchone()[0] == len(tables)


def test_approval_and_city_runs_write_through_the_parent_after_a_swap(city):
    units, targets = _world(city)
    recompute()
    figure(targets[0].indicator, units[0], "2024-Q3", 99)
    recompute(target_ids=[targets[0].pk])
    recompute(city_id=city.pk)
    partial = snapshot("official")
    recompute()
    assert snapshot("official") == partial
    assert storage.swaps_whole_dataset()
    assert TargetAttainment.objects.filter(dataset="official").count() > 0


def test_an_approval_during_a_full_run_waits_for_it_without_deadlock(city):
    # An approval's run reads the results table before it takes its city's lock; were it
    # to wait for that lock while holding its read, the full run's DETACH would deadlock it.
    units, targets = _world(city)
    recompute()
    figure(targets[0].indicator, units[0], "2024-Q3", 99)
    computing, go_on = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def progress(done, total):
        computing.set()
        go_on.wait(timeout=30)

    full = db_thread(recompute, progress=progress, errors=errors)
    full.start()
    assert computing.wait(timeout=30)
    approval = db_thread(recompute, target_ids=[targets[0].pk], errors=errors)
    approval.start()
    approval.join(timeout=2)
    assert approval.is_alive()  # waits for the full run
    go_on.set()
    full.join(timeout=60)
    approval.join(timeout=60)
    assert errors == []
    expected = snapshot("official")
    recompute()
    assert snapshot("official") == expected


def test_a_run_that_fails_while_its_copy_is_open_aborts_it_and_keeps_the_old_rows(
        city, monkeypatch):
    # The engine has written rows into the open COPY when the next target fails: the COPY is
    # aborted with the run, the connection stays usable, the old partition stands.
    from attainment import engine

    _world(city, n_targets=4)
    recompute()
    old, tables = snapshot("official"), _partitions()
    monkeypatch.setattr(engine, "FLUSH_ROWS", 1)  # every target's rows written at once
    original, calls = engine._target_rows, []

    def fail_on_the_third(ctx, target, figures):
        calls.append(target.pk)
        if len(calls) == 3:
            raise RuntimeError("engine failed")
        return original(ctx, target, figures)

    monkeypatch.setattr(engine, "_target_rows", fail_on_the_third)
    with pytest.raises(RuntimeError, match="engine failed"):
        recompute()
    assert snapshot("official") == old and _partitions() == tables
    monkeypatch.setattr(engine, "_target_rows", original)
    recompute()
    assert snapshot("official") == old


def test_rows_of_many_flushes_go_through_one_copy(city, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from attainment import engine

    _world(city, n_targets=4)
    recompute()
    expected = snapshot("official")
    monkeypatch.setattr(engine, "FLUSH_ROWS", 1)
    with CaptureQueriesContext(connection) as queries:
        recompute()
    assert snapshot("official") == expected
    copies = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("COPY")]
    # One for the result rows (however many flushes), one for the rollups.
    assert len(copies) == 2
