"""The city overview answers "who is behind", one chart category per target, and the target
table can be searched and sorted; the start pages of DOIT and viewers carry the headlines."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from attainment.models import Dataset, Scope, Status, TargetAttainment
from dashboards.selectors import BEHIND_STATUSES, city_headlines
from targets.models import Level
from tests.dashboards.conftest import _now, build_city_data
from tests.factories import (
    IndicatorFactory,
    MembershipFactory,
    TargetFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Role

pytestmark = pytest.mark.django_db


def _figure(html: str, chart_id: str) -> dict:
    match = re.search(rf'<script type="application/json" id="fig-{chart_id}">(.*?)</script>',
                      html, re.S)
    return json.loads(match.group(1))


@pytest.fixture
def levels_2030(city_data, city, district, commune):
    """The work-records trap: one indicator, three 2030 targets at city, district, commune."""
    indicator = IndicatorFactory(code="work-records", name_vi="Hồ sơ công việc trên mạng")
    made = []
    for level, value, unit in ((Level.CITY, 100, city), (Level.DISTRICT, 90, district),
                               (Level.COMMUNE, 80, commune)):
        target = TargetFactory(plan=city_data.plan, code=f"wr-{level}", indicator=indicator,
                               year=2030, level=level, value=Decimal(value), responsible=[unit])
        TargetAttainment.objects.create(
            dataset=Dataset.OFFICIAL, target=target, scope=Scope.COMBINED, unit=city,
            period=city_data.periods[-1], is_latest=True, actual_value=value / 2,
            effective_target=float(value), attainment_pct=50.0, status=Status.ON_TRACK,
            computed_at=_now(),
        )
        made.append(target)
    return made


def test_2030_chart_and_table_keep_targets_of_one_indicator_apart(login, doit_reviewer,
                                                                 levels_2030):
    html = login(doit_reviewer).get(reverse("dashboards:city", args=["TC"])).content.decode()
    bars = _figure(html, "trajectory-2030")["data"][0]["y"]
    mine = [b for b in bars if b.startswith("Hồ sơ công việc")]
    assert len(mine) == 3 and len(set(bars)) == len(bars)
    assert {b.rsplit("· ", 1)[-1] for b in mine} == {"Cấp thành phố", "Cấp huyện", "Cấp xã"}
    table = html.split('data-testid="table-trajectory-2030"', 1)[1].split("</table>", 1)[0]
    assert "<th scope=\"col\">Cấp</th>" in table
    for level in ("Cấp thành phố", "Cấp huyện", "Cấp xã"):
        assert f"<td class=\"\">{level}</td>" in table


def test_city_overview_ranks_units_and_lists_targets_behind(login, doit_reviewer, city_data,
                                                            doit, department, district):
    html = login(doit_reviewer).get(reverse("dashboards:city", args=["TC"])).content.decode()
    section = html.split('data-testid="behind"', 1)[1].split("</section>", 1)[0]
    units = section.split('data-testid="behind-units"', 1)[1].split("</table>", 1)[0]
    # build_city_data: target i belongs to unit i % 3 with status STATUSES[i % 4]; missed
    # and deteriorating are behind; compliance gives one missing report per unit.
    behind_by_unit = {u.code: 0 for u in (doit, department, district)}
    for target in city_data.targets:
        result = TargetAttainment.objects.get(target=target, scope=Scope.UNIT, is_latest=True)
        if result.status in BEHIND_STATUSES:
            behind_by_unit[result.unit.code] += 1
    from reporting.models import ComplianceRecord, Timeliness

    key = {code: (-n, -ComplianceRecord.objects.filter(unit__code=code,
                                                       timeliness=Timeliness.MISSING).count())
           for code, n in behind_by_unit.items()}
    position = {code: units.index(f"/dashboards/unit/{code}/") for code in key}
    for a in key:
        for b in key:
            if key[a] < key[b]:  # further behind: listed first
                assert position[a] < position[b], (a, b)
    targets = section.split('data-testid="behind-targets"', 1)[1].split("</table>", 1)[0]
    behind = [t for t in city_data.targets
              if TargetAttainment.objects.get(target=t, scope=Scope.COMBINED,
                                              is_latest=True).status in BEHIND_STATUSES]
    assert behind
    for target in behind:
        assert reverse("dashboards:target", args=[target.pk]) in targets
    assert targets.split("<tbody>", 1)[1].count("<tr") == len(behind)


def test_no_unit_behind_says_so(login, doit_reviewer, city_data):
    TargetAttainment.objects.update(status=Status.ON_TRACK)
    from reporting.models import ComplianceRecord, Timeliness

    ComplianceRecord.objects.update(timeliness=Timeliness.ON_TIME)
    html = login(doit_reviewer).get(reverse("dashboards:city", args=["TC"])).content.decode()
    assert 'data-testid="behind-units-none"' in html
    assert "0 mục tiêu chậm tiến độ" in html


def test_target_table_is_sortable_and_searchable_without_inline_script(login, doit_reviewer,
                                                                       city_data):
    html = login(doit_reviewer).get(reverse("dashboards:city", args=["TC"])).content.decode()
    assert 'class="sortable"' in html and 'data-testid="target-search"' in html
    assert 'data-sort="number"' in html and 'data-value="' in html
    assert '<script src="/static/dashboards/tables.js"></script>' in html or \
        re.search(r'<script src="/static/dashboards/tables\.[0-9a-f]+\.js"></script>', html)
    # every script is a file or JSON data: nothing for the CSP to refuse
    for tag in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html):
        assert 'type="application/json"' in tag


def test_who_is_behind_reads_in_a_fixed_number_of_queries(
    login, doit_reviewer, city, doit, department, district, django_assert_num_queries,
):
    client = login(doit_reviewer)
    build_city_data(city=city, units=[doit, department, district], n_targets=3)
    url = reverse("dashboards:city", args=["TC"])
    with django_assert_num_queries(15) as small:  # the page's 12 and who-is-behind's 3
        client.get(url)
    extra = [UnitFactory(code=f"TC-Z{i}", parent=city) for i in range(10)]
    build_city_data(city=city, units=[doit, *extra], n_targets=30, plan_code="tc-big")
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


# ---------------------------------------------------------------- start pages


def test_reviewer_start_page_has_queue_and_city_headlines(login, doit_reviewer, city_data):
    page = login(doit_reviewer).get(reverse("home")).content.decode()
    assert 'data-testid="queue-summary"' in page
    headline = page.split('data-testid="headline-TC"', 1)[1].split("</div>", 1)[0]
    [row] = city_headlines(cities=[city_data.plan.city], dataset=Dataset.OFFICIAL)
    assert row.n_targets == len(city_data.targets)
    assert f'data-testid="headline-targets">{row.n_targets}<' in headline
    assert f'data-testid="headline-behind">{row.behind}<' in headline
    assert f'data-testid="headline-overdue">{row.reports_overdue}<' in headline
    assert reverse("dashboards:city", args=["TC"]) in headline
    assert 'data-testid="due"' not in page  # a reviewer has nothing to report


def test_viewer_start_page_shows_the_city_not_nothing_to_report(login, city, city_data):
    viewer = UserFactory(username="viewer")
    MembershipFactory(user=viewer, unit=city, role=Role.VIEWER)
    page = login(viewer).get(reverse("home")).content.decode()
    assert 'data-testid="headline-TC"' in page
    assert "Không có gì cần báo cáo" not in page and 'data-testid="due"' not in page
    assert 'data-testid="queue-summary"' not in page


def test_reporter_start_page_keeps_its_due_list_without_headlines(login, department_reporter,
                                                                  city_data):
    page = login(department_reporter).get(reverse("home")).content.decode()
    assert 'data-testid="due"' in page and 'data-testid="headlines"' not in page


def test_outsider_start_page_shows_only_its_own_city(login, outsider, city_data, other_city):
    MembershipFactory(user=outsider, unit=other_city, role=Role.VIEWER)
    page = login(outsider).get(reverse("home")).content.decode()
    assert 'data-testid="headline-OC"' in page and 'data-testid="headline-TC"' not in page


def test_start_page_query_count_does_not_grow(login, doit_reviewer, city, doit, department,
                                              district, django_assert_num_queries):
    client = login(doit_reviewer)
    build_city_data(city=city, units=[doit, department, district], n_targets=3)
    with django_assert_num_queries(12) as small:
        client.get(reverse("home"))
    extra = [UnitFactory(code=f"TC-W{i}", parent=city) for i in range(10)]
    build_city_data(city=city, units=[doit, *extra], n_targets=30, plan_code="tc-big")
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("home"))
