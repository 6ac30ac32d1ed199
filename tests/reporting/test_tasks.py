"""Scheduled tasks: open periods, deadline reminders (sent once), overdue flags."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from reporting import tasks
from reporting.models import Period, PeriodKind, ReminderLog, Report, ReportState
from reporting.periods import periods_open_due
from reporting.reminders import reminders_send, reports_flag_overdue
from reporting.services import report_open, report_save, report_submit
from tests.factories import ReportFactory

pytestmark = pytest.mark.django_db


def test_open_due_periods_creates_the_quarter_once(settings):
    created = periods_open_due(today=date(2025, 5, 20))
    assert [p.code for p in created] == ["2025-Q2"]
    q2 = created[0]
    assert (q2.starts_on, q2.ends_on) == (date(2025, 4, 1), date(2025, 6, 30))
    assert q2.deadline == date(2025, 6, 30) + timedelta(settings.REPORT_DEADLINE_DAYS_AFTER_PERIOD)
    periods_open_due(today=date(2025, 5, 21))
    assert Period.objects.count() == 1


def test_q4_also_opens_the_year():
    codes = [p.code for p in periods_open_due(today=date(2025, 11, 3))]
    assert codes == ["2025-Q4", "2025"]
    assert Period.objects.get(kind=PeriodKind.YEAR).quarter is None


def test_open_due_periods_task_runs_twice_safely():
    first = tasks.open_due_periods.apply().get()
    second = tasks.open_due_periods.apply().get()
    assert first == second
    assert Period.objects.count() == len(first)


@pytest.fixture
def reminder_setup(period, targets, department, commune, commune_clerk, department_reporter):
    department.email = "snv@tc.gov.vn"
    department.save()
    return period


def test_reminders_go_to_units_with_missing_reports_once_a_day(reminder_setup, settings,
                                                              department, commune):
    settings.REMINDER_DAYS_BEFORE_DEADLINE = 10
    today = reminder_setup.deadline - timedelta(days=3)
    assert reminders_send(today=today) == 2
    assert reminders_send(today=today) == 0  # safe to run twice
    assert len(mail.outbox) == 2
    by_to = {tuple(m.to): m for m in mail.outbox}
    assert ("department_reporter@example.gov.vn", "snv@tc.gov.vn") in by_to
    assert ("commune_clerk@example.gov.vn",) in by_to
    message = by_to[("commune_clerk@example.gov.vn",)]
    assert "Phường 1" in message.body and "chưa được gửi" in message.body
    assert reminder_setup.deadline.strftime("%d/%m/%Y") in message.subject
    assert ReminderLog.objects.count() == 2
    # the next day, another reminder
    assert reminders_send(today=today + timedelta(days=1)) == 2


def test_no_reminder_for_submitted_reports_or_outside_the_window(
    reminder_setup, settings, department_reporter, department, full_values
):
    settings.REMINDER_DAYS_BEFORE_DEADLINE = 2
    assert reminders_send(today=reminder_setup.deadline - timedelta(days=5)) == 0
    report = report_open(user=department_reporter, unit=department, period=reminder_setup)
    report = report_save(user=department_reporter, report=report, values=full_values,
                         expected_version=report.version, channel="web")
    report_submit(user=department_reporter, report=report, channel="web")
    assert reminders_send(today=reminder_setup.deadline - timedelta(days=1)) == 1
    assert mail.outbox[0].to == ["commune_clerk@example.gov.vn"]


def test_failed_send_is_not_recorded(reminder_setup, settings):
    settings.REMINDER_DAYS_BEFORE_DEADLINE = 10
    with mock.patch("reporting.reminders.send_mail", side_effect=OSError("smtp down")), \
            pytest.raises(OSError):
        reminders_send(today=reminder_setup.deadline)
    assert not ReminderLog.objects.exists()


def test_flag_overdue(period, targets, department, commune):
    late = ReportFactory(unit=department, period=period, state=ReportState.DRAFT)
    done = ReportFactory(unit=commune, period=period, state=ReportState.SUBMITTED,
                         first_submitted_at=timezone.now())
    result = reports_flag_overdue(today=period.deadline)
    assert result == {"flagged": 0, "missing": []}
    result = reports_flag_overdue(today=period.deadline + timedelta(days=1))
    assert result["flagged"] == 1
    assert result["missing"] == [(department.code, period.code)]  # drafted, never submitted
    late.refresh_from_db()
    done.refresh_from_db()
    assert late.is_overdue and not done.is_overdue
    assert reports_flag_overdue(today=period.deadline + timedelta(days=1))["flagged"] == 0


def test_tasks_have_time_limits_and_call_the_services(period, targets):
    for task in (tasks.open_due_periods, tasks.send_deadline_reminders,
                 tasks.flag_overdue_reports):
        assert task.time_limit and task.soft_time_limit
    assert tasks.flag_overdue_reports.apply().get() == {"flagged": 0, "missing": []}
    # the deadline is ten days away, beyond the default seven-day window
    assert tasks.send_deadline_reminders.apply().get() == 0
    assert Report.objects.count() == 0 and not mail.outbox
