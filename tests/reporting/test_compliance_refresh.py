"""Stored compliance follows the reports: a submission shows on the heatmap and the API at
once, without any approval; the nightly refresh turns what fell due into "missing"."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.services import api_token_issue
from attainment.models import Dataset
from reporting import tasks
from reporting.compliance import compliance_refresh
from reporting.errors import ReportPermissionError
from reporting.models import (
    ApprovedFigure,
    ComplianceRecord,
    Period,
    PeriodKind,
    Report,
    ReportState,
    Timeliness,
)
from reporting.services import report_approve, report_open, report_return, report_save
from reporting.services import report_submit as submit
from tests.factories import ReportFactory
from tests.reporting.conftest import form_data

pytestmark = pytest.mark.django_db


def _cells(dataset=Dataset.OFFICIAL) -> dict[tuple[str, str], str]:
    return {
        (r.unit.code, r.period.code): r.timeliness
        for r in ComplianceRecord.objects.filter(dataset=dataset).select_related("unit",
                                                                                 "period")
    }


def _snapshot(dataset=Dataset.OFFICIAL) -> list[tuple]:
    return sorted(
        ComplianceRecord.objects.filter(dataset=dataset).values_list(
            "unit_id", "period_id", "timeliness", "submitted_at", "days_late"
        )
    )


def _submitted(user, unit, period, values):
    report = report_open(user=user, unit=unit, period=period)
    report = report_save(user=user, report=report, values=values,
                         expected_version=report.version, channel="web")
    return submit(user=user, report=report, channel="web")


def _completeness(user, **params) -> list[tuple]:
    _token, key = api_token_issue(user=user, name="compliance")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = client.get("/api/v1/completeness/", {"city": "TC", **params}).json()
    return [(r["unit"], r["period"], r["timeliness"]) for r in body["results"]]


def test_a_submission_shows_on_the_heatmap_and_the_api_without_any_approval(
    login, department_reporter, doit_reviewer, department, commune, period, targets,
    full_values, recompute,
):
    compliance_refresh(dataset=Dataset.OFFICIAL)  # last night's run: nothing submitted yet
    assert _cells()[("TC-SNV", period.code)] == Timeliness.PENDING

    client = login(department_reporter)
    url = reverse("report_edit", args=[department.pk, period.code])
    assert client.post(url, form_data(full_values, 0, "submit")).status_code == 302

    assert Report.objects.get().state == ReportState.SUBMITTED
    assert not ApprovedFigure.objects.exists()
    recompute.delay.assert_not_called()
    page = login(doit_reviewer).get(reverse("dashboards:compliance", args=["TC"]))
    rows = {row[0].value: [c.value for c in row[1:]]
            for row in page.context["charts"][0].table.rows}
    assert rows[department.name] == ["Đúng hạn"]
    assert rows[commune.name] == ["Chưa đến hạn"]  # Phường 1 has not submitted
    assert _completeness(doit_reviewer, period=period.code) == [
        ("TC-Q1-P1", period.code, "pending"), ("TC-SNV", period.code, "on_time"),
    ]


def test_a_refused_submission_changes_no_record(
    department_reporter, commune_clerk, department, period, targets, full_values
):
    compliance_refresh(dataset=Dataset.OFFICIAL)
    report = report_open(user=department_reporter, unit=department, period=period)
    report = report_save(user=department_reporter, report=report, values=full_values,
                         expected_version=report.version, channel="web")
    before = _snapshot()
    with pytest.raises(ReportPermissionError):
        submit(user=commune_clerk, report=report, channel="web")
    assert _snapshot() == before
    assert _cells()[("TC-SNV", period.code)] == Timeliness.PENDING


def test_a_late_submission_is_late_at_once(department_reporter, department, previous_period,
                                           targets, full_values):
    # The quarter before is past its deadline: submitting now is late by the days since.
    _submitted(department_reporter, department, previous_period, full_values)
    record = ComplianceRecord.objects.get(unit=department, period=previous_period)
    assert record.timeliness == Timeliness.LATE
    assert record.days_late == (timezone.localdate() - previous_period.deadline).days
    assert record.submitted_at == Report.objects.get().first_submitted_at


def test_return_and_approval_keep_the_first_submission(
    department_reporter, doit_reviewer, department, period, targets, full_values, recompute
):
    report = _submitted(department_reporter, department, period, full_values)
    first = ComplianceRecord.objects.get(unit=department, period=period)
    report = report_return(user=doit_reviewer, report=report, reason="Thiếu minh chứng",
                           expected_version=report.version, channel="web")
    report = submit(user=department_reporter, report=report, channel="web")
    report_approve(user=doit_reviewer, report=report, expected_version=report.version,
                   channel="web")
    record = ComplianceRecord.objects.get(unit=department, period=period)
    assert (record.timeliness, record.submitted_at) == (Timeliness.ON_TIME, first.submitted_at)
    assert record.computed_at > first.computed_at


def test_one_reports_refresh_gives_the_nightly_records(
    department_reporter, commune_clerk, department, commune, period, previous_period, targets,
    full_values,
):
    compliance_refresh(dataset=Dataset.OFFICIAL)
    _submitted(department_reporter, department, period, full_values)
    _submitted(commune_clerk, commune, previous_period, {"dvc-online": {"value": "70"}})
    incremental = _snapshot()
    compliance_refresh(dataset=Dataset.OFFICIAL)
    assert _snapshot() == incremental
    assert len(incremental) == 4


def test_the_nightly_task_turns_pending_into_missing_after_the_deadline(
    department, commune, period, targets, monkeypatch
):
    assert tasks.refresh_compliance.apply().get() == {"official": 2, "demo": 2}
    assert set(_cells().values()) == {Timeliness.PENDING}
    after = period.deadline + timedelta(days=1)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: after)
    tasks.refresh_compliance.apply().get()
    assert set(_cells().values()) == {Timeliness.MISSING}


def test_records_come_from_the_reporting_calendar(targets, department):
    q1 = Period.objects.create(
        kind=PeriodKind.QUARTER, year=2024, quarter=1, starts_on=datetime(2024, 1, 1).date(),
        ends_on=datetime(2024, 3, 31).date(), opens_on=datetime(2024, 3, 17).date(),
        deadline=datetime(2024, 4, 15).date(),
    )
    ReportFactory(unit=department, period=q1, state=ReportState.SUBMITTED,
                  first_submitted_at=timezone.make_aware(datetime(2024, 4, 20, 10)))
    compliance_refresh(dataset=Dataset.OFFICIAL)
    record = ComplianceRecord.objects.get(dataset=Dataset.OFFICIAL, unit=department, period=q1)
    assert (record.timeliness, record.days_late) == (Timeliness.LATE, 5)


def test_a_demo_report_refreshes_only_the_demo_record(targets, department, period):
    compliance_refresh(dataset=Dataset.OFFICIAL)
    official = _snapshot()
    report = ReportFactory(unit=department, period=period, is_demo=True,
                           first_submitted_at=timezone.now())
    assert compliance_refresh(report=report) == 1
    assert _snapshot() == official
    assert _cells(Dataset.DEMO) == {("TC-SNV", period.code): Timeliness.ON_TIME}


def test_an_unknown_dataset_is_refused():
    with pytest.raises(ValueError):
        compliance_refresh(dataset="other")
