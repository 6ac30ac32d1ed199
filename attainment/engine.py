"""The attainment engine: the result rows of targets, from the approved figures.

It reads what the method needs (targets, responsible units, units, successors, periods and
the figures, read in one query ordered by indicator into numpy columns before any row is
written), feeds ``attainment.method`` and ``attainment.combine`` series by series, and hands
the rows to ``attainment.storage`` in batches of ``FLUSH_ROWS``. It decides nothing the method
does not say; ``attainment.services`` runs it in a transaction, and ``attainment.rollups``
sums what it stored.

Queries are set-based: a fixed number of reads whatever the number of targets or figures, and
one write per batch of rows.
"""

from __future__ import annotations

import gc
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import accumulate, chain, islice, repeat

import numpy as np
from django.db import connection
from django.db.models import FloatField, Q
from django.db.models.functions import Cast
from django.db.models.sql.constants import MULTI
from django.utils import timezone
from psycopg import pq

from attainment import method, series, storage
from attainment.combine import SHARE_RULES, UnitValue, combine_columns, unit_value
from attainment.models import Dataset, Scope, TargetAttainment
from dxtracker.querylog import logged
from reporting.models import ApprovedFigure, FigureOrigin, Period, PeriodKind
from reporting.periods import period_bounds, period_ensure, quarter_of, report_deadline
from reporting.selectors import owes
from targets.models import (
    LEVEL_ABOLISHED_ON,
    Aggregation,
    Frequency,
    Level,
    Target,
    TargetAmendment,
)
from targets.selectors import Responsibility, responsibilities
from units.models import Unit, UnitKind, existed_during
from units.selectors import follow_successors, successor_map

DATASET_ORIGINS = {
    Dataset.OFFICIAL: (FigureOrigin.DOCUMENT, FigureOrigin.REPORT),
    Dataset.DEMO: (FigureOrigin.DEMO,),
}

# Rows are flushed to the database every FLUSH_ROWS so memory stays flat on a million figures.
FLUSH_ROWS = 40_000
FIGURE_CHUNK = 20_000

LEVEL_KINDS = {
    Level.CITY: UnitKind.PROVINCE,
    Level.DISTRICT: UnitKind.DISTRICT,
    Level.COMMUNE: UnitKind.COMMUNE,
    Level.DEPARTMENT: UnitKind.DEPARTMENT,
    Level.HOSPITAL: UnitKind.HOSPITAL,
    Level.SCHOOL: UnitKind.SCHOOL,
}

Progress = Callable[[int, int], None]
# Stale series per DELETE: each names up to ~50 periods, within SQLite's parameter limit.
STALE_BATCH = 40
# Period keys as integers: ordinal of the end day, then of the start day.
_KEY_SPAN = 4_000_000  # above date.max.toordinal()
_NEVER = (date.max, date.max)  # write_from of a series the run leaves alone
_ALWAYS = (date.min, date.min)  # write_from of a series the run rewrites whole


@dataclass(frozen=True)
class _Version:
    """What an amendment asks from its day on (Target.versions, in engine terms)."""

    effective_from: date
    spec: method.TargetSpec
    retired: bool = False


@dataclass(frozen=True)
class TargetInfo:
    pk: int
    plan_id: int
    city_id: int
    indicator_id: int
    aggregation: str  # the target's own rule, else the indicator's (Target.combination)
    level: str
    spec: method.TargetSpec
    responsible: frozenset[int]
    frequency: str
    issued_on: date | None = None
    kinds: frozenset[str] = frozenset()  # responsible kinds (kind:commune)
    unit_spec: method.TargetSpec | None = None  # what each unit must reach (share_of_units)
    level_ended_t: float | None = None
    amendments: tuple[_Version, ...] = ()  # in the order they came into force

    @property
    def is_rank(self) -> bool:
        return self.spec.measure == method.RANK or any(
            spec.comparator == method.TOP_N for spec in self.specs()
        )

    def specs(self) -> list[method.TargetSpec]:
        return [self.spec, *(v.spec for v in self.amendments)]

    def version_on(self, day: date) -> tuple[method.TargetSpec, bool]:
        """The spec in force on ``day`` and whether the target is retired then.

        Target.version_on's rule: the latest version in force on the day. A retirement
        keeps the terms it ended, so a retired row still shows what was asked.
        """
        spec, retired = self.spec, False
        for version in self.amendments:
            if version.effective_from > day:
                break
            retired = version.retired
            if not retired:
                spec = version.spec
        return spec, retired


@dataclass(frozen=True)
class _Period:
    pk: int
    starts_on: date
    ends_on: date
    t: float
    kind: str = PeriodKind.QUARTER
    year: int = 0
    quarter: int | None = None
    deadline: date | None = None
    # A year and its Q4 end on the same day; the quarter, starting later, counts as later.
    # Kept, not a property: the engine compares it for every figure and period.
    key: tuple[date, date] = field(init=False, compare=False)
    # The key as one integer, in the same order, for numpy (_combined_rows).
    order: int = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (self.ends_on, self.starts_on))
        object.__setattr__(self, "order",
                           self.ends_on.toordinal() * _KEY_SPAN + self.starts_on.toordinal())


@dataclass(frozen=True)
class _Unit:
    kind: str
    city_id: int | None
    valid_from: date | None
    valid_to: date | None

    def existed_during(self, period: _Period) -> bool:
        return existed_during(self.valid_from, self.valid_to, period.starts_on, period.ends_on)

    def exists_on(self, day: date) -> bool:
        return existed_during(self.valid_from, self.valid_to, day)


class _Figure:
    """One unit's figure for one period (a plain class: the engine makes one per figure)."""

    __slots__ = ("period", "value", "numerator", "denominator", "milestone", "derived",
                 "lower_bound", "observed")

    def __init__(self, period: _Period, value: float | None, numerator: float | None,
                 denominator: float | None, milestone: str | None, derived: bool = False,
                 lower_bound: bool = False) -> None:
        self.period = period
        self.value = value
        self.numerator = numerator
        self.denominator = denominator
        self.milestone = milestone
        self.derived = derived  # inferred, not stated (DTI 2021 = 15 from "up 10 places")
        self.lower_bound = lower_bound  # "hơn 550": the actual figure is higher
        # The number the method sees (a milestone counts as its attainment, for counting);
        # a figure is carried into every later period.
        if milestone:
            self.observed = method.MILESTONE_ATTAINMENT.get(milestone)
        elif type(value) is float and math.isfinite(value):
            # combine.unit_value's first case, without its checks: the engine reads floats
            # (_float), and this runs once per figure.
            self.observed = value
        else:
            self.observed = unit_value(UnitValue(value, numerator, denominator))


