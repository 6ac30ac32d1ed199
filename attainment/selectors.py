"""What dashboards and the API read: stored attainment results, in a fixed number of queries.

Filters accept a model instance or its id. Nothing here computes attainment; the engine
(services.attainment_recompute, run by Celery) stores it.
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import BooleanField, F, Func, Model, Q, QuerySet, Subquery

from attainment.models import (
    Dataset,
    RecomputeRequest,
    RecomputeRun,
    Rollup,
    Scope,
    TargetAttainment,
)
from reporting.models import ApprovedFigure, FigureOrigin
from targets.models import Target
from units.models import Unit, UnitKind

# Synthetic figures of `manage.py benchmark_attainment` live under units coded BENCH-*
# for the length of a run; they are not "demo data loaded".
BENCHMARK_CODE_PREFIX = "BENCH-"

_ATTAINMENT_RELATED = (
    "target",
    "target__plan",
    "target__plan__city",
    "target__indicator",
    "target__indicator__pillar",
    "unit",
    "period",
)
_TARGET_ORDER = (
    "target__plan__code",
    "target__year",
    "target__indicator__pillar__order",
    "target__indicator__code",
    "target__level",
    "target__code",
)


def _target_among(targets: QuerySet) -> Q | Func:
    """Rows whose target is one of `targets` (a values("pk") query), in one statement.

    On PostgreSQL as ``target_id = ANY(ARRAY(subquery))``: the array is computed once before
    the scan, and each target's rows are then read through attainment_latest_target. With
    ``IN (subquery)`` the planner, expecting one target, hashed every latest row of the
    dataset instead: a target's page at 1 M figures spent 147 ms in that query, 1.4 ms so.
    """
    if connection.vendor != "postgresql":
        return Q(target_id__in=targets)
    # order_by(): Target's default ordering would join four tables into the array's query.
    return Func(F("target_id"), Subquery(targets.order_by()), template="%(expressions)s))",
                arg_joiner=" = ANY(ARRAY(", output_field=BooleanField())


def _pk(obj: Model | int | None) -> int | None:
    return obj.pk if isinstance(obj, Model) else obj


def latest_attainment(
    *,
    dataset: str,
    city: Model | int | None = None,
    plan: Model | int | None = None,
    pillar: Model | int | None = None,
    indicator: Model | int | None = None,
    year: int | None = None,
    unit: Model | int | None = None,
    status: str | None = None,
    scope: str = Scope.COMBINED,
) -> QuerySet[TargetAttainment]:
    """Each target's latest result (one row per target, or per target and unit for scope unit).

    With scope "unit", ``unit`` selects that unit's own rows; with scope "combined" it selects
    the targets the unit is responsible for.
    """
    qs = TargetAttainment.objects.filter(dataset=dataset, scope=scope, is_latest=True)
    # The targets are chosen first and their latest rows read through the partial index
    # attainment_latest_target; filtering across the join let SQLite walk every result of
    # the dataset instead.
    of_targets = {}
    if city is not None:
        of_targets["plan__city_id"] = _pk(city)
    if plan is not None:
        of_targets["plan_id"] = _pk(plan)
    if pillar is not None:
        of_targets["indicator__pillar_id"] = _pk(pillar)
    if indicator is not None:
        of_targets["indicator_id"] = _pk(indicator)
    if year is not None:
        of_targets["year"] = year
    if unit is not None:
        if scope == Scope.UNIT:
            qs = qs.filter(unit_id=_pk(unit))
        else:
            of_targets["responsible_units"] = _pk(unit)
    if of_targets:
        qs = qs.filter(_target_among(Target.objects.filter(**of_targets).values("pk")))
    if status is not None:
        qs = qs.filter(status=status)
    order = (*_TARGET_ORDER, "unit__code") if scope == Scope.UNIT else _TARGET_ORDER
    return qs.select_related(*_ATTAINMENT_RELATED).order_by(*order)


def target_series(
    *,
    dataset: str,
    target: Model | int,
    scope: str = Scope.COMBINED,
    unit: Model | int | None = None,
) -> list[TargetAttainment]:
    """A target's results period by period (per unit, then period, for scope unit)."""
    qs = TargetAttainment.objects.filter(dataset=dataset, target_id=_pk(target), scope=scope)
    if unit is not None:
        qs = qs.filter(unit_id=_pk(unit))
    return list(
        qs.select_related("unit", "period").order_by(
            "unit__code", "period__ends_on", "period__starts_on"
        )
    )


def rollups(
    *,
    dataset: str,
    scope: str,
    city: Model | int | None = None,
    plan: Model | int | None = None,
    pillar: Model | int | None = None,
    unit: Model | int | None = None,
    year: int | None = None,
) -> QuerySet[Rollup]:
    """Stored rollups of one scope (city, plan, pillar, unit).

    ``year=None`` gives the rollups over every target year (target_year null); a year gives
    the rollups of the targets due that year.
    """
    qs = Rollup.objects.filter(dataset=dataset, scope=scope)
    if city is not None:
        qs = qs.filter(city_id=_pk(city))
    if plan is not None:
        qs = qs.filter(plan_id=_pk(plan))
    if pillar is not None:
        qs = qs.filter(pillar_id=_pk(pillar))
    if unit is not None:
        qs = qs.filter(unit_id=_pk(unit))
    qs = qs.filter(target_year__isnull=True) if year is None else qs.filter(target_year=year)
    return qs.select_related("city", "plan", "pillar", "unit").order_by(
        "city__code", "plan__code", "pillar__order", "pillar__code", "unit__code"
    )


def series_breaks() -> dict[int, date]:
    """The day each merged city's series breaks: when it absorbed other provinces (one query).

    Before that day the city's figures are the old city's; after it, the merged province's.
    """
    breaks: dict[int, date] = {}
    for successor_id, valid_to in Unit.objects.filter(
        kind=UnitKind.PROVINCE, successor__isnull=False, valid_to__isnull=False
    ).values_list("successor_id", "valid_to"):
        breaks[successor_id] = max(valid_to, breaks.get(successor_id, valid_to))
    return breaks


def default_dataset() -> str:
    """'demo' when demo figures are loaded, else 'official'."""
    demo_loaded = (
        ApprovedFigure.objects.filter(origin=FigureOrigin.DEMO, superseded_at__isnull=True)
        .exclude(unit__code__startswith=BENCHMARK_CODE_PREFIX)
        .exists()
    )
    return Dataset.DEMO if demo_loaded else Dataset.OFFICIAL


def targets_being_recomputed(*, dataset: str) -> set[int]:
    """The targets of the dataset whose stored results wait for a recompute (outbox pending)."""
    pending = RecomputeRequest.objects.filter(dataset=dataset, done_at__isnull=True)
    return {pk for ids in pending.values_list("target_ids", flat=True) for pk in ids}


def last_recompute_run() -> RecomputeRun | None:
    """The most recently started recompute run, whatever its state."""
    return RecomputeRun.objects.order_by("-started_at", "-pk").first()
