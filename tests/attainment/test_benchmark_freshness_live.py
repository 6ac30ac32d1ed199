"""benchmark_freshness end to end at a tiny scale (CI's PostgreSQL leg): a worker of its
own on a redis-server of its own, approvals through the review service, the worker stopped
and Redis stopped; every approval's value reaches the page and nothing is left behind."""

import re
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from attainment.models import RecomputeRequest, RecomputeRun, TargetAttainment
from reporting.models import ApprovedFigure, Report
from units.models import Membership, Unit

pytestmark = [
    pytest.mark.live_worker,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


@pytest.mark.django_db(transaction=True)
def test_benchmark_freshness_times_approval_to_page_through_a_real_worker():
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the database: PostgreSQL only")
    out = StringIO()
    call_command("benchmark_freshness", "--scale", "0.001", "--approvals", "3",
                 "--stop-seconds", "1", "--down-seconds", "1", "--timeout", "90", stdout=out)
    lines = out.getvalue().splitlines()
    text = "\n".join(lines)
    print(text)  # the figures, for CI's log

    assert re.fullmatch(r"approval to page p95 \d+ ms", lines[-1])
    assert re.search(r"approval to page: p50 \d+ ms, p95 \d+ ms, max \d+ ms \(n 3\)", text)
    assert "queue wait (queued -> run started): p50" in text
    assert "recompute run (RecomputeRun started -> finished): p50" in text
    assert re.search(r"worker stopped 1 s after an approval: approval to page \d+ ms, worker "
                     r"restart to page \d+ ms; request queued 1 time\(s\), answered", text)
    assert re.search(r"Redis stopped 1 s at an approval: the approval answered in \d+ ms with "
                     r"its request pending in the outbox; approval to page \d+ ms", text)
    assert "NEVER" not in text and "NOT" not in text

    assert not Unit.objects.filter(code__startswith="BENCH-").exists()
    assert not Report.objects.exists() and not ApprovedFigure.objects.exists()
    assert not TargetAttainment.objects.exists() and not Membership.objects.exists()
    assert not RecomputeRequest.objects.exists() and not RecomputeRun.objects.exists()