@dataclass
class Context:
    dataset: str
    today: date
    today_t: float
    now: datetime
    units: dict[int, _Unit]
    successors: dict[int, int]
    periods: dict[int, _Period]
    # target id -> unit id -> the unit's duty for the target (reporting's rule, owes()).
    duties: dict[int, dict[int, Responsibility]] = field(default_factory=dict)
    fallback_period_id: int | None = None
    final_due: dict[tuple[str, int], float] = field(default_factory=dict)
    # Units whose figures can count for the targets recomputed (None: every unit).
    figure_units: set[int] | None = None
    rows: list[tuple] = field(default_factory=list)  # in storage.COLUMNS order
    row_count: int = 0
    # An approval's run: target id -> unit id -> the periods whose figures it changed. None:
    # every target is rewritten whole (its old rows deleted beforehand by the service).
    changes: dict[int, dict[int, set[int]]] | None = None
    # Units with stored unit rows per target before the run (what a whole rewrite replaces).
    old_units: dict[int, set[int]] = field(default_factory=dict)
    # Of the target being computed: (scope, unit id) -> the first period key its series
    # rewrites; rows of other series or earlier periods stand. None: the whole target.
    write_from: dict[tuple[str, int], tuple[date, date]] | None = None
    stale: list[tuple[int, Q]] = field(default_factory=list)  # (target id, rows): deleted
    # before the next write
    touched_units: set[int] = field(default_factory=set)  # their unit series were rewritten
    touched_combined: set[int] = field(default_factory=set)  # targets, combined rewritten
    # A full run's targets waiting to be evaluated together (_add_rows), by how they are judged.
    pending: dict[tuple, list[tuple[TargetInfo, _Rows]]] = field(default_factory=dict)
    pending_rows: int = 0
    _merged: list[tuple[int, int]] | None = field(default=None, repr=False)
    _period_columns: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(
        default=None, repr=False)

    def period_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The periods' ids (sorted), and in the same order their keys (``_Period.order``)
        and decimal-year ends, for looking figures up by period id in numpy."""
        if self._period_columns is None:
            periods = sorted(self.periods.values(), key=lambda p: p.pk)
            self._period_columns = (
                np.array([p.pk for p in periods], dtype=np.int64),
                np.array([p.order for p in periods], dtype=np.int64),
                np.array([p.t for p in periods], dtype=float),
            )
        return self._period_columns

    def merged_units(self) -> list[tuple[int, int]]:
        """(unit id, the unit carrying it now) of every known unit merged away."""
        if self._merged is None:
            self._merged = [(u, carrier) for u, carrier in self.successors.items()
                            if carrier != u and u in self.units]
        return self._merged


def decimal_year_end(day: date) -> float:
    """The decimal year at the END of ``day`` (31 Dec 2025 -> 2026.0), as the method counts."""
    days = (date(day.year + 1, 1, 1) - date(day.year, 1, 1)).days
    return day.year + day.timetuple().tm_yday / days



def rollup_city(ctx: Context, unit_id: int) -> int | None:
    """The city whose unit rollup a unit's rows count in: that of the unit carrying it now."""
    carrier = ctx.units.get(ctx.successors.get(unit_id, unit_id))
    return carrier.city_id if carrier else None



def _float(name: str) -> Cast:
    # Floats straight from the database: a million Decimals would cost time and memory.
    return Cast(name, FloatField())


def load_targets(ids: list[int] | None) -> list[TargetInfo]:
    qs = Target.objects.all() if ids is None else Target.objects.filter(pk__in=ids)
    rows = qs.order_by("pk").values_list(
        "pk", "plan_id", "plan__city_id", "indicator_id", "indicator__measure",
        "indicator__direction", "indicator__aggregation", "year", "level", "comparator",
        _float("value"), _float("baseline_value"), "baseline_year", "indicator__frequency",
        "aggregation", "unit_comparator", _float("unit_value"), "responsible_kinds",
        "indicator__reports_change", "plan__issued_on",
    )
    through = Target.responsible_units.through.objects.all()
    if ids is not None:
        through = through.filter(target_id__in=ids)
    responsible: dict[int, set[int]] = defaultdict(set)
    for target_id, unit_id in through.values_list("target_id", "unit_id"):
        responsible[target_id].add(unit_id)
    amendments_qs = TargetAmendment.objects.all()
    if ids is not None:
        amendments_qs = amendments_qs.filter(target_id__in=ids)
    amended: dict[int, list[tuple]] = defaultdict(list)
    for target_id, *terms in amendments_qs.order_by("target_id", "effective_from").values_list(
        "target_id", "effective_from", "comparator", _float("value"), "year", "retires"
    ):
        amended[target_id].append(tuple(terms))
    targets = []
    for (pk, plan_id, city_id, indicator_id, measure, direction, indicator_rule, year, level,
         comparator, value, baseline_value, baseline_year, frequency, own_rule, unit_comparator,
         unit_threshold, kinds, reports_change, issued_on) in rows:
        spec = method.TargetSpec(
            comparator=comparator, value=value, year=year, direction=direction,
            measure=measure, baseline_value=baseline_value, baseline_year=baseline_year,
            reads_change=reports_change,
        )
        unit_spec = None
        if unit_comparator:
            unit_spec = method.TargetSpec(comparator=unit_comparator, value=unit_threshold,
                                          year=year, direction=direction, measure=measure)
        ended = LEVEL_ABOLISHED_ON.get(level)
        versions = tuple(
            _Version(day, replace(spec, comparator=a_comparator, value=a_value, year=a_year),
                     retires)
            for day, a_comparator, a_value, a_year, retires in amended.get(pk, ())
        )
        targets.append(TargetInfo(
            pk, plan_id, city_id, indicator_id, own_rule or indicator_rule, level, spec,
            frozenset(responsible.get(pk, ())), frequency, issued_on, frozenset(kinds or ()),
            unit_spec,
            # The level is gone from the first day it no longer exists: the end of the day before.
            decimal_year_end(ended - timedelta(days=1)) if ended else None,
            versions,
        ))
    return targets


def load_context(dataset: str, today: date, targets: list[TargetInfo] | None = None) -> Context:
    """What the method needs besides figures. With ``targets`` (an approval's run), only what
    those targets can reach: the units of their cities, their responsible units, every merged
    unit and its carrier, and their duties; otherwise the whole unit tree and every duty."""
    if targets is not None:
        return _scoped_context(dataset, today, targets)
    units = {
        pk: _Unit(kind, city_id, valid_from, valid_to)
        for pk, kind, city_id, valid_from, valid_to in Unit.objects.values_list(
            "pk", "kind", "city_id", "valid_from", "valid_to"
        )
    }
    periods = _load_periods()
    duties: dict[int, dict[int, Responsibility]] = defaultdict(dict)
    for duty in responsibilities():
        duties[duty.target_id][duty.unit_id] = duty
    return Context(
        dataset=dataset, today=today, today_t=decimal_year_end(today), now=timezone.now(),
        units=units, successors=successor_map(), periods=periods, duties=duties,
    )


def _load_periods() -> dict[int, _Period]:
    return {
        pk: _Period(pk, starts_on, ends_on, method.period_end_t(year, quarter), kind, year,
                    quarter, deadline)
        for pk, kind, year, quarter, starts_on, ends_on, deadline in Period.objects.values_list(
            "pk", "kind", "year", "quarter", "starts_on", "ends_on", "deadline"
        )
    }


def _scoped_context(dataset: str, today: date, targets: list[TargetInfo]) -> Context:
    # The unit tree of a national rollout is thousands of units and the duties a hundred
    # thousand rows; an approval's targets reach one city's units and their own duties.
    # successors here maps only the merged units; every reader asks .get(u) or .get(u, u).
    merged = {
        pk: (successor_id, _Unit(kind, city_id, valid_from, valid_to))
        for pk, successor_id, kind, city_id, valid_from, valid_to in Unit.objects.filter(
            successor__isnull=False
        ).order_by().values_list("pk", "successor_id", "kind", "city_id", "valid_from",
                                 "valid_to")
    }
    successors = follow_successors({pk: successor for pk, (successor, _unit) in merged.items()})
    cities = {t.city_id for t in targets}
    named = set().union(*(t.responsible for t in targets)) | cities | set(successors.values())
    units = {pk: unit for pk, (_successor, unit) in merged.items()}
    units.update(
        (pk, _Unit(kind, city_id, valid_from, valid_to))
        for pk, kind, city_id, valid_from, valid_to in Unit.objects.filter(
            Q(city_id__in=sorted(cities)) | Q(pk__in=sorted(named))
        ).order_by().values_list("pk", "kind", "city_id", "valid_from", "valid_to")
    )
    duties: dict[int, dict[int, Responsibility]] = defaultdict(dict)
    for duty in responsibilities(target_ids=[t.pk for t in targets]):
        duties[duty.target_id][duty.unit_id] = duty
    return Context(
        dataset=dataset, today=today, today_t=decimal_year_end(today), now=timezone.now(),
        units=units, successors=successors, periods=_load_periods(), duties=duties,
    )


