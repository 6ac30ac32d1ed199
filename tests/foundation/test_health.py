"""/healthz reports the database, the cache, the broker and the workers for compose and
monitoring, with the last recompute's state; reasons and host names only for staff."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from attainment.models import RecomputeRequest, RecomputeRun, RunStatus
from dxtracker import health
from dxtracker.celery import app as celery_app
from tests.factories import UserFactory


@pytest.fixture
def staff_client(client, db):
    """An administrator: sees why a dependency is degraded."""
    client.force_login(UserFactory(username="ops", is_staff=True))
    return client


@pytest.mark.django_db
def test_health_is_ok_when_everything_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "worker"}
    assert all(check["status"] == "ok" for check in body["checks"].values())


@pytest.mark.django_db
def test_health_is_degraded_with_the_reason_when_the_database_fails(staff_client, monkeypatch):
    client = staff_client
    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database unreachable")

    # Only the health check's connection breaks: the staff session still loads.
    monkeypatch.setattr(health, "connection", SimpleNamespace(cursor=broken_cursor))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == {
        "status": "degraded", "reason": "RuntimeError: database unreachable"
    }
    assert body["checks"]["cache"]["status"] == "ok"


@pytest.mark.django_db
def test_health_is_degraded_when_the_cache_is_unreachable(staff_client, settings):
    client = staff_client
    # Changing CACHES through the settings fixture makes Django drop its cache handlers.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    cache = response.json()["checks"]["cache"]
    assert cache["status"] == "degraded"
    assert "Error" in cache["reason"]


@pytest.mark.django_db
def test_health_is_degraded_when_the_broker_is_unreachable(staff_client, settings, monkeypatch):
    client = staff_client
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["status"] == "degraded"
    assert broker["reason"]
    assert response.json()["checks"]["worker"]["status"] == "degraded"


@pytest.mark.django_db
def test_health_says_whether_tasks_run_in_process(client):
    assert client.get("/healthz").json()["celery"] == "in-process"


@pytest.mark.django_db
def test_anonymous_callers_see_what_is_degraded_but_no_host_names(client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://10.0.3.7:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"status": "degraded"}
    assert "10.0.3.7" not in response.content.decode()


@pytest.mark.django_db
def test_a_logged_in_non_staff_user_sees_no_reasons_either(client, settings, monkeypatch):
    client.force_login(UserFactory(username="clerk"))
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://10.0.3.7:1/0")
    assert client.get("/healthz").json()["checks"]["broker"] == {"status": "degraded"}


@pytest.mark.django_db
def test_health_answers_503_not_500_when_the_database_is_down_for_a_logged_in_user(
    client, monkeypatch
):
    from django.db import connection

    client.force_login(UserFactory(username="clerk2"))

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database unreachable at db.internal")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "db.internal" not in response.content.decode()


@pytest.mark.django_db
def test_health_is_degraded_when_no_worker_answers(client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(health, "check_broker", lambda: None)
    monkeypatch.setattr(celery_app.control, "ping", lambda timeout: [])
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {"status": "degraded"}


@pytest.mark.django_db
def test_a_worker_that_answers_is_named_to_staff_only(staff_client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(health, "check_broker", lambda: None)
    monkeypatch.setattr(celery_app.control, "ping",
                        lambda timeout: [{"celery@worker-7f3a": {"ok": "pong"}}])
    anonymous = Client().get("/healthz")
    assert anonymous.status_code == 200
    assert "worker-7f3a" not in anonymous.content.decode()
    staff = staff_client.get("/healthz")
    assert staff.json()["workers"] == ["celery@worker-7f3a"]


@pytest.mark.django_db
def test_health_shows_the_last_recompute_and_what_waits(client):
    assert client.get("/healthz").json()["recompute"] == {"last_run": None,
                                                           "pending_requests": 0}
    RecomputeRun.objects.create(dataset="official", trigger="approval",
                                started_at=timezone.now() - timedelta(minutes=30))
    RecomputeRequest.objects.create(dataset="official", target_ids=[1])
    recompute = client.get("/healthz").json()["recompute"]
    assert recompute["last_run"]["status"] == RunStatus.RUNNING
    assert 30 * 60 <= recompute["last_run"]["age_seconds"] < 31 * 60
    assert recompute["pending_requests"] == 1
