"""Celery tasks of the attainment engine: ids in, one service call, safe to run twice.

A recompute replaces the affected rows in one transaction, so a task that runs twice (a
redelivery after a worker loss: acks_late) writes the same rows again and nothing more.
Periodic schedules live in dxtracker/celery.py.
"""

from celery import shared_task

from attainment.models import Dataset
from attainment.services import attainment_recompute

# A full recompute of a million figures takes minutes on two cores; the limits leave room
# for that and still stop a stuck task before the next night's run.
TARGETS_SOFT_TIME_LIMIT = 10 * 60
TARGETS_TIME_LIMIT = 11 * 60
ALL_SOFT_TIME_LIMIT = 50 * 60
ALL_TIME_LIMIT = 55 * 60


@shared_task(
    name="attainment.tasks.recompute_targets",
    acks_late=True,
    soft_time_limit=TARGETS_SOFT_TIME_LIMIT,
    time_limit=TARGETS_TIME_LIMIT,
)
def recompute_targets(target_ids: list[int], dataset: str = Dataset.OFFICIAL) -> int:
    """Recompute the given targets (queued when a report is approved); returns the run id."""
    run = attainment_recompute(
        dataset=str(dataset), target_ids=[int(pk) for pk in target_ids], trigger="approval"
    )
    return run.pk


@shared_task(
    name="attainment.tasks.recompute_all",
    acks_late=True,
    soft_time_limit=ALL_SOFT_TIME_LIMIT,
    time_limit=ALL_TIME_LIMIT,
)
def recompute_all() -> list[int]:
    """Nightly full recompute of every dataset; returns the run ids."""
    return [
        attainment_recompute(dataset=dataset, trigger="nightly").pk
        for dataset in Dataset.values
    ]
