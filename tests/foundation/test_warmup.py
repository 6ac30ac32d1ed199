"""A server process warms itself when it imports dxtracker.wsgi, before its first request;
checked in a fresh interpreter, as gunicorn's master would start it."""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import gc, json, sys
import dxtracker.wsgi
from django.db import connections
from django.template import engines
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "views": [m in sys.modules for m in ("dashboards.views", "api.views.results",
                                         "leaders.writers", "openpyxl", "plotly.io")],
    "frozen": gc.get_freeze_count(),
    "compiled": sorted(k for k in loader.get_template_cache
                       if k in ("dashboards/city.html", "dashboards/_chart.html", "base.html")),
    "connections": [c.alias for c in connections.all(initialized_only=True)
                    if c.connection is not None],
}))
"""


def test_importing_the_wsgi_application_warms_it_without_touching_the_database():
    # The production shape with a database that does not answer: warming must not connect
    # (gunicorn's master warms before forking, and forked workers must not share a
    # connection).
    env = {k: v for k, v in os.environ.items() if k not in ("SQLITE_PATH", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="dxtracker.settings",
               DATABASE_URL="postgres://dx:pw@db.invalid:5432/dx", SECRET_KEY="s3cret",
               ALLOWED_HOSTS="localhost", SITE_URL="https://dx.example.gov.vn")
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout.splitlines()[-1])
    assert got["views"] == [True] * 5
    assert got["frozen"] > 100_000
    assert got["compiled"] == ["base.html", "dashboards/_chart.html", "dashboards/city.html"]
    assert got["connections"] == []


def test_gunicorn_warms_once_in_the_master():
    config = runpy.run_path(str(ROOT / "dxtracker" / "gunicorn.conf.py"))
    assert config["preload_app"] is True