def _read_figures(ctx: Context, indicator_ids: set[int] | None) -> _FigureColumns:
    """The figures the run counts, read whole before it writes a row (a full run keeps one
    COPY open on the connection while it computes: storage.write_rows)."""
    qs = ApprovedFigure.objects.filter(
        superseded_at__isnull=True, origin__in=DATASET_ORIGINS[ctx.dataset]
    )
    if indicator_ids is not None:
        qs = qs.filter(indicator_id__in=sorted(indicator_ids))
    if ctx.figure_units is not None:
        qs = qs.filter(unit_id__in=sorted(ctx.figure_units))
    qs = qs.order_by("indicator_id", "unit_id", "period_id", "approved_at", "pk").values_list(
        *_FigureColumns.NAMES[:3], _float("value"), _float("numerator"), _float("denominator"),
        "milestone_state", "derived", "lower_bound",
    )
    # The rows as the driver returns them, in chunks, each turned into columns as it comes:
    # Django's per-row converters cost more than the read itself on a million figures, and
    # these columns need none (booleans may come back as 0/1, read as such).
    compiler = qs.query.get_compiler(using=qs.db)
    if connection.vendor == "postgresql" and pq.version() >= 170000:
        return _FigureColumns.read(_streamed(*compiler.as_sql()))
    # A server-side cursor elsewhere (SQLite, or PostgreSQL with an older libpq).
    return _FigureColumns.read(
        compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=FIGURE_CHUNK))


def _streamed(sql: str, params) -> Iterator[list[tuple]]:
    """The query's rows in chunks of FIGURE_CHUNK, sent by the server without waiting to be
    asked (libpq 17's chunked rows mode, psycopg's ``stream``): it runs the query on its own
    core while the engine turns each chunk into columns. A server-side cursor made each wait
    for the other, chunk after chunk (1 M figures: 5.5-7 s, streamed 4.0-4.8 s)."""
    cursor = connection.cursor()
    with logged(cursor, sql, params):
        rows = cursor.cursor.stream(sql, params, size=FIGURE_CHUNK)
    try:
        while chunk := list(islice(rows, FIGURE_CHUNK)):
            yield chunk
    finally:
        cursor.close()


class _FigureColumns:
    """Figures as numpy columns, in the order read (indicator, unit, period, approval):
    about 60 bytes a figure where a row of Python objects takes 200.

    Numbers are floats with NaN for none. Where a number column holds a value that is not
    a finite float or none (a NaN stored in the database), it is kept as read beside it
    (``raw``), so that a row stores what was read."""

    NAMES = ("indicator_id", "unit_id", "period_id", "value", "numerator", "denominator",
             "milestone", "derived", "lower_bound")
    NUMBERS = ("value", "numerator", "denominator")

    def __init__(self, columns: dict[str, np.ndarray], raw: dict[str, np.ndarray]) -> None:
        self.columns = columns
        self.raw = raw

    @classmethod
    def read(cls, chunks: Iterable[list[tuple]]) -> _FigureColumns:
        parts: dict[str, list] = defaultdict(list)
        raw_parts: dict[str, list] = defaultdict(list)
        inexact: set[str] = set()
        for chunk in chunks:
            if not chunk:
                continue
            columns = dict(zip(cls.NAMES, zip(*chunk, strict=True), strict=True))
            for name in cls.NAMES[:3]:
                parts[name].append(np.array(columns[name], dtype=np.int64))
            for name in cls.NUMBERS:
                values = columns[name]
                numbers = np.array(values, dtype=float)
                missing = np.isnan(numbers)
                exact = (int(missing.sum()) == values.count(None)
                         and bool(np.isfinite(numbers[~missing]).all()))
                if not exact:
                    inexact.add(name)
                parts[name].append(numbers)
                raw_parts[name].append(None if exact else np.array(values, dtype=object))
            parts["milestone"].append(np.array([m or None for m in columns["milestone"]],
                                               dtype=object))
            for name in ("derived", "lower_bound"):
                parts[name].append(np.array(columns[name], dtype=bool))
        empty = {"milestone": object, "derived": bool, "lower_bound": bool,
                 **dict.fromkeys(cls.NUMBERS, float)}
        columns = {name: np.concatenate(parts[name]) if parts[name]
                   else np.empty(0, dtype=empty.get(name, np.int64)) for name in cls.NAMES}
        raw = {}
        for name in inexact:
            raw[name] = np.concatenate([
                given if given is not None else np.array(_none_for_nan(numbers), dtype=object)
                for given, numbers in zip(raw_parts[name], parts[name], strict=True)
            ])
        return cls(columns, raw)

    def __len__(self) -> int:
        return len(self.columns["unit_id"])

    def by_indicator(self) -> Iterator[tuple[int, _FigureColumns]]:
        """Each indicator's figures (the rows are ordered by indicator)."""
        indicator = self.columns["indicator_id"]
        bounds = (np.flatnonzero(np.diff(indicator)) + 1).tolist()
        for lo, hi in zip([0, *bounds], [*bounds, len(indicator)], strict=True):
            if hi > lo:
                yield int(indicator[lo]), self.take(slice(lo, hi))

    def take(self, rows) -> _FigureColumns:
        return _FigureColumns({name: column[rows] for name, column in self.columns.items()},
                              {name: column[rows] for name, column in self.raw.items()})

    def as_read(self, name: str) -> list:
        """A number column as Python values, none as None."""
        if name in self.raw:
            return self.raw[name].tolist()
        return _none_for_nan(self.columns[name])


class _IndicatorFigures:
    """One indicator's figures as columns: the latest approval of each (unit, period), in
    (unit, time) order. Numbers are floats with NaN for none; the values as read are kept
    beside them, so that what a row stores is what was read."""

    def __init__(self, figures: _FigureColumns, ctx: Context) -> None:
        unit = figures.columns["unit_id"]
        period = figures.columns["period_id"]
        n = len(unit)
        # Rows come ordered by approval time within (unit, period): the last of each run wins
        # (a report's figure approved after the document's).
        last = np.ones(n, dtype=bool)
        last[:-1] = (unit[1:] != unit[:-1]) | (period[1:] != period[:-1])
        kept = np.flatnonzero(last)
        pks, orders, times = ctx.period_columns()
        at = np.searchsorted(pks, period[kept])
        # Time order is the period key's, not the period id's.
        kept = kept[np.lexsort((orders[at], unit[kept]))]
        at = np.searchsorted(pks, period[kept])
        figures = figures.take(kept)
        columns = figures.columns
        self.unit = columns["unit_id"]
        self.period = columns["period_id"]
        self.order = orders[at]
        self.t = times[at]
        # The numbers as read, for what rows store and for _Figure objects.
        self._as_read = {name: np.array(figures.as_read(name), dtype=object)
                         for name in _FigureColumns.NUMBERS}
        self.milestone = columns["milestone"].tolist()
        self.derived = columns["derived"]
        self.lower_bound = columns["lower_bound"]
        self.has_milestones = self.milestone.count(None) != len(self.milestone)
        self.value = columns["value"]
        self.numerator = columns["numerator"]
        self.denominator = columns["denominator"]
        # _Figure.observed, in columns: the value if a finite number, else the fraction as a
        # percentage, else none; a milestone counts as its attainment.
        with np.errstate(all="ignore"):
            fraction = np.where(
                np.isfinite(self.numerator) & np.isfinite(self.denominator)
                & (self.denominator != 0),
                self.numerator / self.denominator * 100.0, np.nan,
            )
        self.observed = np.where(np.isfinite(self.value), self.value, fraction)
        if self.has_milestones:
            for i, state in enumerate(self.milestone):
                if state:
                    attained = method.MILESTONE_ATTAINMENT.get(state)
                    self.observed[i] = np.nan if attained is None else attained
        self.ctx = ctx

    def as_read(self, name: str, index):
        """The values, numerators or denominators of the figures at ``index`` (an array of
        positions, or one position), as read."""
        picked = self._as_read[name][index]
        return picked.tolist() if isinstance(picked, np.ndarray) else picked

    def by_unit(self) -> dict[int, _UnitFigures]:
        if not len(self.unit):
            return {}
        bounds = np.flatnonzero(np.diff(self.unit)) + 1
        starts = [0, *bounds.tolist()]
        ends = [*bounds.tolist(), len(self.unit)]
        return {int(self.unit[lo]): _UnitFigures(self, lo, hi)
                for lo, hi in zip(starts, ends, strict=True)}

    def figure(self, i: int) -> _Figure:
        return _Figure(self.ctx.periods[int(self.period[i])], self.as_read("value", i),
                       self.as_read("numerator", i), self.as_read("denominator", i),
                       self.milestone[i], bool(self.derived[i]), bool(self.lower_bound[i]))


