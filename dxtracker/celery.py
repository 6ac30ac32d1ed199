"""The Celery application and every periodic schedule of DX Tracker, in one place."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dxtracker.settings")

app = Celery("dxtracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Seconds between a task's hard time limit and the broker handing its message to another
# worker: the redelivery of a task whose worker was killed must never overtake a live run.
VISIBILITY_MARGIN = 5 * 60


def visibility_timeout(celery_app: Celery) -> int:
    """Seconds a delivered, unacknowledged message waits before Redis hands it to another
    worker: the longest hard time limit of the tasks acknowledged late, plus a margin."""
    limits = [task.time_limit or celery_app.conf.task_time_limit or 0
              for name, task in celery_app.tasks.items()
              if task.acks_late and not name.startswith("celery.")]
    return max(limits, default=celery_app.conf.task_time_limit or 0) + VISIBILITY_MARGIN


@worker_init.connect
def _visibility_timeout_from_time_limits(sender, **kwargs) -> None:
    # Only the worker's consuming connection restores unacknowledged messages, and its
    # tasks are imported by now; so a task whose worker was killed is redelivered once the
    # longest task could have ended, not after Redis's default hour.
    app.conf.broker_transport_options = {
        **(app.conf.broker_transport_options or {}),
        "visibility_timeout": visibility_timeout(app),
    }


# Times are Asia/Ho_Chi_Minh (CELERY_TIMEZONE); night jobs run after office hours.
app.conf.beat_schedule = {
    "open-next-periods": {
        "task": "reporting.tasks.open_due_periods",
        "schedule": crontab(hour=0, minute=15),
    },
    "send-deadline-reminders": {
        "task": "reporting.tasks.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    "flag-overdue-reports": {
        "task": "reporting.tasks.flag_overdue_reports",
        "schedule": crontab(hour=0, minute=30),
    },
    "nightly-compliance-refresh": {
        "task": "reporting.tasks.refresh_compliance",
        "schedule": crontab(hour=0, minute=45),
    },
    # Queues recomputes the broker missed (outbox) and marks runs whose worker died.
    "attainment-recompute-sweep": {
        "task": "attainment.tasks.recompute_sweep",
        "schedule": 60.0,
    },
    "nightly-attainment-recompute": {
        "task": "attainment.tasks.recompute_all",
        "schedule": crontab(hour=1, minute=0),
    },
    # After the night's recompute, so the report states that night's results; each reader gets
    # a city's report for the quarter once, a reader added later at the next run
    # (leaders.ReportMailDelivery).
    "email-city-reports": {
        "task": "leaders.tasks.email_city_reports",
        "schedule": crontab(hour=6, minute=0),
    },
}
