"""manage.py benchmark_pages: every page and API list of a national-scale city, timed, with
the same number of queries whatever the size of the country."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db

# Queries per request of each page, whatever the size of the country. A change here is a
# page reading more (or less) than it did: look at what it reads before moving a pin.
QUERIES = {
    "city overview": 13,
    "target detail": 11,
    "unit view": 11,
    "compliance heatmap": 5,
    "comparison": 3,
    "API attainment list": 6,
    "API rollup list": 5,
    "API completeness list": 5,
    "API target list": 7,
}
PAGES = tuple(QUERIES)
LINE = re.compile(r"(?P<name>[\w ]+): p50 \d+ ms, p95 \d+ ms, (?P<queries>\d+) queries, "
                  r"[\d,]+ bytes")


def _queries_per_page(scale: str) -> dict[str, int]:
    call_command("benchmark_attainment", "--national", "--scale", scale, "--approvals", "1",
                 "--keep", stdout=StringIO())
    out = StringIO()
    try:
        call_command("benchmark_pages", "--requests", "2", stdout=out)
    finally:
        call_command("benchmark_attainment", "--remove", stdout=StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("BENCH-P00, dataset demo, 2 requests per page")
    found = {m["name"]: int(m["queries"]) for m in map(LINE.fullmatch, lines[1:])}
    assert tuple(found) == PAGES
    return found


def test_every_page_is_timed_with_a_query_count_that_does_not_grow():
    small = _queries_per_page("0.001")   # 34 x 3 units x 3 targets
    larger = _queries_per_page("0.002")  # 34 x 4 units x 4 targets
    assert small == larger == QUERIES
    assert not get_user_model().objects.filter(username__startswith="bench-pages").exists()


def test_an_unknown_city_is_refused():
    with pytest.raises(CommandError):
        call_command("benchmark_pages", "--city", "NOWHERE", stdout=StringIO())