class _UnitFigures:
    """One unit's figures for one indicator, in time order: rows ``lo`` to ``hi`` of its
    indicator's columns. Iterating gives ``_Figure`` objects, made on first use: the rows
    of most targets are built from the columns and never need them."""

    __slots__ = ("of", "lo", "hi", "_figures")

    def __init__(self, of: _IndicatorFigures, lo: int, hi: int) -> None:
        self.of, self.lo, self.hi = of, lo, hi
        self._figures: list[_Figure] | None = None

    def figures(self) -> list[_Figure]:
        if self._figures is None:
            self._figures = [self.of.figure(i) for i in range(self.lo, self.hi)]
        return self._figures

    def __iter__(self) -> Iterator[_Figure]:
        return iter(self.figures())

    def __len__(self) -> int:
        return self.hi - self.lo

    def __getitem__(self, i: int) -> _Figure:
        return self.figures()[i]

    @property
    def has_milestones(self) -> bool:
        return self.of.has_milestones and any(self.of.milestone[self.lo:self.hi])


class _FiguresByUnit(dict):
    """unit id -> _UnitFigures, of one indicator; and which of those units are a city's."""

    _cities: dict[int | None, list[int]] | None = None

    def of_city(self, ctx: Context, city_id: int) -> list[int]:
        if self._cities is None:
            self._cities = defaultdict(list)
            for unit_id in self:
                if (unit := ctx.units.get(unit_id)) is not None:
                    self._cities[unit.city_id].append(unit_id)
        return self._cities.get(city_id, [])


def _figures_by_unit(figures: _FigureColumns, ctx: Context) -> _FiguresByUnit:
    """One indicator's figures per unit, in time order.

    Rows come ordered by approval time within (unit, period), so when a document figure and
    a report figure both exist for the same unit and period, the later approval wins.
    """
    return _FiguresByUnit(_IndicatorFigures(figures, ctx).by_unit())


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while the engine runs.

    The engine allocates millions of short-lived tuples and lists (figures, columns, rows)
    and frees them by reference counting; none forms a cycle. Left on, the collector walks
    every live container again each few thousand allocations: a third of a full run's time
    at a million figures (docs/benchmarks.md).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compute_targets(
    ctx: Context, targets: list[TargetInfo], ids: list[int] | None, progress: Progress | None
) -> None:
    with _without_cycle_collection():
        _compute_targets(ctx, targets, ids, progress)


def _compute_targets(
    ctx: Context, targets: list[TargetInfo], ids: list[int] | None, progress: Progress | None
) -> None:
    by_indicator: dict[int, list[TargetInfo]] = defaultdict(list)
    for target in targets:
        by_indicator[target.indicator_id].append(target)
    total, done = len(targets), 0
    indicator_ids = None if ids is None else set(by_indicator)
    if by_indicator:
        for indicator_id, of_indicator in _read_figures(ctx, indicator_ids).by_indicator():
            figures = _figures_by_unit(of_indicator, ctx)
            for target in by_indicator.pop(indicator_id, ()):
                _target_rows(ctx, target, figures)
                done += 1
                if progress:
                    progress(done, total)
    for remaining in by_indicator.values():
        for target in remaining:
            _target_rows(ctx, target, _FiguresByUnit())
            done += 1
            if progress:
                progress(done, total)
    _evaluate_pending(ctx)
    _flush(ctx, force=True)


def _in_territory(ctx: Context, target: TargetInfo, unit_id: int) -> bool:
    """Whether a unit's figures belong to the territory the target's plan was issued for.

    A plan covers its city as it was: the units of a province absorbed later (Sóc Trăng into
    Cần Thơ on 1 July 2025) count only for plans issued on or after the absorption.
    """
    unit = ctx.units.get(unit_id)
    if unit is None:
        return False
    city = unit.city_id or unit_id
    if city == target.city_id:
        return True
    province = ctx.units.get(city)
    return (
        province is not None
        and ctx.successors.get(city) == target.city_id
        and province.valid_to is not None
        and target.issued_on is not None
        and province.valid_to <= target.issued_on
    )


def _counted_kinds(target: TargetInfo) -> frozenset[str]:
    """The kinds of unit whose own figures form a level's value (none: the city's)."""
    if target.kinds:
        return target.kinds
    if target.level != Level.CITY:
        return frozenset({LEVEL_KINDS[target.level]})
    return frozenset()


def _contributing_units(
    ctx: Context, target: TargetInfo, figures: _FiguresByUnit, related: set[int]
) -> set[int]:
    """The units whose figures make the value at the target's level."""
    if target.level == Level.CITY and target.city_id in figures:
        # A figure the city states for itself (document 001's DTI rank) is the city value.
        return {target.city_id}
    kinds = _counted_kinds(target)
    if target.aggregation == Aggregation.CONSOLIDATED or not kinds:
        return related
    of_level = {
        u for u in chain(related, figures.of_city(ctx, target.city_id))
        if ctx.units[u].kind in kinds
    }
    # A unit of another kind reporting for the level (a department for the hospitals)
    # consolidates the level's value when no unit of the level reports for itself.
    return of_level or related


def _rule(ctx: Context, target: TargetInfo, contributing: set[int]) -> str:
    """The combination to apply: a share counts units of the level's kind, never one
    consolidating unit (which would make the value all or nothing)."""
    kinds = _counted_kinds(target)
    if target.aggregation in SHARE_RULES and not any(
        ctx.units[u].kind in kinds for u in contributing
    ):
        return Aggregation.CONSOLIDATED
    return target.aggregation


def _coverage_pool(
    ctx: Context, target: TargetInfo, contributing: set[int]
) -> dict[int, Responsibility]:
    """The units whose duty the combined value answers, each with its duty (owes())."""
    duties = ctx.duties.get(target.pk, {})
    kinds = {ctx.units[u].kind for u in contributing if u in ctx.units}
    if contributing == {target.city_id} and target.city_id not in duties:
        return {}  # the city's own figure (from a document) answers no unit's duty
    pool: dict[int, Responsibility] = {}
    for unit_id, duty in duties.items():
        unit = ctx.units.get(unit_id)
        if unit is not None and unit.kind in kinds and _in_territory(ctx, target, unit_id):
            pool[unit_id] = duty
    # A unit merged away owed the duty its successor carries, for the periods it existed.
    for unit_id, carrier in ctx.merged_units():
        unit = ctx.units[unit_id]
        if (carrier in duties and unit_id not in pool and unit.kind in kinds
                and _in_territory(ctx, target, unit_id)):
            pool[unit_id] = replace(duties[carrier], unit_id=unit_id, since=None,
                                    unit_valid_from=unit.valid_from, unit_valid_to=unit.valid_to)
    return pool


