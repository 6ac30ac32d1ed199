"""manage.py benchmark_pages: every page and API list of a national-scale city, timed, with
the same number of queries whatever the size of the country."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from attainment.benchmark import PROVINCES
from attainment.selectors import BENCHMARK_CODE_PREFIX as BENCH
from targets.models import NationalIndicator, Target
from units.services import national_viewer_grant

pytestmark = pytest.mark.django_db

# Queries per request of each page, whatever the size of the country. A change here is a
# page reading more (or less) than it did: look at what it reads before moving a pin.
QUERIES = {
    "city overview": 13,
    "target detail": 11,
    "unit view": 11,
    "compliance heatmap": 5,
    "comparison": 7,  # every province's target of one national indicator
    "API attainment list": 6,
    "API rollup list": 5,
    "API completeness list": 5,
    "API target list": 7,
}
PAGES = tuple(QUERIES)
LINE = re.compile(r"(?P<name>[\w ]+): p50 \d+ ms, p95 \d+ ms, CPU p50 \d+ ms, p95 \d+ ms, "
                  r"(?P<queries>\d+) queries, (?P<bytes>[\d,]+) bytes")


def _queries_per_page(scale: str, client) -> dict[str, int]:
    call_command("benchmark_attainment", "--national", "--scale", scale, "--approvals", "1",
                 "--keep", stdout=StringIO())
    out = StringIO()
    try:
        call_command("benchmark_pages", "--requests", "2", stdout=out)
        _compare_shows_every_province(client)
    finally:
        call_command("benchmark_attainment", "--remove", stdout=StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("BENCH-P00, dataset demo, 2 requests per page")
    found = {m["name"]: int(m["queries"]) for m in map(LINE.fullmatch, lines[1:])}
    assert tuple(found) == PAGES
    return found


def _compare_shows_every_province(client) -> None:
    """The country's indicators stand for national ones, so the comparison the benchmark
    times is the page with all 34 provinces, each with its latest value."""
    target = Target.objects.select_related("indicator").get(code=f"{BENCH}T-00-0000")
    # Kept between the two sizes: an account in the audit history is never deleted.
    user, _ = get_user_model().objects.get_or_create(username="bench-compare")
    national_viewer_grant(user=user)
    client.force_login(user)
    response = client.get(reverse("dashboards:compare"),
                          {"dataset": "demo", "indicator": target.indicator.national_indicator_id},
                          secure=True)
    assert response.status_code == 200
    rows = response.context["data"].rows
    assert len({row.city.code for row in rows}) == PROVINCES
    assert all(row.actual is not None for row in rows)


def test_every_page_is_timed_with_a_query_count_that_does_not_grow(client):
    small = _queries_per_page("0.001", client)   # 34 x 3 units x 3 targets
    larger = _queries_per_page("0.002", client)  # 34 x 4 units x 4 targets
    assert small == larger == QUERIES
    assert not get_user_model().objects.filter(username__startswith="bench-pages").exists()
    assert not NationalIndicator.objects.filter(code__startswith=BENCH).exists()


def test_an_unknown_city_is_refused():
    with pytest.raises(CommandError):
        call_command("benchmark_pages", "--city", "NOWHERE", stdout=StringIO())
