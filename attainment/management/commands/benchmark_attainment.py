"""manage.py benchmark_attainment: how fast is a recompute?

``--figures N [--targets M]`` builds N synthetic figures in a throwaway corner of the database
(origin "demo", under a city, units, pillar, indicators and plan all coded BENCH-*), times a
full and an incremental recompute of the demo dataset, prints seconds, rows, queries and peak
memory, and deletes everything BENCH-* at the end, also when it fails or is interrupted.

``--national [--scale F]`` builds a country instead (attainment.benchmark: 34 provinces,
about 5 million figures at scale 1) and sets each recompute beside the database's own speed
for the same work (one bare scan of the figures and a bulk write of as many rows into an
unindexed table), approval by approval for the incremental runs, and with one and two worker
processes for the per-city full run on PostgreSQL. The last line reads
``ratio full/reference X.XX; incremental p95 Y ms``. ``--keep`` leaves the country in place for
``benchmark_pages`` (on PostgreSQL with its statistics gathered, ANALYZE); ``--remove``
deletes it.
"""

import math
import multiprocessing
import resource
import statistics
import time
from datetime import date
from decimal import Decimal
from unittest import mock

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.utils import timezone

from attainment import storage
from attainment.benchmark import Shape, approve_one, national_build, reference_seconds
from attainment.models import Dataset, RecomputeRun, Rollup, TargetAttainment
from attainment.selectors import BENCHMARK_CODE_PREFIX as BENCH
from attainment.services import attainment_recompute
from reporting.compliance import compliance_refresh
from reporting.models import ApprovedFigure, ComplianceRecord, FigureOrigin, Period, PeriodKind
from reporting.periods import period_ensure
from targets.models import (
    Aggregation,
    Comparator,
    Indicator,
    Level,
    Measure,
    NationalIndicator,
    Pillar,
    PillarKind,
    Plan,
    Target,
)
from units.models import Unit, UnitKind

TRIGGER = "benchmark"
QUARTERS = [(year, q) for year in range(2021, 2026) for q in range(1, 5)]  # 20 periods
INSERT_BATCH = 5000


