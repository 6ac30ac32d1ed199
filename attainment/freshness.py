"""Approval to page through a real worker (``manage.py benchmark_freshness``): the pieces.

The command builds the national benchmark's country (attainment.benchmark), approves demo
reports through ``reporting.services.report_approve`` (so the outbox row and its on-commit
queueing are the ones a reviewer's click makes), and polls the target's page and the API
until the new value shows, while a Celery worker it started itself computes it. The broker is
a redis-server of its own on 127.0.0.1, so stopping it (the Redis-down case) never touches a
shared Redis, and no other worker takes its tasks.

Here: the figures (percentiles, the lines printed), the processes (redis-server, worker) and
the probe that reads the page and the API; the command strings them together.
"""

from __future__ import annotations

import math
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

LATEST_VALUE = re.compile(r'data-testid="latest-value">(.*?)</dd>', re.S)


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile (the value at rank ceil(pct/100 * n), 1-based)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def latency_line(label: str, seconds: list[float | None]) -> str:
    """``label: p50 X ms, p95 Y ms, max Z ms (n N)``; values not measured are counted apart."""
    known = [s for s in seconds if s is not None]
    missing = len(seconds) - len(known)
    tail = f", {missing} not measured" if missing else ""
    if not known:
        return f"{label}: not measured (n {len(seconds)})"
    return (f"{label}: p50 {statistics.median(known) * 1000:.0f} ms, "
            f"p95 {percentile(known, 95) * 1000:.0f} ms, max {max(known) * 1000:.0f} ms "
            f"(n {len(known)}{tail})")


@dataclass
class Sample:
    """One approval, timed from the moment report_approve is called (seconds)."""

    approve: float                 # the service call: commit and queueing
    api: float | None              # until the API lists the new value
    page: float | None             # until the target's page shows it
    polls: int                     # rounds of (API, page) reads until both showed it
    queue_wait: float | None       # queued (RecomputeRequest.dispatched_at) -> run started
    run: float | None              # RecomputeRun started -> finished
    after_run: float | None        # run finished -> the page showed it (poll step + render)


def summary_lines(samples: list[Sample]) -> list[str]:
    """What the command prints about the approvals of the steady phase."""
    polls = [s.polls for s in samples]
    return [
        latency_line("approval answered (commit + queueing)", [s.approve for s in samples]),
        latency_line("approval to API", [s.api for s in samples]),
        latency_line("approval to page", [s.page for s in samples]),
        latency_line("  queue wait (queued -> run started)", [s.queue_wait for s in samples]),
        latency_line("  recompute run (RecomputeRun started -> finished)",
                     [s.run for s in samples]),
        latency_line("  run finished -> page shows it", [s.after_run for s in samples]),
        f"polls (API + page) per approval: median {statistics.median(polls):.0f}, "
        f"max {max(polls)}, total {sum(polls)}",
    ]


def reads_line(reads: dict[str, list[float]]) -> str:
    """How long one read took: the resolution of the latencies above."""
    return (latency_line("  one read of the API", reads["api"]) + "; "
            + latency_line("of the page", reads["page"]))


def last_line(samples: list[Sample]) -> str:
    """The command's last line: the goal of issue 13 (<= 2 s) reads against it."""
    pages = [s.page for s in samples if s.page is not None]
    if not pages or len(pages) < len(samples):
        return (f"approval to page p95 not measured: {len(samples) - len(pages)} of "
                f"{len(samples)} approvals never showed")
    return f"approval to page p95 {percentile(pages, 95) * 1000:.0f} ms"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


class RedisServer:
    """A redis-server of the benchmark's own on 127.0.0.1 (no persistence): the broker it
    may stop."""

    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        if port_open(self.port):
            raise RuntimeError(f"port {self.port} is taken: choose another --redis-port")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