class _Rows:
    """The series of one target and the rows judged on them, gathered so that all the rows
    of a trend target are evaluated together (``attainment.series``).

    Series ``s`` owns observations ``starts[s]`` to ``starts[s + 1]``; each row is judged on
    the observations its series had when the row was added.
    """

    def __init__(self) -> None:
        self.t: list[float] = []
        self.value: list[float] = []
        self.coverage: list[float | None] = []
        self.field: list[float | None] = []
        self.starts: list[int] = [0]
        self.specs: list[method.TargetSpec] = []
        self.series: list[int] = []
        self.seen: list[int] = []
        self.as_of: list[float] = []
        self.state: list[str | None] = []
        # The version of the target each row is judged against: (spec, retired).
        self.version: list[tuple[method.TargetSpec, bool]] = []
        # What the row stores besides the evaluation, one entry per row.
        self.scope: list[str] = []
        self.unit: list[int] = []
        self.period: list[int] = []
        self.latest: list[bool] = []
        self.numerator: list[float | None] = []
        self.denominator: list[float | None] = []
        self.n_units: list[int] = []
        self.reported: list[int | None] = []
        self.expected: list[int | None] = []
        self.rank_field: list[float | None] = []
        self.ranked_among: list[float | None] = []
        self.period_value: list[float | None] = []
        self.lower_bound: list[bool] = []
        self.derived: list[bool] = []
        # An approval's run: which rows to write (scope, unit id, period id); None: all.
        self.keep: Callable[[str, int, int], bool] | None = None

    def begin(self, spec: method.TargetSpec) -> None:
        self.specs.append(spec)

    def observe(self, t: float, value: float, coverage: float | None = None,
                field_size: float | None = None) -> None:
        self.t.append(t)
        self.value.append(value)
        self.coverage.append(coverage)
        self.field.append(field_size)

    def end(self) -> None:
        self.starts.append(len(self.t))

    def row(self, scope: str, unit_id: int, period_id: int, as_of_t: float, is_latest: bool,
            state: str | None, numerator: float | None, denominator: float | None,
            n_units: int, *, version: tuple[method.TargetSpec, bool],
            coverage: tuple[int, int] | None = None, derived: bool = False,
            ranked_among: float | None = None, period_value: float | None = None,
            lower_bound: bool = False) -> None:
        if self.keep is not None and not self.keep(scope, unit_id, period_id):
            return  # its series' observations still count for the rows after it
        self.series.append(len(self.specs) - 1)
        self.version.append(version)
        self.seen.append(len(self.t) - self.starts[-1])
        self.as_of.append(as_of_t)
        self.state.append(state)
        self.scope.append(str(scope))
        self.unit.append(unit_id)
        self.period.append(period_id)
        self.latest.append(is_latest)
        self.numerator.append(numerator)
        self.denominator.append(denominator)
        self.n_units.append(n_units)
        reported, expected = coverage if coverage is not None else (None, None)
        self.reported.append(reported)
        self.expected.append(expected)
        self.rank_field.append(version[0].rank_field)
        self.ranked_among.append(ranked_among)
        self.period_value.append(period_value)
        self.lower_bound.append(lower_bound)
        self.derived.append(derived)


    def series_rows(self, scope: str, unit_id: int, period_ids: list[int], *,
                    as_of: list[float], latest: list[bool], state: list[str | None],
                    numerator: list[float | None], denominator: list[float | None],
                    n_units: list[int], version: list[tuple[method.TargetSpec, bool]],
                    coverage: list[tuple[int, int] | None], derived: list[bool],
                    ranked_among: list[float | None], period_value: list[float | None],
                    lower_bound: list[bool], seen: list[int]) -> None:
        """row() for every period of the current series at once (its observations added
        already; ``seen``: how many the series had at each row)."""
        columns = [period_ids, as_of, latest, state, numerator, denominator, n_units, version,
                   coverage, derived, ranked_among, period_value, lower_bound, seen]
        if self.keep is not None:
            kept = [i for i, pk in enumerate(period_ids) if self.keep(scope, unit_id, pk)]
            columns = [[column[i] for i in kept] for column in columns]
        (period_ids, as_of, latest, state, numerator, denominator, n_units, version, coverage,
         derived, ranked_among, period_value, lower_bound, seen) = columns
        n = len(period_ids)
        self.series.extend(repeat(len(self.specs) - 1, n))
        self.version.extend(version)
        self.seen.extend(seen)
        self.as_of.extend(as_of)
        self.state.extend(state)
        self.scope.extend(repeat(str(scope), n))
        self.unit.extend(repeat(unit_id, n))
        self.period.extend(period_ids)
        self.latest.extend(latest)
        self.numerator.extend(numerator)
        self.denominator.extend(denominator)
        self.n_units.extend(n_units)
        self.reported.extend(None if c is None else c[0] for c in coverage)
        self.expected.extend(None if c is None else c[1] for c in coverage)
        self.rank_field.extend(spec.rank_field for spec, _retired in version)
        self.ranked_among.extend(ranked_among)
        self.period_value.extend(period_value)
        self.lower_bound.extend(lower_bound)
        self.derived.extend(derived)


def _target_rows(ctx: Context, target: TargetInfo, figures: _FiguresByUnit) -> None:
    # Units that no longer exist still count through the unit that carries them now, and
    # only for the territory the plan covers.
    related = {
        u for u in chain(target.responsible, (
            merged for merged, carrier in ctx.merged_units() if carrier in target.responsible))
        if u in figures and _in_territory(ctx, target, u)
    }
    contributing = _contributing_units(ctx, target, figures, related) & figures.keys()
    rows = _Rows()
    if ctx.changes is not None:
        ctx.write_from = _narrow_scope(ctx, target, figures, related | contributing,
                                       contributing)
        if ctx.write_from is not None:
            rows.keep = _keeps(ctx, ctx.write_from)
            for scope, unit_id in sorted(ctx.write_from):
                if scope == Scope.UNIT:
                    _unit_rows(ctx, target, unit_id, figures[unit_id], rows)
                else:
                    _combined_rows(ctx, target, {u: figures[u] for u in sorted(contributing)},
                                   _rule(ctx, target, contributing),
                                   _coverage_pool(ctx, target, contributing), rows)
            # A placeholder stands in the latest started period, which a period created
            # since the last run moves: the target's few placeholders are rewritten too.
            placeholders = [(Scope.UNIT, u) for u in _placeholder_units(ctx, target, figures,
                                                                       related)]
            if not contributing:
                placeholders.append((Scope.COMBINED, target.city_id))
            for scope, unit_id in placeholders:
                ctx.write_from[(scope, unit_id)] = _ALWAYS
                ctx.stale.append((target.pk, Q(scope=scope, unit_id=unit_id)))
                if scope == Scope.UNIT:
                    ctx.touched_units.add(unit_id)
                else:
                    ctx.touched_combined.add(target.pk)
                _placeholder_row(ctx, target, scope, unit_id, rows)
            _add_rows(ctx, target, rows)
            return
    series_units = sorted(related | contributing)
    if series_units and _units_in_columns(target, [figures[u] for u in series_units]):
        _unit_rows_together(ctx, target, series_units, figures, rows)
    else:
        for unit_id in series_units:
            _unit_rows(ctx, target, unit_id, figures[unit_id], rows)
    for unit_id in _placeholder_units(ctx, target, figures, related):
        _placeholder_row(ctx, target, Scope.UNIT, unit_id, rows)
    if contributing:
        _combined_rows(ctx, target, {u: figures[u] for u in sorted(contributing)},
                       _rule(ctx, target, contributing),
                       _coverage_pool(ctx, target, contributing), rows)
    else:
        _placeholder_row(ctx, target, Scope.COMBINED, target.city_id, rows)
    _add_rows(ctx, target, rows)


def _placeholder_units(
    ctx: Context, target: TargetInfo, figures: _FiguresByUnit, related: set[int]
) -> list[int]:
    """Responsible units existing today with no figure of their own or of a unit they carry."""
    carried = {ctx.successors.get(u, u) for u in related}
    return [
        unit_id for unit_id in sorted(target.responsible - figures.keys() - carried)
        if (unit := ctx.units.get(unit_id)) is not None and unit.exists_on(ctx.today)
    ]


def _narrow_scope(
    ctx: Context, target: TargetInfo, figures: _FiguresByUnit, series: set[int],
    contributing: set[int],
) -> dict[tuple[str, int], tuple[date, date]] | None:
    """The series an approval's changed figures reach, each from the first period it must
    rewrite; None when the target must be rewritten whole (its stale rows are queued).

    A row depends only on the figures up to its period, and on whether it is the latest: so a
    series is rewritten from the period before the earliest change (whose latest flag may
    move). Narrowing is refused when which units count could change (a unit's first figure,
    or its last one withdrawn) and for ranks, whose field rests on every rank figure.
    """
    changed = ctx.changes.get(target.pk, {})
    scope: dict[tuple[str, int], tuple[date, date]] = {}
    earliest: tuple[date, date] | None = None
    for unit_id, period_ids in sorted(changed.items()):
        if ctx.figure_units is not None and unit_id not in ctx.figure_units:
            continue  # its figures cannot count for this target
        figs = figures.get(unit_id, ())
        if target.is_rank or all(f.period.pk in period_ids for f in figs):
            return _whole_target(ctx, target, series)
        first = min(ctx.periods[pk].key for pk in period_ids)
        if unit_id in series:
            # The unit's series is appended whole (_unit_rows), so it is rewritten whole: a
            # few dozen rows, one unit's.
            scope[(Scope.UNIT, unit_id)] = _ALWAYS
        if unit_id in contributing:
            earliest = first if earliest is None else min(earliest, first)
    if earliest is not None:
        keys = sorted({f.period.key for u in contributing for f in figures[u]})
        scope[(Scope.COMBINED, target.city_id)] = _rewrite_from(keys, earliest)
    for (scope_name, unit_id), start in scope.items():
        later = [pk for pk, p in ctx.periods.items() if p.key >= start]
        ctx.stale.append((target.pk, Q(scope=scope_name, unit_id=unit_id)
                                       & (Q(period_id__in=later) | Q(is_latest=True))))
        if scope_name == Scope.UNIT:
            ctx.touched_units.add(unit_id)
        else:
            ctx.touched_combined.add(target.pk)
    return scope


