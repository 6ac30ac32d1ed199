"""The national benchmark's data and its yardstick (``benchmark_attainment --national``).

A country shaped like Vietnam after the 2025 reorganisation: 34 provinces, each with about
100 reporting units and about 100 targets (one per shared national indicator, as every
province derives its plan from Decision 749/QĐ-TTg), each target reported by about 37 of the
province's units every quarter 2021–2030: 34 × 100 × 37 × 40 ≈ 5 million figures at scale 1.
``scale`` shrinks units and targets per province by its square root (the figures by
``scale``), keeping the 34 provinces that the per-city recompute runs in parallel over.

The yardstick ("reference") is what the database itself needs for the same amount of work:
one bare scan of the figures, plus writing as many result rows into an unindexed table (COPY
on PostgreSQL; one executemany into a temporary table on SQLite).
"""

from __future__ import annotations

import io
import math
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from attainment.models import TargetAttainment
from attainment.selectors import BENCHMARK_CODE_PREFIX as BENCH
from reporting.models import ApprovedFigure, FigureOrigin, PeriodKind
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

PROVINCES = 34
UNITS_PER_PROVINCE = 100
TARGETS_PER_PROVINCE = 100
RESPONSIBLE_SHARE = 0.37  # of a province's units answer for each target
NATIONAL_QUARTERS = [(year, q) for year in range(2021, 2031) for q in range(1, 5)]
INSERT_BATCH = 5000
# Rules a synthetic target can take without extra settings (the share rules need a unit
# threshold, the consolidated one a consolidating unit).
RULES = (Aggregation.SUM, Aggregation.MEAN, Aggregation.WEIGHTED)


@dataclass(frozen=True)
class Shape:
    provinces: int
    units: int
    targets: int
    responsible: int
    quarters: int

    @classmethod
    def at(cls, scale: float) -> Shape:
        side = math.sqrt(scale)
        units = max(2, round(UNITS_PER_PROVINCE * side))
        targets = max(1, round(TARGETS_PER_PROVINCE * side))
        return cls(PROVINCES, units, targets, max(1, round(RESPONSIBLE_SHARE * units)),
                   len(NATIONAL_QUARTERS))

    @property
    def figures(self) -> int:
        return self.provinces * self.targets * self.responsible * self.quarters

    def __str__(self) -> str:
        return (f"{self.provinces} provinces x {self.units} units x {self.targets} targets "
                f"({self.responsible} units each) x {self.quarters} quarters")


@dataclass(frozen=True)
class National:
    city_ids: list[int]
    # (city id, target id, indicator id, a responsible unit id) to approve a figure for
    samples: list[tuple[int, int, int, int]]


@transaction.atomic
def national_build(shape: Shape) -> National:
    """Create the BENCH-* country, its targets and demo-origin figures."""
    pillar = Pillar.objects.create(code=f"{BENCH}PILLAR", kind=PillarKind.PILLAR,
                                   name_vi="BENCH", name_en="BENCH", order=999)
    # Each indicator stands for one indicator of the national programme, as the cities'
    # do, so the cross-city comparison has every province to show.
    nationals = NationalIndicator.objects.bulk_create(
        [NationalIndicator(code=f"{BENCH}NAT-{i:04d}", name_vi=f"Chỉ tiêu quốc gia BENCH {i}",
                           name_en=f"BENCH national indicator {i}")
         for i in range(shape.targets)],
        batch_size=INSERT_BATCH,
    )
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(code=f"{BENCH}IND-{i:04d}", pillar=pillar, name_vi=f"BENCH {i}",
                      name_en=f"BENCH {i}", measure=Measure.PERCENT,
                      aggregation=RULES[i % len(RULES)], national_indicator=national)
            for i, national in enumerate(nationals)
        ],
        batch_size=INSERT_BATCH,
    )
    periods = [period_ensure(kind=PeriodKind.QUARTER, year=y, quarter=q)
               for y, q in NATIONAL_QUARTERS]
    now = timezone.now()
    city_ids: list[int] = []
    samples: list[tuple[int, int, int, int]] = []
    through = Target.responsible_units.through
    for p in range(shape.provinces):
        city = Unit.objects.create(code=f"{BENCH}P{p:02d}", kind=UnitKind.PROVINCE,
                                   name_vi=f"Tỉnh BENCH {p} (thử tải)",
                                   name_en=f"BENCH province {p} (benchmark)")
        city_ids.append(city.pk)
        units = Unit.objects.bulk_create(
            [Unit(code=f"{BENCH}P{p:02d}-U{i:03d}", kind=UnitKind.DISTRICT, parent=city,
                  city=city, name_vi=f"Đơn vị BENCH {p}-{i}", name_en=f"BENCH unit {p}-{i}")
             for i in range(shape.units)],
            batch_size=INSERT_BATCH,
        )
        plan = Plan.objects.create(code=f"{BENCH}PLAN-{p:02d}", city=city,
                                   title_vi=f"Kế hoạch BENCH {p}", title_en=f"BENCH plan {p}",
                                   issuing_body_vi="BENCH", horizon_years=[2025, 2030])
        targets = Target.objects.bulk_create(
            [Target(plan=plan, code=f"{BENCH}T-{p:02d}-{i:04d}", indicator=indicator,
                    year=2025 if i % 2 else 2030, level=Level.DISTRICT,
                    comparator=Comparator.AT_LEAST, value=Decimal(80),
                    baseline_value=Decimal(20 + i % 10), baseline_year=2020,
                    source_sentence="BENCH", source_file="BENCH")
             for i, indicator in enumerate(indicators)],
            batch_size=INSERT_BATCH,
        )
        links, figures = [], []
        for ti, target in enumerate(targets):
            owners = [units[(ti + k) % len(units)] for k in range(shape.responsible)]
            links += [through(target_id=target.pk, unit_id=u.pk) for u in owners]
            for ui, unit in enumerate(owners):
                for pi, period in enumerate(periods):
                    figures.append(ApprovedFigure(
                        indicator_id=target.indicator_id, unit=unit, period=period,
                        value=Decimal(10 + (p * 11 + ti * 7 + ui * 13 + pi * 3) % 90),
                        origin=FigureOrigin.DEMO, approved_at=now,
                    ))
                if len(figures) >= INSERT_BATCH:
                    ApprovedFigure.objects.bulk_create(figures, batch_size=INSERT_BATCH)
                    figures = []
            samples.append((city.pk, target.pk, target.indicator_id, owners[0].pk))
        through.objects.bulk_create(links, batch_size=INSERT_BATCH)
        ApprovedFigure.objects.bulk_create(figures, batch_size=INSERT_BATCH)
    return National(city_ids, samples)


