"""attainment 0012 drops the results table's foreign keys and redundant indexes: the rows in
place survive it both ways, and deletes still cascade to the results."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from attainment.models import Scope, Status, TargetAttainment
from targets.models import Target
from tests.factories import PeriodFactory, TargetFactory

BEFORE = [("attainment", "0011_recompute_request_changes")]
AFTER = [("attainment", "0012_results_table_write_indexes")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_rows_in_place_survive_the_migration_both_ways():
    target = TargetFactory()
    periods = [PeriodFactory(year=2024, quarter=q) for q in (1, 2)]
    city_id = target.plan.city_id
    target_id = target.pk
    try:
        old = _migrate(BEFORE).get_model("attainment", "TargetAttainment")
        for i, period in enumerate(periods):
            old.objects.create(dataset="official", target_id=target_id, scope=Scope.COMBINED,
                               unit_id=city_id, period_id=period.pk, is_latest=i == 1,
                               status=Status.ON_TRACK, actual_value=40.0 + i,
                               computed_at=timezone.now())
        new = _migrate(AFTER).get_model("attainment", "TargetAttainment")
        assert sorted(new.objects.values_list("period_id", "actual_value", "is_latest")) == [
            (periods[0].pk, 40.0, False), (periods[1].pk, 41.0, True)
        ]
        _migrate(BEFORE)
        assert old.objects.filter(target_id=target_id).count() == 2
    finally:
        _migrate(AFTER)
    # Without a foreign key in the database, Django's collector still removes a deleted
    # target's results.
    Target.objects.filter(pk=target_id).delete()
    assert not TargetAttainment.objects.filter(target_id=target_id).exists()