def _rewrite_from(keys: list[tuple[date, date]], first: tuple[date, date]) -> tuple[date, date]:
    """The key of the row before ``first`` (it may stop being the latest), else ``first``."""
    before = [k for k in keys if k < first]
    return max(before) if before else first


def _whole_target(ctx: Context, target: TargetInfo, series: set[int]) -> None:
    ctx.stale.append((target.pk, Q()))
    ctx.touched_units |= ctx.old_units.get(target.pk, set()) | series | target.responsible
    ctx.touched_combined.add(target.pk)
    return None


def _keeps(ctx: Context, write_from: dict[tuple[str, int], tuple[date, date]]):
    """Whether a row is written by an approval's run: rows before a series' first rewritten
    period stand as stored (and are not evaluated)."""
    def keep(scope: str, unit_id: int, period_id: int) -> bool:
        return ctx.periods[period_id].key >= write_from.get((scope, unit_id), _NEVER)
    return keep


def _rank_field(ranked: list[_Figure], set_on: date | None) -> float:
    """How many were ranked when the target was set: the field of the last rank published
    before the plan (or the amending document) took effect, else of the first one known."""
    before = [f for f in ranked if set_on and f.period.ends_on <= set_on]
    return (before[-1] if before else ranked[0]).denominator


def _with_rank_field(target: TargetInfo, figs: Iterable[_Figure]) -> TargetInfo:
    ranked = sorted((f for f in figs if f.denominator), key=lambda f: f.period.key)
    if not target.is_rank or not ranked:
        return target
    return replace(
        target,
        spec=replace(target.spec, rank_field=_rank_field(ranked, target.issued_on)),
        amendments=tuple(
            replace(v, spec=replace(v.spec, rank_field=_rank_field(ranked, v.effective_from)))
            for v in target.amendments
        ),
    )


def _as_of_t(ctx: Context, period: _Period, is_latest: bool) -> float:
    # The latest row answers "where are we today": a target due in 2025 and unmet in 2026
    # is missed even if the last figure came in 2024.
    return max(period.t, ctx.today_t) if is_latest else period.t


def _version_day(ctx: Context, period: _Period, is_latest: bool) -> date:
    # A period is judged against the version in force on its last day; the latest row,
    # as of today, against the version in force today.
    return max(period.ends_on, ctx.today) if is_latest else period.ends_on


def _versions(
    ctx: Context, target: TargetInfo, periods: list[_Period]
) -> list[tuple[method.TargetSpec, bool]]:
    """The version each period is judged against (the last one as of today)."""
    if not target.amendments:
        return [(target.spec, False)] * len(periods)
    last = len(periods) - 1
    return [target.version_on(_version_day(ctx, p, i == last)) for i, p in enumerate(periods)]


def _unit_rows(
    ctx: Context, target: TargetInfo, unit_id: int, figs: _UnitFigures, rows: _Rows
) -> None:
    is_rank = target.is_rank
    if is_rank:
        target = _with_rank_field(target, figs)
    rows.begin(target.spec)
    observed = [f.observed for f in figs]
    kept = [(f, v) for f, v in zip(figs, observed, strict=True) if v is not None]
    rows.t.extend(f.period.t for f, _v in kept)
    rows.value.extend(v for _f, v in kept)
    rows.coverage.extend(repeat(None, len(kept)))
    rows.field.extend(f.denominator if is_rank else None for f, _v in kept)
    n = len(figs)
    seen = list(accumulate(int(v is not None) for v in observed))
    as_of = [f.period.t for f in figs]
    if n:
        as_of[-1] = _as_of_t(ctx, figs[-1].period, True)
    states: list[str | None] = []
    state = None
    for f in figs:
        state = f.milestone or state
        states.append(state)
    versions = _versions(ctx, target, [f.period for f in figs])
    denominators = [f.denominator for f in figs]
    rows.series_rows(
        Scope.UNIT, unit_id, [f.period.pk for f in figs], as_of=as_of,
        latest=[i == n - 1 for i in range(n)], state=states,
        numerator=[f.numerator for f in figs], denominator=denominators, n_units=[1] * n,
        version=versions, coverage=[None] * n, derived=[f.derived for f in figs],
        ranked_among=denominators if is_rank else [None] * n,
        period_value=[None if f.milestone else v for f, v in zip(figs, observed, strict=True)],
        lower_bound=[f.lower_bound for f in figs], seen=seen,
    )
    rows.end()


def _units_in_columns(target: TargetInfo, parts: list[_UnitFigures]) -> bool:
    """Whether _unit_rows_together builds these units' rows: a trend target never amended,
    on figures without milestones (the rest go through _unit_rows)."""
    return (not target.amendments and not target.is_rank and series.supports(target.spec)
            and not any(p.has_milestones for p in parts))


def _unit_rows_together(
    ctx: Context, target: TargetInfo, unit_ids: list[int], figures: dict[int, _UnitFigures],
    rows: _Rows,
) -> None:
    """_unit_rows of each unit in turn, the same rows, built as columns for all of them at
    once (a million figures would otherwise cost a Python step each, several times over)."""
    parts = [figures[u] for u in unit_ids]
    of = parts[0].of
    lengths = np.array([len(p) for p in parts], dtype=np.int64)
    index = np.concatenate([np.arange(p.lo, p.hi) for p in parts])
    n = len(index)
    ends = np.cumsum(lengths)
    begins = ends - lengths
    observed = of.observed[index]
    has = ~np.isnan(observed)
    t = of.t[index]
    # One series per unit: its observations are its figures with a value.
    rows.t.extend(t[has].tolist())
    rows.value.extend(observed[has].tolist())
    k = int(has.sum())
    rows.coverage.extend(repeat(None, k))
    rows.field.extend(repeat(None, k))
    counted = np.cumsum(has)  # observations up to and including each figure
    first_series = len(rows.specs)
    rows.specs.extend(repeat(target.spec, len(parts)))
    rows.starts.extend((rows.starts[-1] + counted[ends - 1]).tolist())
    before = counted[begins] - has[begins]  # a unit's observations before its first figure
    seen = counted - np.repeat(before, lengths)
    last = ends - 1
    as_of = t.copy()
    as_of[last] = np.maximum(t[last], ctx.today_t)  # _as_of_t of the latest row
    latest = np.zeros(n, dtype=bool)
    latest[last] = True
    rows.series.extend((first_series + np.repeat(np.arange(len(parts)), lengths)).tolist())
    rows.version.extend(repeat((target.spec, False), n))
    rows.seen.extend(seen.tolist())
    rows.as_of.extend(as_of.tolist())
    rows.state.extend(repeat(None, n))
    rows.scope.extend(repeat(str(Scope.UNIT), n))
    rows.unit.extend(np.repeat(np.array(unit_ids, dtype=np.int64), lengths).tolist())
    rows.period.extend(of.period[index].tolist())
    rows.latest.extend(latest.tolist())
    rows.numerator.extend(of.as_read("numerator", index))
    rows.denominator.extend(of.as_read("denominator", index))
    rows.n_units.extend(repeat(1, n))
    rows.reported.extend(repeat(None, n))
    rows.expected.extend(repeat(None, n))
    rows.rank_field.extend(repeat(target.spec.rank_field, n))
    rows.ranked_among.extend(repeat(None, n))
    rows.period_value.extend(_none_for_nan(observed))
    rows.lower_bound.extend(of.lower_bound[index].tolist())
    rows.derived.extend(of.derived[index].tolist())


def _none_for_nan(values: np.ndarray) -> list[float | None]:
    if not np.isnan(values).any():
        return values.tolist()
    masked = values.astype(object)
    masked[np.isnan(values)] = None
    return masked.tolist()


