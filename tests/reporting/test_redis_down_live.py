"""Redis stopped under a real approval (CI's PostgreSQL leg, a real worker): the approval
answers success at once, its recompute waits in the outbox, and the worker computes it once
the broker is back and the sweep queues it. The Redis that is stopped is a redis-server this
test starts for itself, never the shared one."""

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
from django.urls import reverse

from attainment.models import RecomputeRequest, TargetAttainment
from attainment.tasks import recompute_sweep
from dxtracker.celery import app as celery_app
from reporting.models import ReportState
from reporting.services import report_open, report_save, report_submit

pytestmark = [
    pytest.mark.live_worker,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _broker(url: str):
    """Publish through another broker for a while (the pools are rebuilt on each switch)."""
    def reset():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    reset()
    try:
        yield
    finally:
        celery_app.conf.broker_url = previous
        reset()


@pytest.fixture
def stopped_redis_url():
    port = _free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0", server
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_approval_with_redis_stopped_succeeds_and_the_worker_recomputes_when_it_is_back(
    client, department_reporter, doit_reviewer, department, period, targets, full_values,
    stopped_redis_url,
):
    url, server = stopped_redis_url
    report = report_open(user=department_reporter, unit=department, period=period)
    report = report_save(user=department_reporter, report=report, values=full_values,
                         expected_version=report.version, channel="web")
    report = report_submit(user=department_reporter, report=report, channel="web")
    client.force_login(doit_reviewer)

    with _broker(url):
        server.terminate()
        server.wait(timeout=10)
        started = time.monotonic()
        response = client.post(reverse("report_approve", args=[report.pk]),
                               {"version": report.version})
        # A figure for the log, not an assertion: 19 s before the fix, about 0.3 s after.
        print(f"approval with Redis stopped answered in {time.monotonic() - started:.2f} s")

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    request = RecomputeRequest.objects.get()
    assert request.dispatched_at is None and request.done_at is None

    # The broker is back (the suite's Redis, where the worker listens): the sweep queues it.
    assert recompute_sweep()["queued"] == 1
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        request.refresh_from_db()
        if request.done_at is not None:
            break
        time.sleep(0.5)
    assert request.done_at is not None, "the worker did not answer the request within 60 s"
    assert TargetAttainment.objects.filter(dataset="official", target=targets["pct"]).exists()
    assert request.run.status == "done"
