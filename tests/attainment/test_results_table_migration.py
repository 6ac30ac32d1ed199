"""attainment 0012 drops the results table's foreign keys and redundant indexes, 0013
partitions it by dataset on PostgreSQL: the rows in place survive both ways, with their ids,
new rows get fresh ids, and deletes still cascade to the results."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from attainment.models import Scope, Status, TargetAttainment
from targets.models import Target
from tests.factories import PeriodFactory, TargetFactory

BEFORE = [("attainment", "0011_recompute_request_changes")]
AFTER = [("attainment", "0013_results_partitioned_by_dataset")]


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
        ids = sorted(old.objects.values_list("pk", flat=True))
        new = _migrate(AFTER).get_model("attainment", "TargetAttainment")
        assert sorted(new.objects.values_list("pk", "period_id", "actual_value", "is_latest")) == [
            (ids[0], periods[0].pk, 40.0, False), (ids[1], periods[1].pk, 41.0, True)
        ]
        added = new.objects.create(dataset="demo", target_id=target_id, scope=Scope.COMBINED,
                                   unit_id=city_id, period_id=periods[0].pk,
                                   status=Status.ON_TRACK, computed_at=timezone.now())
        assert added.pk > ids[1]
        _migrate(BEFORE)
        assert sorted(old.objects.values_list("pk", "dataset")) == [
            (ids[0], "official"), (ids[1], "official"), (added.pk, "demo")
        ]
        # Ids continue after the rows kept, also on the way back.
        assert old.objects.create(dataset="demo", target_id=target_id, scope=Scope.UNIT,
                                  unit_id=city_id, period_id=periods[0].pk,
                                  status=Status.ON_TRACK, computed_at=timezone.now()
                                  ).pk > added.pk
    finally:
        _migrate(AFTER)
    # Without a foreign key in the database, Django's collector still removes a deleted
    # target's results.
    Target.objects.filter(pk=target_id).delete()
    assert not TargetAttainment.objects.filter(target_id=target_id).exists()
