"""Rollups: the status counts and mean attainment of each city, plan, pillar and unit, summed
from the latest result rows the engine stored."""

from __future__ import annotations

import math
from collections import defaultdict

from django.db.models import Q

from attainment.engine import BULK_BATCH_SIZE, Context, rollup_city
from attainment.models import Rollup, RollupScope, Scope, Status, TargetAttainment


def rollups_replace(ctx: Context, cities: set[int] | None) -> int:
    """Recompute the rollups of the given cities (all when None) from the stored latest rows."""
    rows = TargetAttainment.objects.filter(dataset=ctx.dataset, is_latest=True)
    if cities is not None:
        # Every row that can count in these cities' rollups: combined rows of their plans,
        # unit rows of the units they carry (a unit without a city counts in its plan's city).
        carried = [u for u in ctx.units if rollup_city(ctx, u) in cities
                   or rollup_city(ctx, u) is None]
        rows = rows.filter(
            Q(scope=Scope.COMBINED, target__plan__city_id__in=sorted(cities))
            | Q(scope=Scope.UNIT, unit_id__in=carried)
        )
    rows = rows.values_list(
        "target_id", "scope", "unit_id", "status", "attainment_pct", "period__ends_on",
        "period__starts_on", "target__plan_id", "target__plan__city_id",
        "target__indicator__pillar_id", "target__year", "units_reported", "units_expected",
    )
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    unit_rows: dict[tuple[int, int], tuple] = {}
    for (target_id, scope, unit_id, status, pct, ends_on, starts_on, plan_id, city_id,
         pillar_id, year, reported, expected) in rows:
        if scope == Scope.COMBINED:
            member = (status, pct, reported or 0, expected or 0)
            for y in (year, None):
                groups[(RollupScope.CITY, city_id, None, None, None, y)].append(member)
                groups[(RollupScope.PLAN, city_id, plan_id, None, None, y)].append(member)
                groups[(RollupScope.PILLAR, city_id, plan_id, pillar_id, None, y)].append(member)
            continue
        carrier = ctx.successors.get(unit_id, unit_id)
        # A merged-away unit and its successor may both have a row for one target: the
        # target counts once for the successor, with the most recent row (its own on a tie).
        rank = (ends_on, starts_on, unit_id == carrier)
        known = unit_rows.get((carrier, target_id))
        if known is None or rank > known[0]:
            unit_rows[(carrier, target_id)] = (rank, status, pct, year, city_id)
    for (carrier, _target), (_rank, status, pct, year, plan_city_id) in unit_rows.items():
        unit = ctx.units.get(carrier)
        city_id = (unit.city_id if unit else None) or plan_city_id
        for y in (year, None):
            groups[(RollupScope.UNIT, city_id, None, None, carrier, y)].append(
                (status, pct, 0, 0)
            )

    stale = Rollup.objects.filter(dataset=ctx.dataset)
    if cities is not None:
        groups = {key: members for key, members in groups.items() if key[1] in cities}
        stale = stale.filter(city_id__in=sorted(cities))
    stale.delete()
    rollups = [_rollup(ctx, key, members) for key, members in sorted(groups.items(), key=_gkey)]
    Rollup.objects.bulk_create(rollups, batch_size=BULK_BATCH_SIZE)
    return len(rollups)


def _gkey(item: tuple) -> tuple:
    return tuple(-1 if part is None else part for part in item[0])


def _rollup(ctx: Context, key: tuple, members: list[tuple]) -> Rollup:
    scope, city_id, plan_id, pillar_id, unit_id, year = key
    counts = dict.fromkeys(Status.values, 0)
    for status, *_rest in members:
        counts[status] = counts.get(status, 0) + 1
    pcts = [pct for _status, pct, *_rest in members if pct is not None]
    parts = [ctx.dataset, scope, f"city={city_id}"]
    parts += [f"{name}={pk}" for name, pk in (("plan", plan_id), ("pillar", pillar_id),
                                              ("unit", unit_id)) if pk is not None]
    parts.append(f"year={year if year is not None else 'all'}")
    return Rollup(
        dataset=ctx.dataset, scope=scope, key="|".join(parts), city_id=city_id,
        plan_id=plan_id, pillar_id=pillar_id, unit_id=unit_id, target_year=year,
        n_targets=len(members), status_counts=counts,
        mean_attainment=math.fsum(pcts) / len(pcts) if pcts else None,
        units_reported=sum(m[2] for m in members), units_expected=sum(m[3] for m in members),
        computed_at=ctx.now,
    )


