"""Deadline reminders and overdue flags: the work behind the scheduled reporting tasks."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from dxtracker.links import absolute_reverse
from reporting.models import Period, ReminderLog, Report, ReportState
from reporting.selectors import compliance_rows
from units.access import reporters_to_remind
from units.models import Unit

logger = logging.getLogger(__name__)


def missing_reports(*, period: Period, today: date) -> list[int]:
    """Ids of the units expected to report for the period that have not submitted yet."""
    return [
        row.unit_id
        for row in compliance_rows(dataset="official", periods=[period], today=today)
        if row.timeliness in ("missing", "pending")
    ]


def _recipients(unit: Unit, reporter_emails: dict[int, list[str]]) -> list[str]:
    emails = list(reporter_emails.get(unit.pk, []))
    if unit.email:
        emails.append(unit.email)
    return sorted({e.strip().lower() for e in emails if e and e.strip()})


def reminders_send(*, today: date) -> int:
    """E-mail every unit with a missing report whose deadline is at most
    settings.REMINDER_DAYS_BEFORE_DEADLINE days away; once per unit, period and day
    (ReminderLog), so running it twice sends nothing twice. Returns the e-mails sent."""
    window_end = today + timedelta(days=settings.REMINDER_DAYS_BEFORE_DEADLINE)
    periods = Period.objects.filter(
        is_locked=False, opens_on__lte=today, deadline__gte=today, deadline__lte=window_end
    )
    sent = 0
    for period in periods:
        unit_ids = missing_reports(period=period, today=today)
        already = set(
            ReminderLog.objects.filter(period=period, sent_on=today).values_list(
                "unit_id", flat=True
            )
        )
        units = Unit.objects.filter(pk__in=set(unit_ids) - already).order_by("code")
        reporter_emails: dict[int, list[str]] = {}
        for unit_id, email in reporters_to_remind(units):
            reporter_emails.setdefault(unit_id, []).append(email)
        for unit in units:
            recipients = _recipients(unit, reporter_emails)
            if not recipients:
                logger.warning("No e-mail address for unit %s: reminder not sent", unit.code)
                continue
            sent += _send_one(unit=unit, period=period, today=today, recipients=recipients)
    return sent


def _send_one(*, unit: Unit, period: Period, today: date, recipients: list[str]) -> int:
    try:
        with transaction.atomic():
            # The log row is written first: a second run the same day hits the unique
            # constraint; a failed send rolls it back so tomorrow's run tries again.
            ReminderLog.objects.create(
                unit=unit, period=period, sent_on=today, recipients=recipients
            )
            with translation.override(settings.LANGUAGE_CODE):
                context = {
                    "unit": unit.name_vi,
                    "period": str(period),
                    "deadline": period.deadline.strftime("%d/%m/%Y"),
                    "path": absolute_reverse("report_edit", unit.pk, period.code),
                }
                subject = _("[DX Tracker] Report for %(period)s due on %(deadline)s") % context
                body = _(
                    "Dear colleagues of %(unit)s,\n\n"
                    "Your progress report for %(period)s has not been submitted yet. "
                    "The deadline is %(deadline)s.\n"
                    "Please enter the figures in DX Tracker (page %(path)s) or upload the Excel "
                    "template, then submit the report.\n\nDX Tracker"
                ) % context
            send_mail(subject, body, None, recipients)
    except IntegrityError:
        return 0
    return 1


def reports_flag_overdue(*, today: date) -> dict:
    """Flag reports still in draft or returned after their deadline; list the missing ones.

    Returns {"flagged": number newly flagged, "missing": [(unit code, period code), ...]}.
    """
    flagged = Report.objects.filter(
        period__deadline__lt=today,
        state__in=(ReportState.DRAFT, ReportState.RETURNED),
        is_overdue=False,
        is_demo=False,
    ).update(is_overdue=True)
    periods = list(Period.objects.filter(is_locked=False, deadline__lt=today))
    missing_rows = [
        row
        for row in compliance_rows(dataset="official", periods=periods, today=today)
        if row.timeliness == "missing"
    ]
    codes = dict(Unit.objects.filter(pk__in={r.unit_id for r in missing_rows}).values_list(
        "pk", "code"
    ))
    by_period = {p.pk: p.code for p in periods}
    missing = [(codes[r.unit_id], by_period[r.period_id]) for r in missing_rows]
    if missing:
        logger.info("Overdue reports missing: %s", ", ".join(f"{u} {p}" for u, p in missing))
    return {"flagged": flagged, "missing": missing}
