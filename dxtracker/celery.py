"""The Celery application and every periodic schedule of DX Tracker, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dxtracker.settings")

app = Celery("dxtracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

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
    "nightly-attainment-recompute": {
        "task": "attainment.tasks.recompute_all",
        "schedule": crontab(hour=1, minute=0),
    },
    # After the night's recompute, so the report states that night's results; a city already
    # sent its report for the quarter is skipped (leaders.ReportMailing).
    "email-city-reports": {
        "task": "leaders.tasks.email_city_reports",
        "schedule": crontab(hour=6, minute=0),
    },
}
