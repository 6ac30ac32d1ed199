"""One lateness rule (Period.days_late): the start page's badge, the review queue and the
compliance records agree."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting.models import Period, PeriodKind
from reporting.selectors import compliance_rows
from reporting.services import report_open, report_save, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def past_period(db):
    """Last year's fourth quarter, whose deadline passed ten days ago."""
    today = timezone.localdate()
    return Period.objects.create(
        kind=PeriodKind.QUARTER, year=today.year - 1, quarter=4,
        starts_on=today - timedelta(days=400), ends_on=today - timedelta(days=40),
        opens_on=today - timedelta(days=54), deadline=today - timedelta(days=10),
    )


def _submit(user, unit, period, values):
    report = report_open(user=user, unit=unit, period=period)
    report = report_save(user=user, report=report, values=values,
                         expected_version=report.version, channel="web")
    return report_submit(user=user, report=report, channel="web")


def test_a_late_submission_is_late_on_the_start_page_the_queue_and_the_record(
    login, department_reporter, doit_reviewer, department, past_period, targets, full_values,
):
    report = _submit(department_reporter, department, past_period, full_values)
    assert report.days_late == 10
    assert not report.is_overdue  # the nightly flag never saw it: the badge must not rely on it

    home = login(department_reporter).get(reverse("home")).content.decode()
    assert 'data-testid="late-badge"' in home and "trễ hạn" in home
    queue = login(doit_reviewer).get(reverse("review_queue")).content.decode()
    assert 'data-testid="late-badge"' in queue
    row = next(r for r in compliance_rows(dataset="official", periods=[past_period])
               if r.unit_id == department.pk)
    assert (row.timeliness, row.days_late) == ("late", 10)


def test_an_on_time_submission_has_no_badge_anywhere(login, department_reporter, doit_reviewer,
                                                     department, period, targets, full_values):
    report = _submit(department_reporter, department, period, full_values)
    assert report.days_late == 0
    home = login(department_reporter).get(reverse("home")).content.decode()
    assert 'data-testid="late-badge"' not in home
    queue = login(doit_reviewer).get(reverse("review_queue")).content.decode()
    assert 'data-testid="late-badge"' not in queue


def test_an_unsent_report_past_its_deadline_is_overdue(login, department_reporter, department,
                                                       past_period, targets):
    report = report_open(user=department_reporter, unit=department, period=past_period)
    assert report.days_late == 10
    home = login(department_reporter).get(reverse("home")).content.decode()
    assert 'data-testid="late-badge"' in home and "quá hạn" in home
