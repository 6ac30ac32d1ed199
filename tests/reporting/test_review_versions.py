"""A review decides on the figures the reviewer saw: approve, bulk approve, return and reopen
carry the report's version; a report that changed since is refused (409 page, 412 in the API,
428 when the API call names no version) and nothing is done."""

import re

import pytest
from django.urls import reverse

from reporting.errors import ReportConflictError
from reporting.models import ApprovedFigure, ReportState
from reporting.services import (
    report_approve,
    report_approve_many,
    report_open,
    report_reopen,
    report_return,
    report_save,
    report_submit,
)
from tests.factories import MembershipFactory, UserFactory
from units.models import Role

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def _submit(user, unit, period, values):
    report = report_open(user=user, unit=unit, period=period)
    report = report_save(user=user, report=report, values=values,
                         expected_version=report.version, channel="web")
    return report_submit(user=user, report=report, channel="web")


@pytest.fixture
def submitted(department_reporter, department, period, targets, full_values):
    return _submit(department_reporter, department, period, full_values)


@pytest.fixture
def second_reviewer(doit):
    """Another DOIT reviewer of the test city, who acts while the first one reads."""
    user = UserFactory(username="doit_reviewer_2")
    MembershipFactory(user=user, unit=doit, role=Role.REVIEWER)
    return user


def _returned_and_resubmitted(report, *, reviewer, reporter):
    """Meanwhile: another reviewer returns it, the unit changes a figure and resubmits."""
    report = report_return(user=reviewer, report=report, reason="Kiểm tra lại DTI",
                           expected_version=report.version, channel="web")
    report = report_save(user=reporter, report=report, values={"dti-rank": {"value": "40"}},
                         expected_version=report.version, channel="web")
    return report_submit(user=reporter, report=report, channel="web")


def _form_version(page: str, action_url: str) -> str:
    form = re.search(rf'action="{re.escape(action_url)}"[^>]*>(.*?)</form>', page, re.S)
    return re.search(r'name="version" value="(\d+)"', form.group(1)).group(1)


def test_reviewer_cannot_approve_figures_resubmitted_after_they_opened_the_report(
    login, doit_reviewer, second_reviewer, department_reporter, department, period, submitted,
    recompute,
):
    client = login(doit_reviewer)
    approve_url = reverse("report_approve", args=[submitted.pk])
    page = client.get(reverse("report_history", args=[department.pk, period.code]))
    seen = _form_version(page.content.decode(), approve_url)
    assert seen == str(submitted.version)

    _returned_and_resubmitted(submitted, reviewer=second_reviewer, reporter=department_reporter)

    response = client.post(approve_url, {"version": seen})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Báo cáo đã thay đổi sau khi bạn mở" in body
    assert 'data-testid="review-conflict-report"' in body
    submitted.refresh_from_db()
    assert submitted.state == ReportState.SUBMITTED
    assert not ApprovedFigure.objects.exists()

    # Having read the current figures, the reviewer approves what they now saw.
    page = client.get(reverse("report_history", args=[department.pk, period.code]))
    fresh = _form_version(page.content.decode(), approve_url)
    assert client.post(approve_url, {"version": fresh}).status_code == 302
    assert ApprovedFigure.objects.get(indicator__code="dti-rank").value == 40


def test_an_approve_form_without_a_version_approves_nothing(login, doit_reviewer, submitted):
    response = login(doit_reviewer).post(reverse("report_approve", args=[submitted.pk]))
    assert response.status_code == 409
    submitted.refresh_from_db()
    assert submitted.state == ReportState.SUBMITTED


def test_stale_return_and_reopen_are_refused_on_the_page(
    login, doit_reviewer, second_reviewer, department_reporter, submitted, recompute,
):
    client = login(doit_reviewer)
    stale = submitted.version
    _returned_and_resubmitted(submitted, reviewer=second_reviewer, reporter=department_reporter)
    response = client.post(reverse("report_return", args=[submitted.pk]),
                           {"reason": "Thiếu minh chứng", "version": stale})
    assert response.status_code == 409
    submitted.refresh_from_db()
    assert submitted.state == ReportState.SUBMITTED
    assert submitted.return_reason == "Kiểm tra lại DTI"

    approved = report_approve(user=doit_reviewer, report=submitted,
                              expected_version=submitted.version, channel="web")
    response = client.post(reverse("report_reopen", args=[approved.pk]),
                           {"reason": "Sai số liệu", "version": stale})
    assert response.status_code == 409
    approved.refresh_from_db()
    assert approved.state == ReportState.APPROVED and approved.revision == 1


