"""The whole path through the pages, and the history that shows every step and value."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from reporting.models import ApprovedFigure, Report, ReportEvent, ReportState
from tests.reporting.conftest import form_data

pytestmark = pytest.mark.django_db


def test_done_when_path(client, department_reporter, doit_reviewer, department, period, targets,
                        recompute, django_capture_on_commit_callbacks):
    edit = reverse("report_edit", args=[department.pk, period.code])
    history = reverse("report_history", args=[department.pk, period.code])

    # the reporter fills part of the quarter from the form...
    client.force_login(department_reporter)
    assert client.post(edit, form_data({"dvc-online": {"value": "80"}}, 0)).status_code == 302
    # ...and the rest from the Excel template
    template = client.get(reverse("report_excel_template", args=[department.pk, period.code]))
    wb = load_workbook(BytesIO(template.content))
    ws = wb["BaoCao"]
    fill = {"open-datasets": {"F": 12}, "key-tasks": {"G": 9, "H": 33}, "dti-rank": {"F": 15},
            "ioc": {"I": "Chưa bắt đầu"}}
    for row in range(5, ws.max_row + 1):
        for column, value in fill.get(ws[f"A{row}"].value, {}).items():
            ws[f"{column}{row}"] = value
    out = BytesIO()
    wb.save(out)
    upload = client.post(reverse("report_excel_upload", args=[department.pk, period.code]),
                         {"file": SimpleUploadedFile("q.xlsx", out.getvalue())})
    assert upload.status_code == 200
    client.post(reverse("report_excel_confirm", args=[department.pk, period.code]))
    report = Report.objects.get()
    assert report.lines.get(indicator__code="dvc-online").value == 80  # kept from the form
    response = client.post(edit, {**form_data({}, report.version, "submit")})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED

    # the reviewer returns it with a reason
    client.force_login(doit_reviewer)
    client.post(reverse("report_return", args=[report.pk]),
                {"reason": "Hạng DTI sai", "version": report.version})
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED

    # the reporter sees the reason, corrects and resubmits
    client.force_login(department_reporter)
    home = client.get(reverse("home")).content.decode()
    assert "Hạng DTI sai" in home
    page = client.get(edit).content.decode()
    assert 'data-testid="return-reason"' in page
    response = client.post(edit, form_data({"dti-rank": {"value": "5"}}, report.version,
                                           "submit"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED

    # the reviewer approves
    client.force_login(doit_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("report_approve", args=[report.pk]), {"version": report.version})
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    assert ApprovedFigure.objects.get(indicator__code="dti-rank").value == 5
    assert recompute.delay.called

    # history shows every step and value, to the reviewer and to the reporter
    for user in (doit_reviewer, department_reporter):
        client.force_login(user)
        page = client.get(history).content.decode()
        for action in ("created", "saved", "submitted", "returned", "approved"):
            assert f'data-testid="event-{action}"' in page
        assert page.count('data-testid="event-saved"') == 3  # form, Excel, correction
        assert page.count('data-testid="event-submitted"') == 2
        assert "Hạng DTI sai" in page
        assert "Xếp hạng DTI" in page
        assert "<td>15</td><td>5</td>" in page  # rank changed from 15 to 5
        assert "Tải lên Excel" in page and "Biểu mẫu web" in page

    events = list(report.events.order_by("at", "pk"))
    correction = [e for e in events if e.action == "saved"][-1]
    assert correction.changes == [
        {"indicator": "dti-rank", "field": "value", "old": "15", "new": "5"}
    ]
    assert correction.actor == department_reporter
    # django-simple-history keeps the rows as well
    assert report.history.count() >= 7
    assert report.lines.get(indicator__code="dti-rank").history.count() == 2


def test_history_page_query_count(login, doit_reviewer, department_reporter, department, period,
                                  targets, full_values, django_assert_max_num_queries):
    client = login(department_reporter)
    client.post(reverse("report_edit", args=[department.pk, period.code]),
                form_data(full_values, 0, "submit"))
    client = login(doit_reviewer)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("report_history", args=[department.pk, period.code]))
    assert response.status_code == 200
    assert 'data-testid="approve"' in response.content.decode()


def test_history_page_shows_events_whose_account_is_gone(login, doit_reviewer,
                                                       department_reporter, department, period,
                                                       targets, full_values):
    # Demo reports, and events written before accounts were kept, have no actor; the page
    # used to resolve actor.username as a filter argument and answer 500. The stored name
    # still says who it was.
    client = login(department_reporter)
    client.post(reverse("report_edit", args=[department.pk, period.code]),
                form_data(full_values, 0, "submit"))
    ReportEvent.objects.update(actor=None)
    client = login(doit_reviewer)
    response = client.get(reverse("report_history", args=[department.pk, period.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="event-submitted"' in page
    assert Report.objects.get().events.filter(actor=None).exists()
    assert "Minh" in page  # department_reporter's stored name
