"""The report's life through the services: open, save, submit, return, approve, reopen."""

from decimal import Decimal

import pytest
from kombu.exceptions import OperationalError as BrokerUnavailable

from attainment.models import RecomputeRequest
from attainment.outbox import recompute_requests_dispatch
from attainment.selectors import targets_being_recomputed
from reporting.errors import ReportConflictError, ReportStateError, ReportValidationError
from reporting.models import ApprovedFigure, FigureOrigin, ReportAction, ReportState
from reporting.services import (
    report_approve,
    report_approve_many,
    report_open,
    report_reopen,
    report_return,
    report_save,
    report_submit,
)
from tests.factories import ReportFactory

pytestmark = pytest.mark.django_db


def _submitted(user, unit, period, values):
    report = report_open(user=user, unit=unit, period=period)
    report = report_save(user=user, report=report, values=values,
                         expected_version=report.version, channel="web")
    return report_submit(user=user, report=report, expected_version=report.version,
                         channel="web")


def _seen(*reports):
    return {report.pk: report.version for report in reports}


def test_open_creates_one_draft_and_records_it(department_reporter, department, period, targets):
    first = report_open(user=department_reporter, unit=department, period=period)
    again = report_open(user=department_reporter, unit=department, period=period)
    assert first.pk == again.pk
    assert first.state == ReportState.DRAFT
    assert list(first.events.values_list("action", flat=True)) == [ReportAction.CREATED]


def test_open_refuses_a_locked_period(department_reporter, department, period, targets):
    period.is_locked = True
    period.save()
    with pytest.raises(ReportStateError) as exc:
        report_open(user=department_reporter, unit=department, period=period)
    assert "khóa" in str(exc.value.message)


def test_submit_needs_every_due_indicator(department_reporter, department, period, targets):
    report = report_open(user=department_reporter, unit=department, period=period)
    report = report_save(user=department_reporter, report=report, expected_version=report.version,
                         values={"dvc-online": {"value": "80"}}, channel="web")
    with pytest.raises(ReportValidationError) as exc:
        report_submit(user=department_reporter, report=report, channel="web")
    assert set(exc.value.errors) == {"open-datasets", "key-tasks", "dti-rank", "ioc"}
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT


def test_submit_return_resubmit_approve(
    department_reporter, doit_reviewer, department, period, targets, full_values, recompute,
    django_capture_on_commit_callbacks,
):
    report = _submitted(department_reporter, department, period, full_values)
    assert report.state == ReportState.SUBMITTED and report.first_submitted_at
    first_submitted = report.first_submitted_at

    report = report_return(user=doit_reviewer, report=report, reason="Thiếu minh chứng",
                           expected_version=report.version, channel="web")
    assert report.state == ReportState.RETURNED and report.return_reason == "Thiếu minh chứng"

    report = report_save(user=department_reporter, report=report, channel="web",
                         expected_version=report.version,
                         values={"dvc-online": {"value": "86"}})
    report = report_submit(user=department_reporter, report=report, channel="web")
    assert report.first_submitted_at == first_submitted

    with django_capture_on_commit_callbacks(execute=True):
        report = report_approve(user=doit_reviewer, report=report,
                                expected_version=report.version, channel="web")
    assert report.state == ReportState.APPROVED
    figures = {f.indicator.code: f for f in ApprovedFigure.objects.filter(report=report)}
    assert figures["dvc-online"].value == Decimal("86")
    assert figures["key-tasks"].numerator == 9 and figures["key-tasks"].denominator == 33
    assert figures["key-tasks"].value == Decimal("27.2727")
    assert figures["ioc"].milestone_state == "in_progress"
    assert {f.origin for f in figures.values()} == {FigureOrigin.REPORT}
    expected_targets = sorted(t.pk for t in targets.values())
    request = RecomputeRequest.objects.get()
    assert request.target_ids == expected_targets and request.dataset == "official"
    recompute.delay.assert_called_once_with(expected_targets, "official",
                                            request_ids=[request.pk])
    assert request.dispatched_at is not None and request.done_at is None
    actions = list(report.events.values_list("action", flat=True))
    assert actions == ["created", "saved", "submitted", "returned", "saved", "submitted",
                       "approved"]


def test_recompute_is_queued_only_after_commit(
    department_reporter, doit_reviewer, department, period, targets, full_values, recompute,
    django_capture_on_commit_callbacks,
):
    report = _submitted(department_reporter, department, period, full_values)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report_approve(user=doit_reviewer, report=report,
                       expected_version=report.version, channel="web")
    assert recompute.delay.call_count == 0
    assert len(callbacks) == 1
    # the outbox row is written in the approval's own transaction, before the commit
    assert RecomputeRequest.objects.filter(dispatched_at__isnull=True).count() == 1


