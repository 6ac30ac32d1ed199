"""manage.py benchmark_pages [--city CODE] [--requests N]: server time of the pages people read.

Requests each dashboard page and API list of one city N times through Django's test client
(the whole request in this process: middleware, views, queries, templates; no network) as a
temporary superuser, and prints p50 and p95 in milliseconds of wall time and of CPU time
(``time.process_time``: what the request cost this process, which other processes sharing the
machine disturb much less than the wall time), and the queries per request. The comparison
asks for the national indicator of the city's first target. Meant for the national data that
``benchmark_attainment --national --keep`` leaves (the first BENCH-* province and the demo
dataset by default); the user is removed at the end.
"""

import math
import statistics
import time
import uuid
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from attainment.selectors import BENCHMARK_CODE_PREFIX as BENCH
from attainment.selectors import default_dataset
from dxtracker.warmup import warm
from targets.models import Target
from units.models import Unit, UnitKind


class Command(BaseCommand):
    help = "Print p50/p95 server time and queries of each dashboard page and API list."

    def add_arguments(self, parser):
        parser.add_argument("--city", help="city code (default: the first BENCH-* province)")
        parser.add_argument("--requests", type=int, default=20, help="requests per page")
        parser.add_argument("--dataset", default=None, help="official or demo (default: "
                            "demo for a BENCH-* city, else as the pages choose)")

    def handle(self, *args, city: str | None, requests: int, dataset: str | None, **options):
        if requests < 1:
            raise CommandError("--requests must be at least 1")
        # As a server process starts (dxtracker.wsgi): the pages are timed as they run there.
        warm()
        city_unit = self._city(city)
        # The benchmark's country is demo-origin data, which default_dataset() leaves out.
        dataset = dataset or ("demo" if city_unit.code.startswith(BENCH) else default_dataset())
        target = (Target.objects.filter(plan__city=city_unit).select_related("indicator")
                  .order_by("pk").first())
        unit = (Unit.objects.filter(city=city_unit).exclude(pk=city_unit.pk)
                .order_by("code").first())
        if target is None or unit is None:
            raise CommandError(f"{city_unit.code} has no targets or no units to show")
        params = {"dataset": dataset}
        api_params = {"dataset": dataset, "city": city_unit.code}
        national = target.indicator.national_indicator_id
        compare_params = {**params, **({"indicator": national} if national else {})}
        pages = [
            ("city overview", reverse("dashboards:city", args=[city_unit.code]), params),
            ("target detail", reverse("dashboards:target", args=[target.pk]), params),
            ("unit view", reverse("dashboards:unit", args=[unit.code]), params),
            ("compliance heatmap", reverse("dashboards:compliance", args=[city_unit.code]),
             params),
            ("comparison", reverse("dashboards:compare"), compare_params),
            ("API attainment list", "/api/v1/attainment/", api_params),
            ("API rollup list", "/api/v1/rollups/", api_params),
            ("API completeness list", "/api/v1/completeness/", api_params),
            ("API target list", "/api/v1/targets/", api_params),
        ]
        user = get_user_model().objects.create_superuser(
            f"bench-pages-{uuid.uuid4().hex[:8]}", password=None)
        try:
            client = Client()
            client.force_login(user)
            self.stdout.write(f"{city_unit.code}, dataset {dataset}, {requests} requests "
                              f"per page, {connection.vendor}")
            with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
                for name, url, query in pages:
                    self._measure(client, name, url, query, requests)
        finally:
            user.delete()

    def _city(self, code: str | None) -> Unit:
        provinces = Unit.objects.filter(kind=UnitKind.PROVINCE)
        found = (provinces.filter(code=code) if code
                 else provinces.filter(code__startswith=BENCH).order_by("code")).first()
        if found is None:
            raise CommandError(f"no city {code or BENCH + '*'}")
        return found

    def _measure(self, client: Client, name: str, url: str, query: dict, n: int) -> None:
        # secure: a production configuration (DEBUG off) redirects plain HTTP to HTTPS.
        get = partial(client.get, url, query, secure=True)
        first = get()  # warm: template and URL caches, first connection
        if first.status_code != 200:
            raise CommandError(f"{name}: {url} answered {first.status_code}")
        wall, cpu = [], []
        for _ in range(n):
            started, started_cpu = time.perf_counter(), time.process_time()
            get()
            cpu.append(time.process_time() - started_cpu)
            wall.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            get()
        self.stdout.write(
            f"{name}: p50 {_ms(statistics.median(wall))}, p95 {_ms(_p95(wall))}, "
            f"CPU p50 {_ms(statistics.median(cpu))}, p95 {_ms(_p95(cpu))}, "
            f"{len(queries.captured_queries)} queries, {len(first.content):,} bytes"
        )


def _p95(values: list[float]) -> float:
    """The nearest-rank 95th percentile."""
    return sorted(values)[max(0, math.ceil(0.95 * len(values)) - 1)]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"
