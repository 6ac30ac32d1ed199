"""Two recomputes of the same dataset at once: serialised, never half-written or duplicated.

Only PostgreSQL runs real concurrent transactions here (CI's PostgreSQL leg); SQLite already
serialises every writer, so the test is skipped there.
"""

import threading

import pytest
from django.db import connection, connections

from targets.models import Aggregation
from tests.attainment.conftest import figure, recompute, snapshot
from tests.attainment.test_recompute import district_target, districts

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
        try:
            barrier.wait(timeout=10)
            recompute()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert snapshot("official") == expected