def approve_one(*, unit_id: int, indicator_id: int, value: Decimal) -> int:
    """What an approval does to the figures: the unit's latest quarter gets a new figure and
    the old one is stamped superseded. Returns the period approved."""
    last = (ApprovedFigure.objects.filter(unit_id=unit_id, indicator_id=indicator_id,
                                          superseded_at__isnull=True)
            .order_by("-period__ends_on").first())
    now = timezone.now()
    with transaction.atomic():
        ApprovedFigure.objects.filter(pk=last.pk).update(superseded_at=now)
        ApprovedFigure.objects.create(indicator_id=indicator_id, unit_id=unit_id,
                                      period_id=last.period_id, value=value,
                                      origin=FigureOrigin.DEMO, approved_at=now)
    return last.period_id


def reference_seconds(*, rows: int) -> tuple[float, float]:
    """(scan seconds, write seconds): one bare scan of the current demo figures, and writing
    ``rows`` attainment-shaped rows into an unindexed table, on this database."""
    figures = ApprovedFigure._meta.db_table
    fields = [f for f in TargetAttainment._meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            f"SELECT count(*), sum(value) FROM {figures} "
            "WHERE origin = %s AND superseded_at IS NULL", [FigureOrigin.DEMO],
        )
        cursor.fetchone()
        scan = time.perf_counter() - started
        if connection.vendor == "postgresql":
            write = _copy_seconds(cursor, fields, rows)
        else:
            write = _executemany_seconds(cursor, fields, rows)
    return scan, write


def _row(fields, i: int) -> list:
    """A result-shaped row: a value of each column's type, varied a little."""
    values = []
    for field in fields:
        kind = field.get_internal_type()
        if field.is_relation:
            values.append(i % 3400 + 1)
        elif kind == "FloatField":
            values.append(None if field.null and i % 7 == 0 else 50.0 + i % 50 / 4)
        elif kind == "BooleanField":
            values.append(i % 40 == 39)
        elif kind == "DateTimeField":
            values.append("2026-12-03 00:00:00+00")
        elif "Integer" in kind:
            values.append(i % 12)
        else:
            values.append("on_track")
    return values


def _copy_seconds(cursor, fields, rows: int) -> float:
    columns = [f.column for f in fields]
    # CREATE ... AS copies the columns only: no key, constraint, index or default.
    cursor.execute(f"CREATE TEMP TABLE bench_reference AS SELECT {', '.join(columns)} "
                   "FROM attainment_targetattainment WHERE false")
    text = io.StringIO()
    for i in range(rows):
        text.write("\t".join("\\N" if v is None else str(v) for v in _row(fields, i)))
        text.write("\n")
    text.seek(0)
    started = time.perf_counter()
    with cursor.copy(f"COPY bench_reference ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(text.getvalue())
    seconds = time.perf_counter() - started
    cursor.execute("DROP TABLE bench_reference")
    return seconds


def _executemany_seconds(cursor, fields, rows: int) -> float:
    columns = [f.column for f in fields]
    cursor.execute(f"CREATE TEMP TABLE bench_reference AS SELECT {', '.join(columns)} "
                   "FROM attainment_targetattainment WHERE 0")
    values = [_row(fields, i) for i in range(rows)]
    marks = ", ".join(["%s"] * len(columns))
    started = time.perf_counter()
    with transaction.atomic():
        cursor.executemany(
            f"INSERT INTO bench_reference ({', '.join(columns)}) VALUES ({marks})", values
        )
    seconds = time.perf_counter() - started
    cursor.execute("DROP TABLE bench_reference")
    return seconds
