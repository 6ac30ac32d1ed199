"""An approval's recompute is recorded with it and reaches the results even when the broker is
down at the moment of the commit: the page meanwhile says the result is being recomputed."""

from unittest import mock

import pytest
from django.urls import reverse

from attainment.models import RecomputeRequest, RecomputeRun, RunStatus, TargetAttainment
from attainment.outbox import recompute_requests_dispatch
from attainment.tasks import recompute_sweep, recompute_targets
from reporting.models import ApprovedFigure, ReportState
from reporting.services import report_open, report_save, report_submit

pytestmark = pytest.mark.django_db


def _submitted(user, unit, period, values):
    report = report_open(user=user, unit=unit, period=period)
    report = report_save(user=user, report=report, values=values,
                         expected_version=report.version, channel="web")
    return report_submit(user=user, report=report, expected_version=report.version,
                         channel="web")


BROKER_DOWN = RuntimeError(
    "Retry limit exceeded while trying to reconnect to the Celery result store backend."
)


def test_web_approval_with_the_broker_down_succeeds_and_its_recompute_waits_then_lands(
    client, department_reporter, doit_reviewer, department, period, targets, full_values,
    django_capture_on_commit_callbacks,
):
    report = _submitted(department_reporter, department, period, full_values)
    target = targets["pct"]
    client.force_login(doit_reviewer)
    with mock.patch.object(recompute_targets, "delay", side_effect=BROKER_DOWN), \
            django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report_approve", args=[report.pk]),
                               {"version": report.version}, follow=True)
    assert response.status_code == 200
    assert "Đã phê duyệt báo cáo Quý" in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    assert ApprovedFigure.objects.filter(report=report).count() == 5
    request = RecomputeRequest.objects.get()
    assert request.done_at is None and request.dispatched_at is None
    assert not TargetAttainment.objects.filter(dataset="official").exists()

    # Meanwhile the pages say the result is on its way, in Vietnamese first.
    city_page = client.get(reverse("dashboards:city", args=[department.city.code]),
                           {"dataset": "official"}).content.decode()
    target_page = client.get(reverse("dashboards:target", args=[target.pk]),
                             {"dataset": "official"}).content.decode()
    assert "đang tính lại" in city_page and 'data-testid="recomputing"' in city_page
    assert "đang tính lại" in target_page

    # The broker is back: the periodic sweep queues it (tasks run in-process here).
    assert recompute_sweep() == {"died": 0, "queued": 1}
    request.refresh_from_db()
    assert request.done_at is not None and request.run.status == RunStatus.DONE
    assert TargetAttainment.objects.filter(dataset="official", target=target).exists()
    target_page = client.get(reverse("dashboards:target", args=[target.pk]),
                             {"dataset": "official"}).content.decode()
    assert 'data-testid="recomputing"' not in target_page
    assert recompute_requests_dispatch() == 0  # nothing left, nothing queued twice


def test_a_request_already_answered_runs_nothing_when_delivered_again(
    department_reporter, doit_reviewer, department, period, targets, full_values,
    django_capture_on_commit_callbacks,
):
    from reporting.services import report_approve

    report = _submitted(department_reporter, department, period, full_values)
    with django_capture_on_commit_callbacks(execute=True):
        report_approve(user=doit_reviewer, report=report, expected_version=report.version,
                       channel="web")
    request = RecomputeRequest.objects.get()
    assert request.done_at is not None
    runs = RecomputeRun.objects.count()
    assert recompute_targets(request.target_ids, "official", request_ids=[request.pk]) is None
    assert RecomputeRun.objects.count() == runs


def test_a_full_recompute_answers_every_pending_request(
    department_reporter, doit_reviewer, department, period, targets, full_values,
    django_capture_on_commit_callbacks,
):
    from attainment.services import attainment_recompute
    from reporting.services import report_approve

    report = _submitted(department_reporter, department, period, full_values)
    with mock.patch.object(recompute_targets, "delay", side_effect=BROKER_DOWN), \
            django_capture_on_commit_callbacks(execute=True):
        report_approve(user=doit_reviewer, report=report, expected_version=report.version,
                       channel="web")
    run = attainment_recompute(dataset="official", trigger="nightly")
    assert RecomputeRequest.objects.get().run == run