def database_url() -> str:
    """The URL of the database this process uses (under pytest: the test database), for the
    worker, which must read the rows this process commits."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


class Worker:
    """``celery -A dxtracker worker`` as a child process, on the given broker and this
    process's database. Without -Q it consumes every queue of CELERY_TASK_QUEUES, as
    ``make worker`` does."""

    def __init__(self, *, broker_url: str, pool: str, concurrency: int, log_path: Path):
        self.name = f"freshness-{os.getpid()}@{socket.gethostname()}"
        self.broker_url = broker_url
        self.pool = pool
        self.concurrency = concurrency
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": self.broker_url,
               "CELERY_TASK_ALWAYS_EAGER": "0"}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "dxtracker", "worker",
                 "--loglevel=INFO", "-n", self.name, "--pool", self.pool,
                 "--concurrency", str(self.concurrency)],
                cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            )

    def wait_ready(self, app, timeout: float) -> float:
        """Seconds until the worker answers a ping; raises when it does not in time."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"the worker exited; its log: {self.log_path}")
            if app.control.ping(destination=[self.name], timeout=0.5):
                return time.monotonic() - started
        raise RuntimeError(f"the worker did not answer within {timeout:.0f} s: {self.log_path}")

    def stop(self, timeout: float = 30) -> None:
        """Warm shutdown (SIGTERM: the running task finishes), then a kill past timeout."""
        if self.process is None or self.process.poll() is not None:
            self.process = None
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def reset_publisher(app) -> None:
    """Drop the app's broker connections: the next publish connects afresh (to a new URL, or
    to a redis-server that was restarted)."""
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def publishing_to(app, url: str):
    """Queue this process's tasks (the approvals' on-commit dispatch, the sweep) on url.

    Eager mode (the default without REDIS_URL) is turned off for the run: an approval whose
    recompute ran in this process would measure no worker at all.
    """
    previous, eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    reset_publisher(app)
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = previous, eager
        reset_publisher(app)


@dataclass
class Shown:
    api: float | None
    page: str | None


class Probe:
    """Reads one target's latest combined value as a user would: its page and the API."""

    def __init__(self, client, *, page_url: str, api_url: str, host: str,
                 reads: dict[str, list[float]] | None = None):
        self.client = client
        self.page_url = page_url
        self.api_url = api_url
        self.host = host
        self.shown: float | None = None
        # Seconds each read took: a value is seen one read after it is stored, at best.
        self.reads = reads if reads is not None else {"api": [], "page": []}

    def _get(self, kind: str, url: str):
        started = time.perf_counter()
        response = self.client.get(url, HTTP_HOST=self.host, secure=True)
        self.reads[kind].append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    def api(self) -> float | None:
        response = self._get("api", self.api_url)
        rows = response.json()["results"]
        return rows[0]["actual_value"] if rows else None

    def page(self) -> str | None:
        response = self._get("page", self.page_url)
        found = LATEST_VALUE.search(response.content.decode())
        return " ".join(found.group(1).split()) if found else None

    def read(self) -> Shown:
        return Shown(api=self.api(), page=self.page())

    def wait_changed(self, before: Shown, *, started: float, timeout: float,
                     interval: float) -> tuple[float | None, float | None, int]:
        """(seconds to the API, seconds to the page, polls) from ``started`` (time.time())
        until each shows something other than ``before``; None for one that never did.
        ``self.shown`` keeps the API's new value."""
        api_s = page_s = None
        polls = 0
        self.shown = None
        while time.time() - started < timeout:
            polls += 1
            if api_s is None and (value := self.api()) != before.api:
                api_s = time.time() - started
                self.shown = value
            if page_s is None and self.page() != before.page:
                page_s = time.time() - started
            if api_s is not None and page_s is not None:
                break
            time.sleep(interval)
        return api_s, page_s, polls


def request_host() -> str:
    """A host name the settings accept (ALLOWED_HOSTS), for the in-process client."""
    for host in settings.ALLOWED_HOSTS:
        if host and host != "*":
            return host.lstrip(".")
    return "127.0.0.1"
