"""manage.py benchmark_attainment --figures N [--targets M]: how fast is a recompute?

Builds N synthetic figures in a throwaway corner of the database (origin "demo", under a
city, units, pillar, indicators and plan all coded BENCH-*), times a full and an incremental
recompute of the demo dataset, prints seconds, rows, queries and peak memory, and deletes
everything BENCH-* at the end, also when it fails or is interrupted.
"""

import math
import resource
import time
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from attainment.models import ComplianceRecord, Dataset, RecomputeRun, Rollup, TargetAttainment
from attainment.selectors import BENCHMARK_CODE_PREFIX as BENCH
from attainment.services import attainment_recompute
from reporting.models import ApprovedFigure, FigureOrigin, Period, PeriodKind
from reporting.periods import period_ensure
from targets.models import (
    Aggregation,
    Comparator,
    Indicator,
    Level,
    Measure,
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


class Command(BaseCommand):
    help = "Time a full and an incremental attainment recompute over N synthetic figures."

    def add_arguments(self, parser):
        parser.add_argument("--figures", type=int, required=True, help="number of figures")
        parser.add_argument(
            "--targets", type=int, default=None,
            help="number of targets (default: one per 10,000 figures, at least 10)",
        )

    def handle(self, *args, figures: int, targets: int | None, **options):
        if figures < 1:
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

    def _report_line(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _time(self, label: str, *, target_ids: list[int] | None) -> None:
        counter = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            run = attainment_recompute(
                dataset=Dataset.DEMO, target_ids=target_ids, trigger=TRIGGER
            )
        seconds = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self._report_line(
            f"{label}: {seconds:.1f} s, {run.target_count:,} targets, {run.row_count:,} rows "
            f"written, {counter.count:,} queries, peak RSS {peak_mib:,.0f} MiB"
        )

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


def _machine() -> str:
    import os
    import platform

    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {connection.vendor}, {date.today():%Y-%m-%d}"
    )
