"""The dashboards in headless Chromium as a DOIT reviewer: charts drawn, no JavaScript errors,
the language switch, a phone-sized screen."""

import pytest
from django.urls import reverse

from tests.dashboards.conftest import build_city_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('.chart[data-figure]')).map(
    el => ({id: el.id, traces: (el.data || []).length, svg: !!el.querySelector('.main-svg')}))"""


@pytest.fixture
def data(city, doit, department, district, doit_reviewer, other_city, other_unit):
    built = build_city_data(city=city, units=[doit, department, district], n_targets=6)
    build_city_data(city=other_city, units=[other_unit], n_targets=1, national=built.national)
    return built


def _pages(data, doit):
    return {
        "index": reverse("dashboards:index"),
        "city": reverse("dashboards:city", args=["TC"]),
        "target": reverse("dashboards:target", args=[data.targets[1].pk]),
        "unit": reverse("dashboards:unit", args=[doit.code]),
        "compare": reverse("dashboards:compare") + f"?indicator={data.national.pk}",
        "compliance": reverse("dashboards:compliance", args=["TC"]),
    }


@pytest.mark.parametrize("name", ["city", "target", "unit", "compare", "compliance"])
def test_page_draws_every_chart_without_javascript_errors(open_session, data, doit, name):
    session = open_session()
    session.login("doit_reviewer")
    response = session.goto(_pages(data, doit)[name])
    assert response.status == 200
    session.page.wait_for_selector(".chart .main-svg")
    charts = session.page.evaluate(CHARTS_DRAWN)
    assert charts, "the page has no chart"
    for chart in charts:
        assert chart["traces"] > 0 and chart["svg"], chart
    session.screenshot(f"dashboard-{name}")
    assert session.errors == []


def test_index_links_every_dashboard(open_session, data, doit):
    session = open_session()
    session.login("doit_reviewer")
    session.goto(_pages(data, doit)["index"])
    session.page.click("text=Tổng quan thành phố")
    session.page.wait_for_selector('[data-testid="chart-pillars"] .main-svg')
    assert session.page.url.startswith(session.base_url + reverse("dashboards:city", args=["TC"]))
    assert session.errors == []


def test_plotly_toolbar_offers_png_and_no_logo(open_session, data, doit):
    session = open_session()
    session.login("doit_reviewer")
    session.goto(_pages(data, doit)["city"])
    session.page.wait_for_selector('[data-testid="chart-pillars"] .main-svg')
    session.page.hover('[data-testid="chart-pillars"]')
    chart = session.page.locator('[data-testid="chart-pillars"]')
    png = chart.locator('[data-attr="format"][data-val="png"], [data-title*="PNG"]').first
    png.wait_for(state="attached", timeout=10_000)  # the modebar is drawn after the plot
    assert png.count() == 1
    assert chart.locator(".modebar-btn--logo").count() == 0


def test_language_switch_to_english_is_remembered(open_session, data, doit):
    session = open_session()
    session.login("doit_reviewer")
    session.goto(_pages(data, doit)["city"])
    heading = session.page.locator("h1")
    assert "mục tiêu chuyển đổi số" in heading.inner_text()
    assert "1.234,5" in session.page.inner_text('[data-testid="target-list"]')
    session.page.click('[data-testid="lang-switch"] button[value="en"]')
    session.page.wait_for_load_state("load")
    assert "digital-transformation targets" in session.page.locator("h1").inner_text()
    session.page.reload()
    session.page.wait_for_selector('[data-testid="chart-pillars"] .main-svg')
    assert "digital-transformation targets" in session.page.locator("h1").inner_text()
    assert "1,234.5" in session.page.inner_text('[data-testid="target-list"]')
    assert session.page.evaluate(
        "() => document.getElementById('plot-pillars').layout.separators"
    ) == ".,"
    session.screenshot("dashboard-city-en")
    assert session.errors == []


@pytest.mark.parametrize("name", ["city", "target", "compliance", "unit"])
def test_phone_screen_has_no_horizontal_overflow(open_session, data, doit, name):
    session = open_session(viewport={"width": 390, "height": 844})
    session.login("doit_reviewer")
    session.goto(_pages(data, doit)[name])
    session.page.wait_for_selector(".chart .main-svg")
    widths = session.page.evaluate(
        "() => ({body: document.body.scrollWidth, doc: document.documentElement.scrollWidth,"
        " view: window.innerWidth})"
    )
    assert widths["body"] <= widths["view"] and widths["doc"] <= widths["view"], widths
    session.screenshot(f"phone-{name}", full_page=True)
    assert session.errors == []


def test_demo_banner_shows_on_demo_data(open_session, data, doit):
    session = open_session()
    session.login("doit_reviewer")
    session.goto(_pages(data, doit)["city"] + "?dataset=demo")
    assert session.page.inner_text('[data-testid="demo-banner"]') == (
        "Dữ liệu minh họa — không phải số liệu chính thức"
    )
    session.page.click('[data-testid="dataset-official"]')
    session.page.wait_for_load_state("load")
    assert session.page.locator('[data-testid="demo-banner"]').count() == 0
