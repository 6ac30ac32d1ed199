"""The Celery app: configuration, the schedule, and a round trip (in-process and live)."""

import pytest
from django.conf import settings

from dxtracker.celery import app as celery_app
from dxtracker.tasks import ping


def test_every_periodic_task_is_scheduled_in_one_place_and_exists():
    celery_app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert scheduled == {
        "reporting.tasks.open_due_periods",
        "reporting.tasks.send_deadline_reminders",
        "reporting.tasks.flag_overdue_reports",
        "reporting.tasks.refresh_compliance",
        "attainment.tasks.recompute_all",
        "leaders.tasks.email_city_reports",
    }
    assert scheduled <= set(celery_app.tasks)


def test_tasks_are_acknowledged_late_and_time_limited():
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_time_limit and celery_app.conf.task_soft_time_limit
    assert celery_app.conf.task_soft_time_limit < celery_app.conf.task_time_limit


@pytest.mark.skipif(not settings.CELERY_TASK_ALWAYS_EAGER, reason="in-process mode only")
def test_task_runs_in_process_on_the_embedded_default():
    assert ping.delay("xin chào").get(timeout=5) == "xin chào"


@pytest.mark.live_worker
def test_task_round_trip_through_a_real_worker_and_redis():
    result = ping.delay("qua worker")
    assert result.get(timeout=60) == "qua worker"
