"""Celery tasks of the attainment engine: ids in, one service call, safe to run twice.

A recompute replaces the affected rows in one transaction, so a task that runs twice (a
redelivery after a worker loss: acks_late) writes the same rows again and nothing more.
Periodic schedules live in dxtracker/celery.py.
"""

import logging

from celery import group, shared_task
from celery.signals import worker_ready
from django.db import DatabaseError

from attainment.limits import (
    CITY_SOFT_TIME_LIMIT,
    CITY_TIME_LIMIT,
    TARGETS_SOFT_TIME_LIMIT,
    TARGETS_TIME_LIMIT,
)
from attainment.models import Dataset
from attainment.outbox import recompute_requests_dispatch, recompute_runs_mark_dead
from attainment.services import attainment_recompute, recompute_cities

logger = logging.getLogger(__name__)


@shared_task(
    name="attainment.tasks.recompute_targets",
    acks_late=True,
    soft_time_limit=TARGETS_SOFT_TIME_LIMIT,
    time_limit=TARGETS_TIME_LIMIT,
)
def recompute_targets(
    target_ids: list[int], dataset: str = Dataset.OFFICIAL, request_ids: list[int] | None = None
) -> int | None:
    """Recompute the given targets (queued when a report is approved); returns the run id.

    request_ids: the outbox rows (attainment.RecomputeRequest) this run answers; when all of
    them are already done (a redelivery, or the sweep queued them twice) nothing runs.
    """
    run = attainment_recompute(
        dataset=str(dataset), target_ids=[int(pk) for pk in target_ids], trigger="approval",
        request_ids=request_ids,
    )
    return run.pk if run is not None else None


# Acknowledged on receipt: a message held unacknowledged for its 55 minutes would set the
# broker's visibility timeout (dxtracker/celery.py) for every task. A night run lost with its
# worker is marked died by the sweep and redone the next night; approvals have the outbox.
@shared_task(
    name="attainment.tasks.recompute_city",
    acks_late=False,
    soft_time_limit=CITY_SOFT_TIME_LIMIT,
    time_limit=CITY_TIME_LIMIT,
)
def recompute_city(city_id: int, dataset: str = Dataset.OFFICIAL) -> int:
    """Recompute every target of one city's plans; returns the run id."""
    run = attainment_recompute(dataset=str(dataset), city_id=int(city_id), trigger="nightly")
    return run.pk


@shared_task(name="attainment.tasks.recompute_all", acks_late=True, soft_time_limit=4 * 60,
             time_limit=5 * 60)
def recompute_all() -> int:
    """Nightly full recompute: one task per city and dataset, run by as many workers as there
    are (two workers finish about twice as fast as one); returns the number queued."""
    jobs = [recompute_city.s(city_id, dataset)
            for dataset in Dataset.values for city_id in recompute_cities()]
    group(jobs).apply_async()
    return len(jobs)


@shared_task(name="attainment.tasks.recompute_sweep", time_limit=60, soft_time_limit=50)
def recompute_sweep() -> dict[str, int]:
    """Queue the recomputes still pending (the broker was down when they were asked for) and
    mark runs that died; every minute (dxtracker/celery.py)."""
    return {"died": recompute_runs_mark_dead(), "queued": recompute_requests_dispatch()}


@worker_ready.connect
def _mark_dead_runs_on_worker_start(**kwargs) -> None:
    # A worker killed hard leaves its run "running"; the first sign of life after a restart
    # is the first chance to say so. A database not reachable or not migrated yet (CI starts
    # the worker before the test database exists) leaves it to the sweep.
    try:
        recompute_runs_mark_dead()
    except DatabaseError:
        logger.warning("Dead recompute runs not checked on start: database not ready",
                       exc_info=True)