class QueryCounter:
    """Counts statements without keeping them (a million INSERTs' SQL would not fit)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class Stopwatch:
    """Wraps a function and adds up the time spent in it: the write phase of a recompute."""

    def __init__(self, func):
        self.func = func
        self.seconds = 0.0

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.func(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started


class Command(BaseCommand):
    help = "Time a full and an incremental attainment recompute over N synthetic figures."

    def add_arguments(self, parser):
        parser.add_argument("--figures", type=int, help="number of figures")
        parser.add_argument(
            "--targets", type=int, default=None,
            help="number of targets (default: one per 10,000 figures, at least 10)",
        )
        parser.add_argument("--national", action="store_true",
                            help="34 provinces x ~100 units x ~100 targets x 2021-2030")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="with --national: figures times F (default 1: about 5 M)")
        parser.add_argument("--approvals", type=int, default=20,
                            help="with --national: incremental runs to time (default 20)")
        parser.add_argument("--workers", action="store_true",
                            help="with --national on PostgreSQL: per-city full run by 1 and 2 "
                                 "worker processes")
        parser.add_argument("--keep", action="store_true",
                            help="leave the BENCH-* data in place (for benchmark_pages)")
        parser.add_argument("--remove", action="store_true",
                            help="only delete BENCH-* data left by --keep")

    def handle(self, *args, figures: int | None, targets: int | None, **options):
        if options["remove"]:
            self._remove()
            self._report_line("removed every BENCH-* row")
            return
        if options["national"]:
            return self._national(options)
        if figures is None or figures < 1:
            raise CommandError("--figures must be at least 1")
        n_targets = targets or max(10, figures // 10_000)
        if n_targets < 1:
            raise CommandError("--targets must be at least 1")
        n_units = max(1, math.ceil(figures / (n_targets * len(QUARTERS))))
        self._remove()  # leftovers of an interrupted run
        periods_before = set(Period.objects.values_list("pk", flat=True))
        try:
            self._report_line(f"machine: {_machine()}")
            started = time.perf_counter()
            target_ids = self._build(figures, n_targets, n_units)
            self._report_line(
                f"built {figures:,} figures: {n_targets:,} targets x {n_units:,} units x "
                f"{len(QUARTERS)} quarters in {time.perf_counter() - started:.1f} s"
            )
            self._time("full recompute", target_ids=None)
            self._time("incremental recompute (1 target)", target_ids=target_ids[:1])
        finally:
            self._remove(periods_before)
            self._report_line("removed every BENCH-* row")

    def _national(self, options) -> None:
        if not 0 < options["scale"] <= 1:
            raise CommandError("--scale must be in (0, 1]")
        shape = Shape.at(options["scale"])
        self._remove()
        periods_before = set(Period.objects.values_list("pk", flat=True))
        done = False
        try:
            self._report_line(f"machine: {_machine()}")
            started = time.perf_counter()
            country = national_build(shape)
            self._report_line(f"built {shape.figures:,} figures: {shape} in "
                              f"{time.perf_counter() - started:.1f} s")
            full, run = self._time("full recompute", target_ids=None)
            scan, write = reference_seconds(rows=run.row_count)
            reference = scan + write
            how = "COPY" if connection.vendor == "postgresql" else "executemany"
            self._report_line(
                f"reference: bare scan of the figures {scan:.2f} s + {how} of "
                f"{run.row_count:,} rows into an unindexed table {write:.2f} s = "
                f"{reference:.2f} s; full recompute / reference = {full / reference:.2f}"
            )
            p95 = self._approvals(country, options["approvals"])
            started = time.perf_counter()
            records = compliance_refresh(dataset=Dataset.DEMO)
            self._report_line(f"compliance refresh (nightly, apart from the recompute): "
                              f"{time.perf_counter() - started:.1f} s, {records:,} records")
            if options["workers"]:
                self._workers(country.city_ids)
            if options["keep"] and connection.vendor == "postgresql":
                # The pages read the country next: plan their queries with statistics, as
                # autovacuum gathers them on a live database (it may be off where benchmarks
                # run, and then the planner guesses one row per table). The embedded SQLite
                # never gathers any, so it is measured as it runs.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            self._report_line(f"ratio full/reference {full / reference:.2f}; "
                              f"incremental p95 {p95 * 1000:.0f} ms")
            done = True
        finally:
            if not (options["keep"] and done):
                self._remove(periods_before)
                self._report_line("removed every BENCH-* row")

    def _approvals(self, country, n: int) -> float:
        """Time n approvals' incremental recomputes, spread over the provinces; returns p95."""
        step = max(1, len(country.samples) // max(1, n))
        picks = country.samples[::step][:n]
        seconds, queries, rows = [], [], []
        for i, (_city, target_id, indicator_id, unit_id) in enumerate(picks):
            period_id = approve_one(unit_id=unit_id, indicator_id=indicator_id,
                                    value=Decimal(50 + i))
            counter = QueryCounter()
            started = time.perf_counter()
            # What the approval's outbox row asks for: its target and the cell it changed.
            with connection.execute_wrapper(counter):
                run = attainment_recompute(dataset=Dataset.DEMO, target_ids=[target_id],
                                           trigger=TRIGGER,
                                           changes=[(target_id, unit_id, period_id)])
            seconds.append(time.perf_counter() - started)
            queries.append(counter.count)
            rows.append(run.row_count)
        p95 = _percentile(seconds, 95)
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self._report_line(
            f"incremental recompute after one approval ({len(picks)} approvals across the "
            f"provinces): p50 {statistics.median(seconds) * 1000:.0f} ms, p95 "
            f"{p95 * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms, "
            f"{statistics.median(rows):,.0f} rows and {statistics.median(queries):.0f} "
            f"queries each (median), peak RSS {peak_mib:,.0f} MiB"
        )
        return p95

    def _workers(self, city_ids: list[int]) -> None:
        if connection.vendor != "postgresql":
            self._report_line("workers: skipped (SQLite serialises every writer)")
            return
        for workers in (1, 2):
            connections.close_all()  # a forked process must not share the parent's socket
            chunks = [city_ids[i::workers] for i in range(workers)]
            started = time.perf_counter()
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                pool.map(_recompute_cities, chunks)
            self._report_line(
                f"full recompute, one run per city, {workers} worker process(es): "
                f"{time.perf_counter() - started:.1f} s"
            )

    def _report_line(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _time(self, label: str, *, target_ids: list[int] | None) -> tuple[float, RecomputeRun]:
        counter = QueryCounter()
        writing = Stopwatch(storage.write_rows)
        started = time.perf_counter()
        with connection.execute_wrapper(counter), \
                mock.patch.object(storage, "write_rows", writing):
            run = attainment_recompute(
                dataset=Dataset.DEMO, target_ids=target_ids, trigger=TRIGGER
            )
        seconds = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self._report_line(
            f"{label}: {seconds:.1f} s (writing the rows {writing.seconds:.1f} s), "
            f"{run.target_count:,} targets, {run.row_count:,} rows "
            f"written, {counter.count:,} queries, peak RSS {peak_mib:,.0f} MiB"
        )
        return seconds, run

    @transaction.atomic
    def _build(self, n_figures: int, n_targets: int, n_units: int) -> list[int]:
        city = Unit.objects.create(
            code=f"{BENCH}CITY", kind=UnitKind.PROVINCE, name_vi="Thành phố BENCH (thử tải)",
            name_en="BENCH city (benchmark)",
        )
        units = Unit.objects.bulk_create(
            [
                Unit(code=f"{BENCH}U{i:06d}", kind=UnitKind.DISTRICT, parent=city, city=city,
                     name_vi=f"Đơn vị BENCH {i}", name_en=f"BENCH unit {i}")
                for i in range(n_units)
            ],
            batch_size=INSERT_BATCH,
        )
        pillar = Pillar.objects.create(code=f"{BENCH}PILLAR", kind=PillarKind.PILLAR,
                                       name_vi="BENCH", name_en="BENCH", order=999)
        plan = Plan.objects.create(code=f"{BENCH}PLAN", city=city, title_vi="Kế hoạch BENCH",
                                   title_en="BENCH plan", issuing_body_vi="BENCH",
                                   horizon_years=[2025, 2030])
        rules = list(Aggregation.values)
        indicators = Indicator.objects.bulk_create(
            [
                Indicator(code=f"{BENCH}IND-{i:05d}", pillar=pillar, name_vi=f"BENCH {i}",
                          name_en=f"BENCH {i}", measure=Measure.PERCENT,
                          aggregation=rules[i % len(rules)])
                for i in range(n_targets)
            ],
            batch_size=INSERT_BATCH,
        )
        targets = Target.objects.bulk_create(
            [
                Target(plan=plan, code=f"{BENCH}T-{i:05d}", indicator=indicator,
                       year=2025 if i % 2 else 2030, level=Level.DISTRICT,
                       comparator=Comparator.AT_LEAST, value=Decimal(80),
                       baseline_value=Decimal(20 + i % 10), baseline_year=2020,
                       source_sentence="BENCH", source_file="BENCH")
                for i, indicator in enumerate(indicators)
            ],
            batch_size=INSERT_BATCH,
        )
        through = Target.responsible_units.through
        through.objects.bulk_create(
            [through(target_id=t.pk, unit_id=u.pk) for t in targets for u in units],
            batch_size=INSERT_BATCH,
        )
        periods = [period_ensure(kind=PeriodKind.QUARTER, year=y, quarter=q) for y, q in QUARTERS]
        now = timezone.now()
        batch: list[ApprovedFigure] = []
        made = 0
        for ti, indicator in enumerate(indicators):
            for ui, unit in enumerate(units):
                for pi, period in enumerate(periods):
                    if made == n_figures:
                        break
                    value = 10 + (ti * 7 + ui * 13 + pi * 3) % 90
                    batch.append(ApprovedFigure(
                        indicator=indicator, unit=unit, period=period, value=Decimal(value),
                        origin=FigureOrigin.DEMO, approved_at=now,
                    ))
                    made += 1
                    if len(batch) == INSERT_BATCH:
                        ApprovedFigure.objects.bulk_create(batch)
                        batch = []
        ApprovedFigure.objects.bulk_create(batch)
        return [t.pk for t in targets]

    def _remove(self, periods_before: set[int] | None = None) -> None:
        with transaction.atomic():
            bench_units = Unit.objects.filter(code__startswith=BENCH)
            # Set-wise deletes first: the ORM's cascade would load a million rows into memory.
            TargetAttainment.objects.filter(target__plan__code__startswith=BENCH).delete()
            TargetAttainment.objects.filter(unit__in=bench_units).delete()
            Rollup.objects.filter(city__code__startswith=BENCH).delete()
            ComplianceRecord.objects.filter(unit__in=bench_units).delete()
            ApprovedFigure.objects.filter(unit__in=bench_units).delete()
            Target.responsible_units.through.objects.filter(
                target__plan__code__startswith=BENCH
            ).delete()
            Target.objects.filter(plan__code__startswith=BENCH).delete()
            Plan.objects.filter(code__startswith=BENCH).delete()
            Indicator.objects.filter(code__startswith=BENCH).delete()
            NationalIndicator.objects.filter(code__startswith=BENCH).delete()
            Pillar.objects.filter(code__startswith=BENCH).delete()
            bench_units.exclude(kind=UnitKind.PROVINCE).delete()
            bench_units.update(city=None)  # a province is its own city (a protected key)
            bench_units.delete()
            RecomputeRun.objects.filter(trigger=TRIGGER).delete()
            if periods_before is not None:
                # Only the periods this run created, and only if nothing else uses them now.
                Period.objects.exclude(pk__in=periods_before).filter(
                    figures__isnull=True, reports__isnull=True
                ).delete()


def _recompute_cities(city_ids: list[int]) -> None:
    try:
        for city_id in city_ids:
            attainment_recompute(dataset=Dataset.DEMO, city_id=city_id, trigger=TRIGGER)
    finally:
        connections.close_all()


def _percentile(values: list[float], pct: int) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _machine() -> str:
    import os
    import platform

    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {connection.vendor}, {date.today():%Y-%m-%d}"
    )
