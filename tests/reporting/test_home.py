"""The start page: units, reports due and overdue, returned reports, the reviewer's queue."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting.models import Period, PeriodKind
from reporting.services import report_open, report_return, report_save, report_submit
from targets.models import Frequency
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_period(db):
    today = timezone.localdate()
    return Period.objects.create(
        kind=PeriodKind.QUARTER, year=today.year - 1, quarter=4,
        starts_on=today - timedelta(days=400), ends_on=today - timedelta(days=40),
        opens_on=today - timedelta(days=54), deadline=today - timedelta(days=5),
    )


def test_reporter_sees_due_and_overdue_with_deadlines(login, department_reporter, department,
                                                      period, overdue_period, targets):
    page = login(department_reporter).get(reverse("home")).content.decode()
    assert f'data-testid="enter-{department.code}-{period.code}"' in page
    assert period.deadline.strftime("%d/%m/%Y") in page
    assert 'data-testid="overdue"' in page
    assert overdue_period.deadline.strftime("%d/%m/%Y") in page
    assert "Sở Nội vụ" in page
    assert 'data-testid="queue-summary"' not in page


def test_submitted_report_leaves_the_due_list(login, department_reporter, department, period,
                                              targets, full_values):
    report = report_open(user=department_reporter, unit=department, period=period)
    report = report_save(user=department_reporter, report=report, values=full_values,
                         expected_version=report.version, channel="web")
    report_submit(user=department_reporter, report=report, channel="web")
    page = login(department_reporter).get(reverse("home")).content.decode()
    assert f'data-testid="enter-{department.code}-{period.code}"' not in page


def test_returned_report_shows_the_reason(login, department_reporter, doit_reviewer, department,
                                          period, targets, full_values):
    report = report_open(user=department_reporter, unit=department, period=period)
    report = report_save(user=department_reporter, report=report, values=full_values,
                         expected_version=report.version, channel="web")
    report = report_submit(user=department_reporter, report=report, channel="web")
    report_return(user=doit_reviewer, report=report, reason="Bổ sung minh chứng",
                  expected_version=report.version, channel="web")
    page = login(department_reporter).get(reverse("home")).content.decode()
    assert 'data-testid="returned"' in page and "Bổ sung minh chứng" in page


def test_reviewer_sees_the_queue_count(login, doit_reviewer, department_reporter, department,
                                       period, targets, full_values):
    report = report_open(user=department_reporter, unit=department, period=period)
    report = report_save(user=department_reporter, report=report, values=full_values,
                         expected_version=report.version, channel="web")
    report_submit(user=department_reporter, report=report, channel="web")
    page = login(doit_reviewer).get(reverse("home")).content.decode()
    assert "Có 1 báo cáo đang chờ bạn thẩm định." in page


def test_home_query_count(login, city, period, overdue_period, targets,
                          django_assert_max_num_queries):
    user = UserFactory(username="many_units")
    for n in range(8):
        unit = UnitFactory(code=f"TC-M{n}", parent=city)
        MembershipFactory(user=user, unit=unit, role=Role.REPORTER)
        targets["pct"].responsible_units.add(unit)
    client = login(user)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("home"))
    assert response.content.decode().count('data-testid="enter-') == 8


def test_yearly_periods_are_listed_only_for_units_with_yearly_indicators(
    login, department_reporter, commune_clerk, department, commune, period, targets
):
    # The DTI ranking is published once a year: the department owes it in the year only;
    # Phường 1 answers for a quarterly indicator alone and owes no yearly report.
    targets["rank"].indicator.frequency = Frequency.YEARLY
    targets["rank"].indicator.save()
    today = timezone.localdate()
    yearly = Period.objects.create(
        kind=PeriodKind.YEAR, year=today.year, quarter=None,
        starts_on=period.starts_on, ends_on=period.ends_on,
        opens_on=today - timedelta(days=17), deadline=today + timedelta(days=20),
    )
    response = login(department_reporter).get(reverse("home"))
    page = response.content.decode()
    assert f'data-testid="enter-{department.code}-{yearly.code}"' in page
    counts = {item.period.pk: item.indicator_count for item in response.context["due"]}
    assert counts == {period.pk: 4, yearly.pk: 1}

    response = login(commune_clerk).get(reverse("home"))
    page = response.content.decode()
    assert f'data-testid="enter-{commune.code}-{period.code}"' in page
    assert f'data-testid="enter-{commune.code}-{yearly.code}"' not in page