def test_bulk_approval_with_one_stale_row_approves_nothing(
    login, doit_reviewer, second_reviewer, department_reporter, commune_clerk, commune, period,
    submitted, recompute,
):
    client = login(doit_reviewer)
    second = _submit(commune_clerk, commune, period, {"dvc-online": {"value": "60"}})
    queue = client.get(reverse("review_queue")).content.decode()
    posted = {"report_ids": [submitted.pk, second.pk]}
    for report in (submitted, second):
        posted[f"version_{report.pk}"] = re.search(
            rf'name="version_{report.pk}" value="(\d+)"', queue).group(1)

    _returned_and_resubmitted(submitted, reviewer=second_reviewer, reporter=department_reporter)

    response = client.post(reverse("review_bulk_approve"), posted)
    assert response.status_code == 409
    assert "Xem số liệu hiện tại của Sở Nội vụ" in response.content.decode()
    second.refresh_from_db()
    assert second.state == ReportState.SUBMITTED
    assert not ApprovedFigure.objects.exists()


def test_services_require_the_version_the_reviewer_saw(doit_reviewer, submitted):
    for version in (None, submitted.version - 1):
        with pytest.raises(ReportConflictError):
            report_approve(user=doit_reviewer, report=submitted, expected_version=version,
                           channel="web")
        with pytest.raises(ReportConflictError):
            report_return(user=doit_reviewer, report=submitted, reason="x",
                          expected_version=version, channel="web")
        with pytest.raises(ReportConflictError):
            report_approve_many(user=doit_reviewer, reports=[submitted],
                                expected_versions={submitted.pk: version} if version else {},
                                channel="web")
    submitted.refresh_from_db()
    assert submitted.state == ReportState.SUBMITTED
    approved = report_approve(user=doit_reviewer, report=submitted,
                              expected_version=submitted.version, channel="web")
    with pytest.raises(ReportConflictError):
        report_reopen(user=doit_reviewer, report=approved, reason="x",
                      expected_version=approved.version - 1, channel="web")


# --- the API: If-Match on review actions ----------------------------------------------------


@pytest.fixture
def api_reviewer(doit_reviewer):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(doit_reviewer)
    return client


@pytest.mark.parametrize("action,body", [("approve", {}), ("return", {"reason": "Thiếu"})])
def test_api_review_action_without_if_match_is_428(api_reviewer, submitted, action, body):
    response = api_reviewer.post(f"{V1}/reports/{submitted.pk}/{action}/", body, format="json")
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "precondition_required"
    submitted.refresh_from_db()
    assert submitted.state == ReportState.SUBMITTED


def test_api_reviewer_cannot_approve_figures_resubmitted_since_they_read_them(
    api_reviewer, second_reviewer, department_reporter, submitted, recompute,
):
    etag = api_reviewer.get(f"{V1}/reports/{submitted.pk}/")["ETag"]
    _returned_and_resubmitted(submitted, reviewer=second_reviewer, reporter=department_reporter)
    response = api_reviewer.post(f"{V1}/reports/{submitted.pk}/approve/", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert "Báo cáo đã thay đổi sau khi bạn mở" in response.json()["error"]["message"]
    assert not ApprovedFigure.objects.exists()

    fresh = api_reviewer.get(f"{V1}/reports/{submitted.pk}/")["ETag"]
    response = api_reviewer.post(f"{V1}/reports/{submitted.pk}/approve/", HTTP_IF_MATCH=fresh)
    assert response.status_code == 200 and response.json()["state"] == "approved"


def test_api_stale_reopen_is_412(api_reviewer, doit_reviewer, submitted, recompute):
    approved = report_approve(user=doit_reviewer, report=submitted,
                              expected_version=submitted.version, channel="web")
    response = api_reviewer.post(f"{V1}/reports/{approved.pk}/reopen/", {"reason": "Sai"},
                                 format="json", HTTP_IF_MATCH=f'"{approved.version - 1}"')
    assert response.status_code == 412
    response = api_reviewer.post(f"{V1}/reports/{approved.pk}/reopen/", {"reason": "Sai"},
                                 format="json", HTTP_IF_MATCH=f'"{approved.version}"')
    assert response.status_code == 200 and response.json()["revision"] == 2
