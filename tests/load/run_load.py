"""Bounded load test against a running server: saving, submitting, approving and reopening
through the HTTP API while a real Celery worker recomputes. Run by CI's PostgreSQL leg.

    DATABASE_URL=... REDIS_URL=... python tests/load/run_load.py --url http://127.0.0.1:8766

It prepares its own city, units, reporters, reviewers and API tokens in the server's
database, then runs CLIENTS threads for SECONDS, each on its own unit's report: save a new
figure (If-Match), and every third save submit, approve (as the reviewer) and reopen. At the
end it checks in the database that every save the server acknowledged (200) is stored exactly
once (one "saved" event with that value; the line holds the last one), every acknowledged
approval left its figure once, and the recomputes the approvals asked for were all answered.

Prints the figures; exits 1 on any 5xx, any acknowledged write lost or doubled, or any
recompute still pending after the wait. Speed is printed, never judged.
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dxtracker.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from api.services import api_token_issue  # noqa: E402
from attainment.models import RecomputeRequest  # noqa: E402
from reporting.models import (  # noqa: E402
    ApprovedFigure,
    Period,
    PeriodKind,
    ReportAction,
    ReportEvent,
    ReportLine,
)
from targets.models import (  # noqa: E402
    Comparator,
    Indicator,
    Level,
    Measure,
    Pillar,
    PillarKind,
    Plan,
    Target,
)
from units.models import Membership, Role, Unit, UnitKind  # noqa: E402


@dataclass
class Stats:
    requests: Counter = field(default_factory=Counter)  # (action, status) -> count
    acked_saves: dict = field(default_factory=lambda: defaultdict(list))  # report -> values
    acked_approvals: dict = field(default_factory=lambda: defaultdict(list))  # report -> revs
    errors: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, action: str, status: int) -> None:
        with self.lock:
            self.requests[(action, status)] += 1


@dataclass
class World:
    period: Period
    indicator: Indicator
    units: list[Unit]
    reporter_keys: list[str]
    reviewer_keys: list[str]


def prepare(clients: int) -> World:
    """A city of its own (codes unique to this run), one unit and reporter per client."""
    from django.contrib.auth import get_user_model

    tag = f"LT{int(time.time()) % 10**6}"
    today = timezone.localdate()
    with transaction.atomic():
        city = Unit.objects.create(code=tag, kind=UnitKind.PROVINCE, name_vi=f"Tải {tag}",
                                   name_en=f"Load {tag}")
        doit = Unit.objects.create(code=f"{tag}-DOIT", kind=UnitKind.DEPARTMENT, parent=city,
                                   name_vi="Sở TT&TT", name_en="DOIT")
        units = [Unit.objects.create(code=f"{tag}-U{i}", kind=UnitKind.DEPARTMENT, parent=city,
                                     name_vi=f"Sở {i}", name_en=f"Department {i}")
                 for i in range(clients)]
        pillar, _ = Pillar.objects.get_or_create(
            code="load_test", defaults={"kind": PillarKind.PILLAR, "name_vi": "Thử tải",
                                        "name_en": "Load test"})
        indicator = Indicator.objects.create(code=f"{tag.lower()}-online", pillar=pillar,
                                             measure=Measure.PERCENT, name_vi="Tỷ lệ",
                                             name_en="Share")
        plan = Plan.objects.create(code=f"{tag.lower()}-plan", city=city, title_vi="Kế hoạch",
                                   title_en="Plan", issuing_body_vi="UBND",
                                   issuing_body_en="PC", horizon_years=[2030])
        target = Target.objects.create(plan=plan, code=f"{tag.lower()}-t", indicator=indicator,
                                       year=today.year + 4, level=Level.CITY,
                                       comparator=Comparator.AT_LEAST, value=Decimal("90"),
                                       source_sentence="90 %", source_file="load")
        target.responsible_units.set(units)
        period = _open_quarter(today)
        user_model = get_user_model()
        keys: dict[str, list[str]] = {"r": [], "doit": []}
        # A reporter and a DOIT reviewer per client: tokens are throttled one by one.
        for i, unit in enumerate(units):
            for role, kind, where in ((Role.REPORTER, "r", unit), (Role.REVIEWER, "doit", doit)):
                user = user_model.objects.create_user(username=f"{tag.lower()}-{kind}{i}")
                Membership.objects.create(user=user, unit=where, role=role)
                keys[kind].append(api_token_issue(user=user, name="load", can_write=True)[1])
    return World(period, indicator, units, keys["r"], keys["doit"])


def _open_quarter(today) -> Period:
    """The quarter before today's: ended, open for entry, not locked (made so if needed)."""
    from reporting.periods import period_ensure

    year, quarter = today.year, (today.month - 1) // 3 + 1
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    period = period_ensure(kind=PeriodKind.QUARTER, year=year, quarter=quarter)
    if period.is_locked:
        period.is_locked = False
        period.save(update_fields=["is_locked"])
    return period


