"""Health of the services the app depends on, for compose healthchecks and monitoring: the
database, the cache, the broker, a worker that answers, and the last recompute's state."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from dxtracker.celery import app as celery_app

logger = logging.getLogger(__name__)

WORKER_PING_TIMEOUT = 1.0


def check_database() -> str | None:
    """None when a trivial query succeeds, else the reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def check_cache() -> str | None:
    """None when a value written to the cache reads back, else the reason."""
    try:
        cache.set("healthz", "ok", 10)
        if cache.get("healthz") != "ok":
            return "value written to the cache did not read back"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def check_broker() -> str | None:
    """None when the Celery broker accepts a connection (always, when tasks run in-process)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _is_staff(request) -> bool:
    try:
        return request.user.is_authenticated and request.user.is_staff
    except Exception:
        return False  # the user is read from the database, which may be the thing that is down


def ping_workers() -> tuple[str | None, list[str]]:
    """(None, names of the workers that answered a ping) or (the reason, [])."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None, []
    try:
        replies = celery_app.control.ping(timeout=WORKER_PING_TIMEOUT) or []
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}", []
    names = sorted(name for reply in replies for name in reply)
    if not names:
        # The broker takes tasks, but nobody would run them: recomputes would wait forever.
        return f"no worker answered a ping within {WORKER_PING_TIMEOUT:g} s", []
    return None, names


def last_run_summary() -> dict:
    """The last recompute run's state and age, and how many recomputes wait in the outbox."""
    from attainment.models import RecomputeRequest
    from attainment.selectors import last_recompute_run

    run = last_recompute_run()
    pending = RecomputeRequest.objects.filter(done_at__isnull=True).count()
    if run is None:
        return {"last_run": None, "pending_requests": pending}
    return {
        "last_run": {
            "status": run.status,
            "trigger": run.trigger,
            "dataset": run.dataset,
            "age_seconds": int((timezone.now() - run.started_at).total_seconds()),
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        },
        "pending_requests": pending,
    }


@never_cache
def healthz(request):
    """JSON: overall status plus one entry per dependency; 503 when any is degraded."""
    checks = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    workers: list[str] = []
    if checks["broker"] is None:
        checks["worker"], workers = ping_workers()
    else:
        checks["worker"] = "the broker is unreachable, so no worker can be asked"
    # A reason names hosts, ports and drivers (connection to server at "10.0.3.7"…): staff
    # see it, an anonymous monitor sees only which dependency is degraded.
    show_reasons = _is_staff(request)
    for name, reason in checks.items():
        if reason is not None:
            logger.warning("healthz: %s degraded: %s", name, reason)
    body = {
        "status": "ok" if all(v is None for v in checks.values()) else "degraded",
        "checks": {
            name: {"status": "ok"} if reason is None else (
                {"status": "degraded", "reason": reason} if show_reasons
                else {"status": "degraded"}
            )
            for name, reason in checks.items()
        },
        "celery": "in-process" if settings.CELERY_TASK_ALWAYS_EAGER else "worker",
    }
    if checks["database"] is None:
        body["recompute"] = last_run_summary()
    if show_reasons and workers:
        body["workers"] = workers  # host names: staff only
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