def _period_keys(periods: Iterable[_Period]) -> np.ndarray:
    return np.array([p.order for p in periods], dtype=np.int64)


def _combined_rows(
    ctx: Context, target: TargetInfo, figures: dict[int, _UnitFigures], rule: str,
    pool: dict[int, Responsibility], rows: _Rows,
) -> None:
    is_rank = target.is_rank
    if is_rank:
        target = _with_rank_field(target, (f for figs in figures.values() for f in figs))
    # Coverage decides whether a level's value is judged; a city's own figure has none.
    judged_on_coverage = target.level != Level.CITY or rule in SHARE_RULES
    of = next(iter(figures.values())).of  # the units' figures are of one indicator
    index = np.concatenate([np.arange(figs.lo, figs.hi) for figs in figures.values()])
    period_ids = of.period[index].tolist()
    periods = sorted({pk: ctx.periods[pk] for pk in period_ids}.values(), key=lambda p: p.key)
    versions = _versions(ctx, target, periods)
    # [period, unit]: the unit's latest figure so far (an index into ``index``), if the unit
    # existed in the period (a unit merged away counts for the periods when it existed).
    keys = _period_keys(periods)
    latest = np.empty((len(periods), len(figures)), dtype=np.int64)
    exists = np.ones(latest.shape, dtype=bool)
    first = 0
    for u, (unit_id, figs) in enumerate(figures.items()):
        latest[:, u] = np.searchsorted(of.order[figs.lo:figs.hi], keys, side="right") - 1 + first
        latest[:, u][latest[:, u] < first] = -1
        first += len(figs)
        unit = ctx.units[unit_id]
        if unit.valid_from is not None or unit.valid_to is not None:
            exists[:, u] = [unit.existed_during(p) for p in periods]
    present = (latest >= 0) & exists
    pick = np.where(present, latest, 0)
    milestones = [of.milestone[i] for i in index.tolist()] if of.has_milestones else None
    is_milestone = (np.array([m is not None for m in milestones], dtype=bool)[pick] & present
                    if milestones else np.zeros(present.shape, dtype=bool))
    # share_meeting counts the units meeting the version the row is judged against.
    unit_specs = [target.unit_spec if rule == Aggregation.SHARE_OF_UNITS else spec
                  for spec, _retired in versions]
    combined = combine_columns(
        rule, of.value[index][pick], of.numerator[index][pick], of.denominator[index][pick],
        present & ~is_milestone, unit_specs,
    )
    n_present = present.sum(axis=1).tolist()
    n_milestones = is_milestone.sum(axis=1).tolist()
    done = ((np.array([m == method.DONE for m in milestones], dtype=bool)[pick]
             & is_milestone).sum(axis=1).tolist() if milestones else n_milestones)
    not_started = ((np.array([m == method.NOT_STARTED for m in milestones], dtype=bool)[pick]
                    & is_milestone).sum(axis=1).tolist() if milestones else n_milestones)
    derived = (of.derived[index][pick] & present).any(axis=1)
    lower_bound = (of.lower_bound[index][pick] & present).any(axis=1)
    first_present = pick[np.arange(len(periods)), present.argmax(axis=1)].tolist()
    in_year_counts: tuple[int, int] | None = None
    # Duties alike but for their unit are owed in the same periods: ask owes() once for each.
    alike: dict[Responsibility, list[int]] = defaultdict(list)
    for unit_id, duty in pool.items():
        alike[replace(duty, unit_id=0)].append(unit_id)
    # [period, group]: how many units of each group of alike duties have a figure for
    # exactly that period.
    reported_in = (latest >= 0) & (
        of.period[index][np.maximum(latest, 0)] == np.array([p.pk for p in periods])[:, None])
    column = {unit_id: u for u, unit_id in enumerate(figures)}
    groups = list(alike.items())
    reported = np.zeros((len(periods), len(groups)), dtype=np.int64)
    for g, (_duty, owing) in enumerate(groups):
        columns = [column[u] for u in owing if u in column]
        reported[:, g] = reported_in[:, columns].sum(axis=1)
    reported_of = reported.tolist()
    rows.begin(target.spec)
    state = None
    states, n_units, counts_of, fields, period_values, seen = [], [], [], [], [], []
    for i, period in enumerate(periods):
        spec = versions[i][0]
        owed = [g for g, (duty, _owing) in enumerate(groups) if owes(duty, period)]
        counts = (sum(reported_of[i][g] for g in owed), sum(len(groups[g][1]) for g in owed))
        if period.t <= method.target_deadline_t(spec.year):
            in_year_counts = counts
        elif in_year_counts is not None:
            # Nobody owes a 2025 target in 2026: the verdict still rests on the year's
            # last period, and so does its coverage.
            counts = in_year_counts
        coverage = counts[0] / counts[1] if judged_on_coverage and counts[1] else None
        field_size = (of.as_read("denominator", index[first_present[i]])
                      if is_rank and n_present[i] == 1 else None)
        # Done when every unit is done, not started when none has started, else in progress.
        milestone = (None if not n_milestones[i]
                     else method.DONE if done[i] == n_milestones[i]
                     else method.NOT_STARTED if not_started[i] == n_milestones[i]
                     else method.IN_PROGRESS)
        value = combined.value[i]
        if milestone is not None:
            state = milestone
            n_units.append(n_milestones[i])
            rows.observe(period.t, method.MILESTONE_ATTAINMENT[milestone], coverage)
            value = None  # a milestone's period has no value of its own
        else:
            n_units.append(combined.n_units[i])
            if value is not None:
                rows.observe(period.t, value, coverage, field_size)
        states.append(state)
        counts_of.append(counts if pool else None)
        fields.append(field_size)
        period_values.append(value)
        seen.append(len(rows.t) - rows.starts[-1])
    last = len(periods) - 1
    rows.series_rows(
        Scope.COMBINED, target.city_id, [p.pk for p in periods],
        as_of=[p.t for p in periods[:last]] + [_as_of_t(ctx, periods[last], True)],
        latest=[False] * last + [True], state=states, numerator=combined.numerator,
        denominator=combined.denominator, n_units=n_units, version=versions,
        coverage=counts_of, derived=derived.tolist(), ranked_among=fields,
        period_value=period_values, lower_bound=lower_bound.tolist(), seen=seen,
    )
    rows.end()


def _final_due_t(ctx: Context, frequency: str, year: int) -> float:
    """When the last figures of the target's year are due: Q4's deadline, or the year's for a
    yearly indicator (the stored period's deadline, else the calendar's rule)."""
    key = (frequency, year)
    if key not in ctx.final_due:
        kind, quarter = (
            (PeriodKind.YEAR, None) if frequency == Frequency.YEARLY
            else (PeriodKind.QUARTER, 4)
        )
        stored = next(
            (p.deadline for p in ctx.periods.values()
             if (p.kind, p.year, p.quarter) == (kind, year, quarter) and p.deadline),
            None,
        )
        deadline = stored or report_deadline(period_bounds(kind, year, quarter)[1])
        ctx.final_due[key] = decimal_year_end(deadline)
    return ctx.final_due[key]


def _placeholder_row(
    ctx: Context, target: TargetInfo, scope: str, unit_id: int, rows: _Rows
) -> None:
    """A latest row saying "insufficient data", so every target shows on the dashboards."""
    period_id = _fallback_period_id(ctx)
    coverage = None
    if scope == Scope.COMBINED:
        pool = _coverage_pool(ctx, target, set(target.responsible))
        period = ctx.periods.get(period_id)
        if pool and period is not None:
            coverage = (0, sum(1 for duty in pool.values() if owes(duty, period)))
    rows.begin(target.spec)
    rows.row(scope, unit_id, period_id, ctx.today_t, True, None, None, None, 0,
             version=target.version_on(ctx.today), coverage=coverage)
    rows.end()


def _fallback_period_id(ctx: Context) -> int:
    if ctx.fallback_period_id is None:
        started = [p for p in ctx.periods.values() if p.starts_on <= ctx.today]
        if started:
            ctx.fallback_period_id = max(started, key=lambda p: p.key).pk
        else:
            year, quarter = quarter_of(ctx.today)
            storage.finish_writes()
            period = period_ensure(kind=PeriodKind.QUARTER, year=year, quarter=quarter)
            ctx.fallback_period_id = period.pk
    return ctx.fallback_period_id


