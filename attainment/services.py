"""Recomputing attainment: one run replaces the results of a dataset, or of some targets,
in one transaction, under a lock per (dataset, city).

The engine (``attainment.engine``) computes the rows, ``attainment.storage`` writes them and
``attainment.rollups`` sums them; this module decides what a run covers, takes the locks,
answers the outbox and logs the run. Reporting compliance depends on reports, not figures:
it is ``reporting.compliance``'s.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from attainment import rollups, storage
from attainment.engine import (
    DATASET_ORIGINS,
    Context,
    Progress,
    TargetInfo,
    compute_targets,
    load_context,
    load_targets,
    rollup_city,
)
from attainment.models import (
    Dataset,
    RecomputeRequest,
    RecomputeRun,
    Rollup,
    RunStatus,
    Scope,
    TargetAttainment,
)
from targets.models import Target


def attainment_recompute(
    *,
    dataset: str,
    target_ids: Iterable[int] | None = None,
    city_id: int | None = None,
    trigger: str,
    today: date | None = None,
    progress: Progress | None = None,
    request_ids: Iterable[int] | None = None,
    changes: Iterable[tuple[int, int, int]] | None = None,
) -> RecomputeRun | None:
    """Recompute the results of ``dataset`` for the given targets, or the targets of one
    city's plans (``city_id``), or all targets when neither is given.

    Replaces those targets' TargetAttainment rows, then the Rollups of the cities they touch
    (every Rollup of the dataset on a full run), in one transaction. Recomputes that touch
    the same city of a dataset are serialised; those of different cities run side by side.
    Running it twice gives the same rows; an incremental run gives the same rows as a full one.

    request_ids: the outbox rows this run answers, marked done in the same transaction; None
    when every one of them is done already. A full run answers every pending request of the
    dataset. A run that raises is logged as failed with its error.

    changes: (target id, unit id, period id) of the figures changed since these targets were
    last computed (an approval's; read from the requests answered when they all carry them).
    The run then rewrites only the series those figures reach, from the period before the
    earliest change, and only the rollups that count them; a target it cannot narrow safely is
    rewritten whole. None: the given targets are rewritten whole, with their cities' rollups.
    """
    if dataset not in DATASET_ORIGINS:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {Dataset.values}")
    if target_ids is not None and city_id is not None:
        raise ValueError("give target_ids or city_id, not both")
    ids = None if target_ids is None else sorted({int(pk) for pk in target_ids})
    if city_id is not None:
        ids = list(Target.objects.filter(plan__city_id=city_id).order_by("pk")
                   .values_list("pk", flat=True))
    today = today or timezone.localdate()
    # Read before the run starts: a request visible now was committed with its figures, so
    # the run below reads them; one committed later waits for its own run.
    answered: list[int] = []
    if request_ids is not None or ids is None:
        pending = RecomputeRequest.objects.filter(dataset=dataset, done_at__isnull=True)
        if request_ids is not None:
            wanted = {int(pk) for pk in request_ids}
            pending = pending.filter(pk__in=wanted)
        answered_changes = dict(pending.values_list("pk", "changes"))
        answered = sorted(answered_changes)
        if request_ids is not None and wanted and not answered:
            return None
        if (request_ids is not None and changes is None and answered
                and all(answered_changes.values())):
            changes = [tuple(c) for cells in answered_changes.values() for c in cells]
    by_target = None
    if changes is not None and ids is not None:
        by_target = _changes_by_target(changes, ids)
        ids = sorted(by_target)
    run = RecomputeRun.objects.create(
        dataset=dataset, trigger=trigger[:32], started_at=timezone.now()
    )
    try:
        with transaction.atomic():
            swap = ids is None and storage.swaps_whole_dataset()
            _lock_dataset(dataset, whole=swap)
            if by_target is not None:
                targets = load_targets(ids)
                ctx = load_context(dataset, today, targets)
            else:
                ctx = load_context(dataset, today)
                targets = load_targets(ids)
            cities = _touched_cities(ctx, targets, ids)
            if city_id is not None:
                cities.add(city_id)  # a city whose plans are gone still loses its old rollups
            _lock_cities(dataset, cities)
            if by_target is not None:
                # The engine deletes what it rewrites, series by series.
                ctx.changes = by_target
                compute_targets(ctx, targets, ids, progress)
                rollup_count = rollups.rollups_refresh(ctx, targets)
            elif swap:
                # Every city of the dataset is locked: its rows are built apart, unindexed,
                # and swapped in whole, instead of deleted and written into the indexed table.
                with storage.dataset_rebuilt(dataset, str(run.pk)):
                    compute_targets(ctx, targets, ids, progress)
                rollup_count = rollups.rollups_replace(ctx, None)
            else:
                stale = TargetAttainment.objects.filter(dataset=dataset)
                if ids is not None:
                    stale = stale.filter(target_id__in=ids)
                stale.delete()
                compute_targets(ctx, targets, ids, progress)
                rollup_count = rollups.rollups_replace(ctx, None if ids is None else cities)
            if answered:
                RecomputeRequest.objects.filter(pk__in=answered, done_at__isnull=True).update(
                    done_at=timezone.now(), run=run
                )
            # In the run's own transaction: one commit (an fsync on SQLite) fewer per run.
            run.status = RunStatus.DONE
            run.target_count = len(targets)
            run.row_count = ctx.row_count + rollup_count
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "target_count", "row_count", "finished_at"])
    except Exception as exc:
        # A soft time limit lands here too; a hard kill does not, and the sweep marks it.
        run.status = RunStatus.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    return run


def recompute_cities() -> list[int]:
    """The cities a full recompute goes through one by one: those with plans or rollups."""
    return sorted(set(Target.objects.values_list("plan__city_id", flat=True))
                  | set(Rollup.objects.values_list("city_id", flat=True)))



def _touched_cities(ctx: Context, targets: list[TargetInfo], ids: list[int] | None) -> set[int]:
    """Every city whose rollups the recompute of these targets may change.

    The targets' own cities (city, plan and pillar rollups), and the cities of the units that
    carry any unit row of theirs, old or new (unit rollups): responsible units, the units they
    absorbed, and the units of the targets' cities (a level's units count without being
    named). A full run touches every city.
    """
    if ids is None:
        return {t.city_id for t in targets} | {
            u.city_id for u in ctx.units.values() if u.city_id is not None
        }
    ctx.figure_units = _units_counting_for(ctx, targets)
    units = set(ctx.figure_units)
    for target_id, unit_id in (
        TargetAttainment.objects.filter(dataset=ctx.dataset, target_id__in=ids,
                                        scope=Scope.UNIT)
        .values_list("target_id", "unit_id").distinct()
    ):
        ctx.old_units.setdefault(target_id, set()).add(unit_id)
        units.add(unit_id)
    plan_cities = {t.city_id for t in targets}
    return plan_cities | {c for c in (rollup_city(ctx, u) for u in units) if c}


def _units_counting_for(ctx: Context, targets: list[TargetInfo]) -> set[int]:
    """The units whose figures can count for these targets: the responsible units, the units
    they absorbed, and every unit of the targets' cities or carried by one of their units.

    Indicators are shared across the country, so without this an approval in one province
    would read the indicator's figures of every province.
    """
    plan_cities = {t.city_id for t in targets}
    responsible = set().union(*(t.responsible for t in targets)) if targets else set()
    units = set(responsible)
    units |= {u for u, carrier in ctx.successors.items() if carrier in responsible}
    units |= {pk for pk, u in ctx.units.items()
              if u.city_id in plan_cities or rollup_city(ctx, pk) in plan_cities}
    return units



def _changes_by_target(
    changes: Iterable[tuple[int, int, int]], ids: list[int]
) -> dict[int, dict[int, set[int]]]:
    """target id -> unit id -> changed period ids, for the targets of this run only."""
    wanted = set(ids)
    by_target: dict[int, dict[int, set[int]]] = {}
    for target_id, unit_id, period_id in changes:
        if int(target_id) in wanted:
            by_target.setdefault(int(target_id), {}).setdefault(int(unit_id), set()).add(
                int(period_id)
            )
    return by_target


def _lock_dataset(dataset: str, *, whole: bool) -> None:
    # Taken first, before any read of the results table. A run that swaps the dataset's
    # partition in takes it alone; every other run shares it. Without it, an approval's run
    # that had read the results table (holding a lock on it until commit) and then waited for
    # a city lock of the full run would deadlock with that run's DETACH.
    if connection.vendor != "postgresql":
        return
    take = "pg_advisory_xact_lock" if whole else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {take}(%s)", [_lock_key(dataset)])


def _lock_cities(dataset: str, city_ids: set[int]) -> None:
    # SQLite serialises writers by itself. On PostgreSQL two recomputes that touch one city of
    # a dataset must not interleave their delete and insert, while those of different cities
    # (a deadline-day burst of approvals across provinces, the nightly run's per-city tasks)
    # should not wait for each other: one lock per (dataset, city), released at commit, taken
    # in key order in one statement so that two runs never hold each other's next lock.
    if connection.vendor != "postgresql" or not city_ids:
        return
    keys = sorted({_lock_key(dataset, city_id) for city_id in city_ids})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(k)) FROM "
            "(SELECT unnest(%s::bigint[]) AS k ORDER BY 1) AS keys",
            [keys],
        )


def _lock_key(dataset: str, city_id: int | None = None) -> int:
    """The advisory lock of a dataset, or of one city of it."""
    name = f"dxtracker.attainment.{dataset}" + ("" if city_id is None else f".{city_id}")
    return zlib.crc32(name.encode())

