"""The whole path in the browser: a reporter submits, a reviewer approves, the dashboard shows it.

Celery is eager in tests, so the recompute queued on approval runs in the live server."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from attainment.models import Dataset, Scope, Status, TargetAttainment
from reporting.models import Report, ReportState
from reporting.periods import period_ensure
from tests.factories import IndicatorFactory, PlanFactory, TargetFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _last_ended_quarter(today):
    quarter = (today.month - 1) // 3 + 1
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


@pytest.fixture
def target(city, department, doit_reviewer, department_reporter):
    plan = PlanFactory(code="tc-dx", city=city)
    indicator = IndicatorFactory(code="records-online", name_vi="Tỷ lệ hồ sơ trực tuyến",
                                 name_en="Share of records online")
    return TargetFactory(plan=plan, code="records-online-2030", indicator=indicator, year=2030,
                         value=Decimal("90"), baseline_value=Decimal("40"), baseline_year=2021,
                         responsible=[department])


def test_reporter_submits_reviewer_approves_dashboard_shows_value_and_status(
    open_session, target, department
):
    year, quarter = _last_ended_quarter(timezone.localdate())
    period = period_ensure(kind="quarter", year=year, quarter=quarter)

    reporter = open_session()
    reporter.login("department_reporter")
    # The last quarter's deadline may have passed: the home page then lists it as overdue.
    entry = reverse("report_edit", args=[department.pk, period.code])
    reporter.page.click(f'[data-testid="overdue"] a[href="{entry}"], '
                        f'[data-testid="enter-{department.code}-{period.code}"]')
    reporter.page.wait_for_selector('[data-testid="entry-form"]')
    row = reporter.page.locator(f'[data-testid="row-{target.indicator.code}"]')
    row.locator('input[inputmode="decimal"]').fill("85,5")
    reporter.screenshot("e2e-1-entry")
    reporter.page.click('[data-testid="submit-report"]')
    reporter.page.wait_for_load_state("load")
    report = Report.objects.get(unit=department, period=period)
    assert report.state == ReportState.SUBMITTED
    assert report.lines.get().value == Decimal("85.5")
    assert reporter.errors == []

    reviewer = open_session()
    reviewer.login("doit_reviewer")
    reviewer.goto(reverse("review_queue"))
    reviewer.page.click(f'[data-testid="approve-{report.pk}"]')
    reviewer.page.wait_for_load_state("load")
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    stored = TargetAttainment.objects.get(dataset=Dataset.OFFICIAL, target=target,
                                          scope=Scope.COMBINED, is_latest=True)
    assert stored.actual_value == pytest.approx(85.5)
    assert stored.status == Status.ON_TRACK

    reviewer.goto(reverse("dashboards:target", args=[target.pk]))
    reviewer.page.wait_for_selector('[data-testid="chart-series"] .main-svg')
    assert "85,5" in reviewer.page.inner_text('[data-testid="latest-value"]')
    status = reviewer.page.locator('[data-testid="target-status"] [data-status]')
    assert status.get_attribute("data-status") == Status.ON_TRACK
    assert status.inner_text() == "Đúng tiến độ"
    traces = reviewer.page.evaluate("() => document.getElementById('plot-series').data")
    actual = next(t for t in traces if t["name"] == "Giá trị thực tế")
    assert actual["y"] == [85.5]
    reviewer.screenshot("e2e-2-dashboard", full_page=True)

    reviewer.goto(reverse("dashboards:city", args=["TC"]))
    city_row = reviewer.page.locator(f'tr[data-target="{target.code}"]')
    assert "85,5" in city_row.inner_text()
    assert city_row.locator('[data-status="on_track"]').count() == 1
    assert reviewer.errors == []
