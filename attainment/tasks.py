"""Celery tasks of the attainment engine: ids in, one service call, safe to run twice.

A recompute replaces the affected rows in one transaction, so a task that runs twice (a
redelivery after a worker loss: acks_late) writes the same rows again and nothing more.
Periodic schedules live in dxtracker/celery.py.
"""

from celery import group, shared_task

from attainment.models import Dataset
from attainment.services import attainment_recompute, recompute_cities

# A full recompute of a million figures takes minutes on two cores; the limits leave room
# for that and still stop a stuck task before the next night's run. The nightly run is one
# task per city, so its limit is that of the largest city, not of the country.
TARGETS_SOFT_TIME_LIMIT = 10 * 60
TARGETS_TIME_LIMIT = 11 * 60
CITY_SOFT_TIME_LIMIT = 50 * 60
CITY_TIME_LIMIT = 55 * 60


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
    name="attainment.tasks.recompute_city",
    acks_late=True,
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
