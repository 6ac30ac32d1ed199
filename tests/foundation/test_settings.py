"""Settings come from the environment: checked in a fresh interpreter per case."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'debug': s.DEBUG, "
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL, "
    "'cache': s.CACHES['default']['BACKEND'], 'email': s.EMAIL_BACKEND, "
    "'hosts': s.ALLOWED_HOSTS, 'lang': s.LANGUAGE_CODE}))"
)
OUR_VARS = {
    "DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_HOST",
    "CELERY_TASK_ALWAYS_EAGER", "SQLITE_PATH", "TRUSTED_PROXIES",
}


def run_probe(**env_vars):
    env = {k: v for k, v in os.environ.items() if k not in OUR_VARS}
    env.update(env_vars, DJANGO_SETTINGS_MODULE="dxtracker.settings")
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )


def test_nothing_set_gives_the_embedded_default():
    result = run_probe()
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got["engine"] == "django.db.backends.sqlite3"
    assert got["eager"] is True
    assert got["broker"] == "memory://"
    assert got["cache"].endswith("LocMemCache")
    assert got["email"].endswith("console.EmailBackend")
    assert got["debug"] is True
    assert got["lang"] == "vi"


def test_database_and_redis_urls_switch_to_the_production_shape():
    result = run_probe(
        DATABASE_URL="postgres://dx:pw@db.example:5432/dx",
        REDIS_URL="redis://cache.example:6379/0",
        SECRET_KEY="s3cret",
        ALLOWED_HOSTS="dx.example.gov.vn,localhost",
    )
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got["engine"] == "django.db.backends.postgresql"
    assert got["eager"] is False
    assert got["broker"] == "redis://cache.example:6379/0"
    assert got["cache"].endswith("RedisCache")
    assert got["debug"] is False
    assert got["hosts"] == ["dx.example.gov.vn", "localhost"]


def test_smtp_is_used_when_an_email_host_is_configured():
    result = run_probe(EMAIL_HOST="smtp.example.gov.vn")
    assert json.loads(result.stdout)["email"].endswith("smtp.EmailBackend")


def test_production_mode_refuses_to_start_without_secret_key():
    result = run_probe(DEBUG="false", ALLOWED_HOSTS="dx.example.gov.vn")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_mode_refuses_to_start_without_allowed_hosts():
    result = run_probe(DEBUG="false", SECRET_KEY="s3cret")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_database_url_without_secret_key_is_refused_because_debug_defaults_off():
    result = run_probe(DATABASE_URL="postgres://dx@db.example/dx")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_malformed_boolean_names_the_variable():
    result = run_probe(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.parametrize("value,expected", [("1", True), ("off", False), ("TRUE", True)])
def test_env_bool_reads_common_spellings(monkeypatch, value, expected):
    from dxtracker.env import env_bool

    monkeypatch.setenv("SOME_FLAG", value)
    assert env_bool("SOME_FLAG") is expected


def test_env_int_refuses_text(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from dxtracker.env import env_int

    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER must be an integer"):
        env_int("SOME_NUMBER", 1)


DEPLOY_ENV = {
    "DATABASE_URL": "postgres://dx:secret@db.internal:5432/dxtracker",
    "SECRET_KEY": "k7#Qv9!xLm2$Rt8@Zp4^Wn6&Yb1*Hc3(Jd5)Fg0-Se7+Ua9=Ke2_Mi4~No6",
    "ALLOWED_HOSTS": "dx.example.gov.vn",
    "SITE_URL": "https://dx.example.gov.vn",
}


def _clean_env(**env_vars):
    env = {k: v for k, v in os.environ.items()
           if k not in OUR_VARS | {"SECURE_COOKIES", "HTTPS", "PROXY_SSL_HEADER",
                                   "DJANGO_ALLOW_ASYNC_UNSAFE", "SITE_URL"}}
    env.update(env_vars, DJANGO_SETTINGS_MODULE="dxtracker.settings")
    return env


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=_clean_env(**DEPLOY_ENV), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _check_deploy(**env_vars) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=_clean_env(**env_vars), capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_fails_without_site_url():
    env = {k: v for k, v in DEPLOY_ENV.items() if k != "SITE_URL"}

    result = _check_deploy(**env)

    assert result.returncode != 0
    assert "dxtracker.E001" in result.stderr and "SITE_URL is not set" in result.stderr


def test_check_deploy_fails_on_a_site_url_without_scheme():
    result = _check_deploy(**{**DEPLOY_ENV, "SITE_URL": "dx.example.gov.vn"})

    assert result.returncode != 0
    assert "dxtracker.E002" in result.stderr


def test_a_development_server_may_leave_site_url_unset():
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT,
                            env=_clean_env(), capture_output=True, text=True, timeout=120)

    assert "dxtracker.E00" not in result.stdout + result.stderr


def _probe_security(**env_vars) -> dict:
    probe = ("import json, django; django.setup(); from django.conf import settings as s; "
             "print(json.dumps({'proxy': s.SECURE_PROXY_SSL_HEADER, 'redirect': "
             "s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS}))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT,
                            env=_clean_env(**env_vars), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_proxy_header_is_trusted_only_when_a_proxy_is_configured():
    assert _probe_security(**DEPLOY_ENV)["proxy"] is None
    assert _probe_security(**DEPLOY_ENV, PROXY_SSL_HEADER="X-Forwarded-Proto")["proxy"] == [
        "HTTP_X_FORWARDED_PROTO", "https"]


def test_plain_http_deployments_neither_redirect_nor_send_hsts():
    https = _probe_security(**DEPLOY_ENV)
    plain = _probe_security(**DEPLOY_ENV, SECURE_COOKIES="false")
    assert (https["redirect"], https["hsts"] > 0) == (True, True)
    assert (plain["redirect"], plain["hsts"]) == (False, 0)


def test_trusted_proxies_that_are_not_addresses_stop_start_up():
    result = run_probe(TRUSTED_PROXIES="10.0.0.5,nginx")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'nginx' is not an IP address or network" in result.stderr
    assert run_probe(TRUSTED_PROXIES="10.0.0.5, 172.16.0.0/12").returncode == 0


def test_the_embedded_database_is_written_ahead_so_pages_read_while_a_recompute_writes(
        tmp_path):
    path = tmp_path / "dx.sqlite3"
    probe = ("import django; django.setup(); from django.db import connection; "
             "c = connection.cursor(); c.execute('PRAGMA journal_mode'); "
             "print(c.fetchone()[0])")
    env = {k: v for k, v in os.environ.items() if k not in OUR_VARS}
    env.update(SQLITE_PATH=str(path), DJANGO_SETTINGS_MODULE="dxtracker.settings")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "wal"
