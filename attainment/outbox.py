"""The recompute outbox: recomputes asked for in the database, queued when the broker answers.

An approval records the recompute it needs (``recompute_request_create``) in its own
transaction and queues it after the commit. When the broker is down the row stays pending;
the sweep (``attainment.tasks.recompute_sweep``, every minute) queues it again until a run
has answered it. A run answers its requests in the transaction that writes its results, so a
request is done exactly when the results it asked for are stored.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from attainment.limits import TARGETS_TIME_LIMIT, hard_limit_for
from attainment.models import RecomputeRequest, RecomputeRun, RunStatus
from dxtracker.i18n import stored_language

logger = logging.getLogger(__name__)

# A request queued this long ago and still pending was lost with its worker (or waits behind
# a long queue, where a second copy costs one quick no-op run): queue it again.
REQUEUE_AFTER = timedelta(seconds=TARGETS_TIME_LIMIT + 4 * 60)


def recompute_request_create(
    *, dataset: str, target_ids: Iterable[int],
    changes: Iterable[tuple[int, int, int]] | None = None,
) -> RecomputeRequest | None:
    """Record that these targets of the dataset need a recompute; queued once this commits.

    changes: (target id, unit id, period id) of the figures an approval changed, so the run
    rewrites only the series they reach; None recomputes the whole targets.
    """
    ids = sorted({int(pk) for pk in target_ids})
    if not ids:
        return None
    cells = sorted({(int(t), int(u), int(p)) for t, u, p in changes or ()})
    request = RecomputeRequest.objects.create(
        dataset=dataset, target_ids=ids, changes=[list(cell) for cell in cells]
    )
    transaction.on_commit(lambda: _dispatch([request]))
    return request


def recompute_requests_dispatch(*, now: datetime | None = None) -> int:
    """Queue every pending request never queued, or queued too long ago; returns how many."""
    now = now or timezone.now()
    pending = RecomputeRequest.objects.filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - REQUEUE_AFTER),
        done_at__isnull=True,
    ).order_by("pk")
    return _dispatch(list(pending))


def recompute_runs_mark_dead(*, now: datetime | None = None) -> int:
    """Mark "died" the runs still "running" past their hard time limit; returns how many."""
    now = now or timezone.now()
    died = 0
    for run in RecomputeRun.objects.filter(status=RunStatus.RUNNING).only("trigger", "started_at"):
        limit = hard_limit_for(run.trigger)
        if run.started_at < now - timedelta(seconds=limit):
            with stored_language():
                error = _("Still running %(minutes)d minutes after it started, beyond its hard "
                          "time limit: the worker running it was stopped or lost.") % {
                    "minutes": (now - run.started_at).total_seconds() // 60}
            # Conditional: a run that finished meanwhile keeps its own ending.
            died += RecomputeRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
                status=RunStatus.DIED, finished_at=now, error=error)
    if died:
        logger.warning("Marked %d recompute runs as died", died)
    return died


def _dispatch(requests: list[RecomputeRequest]) -> int:
    """One task per dataset for the given requests; those the broker accepted are stamped."""
    # imported here: tasks imports this module
    from attainment.tasks import recompute_targets

    by_dataset: dict[str, list[RecomputeRequest]] = defaultdict(list)
    for request in requests:
        by_dataset[request.dataset].append(request)
    queued = 0
    for dataset, group in by_dataset.items():
        target_ids = sorted({pk for request in group for pk in request.target_ids})
        request_ids = [request.pk for request in group]
        try:
            recompute_targets.delay(target_ids, dataset, request_ids=request_ids)
        except Exception:
            # Whatever the broker raised, the request stays pending for the sweep; the
            # approval that asked for it has committed and must still answer as a success.
            logger.exception("Broker unavailable: recompute requests %s stay pending",
                             request_ids)
            continue
        RecomputeRequest.objects.filter(pk__in=request_ids).update(
            dispatched_at=timezone.now(), dispatch_count=F("dispatch_count") + 1
        )
        queued += len(request_ids)
    return queued

