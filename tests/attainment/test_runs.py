"""Recompute runs say how they ended: done, failed with the error, or died with their worker
(the sweep and a worker's start mark runs still "running" past their hard time limit)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from attainment import services
from attainment.limits import CITY_TIME_LIMIT, TARGETS_TIME_LIMIT
from attainment.models import RecomputeRun, RunStatus
from attainment.outbox import recompute_runs_mark_dead
from attainment.tasks import _mark_dead_runs_on_worker_start, recompute_sweep
from dxtracker.celery import VISIBILITY_MARGIN, visibility_timeout
from dxtracker.celery import app as celery_app
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _run(trigger: str, minutes_ago: float, status=RunStatus.RUNNING) -> RecomputeRun:
    return RecomputeRun.objects.create(
        dataset="official", trigger=trigger, status=status,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_a_finished_run_is_done(city):
    run = services.attainment_recompute(dataset="official", trigger="command")
    assert run.status == RunStatus.DONE and run.finished_at and run.error == ""


def test_a_run_that_raises_is_failed_with_its_error(city):
    with mock.patch.object(services, "compute_targets", side_effect=ValueError("hỏng")), \
            pytest.raises(ValueError):
        services.attainment_recompute(dataset="official", trigger="command")
    run = RecomputeRun.objects.get()
    assert run.status == RunStatus.FAILED and run.error == "ValueError: hỏng"
    assert run.finished_at is not None


def test_runs_past_their_hard_limit_are_marked_died_and_others_left_alone():
    limit_minutes = TARGETS_TIME_LIMIT / 60
    dead = _run("approval", limit_minutes + 1)
    alive = _run("approval", limit_minutes - 1)
    nightly = _run("nightly", limit_minutes + 1)  # a full run may take up to CITY_TIME_LIMIT
    old_nightly = _run("nightly", CITY_TIME_LIMIT / 60 + 1)
    finished = _run("approval", 600, status=RunStatus.DONE)

    with translation.override("en"):  # the sweep's thread may have any language active
        assert recompute_runs_mark_dead() == 2
    states = {r.pk: r.status for r in RecomputeRun.objects.all()}
    assert states == {dead.pk: "died", alive.pk: "running", nightly.pk: "running",
                      old_nightly.pk: "died", finished.pk: "done"}
    dead.refresh_from_db()
    assert dead.finished_at is not None and "giới hạn thời gian" in dead.error
    assert recompute_runs_mark_dead() == 0


def test_the_sweep_and_a_starting_worker_mark_dead_runs():
    first = _run("approval", 60)
    assert recompute_sweep() == {"died": 1, "queued": 0}
    second = _run("approval", 60)
    _mark_dead_runs_on_worker_start(sender=None)
    assert {first.pk, second.pk} == set(
        RecomputeRun.objects.filter(status=RunStatus.DIED).values_list("pk", flat=True))


def test_admin_lists_runs_with_state_and_error_and_cannot_edit_them(client):
    run = _run("approval", 60, status=RunStatus.FAILED)
    run.error = "SoftTimeLimitExceeded"
    run.save()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:attainment_recomputerun_changelist")).content.decode()
    assert "SoftTimeLimitExceeded" in page and "Thất bại" in page and "1 giờ" in page
    assert client.get(reverse("admin:attainment_recomputerun_add")).status_code == 403
    assert client.get(reverse("admin:attainment_recomputerequest_changelist")).status_code == 200


def test_visibility_timeout_covers_every_late_acknowledged_task_and_no_more():
    celery_app.loader.import_default_modules()
    timeout = visibility_timeout(celery_app)
    late = [task for name, task in celery_app.tasks.items()
            if task.acks_late and not name.startswith("celery.")]
    assert late, "the recompute tasks are acknowledged late"
    assert all(timeout > (task.time_limit or celery_app.conf.task_time_limit) for task in late)
    longest = max(task.time_limit or celery_app.conf.task_time_limit for task in late)
    assert timeout == longest + VISIBILITY_MARGIN
    # under Redis's default hour, which the 55-minute full recompute alone would have set
    assert timeout < 60 * 60
    assert celery_app.tasks["attainment.tasks.recompute_targets"].acks_late
