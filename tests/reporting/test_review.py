"""DOIT's review queue through the HTTP client: approve, return with reason, bulk approve."""

import pytest
from django.urls import reverse

from reporting.models import ApprovedFigure, ReportState
from reporting.services import report_open, report_save, report_submit
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from units.models import Role

pytestmark = pytest.mark.django_db


def _submit(user, unit, period, values):
    report = report_open(user=user, unit=unit, period=period)
    report = report_save(user=user, report=report, values=values,
                         expected_version=report.version, channel="web")
    return report_submit(user=user, report=report, channel="web")


@pytest.fixture
def submitted(department_reporter, department, period, targets, full_values):
    return _submit(department_reporter, department, period, full_values)


def test_queue_lists_the_city_submitted_reports(login, doit_reviewer, submitted, other_unit,
                                                 period):
    response = login(doit_reviewer).get(reverse("review_queue"))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="queue-row-{submitted.pk}"' in page
    assert 'data-testid="bulk-approve"' in page and f'data-testid="approve-{submitted.pk}"' in page
    assert "Hàng chờ thẩm định" in page


def test_queue_marks_demo_reports(login, doit_reviewer, submitted):
    url = reverse("review_queue")
    assert 'data-testid="demo-badge"' not in login(doit_reviewer).get(url).content.decode()
    submitted.is_demo = True
    submitted.save(update_fields=["is_demo"])
    assert 'data-testid="demo-badge"' in login(doit_reviewer).get(url).content.decode()


def test_queue_leaves_out_other_cities(login, outsider, other_unit, submitted):
    from tests.factories import MembershipFactory
    from units.models import Role

    MembershipFactory(user=outsider, unit=other_unit, role=Role.REVIEWER)  # reviews elsewhere
    page = login(outsider).get(reverse("review_queue")).content.decode()
    assert f"queue-row-{submitted.pk}" not in page
    assert "Không có báo cáo nào chờ thẩm định." in page


def _seen(*reports):
    """What the queue's bulk form posts: the version each row showed."""
    return {f"version_{report.pk}": report.version for report in reports}


def test_reviewer_approves(login, doit_reviewer, submitted, recompute):
    response = login(doit_reviewer).post(reverse("report_approve", args=[submitted.pk]),
                                         {"next": "queue", "version": submitted.version})
    assert response.status_code == 302 and response.url == reverse("review_queue")
    submitted.refresh_from_db()
    assert submitted.state == ReportState.APPROVED
    assert ApprovedFigure.objects.filter(report=submitted).count() == 5


def test_reviewer_returns_with_reason(login, doit_reviewer, submitted):
    client = login(doit_reviewer)
    response = client.post(reverse("report_return", args=[submitted.pk]),
                           {"reason": "", "version": submitted.version}, follow=True)
    assert "Cần nêu lý do." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == ReportState.SUBMITTED
    response = client.post(reverse("report_return", args=[submitted.pk]),
                           {"reason": "Số liệu DTI chưa khớp", "version": submitted.version},
                           follow=True)
    assert "Đã trả lại báo cáo Quý" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == ReportState.RETURNED
    assert submitted.return_reason == "Số liệu DTI chưa khớp"


def test_bulk_approve(login, doit_reviewer, submitted, commune_clerk, commune, period, recompute):
    second = _submit(commune_clerk, commune, period, {"dvc-online": {"value": "60"}})
    response = login(doit_reviewer).post(reverse("review_bulk_approve"),
                                         {"report_ids": [submitted.pk, second.pk],
                                          **_seen(submitted, second)}, follow=True)
    assert "Đã phê duyệt 2 báo cáo." in response.content.decode()
    submitted.refresh_from_db()
    second.refresh_from_db()
    assert submitted.state == second.state == ReportState.APPROVED


def test_bulk_approve_with_a_foreign_report_approves_nothing(
    login, doit_reviewer, submitted, other_unit, period, targets, plan
):
    foreign_reporter = UserFactory(username="oc_reporter")
    MembershipFactory(user=foreign_reporter, unit=other_unit, role=Role.REPORTER)
    targets["pct"].responsible_units.add(other_unit)
    foreign = _submit(foreign_reporter, other_unit, period, {"dvc-online": {"value": "60"}})
    response = login(doit_reviewer).post(reverse("review_bulk_approve"),
                                         {"report_ids": [submitted.pk, foreign.pk],
                                          **_seen(submitted, foreign)}, follow=True)
    assert "Chưa phê duyệt báo cáo nào." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == ReportState.SUBMITTED
    assert not ApprovedFigure.objects.exists()


def test_review_queue_query_count(login, doit_reviewer, city, period, targets, plan,
                                  django_assert_max_num_queries):
    for n in range(6):
        unit = UnitFactory(code=f"TC-X{n}", parent=city)
        user = UserFactory(username=f"rep{n}")
        MembershipFactory(user=user, unit=unit, role=Role.REPORTER)
        targets["pct"].responsible_units.add(unit)
        _submit(user, unit, period, {"dvc-online": {"value": "50"}})
    client = login(doit_reviewer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("review_queue"))
    assert response.content.decode().count('data-testid="queue-row-') == 6
