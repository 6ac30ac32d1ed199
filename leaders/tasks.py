"""Scheduled work of the leaders' report (schedule in dxtracker/celery.py)."""

from celery import shared_task
from django.utils import timezone

from leaders.services import city_reports_mail


@shared_task(time_limit=1800, soft_time_limit=1740)
def email_city_reports() -> int:
    """E-mail each city's report of the last quarter past its deadline, once per city."""
    return city_reports_mail(today=timezone.localdate())
