"""Recomputes at once: two of one city are serialised, never half-written or duplicated;
two of different cities do not wait for each other.

Only PostgreSQL runs real concurrent transactions here (CI's PostgreSQL leg); SQLite already
serialises every writer, so the test is skipped there.
"""

import threading

import pytest
from django.db import connection, transaction

from attainment.services import _lock_cities
from targets.models import Aggregation
from tests.attainment.conftest import figure, recompute, snapshot
from tests.attainment.test_recompute import district_target, districts
from tests.threads import db_thread

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def test_two_recomputes_at_once_give_the_rows_of_one(city):
    units = districts(city, 4)
    for n in range(3):
        target = district_target(city, units, Aggregation.MEAN)
        for i, unit in enumerate(units):
            for quarter in (1, 2, 3, 4):
                figure(target.indicator, unit, f"2024-Q{quarter}", 40 + n + i * 3 + quarter)
    recompute()
    expected = snapshot("official")

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run():
        barrier.wait(timeout=10)
        recompute()

    threads = [db_thread(run, errors=errors) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert snapshot("official") == expected


def _advisory_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity "
                       "WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'")
        return cursor.fetchone()[0]


def test_cities_recompute_side_by_side_and_one_city_waits_for_itself(city, other_city):
    for owner in (city, other_city):
        units = districts(owner, 2)
        target = district_target(owner, units, Aggregation.MEAN)
        for i, unit in enumerate(units):
            figure(target.indicator, unit, "2024-Q1", 40 + i)
    recompute()
    expected = snapshot("official")

    held, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_city():
        # What a long recompute of the city holds: its (dataset, city) lock, until commit.
        with transaction.atomic():
            _lock_cities("official", {city.pk})
            held.set()
            release.wait(timeout=60)

    holder = db_thread(hold_city, errors=errors)
    holder.start()
    try:
        assert held.wait(timeout=30)
        # Another city's recompute finishes while the city's lock is held (the join's timeout
        # only keeps a regression from hanging the suite)...
        other = db_thread(recompute, city_id=other_city.pk, errors=errors)
        other.start()
        other.join(timeout=120)
        assert not other.is_alive()
        # ...while one of the same city queues behind it on the advisory lock.
        waiter = db_thread(recompute, city_id=city.pk, errors=errors)
        waiter.start()
        for _ in range(300):
            if _advisory_waiters():
                break
            threading.Event().wait(0.1)
        assert _advisory_waiters() == 1
        assert waiter.is_alive()
    finally:
        release.set()
        holder.join(timeout=60)
    waiter.join(timeout=120)
    assert errors == []
    assert snapshot("official") == expected