def test_demo_report_approval_writes_demo_figures(
    department_reporter, doit_reviewer, department, period, targets, full_values, recompute,
    django_capture_on_commit_callbacks,
):
    report = report_open(user=department_reporter, unit=department, period=period)
    report.is_demo = True
    report.save()
    report = report_save(user=department_reporter, report=report, values=full_values,
                         expected_version=report.version, channel="demo")
    report = report_submit(user=department_reporter, report=report, channel="demo")
    with django_capture_on_commit_callbacks(execute=True):
        report_approve(user=doit_reviewer, report=report,
                       expected_version=report.version, channel="demo")
    assert set(ApprovedFigure.objects.values_list("origin", flat=True)) == {FigureOrigin.DEMO}
    assert recompute.delay.call_args.args[1] == "demo"


def test_return_needs_a_reason(department_reporter, doit_reviewer, department, period, targets,
                               full_values):
    report = _submitted(department_reporter, department, period, full_values)
    with pytest.raises(ReportValidationError) as exc:
        report_return(user=doit_reviewer, report=report, reason="  ",
                      expected_version=report.version, channel="web")
    assert exc.value.errors[""]["reason"] == "Cần nêu lý do."
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_approved_report_is_locked(department_reporter, doit_reviewer, department, period,
                                   targets, full_values, recompute):
    report = _submitted(department_reporter, department, period, full_values)
    report = report_approve(user=doit_reviewer, report=report,
                            expected_version=report.version, channel="web")
    with pytest.raises(ReportStateError):
        report_save(user=department_reporter, report=report, values={"dti-rank": {"value": "4"}},
                    expected_version=report.version, channel="web")
    with pytest.raises(ReportStateError):
        report_approve(user=doit_reviewer, report=report,
                       expected_version=report.version, channel="web")
    with pytest.raises(ReportStateError):
        report_return(user=doit_reviewer, report=report, reason="x",
                      expected_version=report.version, channel="web")


def test_reopen_keeps_old_figures_until_new_approval(
    department_reporter, doit_reviewer, department, period, targets, full_values, recompute,
):
    report = _submitted(department_reporter, department, period, full_values)
    report = report_approve(user=doit_reviewer, report=report,
                            expected_version=report.version, channel="web")

    with pytest.raises(ReportValidationError):
        report_reopen(user=doit_reviewer, report=report, reason="",
                      expected_version=report.version, channel="web")
    report = report_reopen(user=doit_reviewer, report=report, reason="Sai số liệu DTI",
                           expected_version=report.version, channel="web")
    assert (report.state, report.revision) == (ReportState.DRAFT, 2)
    assert report.correction_reason == "Sai số liệu DTI"

    report = report_save(user=department_reporter, report=report, channel="web",
                         expected_version=report.version, values={"dti-rank": {"value": "4"}})
    current = ApprovedFigure.objects.get(indicator__code="dti-rank", superseded_at__isnull=True)
    assert current.value == 5 and current.revision == 1

    report = report_submit(user=department_reporter, report=report, channel="web")
    current = ApprovedFigure.objects.get(indicator__code="dti-rank", superseded_at__isnull=True)
    assert current.value == 5  # still the first approval while the correction waits

    report_approve(user=doit_reviewer, report=report,
                   expected_version=report.version, channel="web")
    rows = ApprovedFigure.objects.filter(indicator__code="dti-rank").order_by("revision")
    assert [(r.value, r.revision, r.superseded_at is not None) for r in rows] == [
        (5, 1, True), (4, 2, False)
    ]
    assert ApprovedFigure.objects.filter(superseded_at__isnull=True).count() == 5
    assert ApprovedFigure.objects.count() == 10


def test_a_figure_a_correction_leaves_empty_is_recomputed_too(
    department_reporter, doit_reviewer, department, period, targets, full_values, recompute,
    django_capture_on_commit_callbacks,
):
    report = _submitted(department_reporter, department, period, full_values)
    report = report_approve(user=doit_reviewer, report=report,
                            expected_version=report.version, channel="web")
    report = report_reopen(user=doit_reviewer, report=report, reason="Bỏ chỉ tiêu IOC",
                           expected_version=report.version, channel="web")
    # DOIT takes the milestone off this department before the correction is submitted.
    targets["ms"].responsible_units.remove(department)
    report = report_save(user=department_reporter, report=report, channel="web",
                         expected_version=report.version,
                         values={"ioc": {"milestone_state": ""}})
    report = report_submit(user=department_reporter, report=report, channel="web")
    recompute.delay.reset_mock()
    with django_capture_on_commit_callbacks(execute=True):
        report_approve(user=doit_reviewer, report=report,
                       expected_version=report.version, channel="web")
    [(queued_ids, dataset)] = [call.args for call in recompute.delay.call_args_list]
    assert targets["ms"].pk in queued_ids and dataset == "official"
    assert not ApprovedFigure.objects.filter(indicator__code="ioc",
                                             superseded_at__isnull=True).exists()


