"""/healthz reports the database, the cache and the broker for compose and monitoring."""

import pytest
from django.db import connection

from dxtracker.celery import app as celery_app


@pytest.mark.django_db
def test_health_is_ok_when_everything_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["status"] == "ok" for check in body["checks"].values())


@pytest.mark.django_db
def test_health_is_degraded_with_the_reason_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == {
        "status": "degraded", "reason": "RuntimeError: database unreachable"
    }
    assert body["checks"]["cache"]["status"] == "ok"


@pytest.mark.django_db
def test_health_is_degraded_when_the_cache_is_unreachable(client, settings):
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
def test_health_is_degraded_when_the_broker_is_unreachable(client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["status"] == "degraded"
    assert broker["reason"]


@pytest.mark.django_db
def test_health_says_whether_tasks_run_in_process(client):
    assert client.get("/healthz").json()["celery"] == "in-process"
