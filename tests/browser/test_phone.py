"""A 390 px phone: the compliance heatmap reads (the latest quarters at a readable cell size
beside the unit names), and the review queue's Approve and Return are on screen."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attainment.models import Dataset
from reporting.models import ComplianceRecord, ReportState, Timeliness
from tests.factories import PeriodFactory, ReportFactory, UnitFactory
from units.models import UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
OVERFLOW = ("() => ({body: document.body.scrollWidth, doc: document.documentElement.scrollWidth,"
            " view: window.innerWidth})")


def _no_horizontal_overflow(session):
    widths = session.page.evaluate(OVERFLOW)
    assert widths["body"] <= widths["view"] and widths["doc"] <= widths["view"], widths


@pytest.fixture
def seven_years(city, doit_reviewer):
    """The demo's shape: 12 units reporting 28 quarters (2020 Q1 to 2026 Q4)."""
    units = [UnitFactory(code=f"TC-W{i}", parent=city, kind=UnitKind.COMMUNE,
                         name_vi=f"Phường Thử nghiệm số {i} có tên khá dài")
             for i in range(12)]
    kinds = [Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING, Timeliness.ON_TIME]
    now = timezone.make_aware(datetime(2026, 12, 1))
    for year in range(2020, 2027):
        for quarter in (1, 2, 3, 4):
            period = PeriodFactory(year=year, quarter=quarter)
            for k, unit in enumerate(units):
                ComplianceRecord.objects.create(
                    dataset=Dataset.OFFICIAL, unit=unit, period=period,
                    timeliness=kinds[(k + quarter + year) % 4], computed_at=now,
                    days_late=3 if kinds[(k + quarter + year) % 4] == Timeliness.LATE else None,
                )
    return units


def test_compliance_heatmap_reads_on_a_phone(open_session, seven_years):
    session = open_session(viewport=PHONE)
    session.login("doit_reviewer")
    session.goto(reverse("dashboards:compliance", args=["TC"]))
    session.page.wait_for_selector(".chart .main-svg")
    _no_horizontal_overflow(session)
    heatmap = session.page.evaluate("""() => {
        const chart = document.querySelector('#chart-compliance .chart');
        const plot = chart.querySelector('.nsewdrag').getBoundingClientRect();
        const labels = Array.from(chart.querySelectorAll('.ytick text'))
            .map(t => t.getBoundingClientRect());
        return {columns: chart.data[0].x.length, last: chart.data[0].x.slice(-1)[0],
                plotWidth: plot.width, plotLeft: plot.left,
                labelsLeft: Math.min(...labels.map(r => r.left)), nLabels: labels.length,
                modebar: chart.querySelectorAll('.modebar').length};
    }""")
    assert 4 <= heatmap["columns"] < 28, heatmap  # the latest quarters that fit
    assert heatmap["last"] == "Quý 4/2026", heatmap
    assert heatmap["plotWidth"] / heatmap["columns"] >= 20, heatmap  # readable cells
    session.screenshot("phone-compliance-heatmap", full_page=True)
    assert heatmap["nLabels"] == 12 and heatmap["labelsLeft"] >= 0, heatmap  # names on screen
    assert heatmap["modebar"] == 0, heatmap  # no toolbar for the labels to pile on
    assert session.page.locator('[data-testid="phone-note"]').is_visible()
    session.screenshot("phone-compliance-heatmap", full_page=True)
    assert session.errors == []


@pytest.fixture
def queue(city, department, district, commune, doit_reviewer, department_reporter):
    period = PeriodFactory(year=2026, quarter=3)
    submitted_at = timezone.now() - timedelta(days=2)
    return [ReportFactory(unit=unit, period=period, state=ReportState.SUBMITTED,
                          submitted_by=department_reporter, submitted_at=submitted_at,
                          first_submitted_at=submitted_at)
            for unit in (department, district, commune)]


def test_review_queue_buttons_are_on_a_phone_screen(open_session, queue):
    session = open_session(viewport=PHONE)
    session.login("doit_reviewer")
    session.goto(reverse("review_queue"))
    _no_horizontal_overflow(session)
    for report in queue:
        for testid in (f"approve-{report.pk}",):
            box = session.page.locator(f'[data-testid="{testid}"]').bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        summary = session.page.locator(f'[data-testid="queue-row-{report.pk}"] summary')
        box = summary.bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"], box
    session.screenshot("phone-review-queue", full_page=True)
    # Return opens in place and its button is on screen too
    session.page.locator(f'[data-testid="queue-row-{queue[0].pk}"] summary').click()
    box = session.page.locator(f'[data-testid="return-{queue[0].pk}"]').bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"], box
    session.page.click(f'[data-testid="approve-{queue[0].pk}"]')
    session.page.wait_for_load_state("load")
    queue[0].refresh_from_db()
    assert queue[0].state == ReportState.APPROVED
    assert session.errors == []


def test_city_overview_is_short_on_a_phone(open_session, city, doit, department, district,
                                           doit_reviewer):
    from tests.dashboards.conftest import build_city_data

    build_city_data(city=city, units=[doit, department, district], n_targets=51)
    session = open_session(viewport=PHONE)
    session.login("doit_reviewer")
    session.goto(reverse("dashboards:city", args=["TC"]))
    session.page.wait_for_selector(".chart .main-svg")
    _no_horizontal_overflow(session)
    state = session.page.evaluate("""() => ({
        rows: Array.from(document.querySelectorAll('[data-testid="target-list"] tbody tr'))
              .filter(r => !r.hidden).length,
        openNumbers: document.querySelectorAll('details.numbers[open]').length,
        height: document.documentElement.scrollHeight})""")
    assert state["rows"] == 8 and state["openNumbers"] == 0, state
    session.screenshot("phone-city-overview", full_page=True)
    session.page.locator("#targets .show-all").click()
    shown = session.page.evaluate("""() => Array.from(document.querySelectorAll(
        '[data-testid="target-list"] tbody tr')).filter(r => !r.hidden).length""")
    assert shown == 51
    assert session.errors == []


def test_target_table_search_and_sort(open_session, city, doit, department, district,
                                      doit_reviewer):
    from tests.dashboards.conftest import build_city_data

    build_city_data(city=city, units=[doit, department, district], n_targets=6)
    session = open_session()
    session.login("doit_reviewer")
    session.goto(reverse("dashboards:city", args=["TC"]))
    session.page.fill('[data-testid="target-search"]', "ind-3")
    visible = session.page.evaluate("""() => Array.from(document.querySelectorAll(
        '[data-testid="target-list"] tbody tr')).filter(r => !r.hidden)
        .map(r => r.dataset.target)""")
    assert visible == ["t-3"]
    session.page.fill('[data-testid="target-search"]', "")
    session.page.click('[data-testid="target-list"] th:nth-child(7) button.sort')  # attainment
    values = session.page.evaluate("""() => Array.from(document.querySelectorAll(
        '[data-testid="target-list"] tbody tr')).map(r => parseFloat(r.cells[6].dataset.value))""")
    assert values == sorted(values)
    assert session.errors == []
