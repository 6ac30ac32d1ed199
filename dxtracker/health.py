"""Health of the services the app depends on, for compose healthchecks and monitoring."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from dxtracker.celery import app as celery_app


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


@never_cache
def healthz(request):
    """JSON: overall status plus one entry per dependency; 503 when any is degraded."""
    checks = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    body = {
        "status": "ok" if all(v is None for v in checks.values()) else "degraded",
        "checks": {
            name: {"status": "ok"} if reason is None else {"status": "degraded", "reason": reason}
            for name, reason in checks.items()
        },
        "celery": "in-process" if settings.CELERY_TASK_ALWAYS_EAGER else "worker",
    }
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
