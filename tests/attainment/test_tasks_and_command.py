"""How recomputes are triggered: approval (in-process and through a real worker), the nightly
task, and manage.py recompute_attainment."""

import os
import time
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from attainment.models import RecomputeRun, Scope, Status, TargetAttainment
from attainment.tasks import recompute_all, recompute_targets
from reporting.models import ApprovedFigure, FigureOrigin, ReportState
from reporting.services import report_approve
from reporting.tasks import refresh_compliance
from tests.attainment.conftest import figure, period, snapshot
from tests.factories import (
    IndicatorFactory,
    PlanFactory,
    ReportFactory,
    ReportLineFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city, department, doit):
    plan = PlanFactory(city=city)
    targets = []
    for i in range(3):
        indicator = IndicatorFactory(code=f"cmd-ind-{i}")
        targets.append(TargetFactory(plan=plan, indicator=indicator, value=Decimal(80),
                                     baseline_value=Decimal(30), baseline_year=2020,
                                     responsible=[department, doit]))
        figure(indicator, department, "2023", 40 + 10 * i)
        figure(indicator, doit, "2024-Q2", 50 + 10 * i)
        figure(indicator, doit, "2024-Q3", 90 - 10 * i, origin=FigureOrigin.DEMO)
    return targets


def test_task_recomputes_the_given_targets_in_process(world):
    run_id = recompute_targets.delay([world[0].pk], "official").get()
    run = RecomputeRun.objects.get(pk=run_id)
    assert run.trigger == "approval" and run.target_count == 1
    assert set(TargetAttainment.objects.values_list("target_id", flat=True)) == {world[0].pk}
    assert TargetAttainment.objects.get(
        target=world[0], scope=Scope.COMBINED, is_latest=True
    ).actual_value == 45  # mean of the department's 40 and DOIT's 50


def test_task_is_safe_to_run_twice(world):
    recompute_targets.delay([world[1].pk]).get()
    first = snapshot()
    recompute_targets.delay([world[1].pk]).get()
    assert snapshot() == first


def test_nightly_tasks_and_command_give_identical_rows(world):
    recompute_all.delay().get()
    refresh_compliance.delay().get()
    nightly = snapshot()
    assert {r[1] for r in nightly if r[0] == "TargetAttainment"} == {"official", "demo"}
    TargetAttainment.objects.all().delete()

    out = StringIO()
    call_command("recompute_attainment", stdout=out, stderr=StringIO())

    assert snapshot() == nightly
    # Commands speak the default language, Vietnamese.
    assert "official: 3 mục tiêu" in out.getvalue() and "demo: 3 mục tiêu" in out.getvalue()
    assert "official: 4 bản ghi tình hình nộp báo cáo" in out.getvalue()
    assert list(RecomputeRun.objects.values_list("trigger", flat=True)[:2]) == [
        "command", "command"
    ]


def test_command_one_dataset_and_some_targets(world):
    call_command("recompute_attainment", "--dataset", "demo", "--targets", str(world[2].pk),
                 stdout=StringIO(), stderr=StringIO())
    rows = TargetAttainment.objects.all()
    assert {r.dataset for r in rows} == {"demo"}
    assert {r.target_id for r in rows} == {world[2].pk}


def test_command_refuses_unknown_targets_and_changes_nothing(world):
    call_command("recompute_attainment", stdout=StringIO(), stderr=StringIO())
    before = snapshot()
    with pytest.raises(CommandError, match="999999"):
        call_command("recompute_attainment", "--targets", str(world[0].pk), "999999",
                     stdout=StringIO(), stderr=StringIO())
    assert snapshot() == before


def test_approving_a_report_updates_attainment(world, department, doit_reviewer,
                                               django_capture_on_commit_callbacks):
    target = world[0]
    report = ReportFactory(unit=department, period=period("2024-Q3"),
                           state=ReportState.SUBMITTED)
    ReportLineFactory(report=report, indicator=target.indicator, value=Decimal("85"))

    with django_capture_on_commit_callbacks(execute=True):
        report_approve(user=doit_reviewer, report=report,
                       expected_version=report.version, channel="web")

    assert ApprovedFigure.objects.filter(report=report).count() == 1
    combined = TargetAttainment.objects.get(
        dataset="official", target=target, scope=Scope.COMBINED, is_latest=True
    )
    # DOIT's 50 (Q2) and the department's new 85 (Q3)
    assert combined.actual_value == pytest.approx(67.5)
    unit_row = TargetAttainment.objects.get(
        dataset="official", target=target, scope=Scope.UNIT, unit=department, is_latest=True
    )
    assert unit_row.status == Status.ACHIEVED


@pytest.mark.live_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL and a worker")
def test_recompute_through_a_real_worker(world):
    target = world[1]
    recompute_targets.delay([target.pk], "official")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = TargetAttainment.objects.filter(
            dataset="official", target=target, scope=Scope.COMBINED, is_latest=True
        ).first()
        if found is not None:
            break
        time.sleep(0.5)
    assert found is not None, "the worker did not recompute within 60 s"
    assert found.actual_value == 55  # mean of 50 (2023) and 60 (2024 Q2)
    assert RecomputeRun.objects.filter(trigger="approval", finished_at__isnull=False).exists()
