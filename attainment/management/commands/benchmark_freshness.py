"""manage.py benchmark_freshness: from a reviewer's approval to the new value on the page.

Issue 13's goal: the new value is on the page within 2 s of the approval, through a real
worker. On PostgreSQL, the command builds the national benchmark's country
(``--scale``, attainment.benchmark), starts a redis-server of its own on 127.0.0.1 and a
``celery -A dxtracker worker`` on it and on this database, then approves demo reports one by
one through ``report_approve`` (the review page's service: outbox row, queued on commit) and
polls the target's page and the API (in-process Django client, as the reviewer) until the
new value shows. It prints p50 / p95 / max from the approval to the API and to the page, the
polls it took, and the split from the rows: queue wait (queued -> RecomputeRun started) and
the run itself. Then two faults: the worker stopped for a few seconds after an approval (the
message waits in Redis; the value shows once it is back) and Redis stopped at the approval
(the request waits in the outbox; the sweep, sent at once instead of at beat's next minute,
queues it). The last line reads ``approval to page p95 X ms``. Everything it made (BENCH-*
rows, its reviewer, reports, outbox rows) is deleted at the end, also on failure; it exits
non-zero when an approval's value never showed or a request was left unanswered.

Nothing leaves 127.0.0.1. Wall-clock figures on a shared machine are as noisy as the machine.
"""

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attainment.benchmark import NATIONAL_QUARTERS, RULES, Shape, national_build
from attainment.freshness import (
    Probe,
    RedisServer,
    Sample,
    Worker,
    free_port,
    last_line,
    port_open,
    publishing_to,
    reads_line,
    request_host,
    reset_publisher,
    summary_lines,
)
from attainment.management.commands.benchmark_attainment import TRIGGER, _machine
from attainment.management.commands.benchmark_attainment import (
    Command as AttainmentBenchmark,
)
from attainment.models import Dataset, RecomputeRequest, RecomputeRun, Scope, TargetAttainment
from attainment.selectors import BENCHMARK_CODE_PREFIX as BENCH
from attainment.services import attainment_recompute
from attainment.tasks import recompute_sweep
from dxtracker.celery import app as celery_app
from reporting.models import ApprovedFigure, FigureOrigin, Period, Report, ReportLine, ReportState
from reporting.services import report_approve
from targets.models import Aggregation, Target
from units.models import Membership, Role, Unit

REVIEWER = f"{BENCH}freshness-reviewer"
# Rules under which one unit's new figure always moves the combined value, so "the page
# shows something else" means "the page shows the new value"; the value the API showed is
# checked against the stored result of the run that answered the approval.
MOVING_RULES = {Aggregation.SUM, Aggregation.MEAN}
assert set(RULES) >= MOVING_RULES


@dataclass
class Pick:
    target_id: int
    city_code: str
    indicator_code: str
    report_id: int


