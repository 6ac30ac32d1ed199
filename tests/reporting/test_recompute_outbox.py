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


def test_an_approval_rewrites_only_the_series_its_figures_reach_and_equals_a_full_run(
    department_reporter, doit_reviewer, department, commune, period, targets, full_values,
    django_capture_on_commit_callbacks,
):
    from attainment.services import attainment_recompute
    from reporting.models import FigureOrigin, PeriodKind
    from reporting.periods import period_ensure
    from reporting.services import report_approve
    from tests.attainment.conftest import snapshot
    from tests.factories import ApprovedFigureFactory

    # Two earlier years' figures of the department (every indicator) and of the commune.
    earlier = [period_ensure(kind=PeriodKind.QUARTER, year=period.year - k, quarter=1)
               for k in (2, 1)]
    for old in earlier:
        for key, target in targets.items():
            if key == "pct2035":
                continue
            fields = ({"milestone_state": "not_started", "value": None} if key == "ms"
                      else {"numerator": 3, "denominator": 33} if key == "frac" else {})
            ApprovedFigureFactory(indicator=target.indicator, unit=department, period=old,
                                  origin=FigureOrigin.REPORT, **fields)
        ApprovedFigureFactory(indicator=targets["pct"].indicator, unit=commune, period=old,
                              origin=FigureOrigin.REPORT, value=60)
    attainment_recompute(dataset="official", trigger="test")
    stored = {(r.target_id, r.scope, r.unit_id, r.period_id): r.pk
              for r in TargetAttainment.objects.filter(dataset="official")}

    report = _submitted(department_reporter, department, period, full_values)
    with django_capture_on_commit_callbacks(execute=True):
        report_approve(user=doit_reviewer, report=report, expected_version=report.version,
                       channel="web")
    request = RecomputeRequest.objects.get()
    assert request.changes == sorted(
        [t.pk, department.pk, period.pk] for t in targets.values()
    )
    assert request.done_at is not None and request.run.status == RunStatus.DONE

    after = {(r.target_id, r.scope, r.unit_id, r.period_id): r.pk
             for r in TargetAttainment.objects.filter(dataset="official")}
    pct = targets["pct"].pk
    # Combined rows before the approved quarter's previous one stand as stored, and every row
    # of the commune, whose figures did not change (the department's series is rewritten).
    kept = [(pct, "combined", department.city_id, earlier[0].pk),
            (pct, "unit", commune.pk, earlier[0].pk), (pct, "unit", commune.pk, earlier[1].pk)]
    assert all(after[key] == stored[key] for key in kept)
    # The previous latest row is rewritten (it is no longer the latest), the new one added.
    assert after[(pct, "unit", department.pk, earlier[1].pk)] != stored[
        (pct, "unit", department.pk, earlier[1].pk)]
    assert (pct, "unit", department.pk, period.pk) in after
    # A rank target's field rests on every rank figure: it is rewritten whole.
    rank = targets["rank"].pk
    assert after[(rank, "unit", department.pk, earlier[0].pk)] != stored[
        (rank, "unit", department.pk, earlier[0].pk)]

    incremental = snapshot("official")
    attainment_recompute(dataset="official", trigger="test")
    assert snapshot("official") == incremental
