"""Dashboard pages through the HTTP client: content, filters, permissions, formats, queries."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from attainment.models import Dataset, Scope, Status, TargetAttainment
from reporting.models import FigureOrigin, Timeliness
from tests.dashboards.conftest import build_city_data
from tests.factories import (
    ApprovedFigureFactory,
    CityFactory,
    PlanFactory,
    TargetFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def _vi(label) -> str:
    with translation.override("vi"):
        return str(label)


def test_index_lists_only_the_reviewers_cities(login, doit_reviewer, city, other_city):
    response = login(doit_reviewer).get(reverse("dashboards:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="city-TC"' in html
    assert 'data-testid="city-OC"' not in html
    assert reverse("dashboards:city", args=["TC"]) in html
    assert reverse("dashboards:compare") in html


def test_dashboard_pages_require_login(client, city):
    response = client.get(reverse("dashboards:city", args=["TC"]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_city_overview_shows_each_target_with_status_in_words(login, doit_reviewer, city_data):
    response = login(doit_reviewer).get(reverse("dashboards:city", args=["TC"]))
    assert response.status_code == 200
    html = response.content.decode()
    for target in city_data.targets:
        assert f'data-target="{target.code}"' in html
    # Colour AND words: the badge carries the status class and its Vietnamese label.
    assert 'class="badge status-link status-achieved"' in html or 'status-achieved"' in html
    assert _vi(Status.ACHIEVED.label) in html
    assert _vi(Status.DETERIORATING.label) in html
    for chart_id in ("pillars", "statuses", "results-2025", "trajectory-2030"):
        assert f'data-testid="chart-{chart_id}"' in html


def test_status_links_to_its_explanation_on_the_method_page(login, doit_reviewer, city_data):
    html = login(doit_reviewer).get(reverse("dashboards:city", args=["TC"])).content.decode()
    method = reverse("attainment:method")
    assert f'href="{method}#status-achieved"' in html
    assert f'href="{method}#status-missed"' in html


def test_city_overview_counts_2025_results(login, doit_reviewer, city_data):
    from tests.dashboards.conftest import STATUSES

    response = login(doit_reviewer).get(reverse("dashboards:city", args=["TC"]))
    statuses = [STATUSES[i % len(STATUSES)] for i, t in enumerate(city_data.targets)
                if t.year == 2025]
    assert response.context["achieved_2025"] == statuses.count(Status.ACHIEVED)
    assert response.context["missed_2025"] == statuses.count(Status.MISSED)
    assert response.context["n_2025"] == len(statuses)
    html = response.content.decode()
    assert f'data-testid="kpi-achieved-2025">{statuses.count(Status.ACHIEVED)}<' in html


def test_year_filter_keeps_only_that_years_targets(login, doit_reviewer, city_data):
    response = login(doit_reviewer).get(reverse("dashboards:city", args=["TC"]), {"year": 2030})
    html = response.content.decode()
    for target in city_data.targets:
        shown = f'data-target="{target.code}"' in html
        assert shown == (target.year == 2030)


def test_pillar_filter_keeps_only_that_pillars_targets(login, doit_reviewer, city_data):
    pillar = city_data.targets[1].indicator.pillar
    response = login(doit_reviewer).get(
        reverse("dashboards:city", args=["TC"]), {"pillar": pillar.pk}
    )
    codes = {row.target.code for row in response.context["data"].rows}
    assert codes == {t.code for t in city_data.targets if t.indicator.pillar_id == pillar.pk}
    assert codes


def test_plan_filter_switches_plan(login, doit_reviewer, city, city_data, doit):
    second = build_city_data(city=city, units=[doit], n_targets=2, plan_code="tc-second")
    response = login(doit_reviewer).get(
        reverse("dashboards:city", args=["TC"]), {"plan": second.plan.pk}
    )
    codes = {row.target.plan.code for row in response.context["data"].rows}
    assert codes == {"tc-second"}


def test_outsider_cannot_read_another_citys_dashboards(login, outsider, city_data, doit):
    client = login(outsider)
    target = city_data.targets[0]
    for url in (
        reverse("dashboards:city", args=["TC"]),
        reverse("dashboards:compliance", args=["TC"]),
        reverse("dashboards:target", args=[target.pk]),
        reverse("dashboards:unit", args=[doit.code]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"Thi\xe1\xbb\x87n" not in response.content  # no chart text leaks


def test_outsider_sees_own_city_but_not_the_test_city_in_index(login, outsider, city_data):
    html = login(outsider).get(reverse("dashboards:index")).content.decode()
    assert 'data-testid="city-OC"' in html
    assert 'data-testid="city-TC"' not in html


def test_unknown_city_is_404(login, doit_reviewer):
    assert login(doit_reviewer).get(reverse("dashboards:city", args=["ZZ"])).status_code == 404


def test_superuser_sees_every_city(client, city, other_city, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.gov.vn", "x-1234")
    client.force_login(admin)
    html = client.get(reverse("dashboards:index")).content.decode()
    assert 'data-testid="city-TC"' in html and 'data-testid="city-OC"' in html


def test_target_detail_shows_series_target_line_trajectory_and_projection(
    login, doit_reviewer, city_data
):
    target = city_data.targets[1]
    response = login(doit_reviewer).get(reverse("dashboards:target", args=[target.pk]))
    assert response.status_code == 200
    chart = response.context["charts"][0]
    series = {row[0].value for row in chart.table.rows}
    assert {"Giá trị thực tế", "Mục tiêu", "Quỹ đạo kỳ vọng", "Dự báo đến năm mục tiêu"} <= series
    actual = [row[2].value for row in chart.table.rows if row[0].value == "Giá trị thực tế"]
    assert actual == [41.0, 51.0, 61.0, 71.0]
    figure = json.loads(chart.figure_json())
    assert len(figure["data"]) == 4
    assert figure["layout"]["separators"] == ",."


def test_split_target_shows_each_unit_against_its_levels_target(
    login, doit_reviewer, split_target
):
    response = login(doit_reviewer).get(reverse("dashboards:target", args=[split_target.pk]))
    units_chart = next(c for c in response.context["charts"] if c.id == "units")
    rows = [[c.value for c in row] for row in units_chart.table.rows]
    assert [r[0] for r in rows] == ["Quận 1", "Phường 1"]
    assert [r[2] for r in rows] == [80.0, 60.0]
    assert [r[3] for r in rows] == [82.0, 41.5]


def test_unit_view_shows_targets_next_report_and_record(login, doit_reviewer, city_data, doit):
    response = login(doit_reviewer).get(reverse("dashboards:unit", args=[doit.code]))
    assert response.status_code == 200
    html = response.content.decode()
    own = [t for t in city_data.targets if doit in t.responsible_units.all()]
    assert {row.target.pk for row in response.context["data"].rows} == {t.pk for t in own}
    assert 'data-testid="next-report"' in html
    next_report = response.context["data"].next_report
    assert next_report is not None and next_report.indicators
    counts = {code: n for code, _label, n in response.context["record_counts"]}
    assert sum(counts.values()) == len(city_data.periods)
    assert 'data-testid="chart-record"' in html


def test_compare_puts_cities_side_by_side(login, doit_reviewer, city_data, other_city,
                                          other_unit):
    shared = city_data.targets[0]  # the one linked to the national indicator
    other = TargetFactory(plan=PlanFactory(code="oc-plan", city=other_city),
                          indicator=shared.indicator, year=2025, responsible=[other_unit])
    for period in city_data.periods:
        TargetAttainment.objects.create(
            dataset=Dataset.OFFICIAL, target=other, scope=Scope.COMBINED, unit=other_city,
            period=period, is_latest=period == city_data.periods[-1], actual_value=50.0,
            status=Status.ON_TRACK, computed_at=timezone.now())
    response = login(doit_reviewer).get(
        reverse("dashboards:compare"), {"indicator": city_data.national.pk}
    )
    assert response.status_code == 200
    cities = {row.city.code for row in response.context["data"].rows}
    assert cities == {"TC", "OC"}
    key = f"{shared.indicator.code}-city"
    series = next(c for c in response.context["charts"] if c.id == f"comparison-series-{key}")
    assert len(json.loads(series.figure_json())["data"]) == 2
    # the reviewer's own city's target is a link; the other city's is named, not linked
    html = response.content.decode()
    for row in response.context["data"].rows:
        link = f'href="{reverse("dashboards:target", args=[row.target.pk])}?'
        assert (link in html) == (row.city.code == "TC"), row.city.code


def test_compare_refused_to_a_user_of_no_city(client, django_user_model, city_data):
    nobody = django_user_model.objects.create_user("nobody", password="x-1234-abc")
    client.force_login(nobody)
    assert client.get(reverse("dashboards:compare")).status_code == 403


def test_compliance_heatmap_has_words_for_every_state(login, doit_reviewer, city_data):
    response = login(doit_reviewer).get(reverse("dashboards:compliance", args=["TC"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="legend"' in html
    for state in (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING, Timeliness.PENDING):
        assert _vi(state.label) in html
    chart = response.context["charts"][0]
    assert len(chart.table.rows) == 3
    assert len(chart.table.columns) == 1 + len(city_data.periods)


def test_compliance_year_filter(login, doit_reviewer, city_data):
    response = login(doit_reviewer).get(
        reverse("dashboards:compliance", args=["TC"]), {"year": 2025}
    )
    assert response.context["n_periods"] == 4
    response = login(doit_reviewer).get(
        reverse("dashboards:compliance", args=["TC"]), {"year": 1999}
    )
    assert response.context["year"] is None


def test_demo_banner_only_on_demo_data(login, doit_reviewer, city_data):
    client = login(doit_reviewer)
    url = reverse("dashboards:city", args=["TC"])
    official = client.get(url, {"dataset": Dataset.OFFICIAL}).content.decode()
    demo = client.get(url, {"dataset": Dataset.DEMO}).content.decode()
    assert 'data-testid="demo-banner"' not in official
    assert 'data-testid="demo-banner"' in demo
    assert "Dữ liệu minh họa — không phải số liệu chính thức" in demo


def test_default_dataset_is_demo_when_demo_figures_are_loaded(
    login, doit_reviewer, city_data, doit
):
    client = login(doit_reviewer)
    url = reverse("dashboards:city", args=["TC"])
    assert client.get(url).context["dataset"] == Dataset.OFFICIAL
    ApprovedFigureFactory(unit=doit, origin=FigureOrigin.DEMO)
    response = client.get(url)
    assert response.context["dataset"] == Dataset.DEMO
    assert 'data-testid="demo-banner"' in response.content.decode()


def test_numbers_in_vietnamese_format_by_default_and_english_on_switch(
    login, doit_reviewer, city_data, settings
):
    client = login(doit_reviewer)
    url = reverse("dashboards:city", args=["TC"])
    html = client.get(url).content.decode()
    assert "1.234,5" in html
    assert '"separators":",."' in html.replace(" ", "")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(url).content.decode()
    assert "1,234.5" in html
    assert '"separators":".,"' in html.replace(" ", "")


def test_dates_in_vietnamese_format(login, doit_reviewer, city_data, doit):
    html = login(doit_reviewer).get(reverse("dashboards:unit", args=[doit.code])).content.decode()
    deadline = city_data.periods[0].deadline
    assert deadline.strftime("%d/%m/%Y") in html


def test_chart_config_hides_logo_and_keeps_png_export(login, doit_reviewer, city_data):
    html = login(doit_reviewer).get(reverse("dashboards:city", args=["TC"])).content.decode()
    config = json.loads(re.search(r'id="cfg-pillars">(.*?)</script>', html).group(1))
    assert config["displaylogo"] is False
    assert config["responsive"] is True
    assert config["toImageButtonOptions"]["format"] == "png"


def test_pages_load_plotly_from_the_app_not_a_cdn(login, doit_reviewer, city_data):
    html = login(doit_reviewer).get(reverse("dashboards:city", args=["TC"])).content.decode()
    assert "cdn.plot.ly" not in html and "cdn.jsdelivr" not in html
    assert '<script src="/static/vendor/plotly.min.js"></script>' in html


@pytest.mark.parametrize(
    ("name", "args", "budget"),
    [
        # 15: the leaders' report card asks which quarters the reader may download (1), who
        # is behind reads three, one asks which targets wait for a recompute.
        ("dashboards:city", ["TC"], 15),
        ("dashboards:compliance", ["TC"], 8),
        # 9: the comparison reads each city's latest result, the values of its line, and
        # the periods of those values once (not a result and a period per point).
        ("dashboards:compare", [], 9),
        ("dashboards:index", [], 6),
    ],
)
def test_query_count_does_not_grow_with_the_data(
    login, doit_reviewer, city, doit, department, district, name, args, budget,
    django_assert_max_num_queries, django_assert_num_queries,
):
    client = login(doit_reviewer)
    build_city_data(city=city, units=[doit, department, district], n_targets=3)
    url = reverse(name, args=args)
    with django_assert_max_num_queries(budget) as small:
        client.get(url)
    extra_units = [UnitFactory(code=f"TC-X{i}", parent=city) for i in range(10)]
    other = CityFactory(code="XC")
    build_city_data(city=city, units=[doit, *extra_units], n_targets=30, plan_code="tc-big")
    build_city_data(city=other, units=[UnitFactory(code="XC-1", parent=other)], n_targets=5)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_target_and_unit_query_counts_do_not_grow(
    login, doit_reviewer, city, doit, department, district,
    django_assert_max_num_queries, django_assert_num_queries,
):
    client = login(doit_reviewer)
    data = build_city_data(city=city, units=[doit, department, district], n_targets=3)
    target_url = reverse("dashboards:target", args=[data.targets[0].pk])
    unit_url = reverse("dashboards:unit", args=[doit.code])
    # 14: one is the city's series break (the day it absorbed other provinces), one the
    # target's recorded changes, one its amendments, one whether the reader edits plans, one
    # whether a recompute of the target is pending.
    with django_assert_max_num_queries(14) as target_small:
        client.get(target_url)
    # 14: the "next report" box asks reporting's indicators_due (two queries per quarter),
    # the menu asks whether the reader reviews (one), and one asks which targets wait for a
    # recompute.
    with django_assert_max_num_queries(14) as unit_small:
        client.get(unit_url)
    extra = [UnitFactory(code=f"TC-Y{i}", parent=city) for i in range(8)]
    build_city_data(city=city, units=[doit, *extra], n_targets=25, plan_code="tc-big")
    with django_assert_num_queries(len(target_small.captured_queries)):
        client.get(target_url)
    with django_assert_num_queries(len(unit_small.captured_queries)):
        client.get(unit_url)


def test_unit_next_report_lists_only_what_a_quarter_asks_for(login, doit_reviewer, city,
                                                              department):
    from django.utils import timezone

    from targets.models import Frequency
    from tests.factories import IndicatorFactory, PlanFactory, TargetFactory

    plan = PlanFactory(code="nr-plan", city=city)
    year = timezone.localdate().year + 1
    quarterly = IndicatorFactory(code="nr-online", name_vi="Dịch vụ công trực tuyến")
    yearly = IndicatorFactory(code="nr-dti", name_vi="Xếp hạng DTI",
                              frequency=Frequency.YEARLY)
    for indicator in (quarterly, yearly):
        TargetFactory(plan=plan, indicator=indicator, year=year, responsible=[department])
    response = login(doit_reviewer).get(reverse("dashboards:unit", args=[department.code]))
    assert response.status_code == 200
    next_report = response.context["data"].next_report
    # a ranking is measured once a year: the quarterly report never asks for it
    assert [i.code for i in next_report.indicators] == ["nr-online"]


def test_unit_next_report_waits_for_an_inherited_duty_to_begin(login, doit_reviewer, city):
    from datetime import date

    from dashboards.selectors import _next_report
    from tests.factories import TargetFactory, UnitFactory

    science = UnitFactory(code="TC-SKHCN", parent=city)
    old = UnitFactory(code="TC-OLD", parent=city, valid_to=date(2030, 1, 1), successor=science)
    TargetFactory(plan__city=city, year=2030, responsible=[old, science])
    assert _next_report(unit=science, reports=[], today=date(2026, 11, 22)) is None
    assert _next_report(unit=old, reports=[], today=date(2026, 11, 22)) is not None
