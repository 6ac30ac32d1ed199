"""Scheduled reporting work (schedules in dxtracker/celery.py). Thin: each calls a service,
and each is safe to run twice."""

from celery import shared_task
from django.utils import timezone

from reporting.compliance import compliance_refresh
from reporting.models import Dataset
from reporting.periods import periods_open_due
from reporting.reminders import reminders_send, reports_flag_overdue


@shared_task(time_limit=120, soft_time_limit=100)
def open_due_periods() -> list[str]:
    """Create the current quarter's period (and the year's in Q4) when missing."""
    return [p.code for p in periods_open_due(today=timezone.localdate())]


@shared_task(time_limit=900, soft_time_limit=840)
def send_deadline_reminders() -> int:
    """E-mail units whose report is missing as the deadline approaches, once a day each."""
    return reminders_send(today=timezone.localdate())


@shared_task(time_limit=300, soft_time_limit=270)
def flag_overdue_reports() -> dict:
    """Mark unsubmitted reports past their deadline as overdue and list missing ones."""
    return reports_flag_overdue(today=timezone.localdate())


@shared_task(time_limit=900, soft_time_limit=840)
def refresh_compliance() -> dict[str, int]:
    """Recompute every compliance record of both datasets (a period's deadline passing turns
    "pending" into "missing" with no report changing)."""
    return {dataset: compliance_refresh(dataset=dataset) for dataset in Dataset.values}