class Client:
    """One keep-alive HTTP connection with a token; JSON in and out."""

    def __init__(self, base: str, key: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.headers = {"Authorization": f"Token {key}", "Content-Type": "application/json",
                        "Accept": "application/json", "Host": "localhost"}
        self.conn = None

    def call(self, method: str, path: str, body=None, etag: str | None = None):
        headers = dict(self.headers)
        if etag:
            headers["If-Match"] = etag
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                return response.status, response.getheader("ETag"), payload
            except (http.client.HTTPException, ConnectionError):
                # A kept-alive connection the server closed: retry once on a new one.
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def run_client(i: int, world: World, base: str, seconds: float, stats: Stats) -> None:
    reporter = Client(base, world.reporter_keys[i])
    reviewer = Client(base, world.reviewer_keys[i])
    code = world.indicator.code
    status, etag, payload = reporter.call(
        "POST", "/api/v1/reports/", {"unit": world.units[i].code, "period": world.period.code})
    stats.count("open", status)
    if status not in (200, 201):
        stats.errors.append(f"client {i}: open answered {status}: {payload[:200]!r}")
        return
    report_id = json.loads(payload)["id"]
    path = f"/api/v1/reports/{report_id}/"
    deadline = time.monotonic() + seconds
    saves = 0
    while time.monotonic() < deadline:
        saves += 1
        # Unique per save of this report, so each acknowledged save has one event to find.
        value = Decimal(saves % 97) + Decimal(saves // 97) / 10**4
        text = f"{value:f}".replace(".", ",")
        status, new_etag, payload = reporter.call("PATCH", path, {"lines": [
            {"indicator": code, "value": text}]}, etag)
        stats.count("save", status)
        if status == 200:
            stats.acked_saves[report_id].append(value)
            etag = new_etag
        elif status >= 500:
            stats.errors.append(f"client {i}: save answered {status}")
            etag = reporter.call("GET", path)[1]
            continue
        else:
            etag = reporter.call("GET", path)[1]
            continue
        if saves % 3:
            continue
        steps = (("submit", reporter, None), ("approve", reviewer, None),
                 ("reopen", reviewer, {"reason": "Kiểm tra tải"}))
        for action, client, body in steps:
            status, new_etag, payload = client.call("POST", f"{path}{action}/", body or {}, etag)
            stats.count(action, status)
            if status != 200:
                if status >= 500:
                    stats.errors.append(f"client {i}: {action} answered {status}")
                etag = client.call("GET", path)[1]
                break
            etag = new_etag
            if action == "approve":
                stats.acked_approvals[report_id].append(json.loads(payload)["revision"])


def verify(world: World, stats: Stats, drain_seconds: float) -> list[str]:
    """Every acknowledged write stored exactly once; the outbox drained."""
    problems = []
    for report_id, values in stats.acked_saves.items():
        stored = Counter(
            change["new"]
            for changes in ReportEvent.objects.filter(report_id=report_id,
                                                      action=ReportAction.SAVED)
            .values_list("changes", flat=True)
            for change in changes if change["field"] == "value"
        )
        for value in values:
            n = stored[f"{value.normalize():f}"]
            if n != 1:
                problems.append(f"report {report_id}: save of {value} stored {n} times")
        line_value = ReportLine.objects.get(report_id=report_id).value
        if line_value != values[-1]:
            problems.append(f"report {report_id}: line holds {line_value}, last save {values[-1]}")
    for report_id, revisions in stats.acked_approvals.items():
        stored = Counter(ApprovedFigure.objects.filter(report_id=report_id)
                         .values_list("revision", flat=True))
        for revision in revisions:
            if stored[revision] != 1:
                problems.append(f"report {report_id}: approval of revision {revision} left "
                                f"{stored[revision]} figures")
    deadline = time.monotonic() + drain_seconds
    pending = RecomputeRequest.objects.filter(done_at__isnull=True)
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(1)
    if pending.exists():
        problems.append(f"{pending.count()} recompute requests still pending after "
                        f"{drain_seconds:.0f} s")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8766")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--drain-seconds", type=float, default=60,
                        help="how long the worker may take to answer the recomputes")
    args = parser.parse_args()

    world = prepare(args.clients)
    stats = Stats()
    started = time.monotonic()
    threads = [threading.Thread(target=run_client, args=(i, world, args.url, args.seconds, stats))
               for i in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    problems = verify(world, stats, args.drain_seconds)

    total = sum(stats.requests.values())
    server_errors = sum(n for (_a, status), n in stats.requests.items() if status >= 500)
    acked = sum(len(v) for v in stats.acked_saves.values())
    print(f"{args.clients} clients × {args.seconds:g} s: {total} requests in {elapsed:.1f} s "
          f"({total / elapsed:.0f}/s)")
    for (action, status), n in sorted(stats.requests.items()):
        print(f"  {action:8} {status}: {n}")
    print(f"acknowledged saves: {acked}; approvals: "
          f"{sum(len(v) for v in stats.acked_approvals.values())}")
    print(f"server errors: {server_errors}; lost or doubled writes: {len(problems)}")
    for line in (stats.errors + problems)[:30]:
        print("  " + line)
    return 1 if server_errors or problems or stats.errors else 0


if __name__ == "__main__":
    sys.exit(main())
