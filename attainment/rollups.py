"""Rollups: the status counts and mean attainment of each city, plan, pillar and unit, summed
from the latest result rows the engine stored."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from attainment import storage
from attainment.engine import Context, TargetInfo, rollup_city
from attainment.models import Rollup, RollupScope, Scope, Status, TargetAttainment
from targets.models import Target

_ROW_FIELDS = (
    "target_id", "scope", "unit_id", "status", "attainment_pct", "period__ends_on",
    "period__starts_on", "target__plan_id", "target__plan__city_id",
    "target__indicator__pillar_id", "target__year", "units_reported", "units_expected",
)


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
    groups = _groups(ctx, rows.values_list(*_ROW_FIELDS))
    stale = Rollup.objects.filter(dataset=ctx.dataset)
    if cities is not None:
        groups = {key: members for key, members in groups.items() if key[1] in cities}
        stale = stale.filter(city_id__in=sorted(cities))
    stale.delete()
    return _create(ctx, groups)


def rollups_refresh(ctx: Context, targets: list[TargetInfo]) -> int:
    """Recompute only the rollups an approval's run (over ``targets``) can change: those
    counting the combined rows it rewrote (``ctx.touched_combined``: their city, plan and
    pillar, for their year and all years), and the unit rollups of the units carrying those
    whose unit rows it rewrote (``ctx.touched_units``), for the targets' years and all years.

    Each is summed again from every latest row it counts (not adjusted by a difference), so
    it is what a full run gives. The targets' plan, pillar and year are those of their stored
    rows: an approval changes figures, never the catalogue.
    """
    carriers = {ctx.successors.get(u, u) for u in ctx.touched_units}
    members = carriers | {u for u, carrier in ctx.successors.items() if carrier in carriers}
    touched = ctx.touched_combined
    cities = {t.city_id for t in targets if t.pk in touched}
    years = sorted({t.spec.year for t in targets})
    if not cities and not members:
        return 0
    # Two narrow reads, each through a partial index of latest rows whatever the size of the
    # data: the combined rows by target (the cities' targets, attainment_latest_target), the
    # unit rows by unit (attainment_latest_unit).
    city_targets = Target.objects.filter(plan__city_id__in=sorted(cities)).values("pk")
    rows = list(
        TargetAttainment.objects.filter(dataset=ctx.dataset, scope=Scope.COMBINED,
                                        is_latest=True, target_id__in=city_targets)
        .values_list(*_ROW_FIELDS)
    ) if cities else []
    if members:
        rows += list(
            TargetAttainment.objects.filter(dataset=ctx.dataset, scope=Scope.UNIT,
                                            is_latest=True, unit_id__in=sorted(members))
            .values_list(*_ROW_FIELDS)
        )
    # The city, plan and pillar keys a touched target's combined row counts in.
    wanted = set()
    for (target_id, scope, _u, _s, _p, _e, _b, plan_id, city_id, pillar_id, year, *_rest) in rows:
        if scope == Scope.COMBINED and target_id in touched:
            for y in (year, None):
                wanted.add((RollupScope.CITY, city_id, None, None, None, y))
                wanted.add((RollupScope.PLAN, city_id, plan_id, None, None, y))
                wanted.add((RollupScope.PILLAR, city_id, plan_id, pillar_id, None, y))
    groups = {
        key: group for key, group in _groups(ctx, rows).items()
        if key in wanted
        or (key[0] == RollupScope.UNIT and key[4] in carriers
            and (key[5] is None or key[5] in years))
    }
    if wanted:
        Rollup.objects.filter(
            dataset=ctx.dataset, key__in=sorted(_key(ctx.dataset, key) for key in wanted)
        ).delete()
    if carriers:
        # A unit rollup may vanish (its last row for a year gone), so these are found by
        # unit (its index; no dataset in the filter, or SQLite walks the dataset's rollups).
        Rollup.objects.filter(pk__in=[
            pk for pk, dataset, year in Rollup.objects.filter(
                unit_id__in=sorted(carriers), scope=RollupScope.UNIT
            ).values_list("pk", "dataset", "target_year")
            if dataset == ctx.dataset and (year is None or year in years)
        ]).delete()
    return _create(ctx, groups)


def _groups(ctx: Context, rows: Iterable[tuple]) -> dict[tuple, list[tuple]]:
    """(scope, city, plan, pillar, unit, year) -> the (status, pct, reported, expected) counted."""
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
    return groups


def _create(ctx: Context, groups: dict[tuple, list[tuple]]) -> int:
    rollups = [_rollup(ctx, key, members) for key, members in sorted(groups.items(), key=_gkey)]
    storage.insert_instances(Rollup, rollups)
    return len(rollups)


def _gkey(item: tuple) -> tuple:
    return tuple(-1 if part is None else part for part in item[0])


def _key(dataset: str, key: tuple) -> str:
    scope, city_id, plan_id, pillar_id, unit_id, year = key
    parts = [dataset, scope, f"city={city_id}"]
    parts += [f"{name}={pk}" for name, pk in (("plan", plan_id), ("pillar", pillar_id),
                                              ("unit", unit_id)) if pk is not None]
    parts.append(f"year={year if year is not None else 'all'}")
    return "|".join(parts)


# Status.values builds its list (and each label) again on every read: 0.1 ms a rollup.
_STATUSES = tuple(Status.values)


def _rollup(ctx: Context, key: tuple, members: list[tuple]) -> Rollup:
    scope, city_id, plan_id, pillar_id, unit_id, year = key
    counts = dict.fromkeys(_STATUSES, 0)
    for status, *_rest in members:
        counts[status] = counts.get(status, 0) + 1
    pcts = [pct for _status, pct, *_rest in members if pct is not None]
    return Rollup(
        dataset=ctx.dataset, scope=scope, key=_key(ctx.dataset, key), city_id=city_id,
        plan_id=plan_id, pillar_id=pillar_id, unit_id=unit_id, target_year=year,
        n_targets=len(members), status_counts=counts,
        mean_attainment=math.fsum(pcts) / len(pcts) if pcts else None,
        units_reported=sum(m[2] for m in members), units_expected=sum(m[3] for m in members),
        computed_at=ctx.now,
    )