class Command(BaseCommand):
    help = ("Time approval -> new value on the page and the API through a real Celery worker "
            "it starts (PostgreSQL; a redis-server of its own).")

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.01,
                            help="the national country's size (benchmark_attainment; 1 = ~5 M "
                                 "figures; default 0.01)")
        parser.add_argument("--approvals", type=int, default=20,
                            help="approvals to time with the worker running (default 20)")
        parser.add_argument("--poll-interval", type=float, default=0.05,
                            help="seconds between rounds of reading the API and page")
        parser.add_argument("--timeout", type=float, default=60,
                            help="seconds an approval's value may take before it counts as "
                                 "never shown (default 60)")
        parser.add_argument("--stop-seconds", type=float, default=3,
                            help="how long the worker stays stopped after an approval")
        parser.add_argument("--down-seconds", type=float, default=3,
                            help="how long Redis stays down after an approval")
        parser.add_argument("--no-faults", action="store_true",
                            help="only the approvals with everything running")
        parser.add_argument("--redis-port", type=int, default=0,
                            help="port of the benchmark's own redis-server (default: a free "
                                 "one); never the shared Redis's")
        parser.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"],
                            help="the worker's pool (default prefork, as make worker)")
        parser.add_argument("--concurrency", type=int, default=2,
                            help="the worker's processes (default 2, as make worker)")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("benchmark_freshness needs PostgreSQL (DATABASE_URL): the "
                               "worker is another process and must see what this one commits")
        if shutil.which("redis-server") is None:
            raise CommandError("benchmark_freshness needs redis-server on the PATH: it starts "
                               "a broker of its own, which it can stop")
        if not 0 < options["scale"] <= 1:
            raise CommandError("--scale must be in (0, 1]")
        if options["approvals"] < 1:
            raise CommandError("--approvals must be at least 1")
        port = options["redis_port"] or free_port()
        if settings.REDIS_URL and f":{port}/" in settings.REDIS_URL + "/":
            raise CommandError(f"--redis-port {port} is the configured REDIS_URL's: the "
                               "benchmark stops its broker, so it must be one of its own")
        if port_open(port):
            raise CommandError(f"--redis-port {port} is taken: the benchmark starts a "
                               "redis-server of its own there")

        self._cleanup()  # leftovers of an interrupted run
        periods_before = set(Period.objects.values_list("pk", flat=True))
        self.first_request = (RecomputeRequest.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        log = Path(tempfile.gettempdir()) / f"dx-freshness-worker-{port}.log"
        redis = RedisServer(port)
        worker = Worker(broker_url=redis.url, pool=options["pool"],
                        concurrency=options["concurrency"], log_path=log)
        self.failures: list[str] = []
        self.reads: dict[str, list[float]] = {"api": [], "page": []}
        samples: list[Sample] = []
        try:
            with publishing_to(celery_app, redis.url):
                samples = self._run(options, redis, worker)
        except RuntimeError as exc:  # a process that would not start: say which, no trace
            raise CommandError(str(exc)) from exc
        finally:
            worker.stop()
            redis.stop()
            self._cleanup(periods_before)
            self._line("removed every BENCH-* row, the benchmark's reviewer, reports and "
                       "outbox rows")
        self._line(last_line(samples))
        if self.failures:
            raise CommandError("; ".join(self.failures))

    def _run(self, options, redis: RedisServer, worker: Worker) -> list[Sample]:
        self._line(f"machine: {_machine()}, commit {_commit()}")
        shape = Shape.at(options["scale"])
        faults = 0 if options["no_faults"] else 2
        started = time.perf_counter()
        country = national_build(shape)
        picks = self._prepare(country, options["approvals"] + faults)
        self._line(f"built {shape.figures:,} figures: {shape}, {len(picks)} submitted demo "
                   f"reports, in {time.perf_counter() - started:.1f} s")

        redis.start()
        worker.start()
        ready = worker.wait_ready(celery_app, timeout=60)
        self._line(f"worker: {options['pool']} x {options['concurrency']}, every queue "
                   f"({', '.join(q.name for q in celery_app.amqp.queues.values())}), on "
                   f"redis-server 127.0.0.1:{redis.port}; answered a ping after {ready:.1f} s; "
                   f"log {worker.log_path}")

        reviewer = get_user_model().objects.get(username=REVIEWER)
        client = Client()
        client.force_login(reviewer)
        host = request_host()
        timeout, interval = options["timeout"], options["poll_interval"]

        steady = picks[: options["approvals"]]
        samples = []
        for pick in steady:
            probe = self._probe(client, pick, host)
            before = self._before(probe)
            started = time.time()
            request = self._approve(pick, reviewer)
            approve = time.time() - started
            api, page, polls = probe.wait_changed(before, started=started, timeout=timeout,
                                                  interval=interval)
            samples.append(self._sample(request, started, approve, api, page, polls))
            self._check_value(pick, probe)
        self._line(f"{len(steady)} approvals through report_approve, one at a time; API and "
                   f"page read every {interval * 1000:.0f} ms")
        for text in summary_lines(samples):
            self._line(text)
        self._line(reads_line(self.reads))
        self._check_answered(self.requests)

        if faults:
            self._worker_stopped(picks[-2], client, host, reviewer, worker, options)
            self._redis_down(picks[-1], client, host, reviewer, redis, options)
        client.logout()
        return samples

    def _worker_stopped(self, pick, client, host, reviewer, worker, options) -> None:
        probe = self._probe(client, pick, host)
        before = self._before(probe)
        worker.stop()
        started = time.time()
        request = self._approve(pick, reviewer)
        time.sleep(options["stop_seconds"])
        restarted = time.time()
        worker.start()
        api, page, polls = probe.wait_changed(
            before, started=started, timeout=options["timeout"] + options["stop_seconds"],
            interval=options["poll_interval"])
        request.refresh_from_db()
        self._check_value(pick, probe)
        self._line(
            f"worker stopped {options['stop_seconds']:g} s after an approval: "
            + self._fault_figures(page, started, restarted, "worker restart")
            + f"; request queued {request.dispatch_count} time(s), "
            + ("answered" if request.done_at else "NOT answered")
        )
        self._check_answered([request])
        if page is None:
            self.failures.append("worker stopped: the value never showed")

    def _redis_down(self, pick, client, host, reviewer, redis, options) -> None:
        probe = self._probe(client, pick, host)
        before = self._before(probe)
        redis.stop()
        started = time.time()
        request = self._approve(pick, reviewer)
        approve = time.time() - started
        request.refresh_from_db()
        pending = request.dispatched_at is None
        time.sleep(options["down_seconds"])
        redis.start()
        back = time.time()
        reset_publisher(celery_app)
        # What beat sends every minute (dxtracker/celery.py), sent now: the minute beat may
        # wait on top is the sweep interval, not this path's latency.
        recompute_sweep.delay()
        api, page, polls = probe.wait_changed(
            before, started=started, timeout=options["timeout"] + options["down_seconds"],
            interval=options["poll_interval"])
        request.refresh_from_db()
        self._check_value(pick, probe)
        self._line(
            f"Redis stopped {options['down_seconds']:g} s at an approval: the approval "
            f"answered in {approve * 1000:.0f} ms with its request "
            + ("pending in the outbox" if pending else "QUEUED (expected pending)")
            + "; " + self._fault_figures(page, started, back, "Redis back + sweep")
            + " (beat sends the sweep every 60 s: add up to that in production); "
            + ("answered" if request.done_at else "NOT answered")
        )
        self._check_answered([request])
        if page is None:
            self.failures.append("Redis down: the value never showed")
        if not pending:
            self.failures.append("Redis down: the approval's request was queued")

    def _before(self, probe: Probe):
        before = probe.read()
        if before.api is None or before.page is None:
            raise CommandError(f"no value before the approval on {probe.page_url} or "
                               f"{probe.api_url}: nothing to see change")
        return before

    def _fault_figures(self, page, started, resumed, what) -> str:
        if page is None:
            return "the value NEVER showed"
        return (f"approval to page {page * 1000:.0f} ms, {what} to page "
                f"{(started + page - resumed) * 1000:.0f} ms")

    def _probe(self, client, pick: Pick, host: str) -> Probe:
        page = reverse("dashboards:target", args=[pick.target_id]) + "?dataset=demo"
        api = (reverse("api:attainment-list") + f"?dataset=demo&scope=combined"
               f"&city={pick.city_code}&indicator={pick.indicator_code}")
        return Probe(client, page_url=page, api_url=api, host=host, reads=self.reads)

    def _approve(self, pick: Pick, reviewer) -> RecomputeRequest:
        """Approve the pick's report as the review page does; returns its outbox row."""
        last = RecomputeRequest.objects.aggregate(top=Max("pk"))["top"] or 0
        report = Report.objects.get(pk=pick.report_id)
        report_approve(user=reviewer, report=report, expected_version=report.version,
                       channel="web")
        request = RecomputeRequest.objects.filter(pk__gt=last).order_by("pk").first()
        if request is None:
            raise CommandError("the approval wrote no recompute request")
        self.requests.append(request)
        return request

    def _sample(self, request, started, approve, api, page, polls) -> Sample:
        request.refresh_from_db()
        run = RecomputeRun.objects.filter(pk=request.run_id).first()
        queue_wait = run_s = after = None
        if run is not None and request.dispatched_at is not None:
            queue_wait = (run.started_at - request.dispatched_at).total_seconds()
        if run is not None and run.finished_at is not None:
            run_s = (run.finished_at - run.started_at).total_seconds()
            if page is not None:
                after = started + page - run.finished_at.timestamp()
        if page is None:
            self.failures.append(f"request {request.pk}: the value never showed")
        return Sample(approve=approve, api=api, page=page, polls=polls,
                      queue_wait=queue_wait, run=run_s, after_run=after)

    def _check_value(self, pick: Pick, probe: Probe) -> None:
        stored = TargetAttainment.objects.filter(
            dataset=Dataset.DEMO, scope=Scope.COMBINED, is_latest=True, target_id=pick.target_id,
        ).values_list("actual_value", flat=True).first()
        if probe.shown is not None and probe.shown != stored:
            self.failures.append(f"target {pick.target_id}: the API showed {probe.shown}, the "
                                 f"stored result is {stored}")

    def _check_answered(self, requests: list[RecomputeRequest]) -> None:
        for request in requests:
            request.refresh_from_db()
            if request.done_at is None:
                self.failures.append(f"request {request.pk} left unanswered")

    @transaction.atomic
    def _prepare(self, country, n: int) -> list[Pick]:
        """The reviewer, and n submitted demo reports, each moving one target's value."""
        self.requests: list[RecomputeRequest] = []
        reviewer = get_user_model().objects.create_user(username=REVIEWER, password=None)
        Membership.objects.bulk_create(
            Membership(user=reviewer, unit_id=city_id, role=Role.REVIEWER)
            for city_id in country.city_ids
        )
        # A target due before the last quarter with figures is judged on its year's value,
        # which a figure of the last quarter does not move.
        moving = set(Target.objects.filter(
            plan__code__startswith=BENCH, indicator__aggregation__in=MOVING_RULES,
            year__gte=NATIONAL_QUARTERS[-1][0],
        ).values_list("pk", flat=True))
        # Spread over the provinces: every k-th sample of the ones whose value moves.
        candidates = [s for s in country.samples if s[1] in moving]
        step = max(1, len(candidates) // n)
        chosen = candidates[::step][:n]
        if len(chosen) < n:
            raise CommandError(f"--scale too small for {n} approvals ({len(chosen)} targets)")
        # The values before the approvals: what the page shows first.
        attainment_recompute(dataset=Dataset.DEMO, target_ids=[s[1] for s in chosen],
                             trigger=TRIGGER)
        latest = {
            row.target_id: row for row in TargetAttainment.objects.filter(
                dataset=Dataset.DEMO, scope=Scope.COMBINED, is_latest=True,
                target_id__in=[s[1] for s in chosen],
            ).select_related("target__plan__city", "target__indicator")
        }
        picks, used = [], set()
        now = timezone.now()
        for _city, target_id, indicator_id, unit_id in chosen:
            row = latest.get(target_id)
            figure = row and ApprovedFigure.objects.filter(
                unit_id=unit_id, indicator_id=indicator_id, period_id=row.period_id,
                origin=FigureOrigin.DEMO, superseded_at__isnull=True,
            ).first()
            if figure is None or (unit_id, row.period_id) in used:
                continue
            used.add((unit_id, row.period_id))
            value = figure.value - 40 if figure.value >= 50 else figure.value + 40
            report = Report.objects.create(unit_id=unit_id, period_id=row.period_id,
                                           state=ReportState.SUBMITTED, is_demo=True,
                                           submitted_at=now, first_submitted_at=now)
            ReportLine.objects.create(report=report, indicator_id=indicator_id,
                                      value=Decimal(value))
            picks.append(Pick(target_id, row.target.plan.city.code,
                              row.target.indicator.code, report.pk))
        if len(picks) < n:
            raise CommandError(f"--scale too small for {n} approvals ({len(picks)} usable)")
        return picks

    def _cleanup(self, periods_before: set[int] | None = None) -> None:
        """Delete what this command made; the BENCH-* country through benchmark_attainment."""
        User = get_user_model()
        bench_units = Unit.objects.filter(code__startswith=BENCH)
        with transaction.atomic():
            reports = Report.objects.filter(unit__in=bench_units)
            report_ids = list(reports.values_list("pk", flat=True))
            # Figures first: an approved figure protects its report.
            ApprovedFigure.objects.filter(unit__in=bench_units).delete()
            reports.delete()
            # The history rows, the deletions' own included: the reports never existed
            # outside this benchmark.
            Report.history.model.objects.filter(id__in=report_ids).delete()
            ReportLine.history.model.objects.filter(report_id__in=report_ids).delete()
            reviewers = list(User.objects.filter(username=REVIEWER).values_list("pk", flat=True))
            Membership.objects.filter(user_id__in=reviewers).delete()
            Membership.history.model.objects.filter(user_id__in=reviewers).delete()
            first = getattr(self, "first_request", None)
            if first is not None:
                bench_targets = set(Target.objects.filter(plan__code__startswith=BENCH)
                                    .values_list("pk", flat=True))
                mine = [r for r in RecomputeRequest.objects.filter(pk__gte=first)
                        if set(r.target_ids) <= bench_targets]
                RecomputeRun.objects.filter(
                    pk__in=[r.run_id for r in mine if r.run_id]).delete()
                RecomputeRequest.objects.filter(pk__in=[r.pk for r in mine]).delete()
        AttainmentBenchmark()._remove(periods_before)
        User.objects.filter(pk__in=reviewers).delete()

    def _line(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=settings.BASE_DIR,
                             capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() or "unknown"