def _evaluate_rows(ctx: Context, target: TargetInfo, rows: _Rows) -> dict[str, list]:
    """The method's evaluation of every row, as columns (``series.FIELDS``), each row
    against the version of the target it is judged by."""
    # A target never amended has one version, the same object on every row: counted in C
    # (identity first) rather than hashing a TargetSpec per row.
    if rows.version and rows.version.count(rows.version[0]) == len(rows.version):
        (spec, retired) = rows.version[0]
        return _evaluate_group(ctx, target, rows, spec, retired, None)
    groups: dict[tuple[method.TargetSpec, bool], list[int]] = defaultdict(list)
    for i, version in enumerate(rows.version):
        groups[version].append(i)
    if len(groups) == 1:
        (spec, retired), = groups
        return _evaluate_group(ctx, target, rows, spec, retired, None)
    columns: dict[str, list] = {name: [None] * len(rows.version) for name in series.FIELDS}
    for (spec, retired), picked in groups.items():
        part = _evaluate_group(ctx, target, rows, spec, retired, picked)
        for name in series.FIELDS:
            column, values = columns[name], part[name]
            for i, value in zip(picked, values, strict=True):
                column[i] = value
    return columns


def _evaluate_group(
    ctx: Context, target: TargetInfo, rows: _Rows, spec: method.TargetSpec, retired: bool,
    picked: list[int] | None,
) -> dict[str, list]:
    """Columns of the rows ``picked`` (all when None), judged against one version."""
    final_due_t = _final_due_t(ctx, target.frequency, spec.year)
    pick = (lambda values: values) if picked is None else (
        lambda values: [values[i] for i in picked])
    if series.supports(spec) and not retired:
        batch = series.Batch(rows.t, rows.value, rows.coverage, rows.starts, pick(rows.series),
                             pick(rows.seen), pick(rows.as_of))
        return series.evaluate(spec, batch, final_due_t=final_due_t,
                               level_ended_t=target.level_ended_t)
    # Ranks (fields, places), milestones (states) and retired versions: a few rows, judged
    # one by one. A series' rank field is that of its own figures (_with_rank_field).
    columns: dict[str, list] = {name: [] for name in series.FIELDS}
    observations = [method.Observation(*o) for o in
                    zip(rows.t, rows.value, rows.coverage, rows.field, strict=True)]
    for s, k, as_of, state in zip(pick(rows.series), pick(rows.seen), pick(rows.as_of),
                                  pick(rows.state), strict=True):
        first = rows.starts[s]
        ev = method.evaluate(spec, observations[first:first + k], as_of, state,
                             final_due_t=final_due_t, level_ended_t=target.level_ended_t,
                             retired=retired)
        for name in series.FIELDS:
            columns[name].append(getattr(ev, name))
    return columns


def _add_rows(ctx: Context, target: TargetInfo, rows: _Rows) -> None:
    """The result rows of a target, as tuples in ``storage.COLUMNS`` order.

    In a full run, a trend target judged by one version waits for the others judged the same
    way (same spec, deadlines and level) and they are evaluated in one batch
    (``_evaluate_pending``): every province's copy of a national target costs one call of
    series.evaluate instead of one each. A row depends only on its own series and the spec,
    so the rows are the same as evaluated target by target.
    """
    key = _batch_key(ctx, target, rows)
    if key is None:
        _append_rows(ctx, target, rows, _evaluate_rows(ctx, target, rows))
        _flush(ctx)
        return
    ctx.pending.setdefault(key, []).append((target, rows))
    ctx.pending_rows += len(rows.series)
    if ctx.pending_rows >= FLUSH_ROWS:
        _evaluate_pending(ctx)


def _batch_key(ctx: Context, target: TargetInfo, rows: _Rows) -> tuple | None:
    # An approval's run deletes and writes series by series: it evaluates target by target.
    if ctx.changes is not None or not rows.version:
        return None
    version = rows.version[0]
    spec, retired = version
    if retired or not series.supports(spec) or rows.version.count(version) != len(
            rows.version):
        return None
    return spec, _final_due_t(ctx, target.frequency, spec.year), target.level_ended_t


def _evaluate_pending(ctx: Context) -> None:
    for (spec, final_due_t, level_ended_t), group in ctx.pending.items():
        # The targets' series one after another: each target's observation and series
        # numbers shifted by those of the targets before it (in numpy: a million rows).
        n_observations = np.cumsum([0] + [len(rows.t) for _target, rows in group])
        n_series = np.cumsum([0] + [len(rows.starts) - 1 for _target, rows in group])
        starts = np.concatenate([[0]] + [
            np.asarray(rows.starts[1:], dtype=np.int64) + n_observations[i]
            for i, (_target, rows) in enumerate(group)
        ])
        row_series = np.concatenate([
            np.asarray(rows.series, dtype=np.int64) + n_series[i]
            for i, (_target, rows) in enumerate(group)
        ])
        batch = series.Batch(
            list(chain.from_iterable(rows.t for _target, rows in group)),
            list(chain.from_iterable(rows.value for _target, rows in group)),
            list(chain.from_iterable(rows.coverage for _target, rows in group)),
            starts, row_series,
            np.concatenate([np.asarray(rows.seen, dtype=np.int64) for _target, rows in group]),
            list(chain.from_iterable(rows.as_of for _target, rows in group)),
        )
        columns = series.evaluate(spec, batch, final_due_t=final_due_t,
                                  level_ended_t=level_ended_t)
        first = 0
        for target, rows in group:
            n = len(rows.series)
            _append_rows(ctx, target, rows,
                         {name: column[first:first + n] for name, column in columns.items()})
            first += n
    ctx.pending = {}
    ctx.pending_rows = 0
    _flush(ctx)


def _append_rows(ctx: Context, target: TargetInfo, rows: _Rows, ev: dict[str, list]) -> None:
    n = len(rows.series)
    # Dataset and scope as plain str, not their enums: SQLite's driver binds a str subclass
    # only after looking for an adapter, value by value (0.4 s of a 270,000-row full run).
    ctx.rows.extend(zip(
        repeat(str(ctx.dataset), n), repeat(target.pk, n), rows.scope, rows.unit, rows.period,
        rows.latest, ev["actual"], rows.numerator, rows.denominator, rows.n_units,
        ev["effective_target"], ev["attainment_pct"], ev["status"], ev["ratio"],
        ev["observed_rate"], ev["required_rate"], ev["projected_cagr"],
        ev["projected_linear"], ev["required_rate_from_now"], ev["required_step_from_now"],
        ev["places_gained"], ev["base_value"], ev["base_t"], ev["n_observations"], ev["stale"],
        ev["since_deadline_value"], ev["since_deadline_t"], rows.reported, rows.expected,
        rows.rank_field, ev["not_comparable"], rows.ranked_among, rows.period_value,
        rows.lower_bound, ev["expected_now"], [m or "" for m in ev["milestone_state"]],
        rows.derived, repeat(storage.stamp(ctx.now), n), strict=True,
    ))


def _flush(ctx: Context, *, force: bool = False) -> None:
    if force or len(ctx.rows) >= FLUSH_ROWS:
        _delete_stale(ctx)
        if ctx.rows:
            storage.write_rows(ctx.rows)
            ctx.row_count += len(ctx.rows)
            ctx.rows = []


def _delete_stale(ctx: Context) -> None:
    # Before any row replacing them is written; a few statements for a whole approval. The
    # target ids stand apart from the OR so that the (dataset, target) index finds the rows:
    # under the OR alone SQLite walks every row of the dataset.
    if ctx.stale:
        storage.finish_writes()
    for i in range(0, len(ctx.stale), STALE_BATCH):
        batch = ctx.stale[i:i + STALE_BATCH]
        match = Q()
        for target_id, rows in batch:
            match |= Q(target_id=target_id) & rows
        TargetAttainment.objects.filter(
            match, dataset=ctx.dataset, target_id__in=sorted({t for t, _rows in batch})
        ).delete()
    ctx.stale = []