def test_reopen_refuses_a_report_that_is_not_approved(doit_reviewer, department, period):
    report = ReportFactory(unit=department, period=period, state=ReportState.SUBMITTED)
    with pytest.raises(ReportStateError):
        report_reopen(user=doit_reviewer, report=report, reason="x",
                      expected_version=report.version, channel="web")


def test_approve_many_is_all_or_nothing(
    department_reporter, commune_clerk, doit_reviewer, department, commune, period, targets,
    full_values, recompute,
):
    first = _submitted(department_reporter, department, period, full_values)
    draft = report_open(user=commune_clerk, unit=commune, period=period)
    with pytest.raises(ReportStateError):
        report_approve_many(user=doit_reviewer, reports=[first, draft],
                            expected_versions=_seen(first, draft), channel="web")
    first.refresh_from_db()
    assert first.state == ReportState.SUBMITTED
    assert ApprovedFigure.objects.count() == 0

    second = report_save(user=commune_clerk, report=draft, expected_version=draft.version,
                         values={"dvc-online": {"value": "70"}}, channel="web")
    second = report_submit(user=commune_clerk, report=second, channel="web")
    approved = report_approve_many(user=doit_reviewer, reports=[first, second],
                                   expected_versions=_seen(first, second), channel="web")
    assert [r.state for r in approved] == [ReportState.APPROVED] * 2
    assert ApprovedFigure.objects.count() == 6


def test_every_write_bumps_the_version(department_reporter, doit_reviewer, department, period,
                                       targets, full_values, recompute):
    report = report_open(user=department_reporter, unit=department, period=period)
    versions = [report.version]
    report = report_save(user=department_reporter, report=report, values=full_values,
                         expected_version=report.version, channel="web")
    versions.append(report.version)
    report = report_submit(user=department_reporter, report=report, channel="web")
    versions.append(report.version)
    report = report_return(user=doit_reviewer, report=report, reason="r",
                           expected_version=report.version, channel="web")
    versions.append(report.version)
    assert versions == [1, 2, 3, 4]


def test_stale_version_is_a_conflict_and_changes_nothing(
    department_reporter, department, period, targets
):
    report = report_open(user=department_reporter, unit=department, period=period)
    seen = report.version
    report_save(user=department_reporter, report=report, values={"dvc-online": {"value": "80"}},
                expected_version=seen, channel="web")
    with pytest.raises(ReportConflictError) as exc:
        report_save(user=department_reporter, report=report,
                    values={"dvc-online": {"value": "10"}}, expected_version=seen, channel="api")
    assert "Người khác" in str(exc.value.message)
    assert report.lines.get().value == 80
    with pytest.raises(ReportConflictError):
        report_submit(user=department_reporter, report=report, expected_version=seen,
                      channel="web")


@pytest.mark.parametrize("failure", [
    BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379."),
    # what Celery's Redis result backend raises after its retries, not a broker error
    RuntimeError("Retry limit exceeded while trying to reconnect to the Celery result store"),
])
def test_approval_succeeds_when_the_broker_is_down_and_its_recompute_waits(
    department_reporter, doit_reviewer, department, period, targets, full_values, recompute,
    django_capture_on_commit_callbacks, caplog, failure,
):
    recompute.delay.side_effect = failure
    report = _submitted(department_reporter, department, period, full_values)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_approve(user=doit_reviewer, report=report,
                                expected_version=report.version, channel="web")
    assert report.state == ReportState.APPROVED
    assert ApprovedFigure.objects.filter(origin=FigureOrigin.REPORT).exists()
    assert "Broker unavailable" in caplog.text
    request = RecomputeRequest.objects.get()
    assert request.dispatched_at is None and request.done_at is None
    assert targets_being_recomputed(dataset="official") == {t.pk for t in targets.values()}

    # The broker is back: the sweep queues what waited, once.
    recompute.delay.side_effect = None
    recompute.delay.reset_mock()
    assert recompute_requests_dispatch() == 1
    recompute.delay.assert_called_once_with(request.target_ids, "official",
                                            request_ids=[request.pk])
    assert recompute_requests_dispatch() == 0
