"""The whole line through the HTTP client, where Chromium is absent: a reporter enters and
submits a figure, DOIT approves it, and the target page and the API show it."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from reporting.models import Report, ReportState
from tests.reporting.conftest import form_data

pytestmark = pytest.mark.django_db


def test_entry_submit_approve_then_target_page_and_api_show_the_figure(
    client, department_reporter, doit_reviewer, department, period, targets, full_values,
    django_capture_on_commit_callbacks,
):
    edit = reverse("report_edit", args=[department.pk, period.code])
    client.force_login(department_reporter)
    full_values["open-datasets"] = {"value": "1.234"}  # one thousand two hundred thirty-four
    response = client.post(edit, form_data(full_values, 0))
    assert response.status_code == 302
    report = Report.objects.get()
    response = client.post(edit, form_data({}, report.version, "submit"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED

    client.force_login(doit_reviewer)
    # the recompute is queued on commit and runs in-process (Celery eager), as in `make run`
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report_approve", args=[report.pk]),
                               {"version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED

    target = targets["cnt"]
    page = client.get(reverse("dashboards:target", args=[target.pk]), {"dataset": "official"})
    assert page.status_code == 200
    assert "1.234" in page.content.decode()

    api = APIClient()
    api.force_login(doit_reviewer)
    body = api.get("/api/v1/attainment/", {"city": "TC", "dataset": "official"}).json()
    mine = [r for r in body["results"] if r["target_code"] == target.code]
    assert [r["actual_value"] for r in mine] == [1234.0]
    assert mine[0]["period"] == period.code
