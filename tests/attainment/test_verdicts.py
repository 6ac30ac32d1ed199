"""Verdicts officials can trust (issue 10): each case is entered through the real approval
path (a reporter saves and submits, DOIT approves, the recompute runs on commit) on a fixed
day, then read back through the API and the target page."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from attainment.models import Scope, Status, TargetAttainment
from reporting.periods import period_from_code
from reporting.services import report_approve, report_open, report_save, report_submit
from targets.models import Comparator, Direction, Frequency, Measure
from tests.factories import IndicatorFactory, PlanFactory, TargetFactory

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


@pytest.fixture
def on_day(monkeypatch):
    """on_day(date): the engine's "today" for the recomputes that approvals trigger."""

    def _set(day: date) -> None:
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)

    return _set


@pytest.fixture
def token_client():
    """token_client(user): an API client sending that user's new token."""
    from rest_framework.test import APIClient

    from api.services import api_token_issue

    def _client(user):
        _token, key = api_token_issue(user=user, name=f"{user.username} system")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return _client


@pytest.fixture
def approve(django_capture_on_commit_callbacks, department_reporter, doit_reviewer):
    """approve(unit, "2025-Q3", {indicator_code: value}): save, submit, approve, recompute."""

    def _approve(unit, code: str, values: dict[str, object], reporter=department_reporter):
        period = period_from_code(code)
        report = report_open(user=reporter, unit=unit, period=period)
        report = report_save(
            user=reporter, report=report, expected_version=report.version, channel="web",
            values={k: {"value": str(v)} for k, v in values.items()},
        )
        report = report_submit(user=reporter, report=report, channel="web")
        with django_capture_on_commit_callbacks(execute=True):
            report_approve(user=doit_reviewer, report=report,
                           expected_version=report.version, channel="web")

    return _approve


def nightly(day: date) -> None:
    """The nightly recompute, run on ``day`` (manage.py recompute_attainment)."""
    from io import StringIO

    from django.utils import timezone

    assert timezone.localdate() == day
    call_command("recompute_attainment", stdout=StringIO(), stderr=StringIO())


def combined(target) -> TargetAttainment:
    return TargetAttainment.objects.get(
        dataset="official", target=target, scope=Scope.COMBINED, is_latest=True
    )


def api_row(client, target) -> dict:
    response = client.get(f"{V1}/attainment/", {"city": target.plan.city.code})
    assert response.status_code == 200
    return next(r for r in response.json()["results"] if r["target"] == target.pk)


def department_target(city, department, *, year=2025, value="90", **indicator):
    return TargetFactory(
        plan=PlanFactory(city=city), indicator=IndicatorFactory(**indicator), year=year,
        value=Decimal(value), responsible=[department],
    )


def later_target(target):
    """The same indicator's 2030 target, so the unit keeps reporting after the target year."""
    return TargetFactory(plan=target.plan, indicator=target.indicator, year=2030,
                         value=target.value, responsible=list(target.responsible_units.all()))


# --- item 5: "missed" only once the last figures of the year were due -----------------------

def test_a_2025_target_awaits_final_figures_on_5_january_2026_then_is_missed(
    city, department, approve, on_day, token_client, doit_reviewer
):
    target = department_target(city, department)
    code = target.indicator.code
    on_day(date(2025, 10, 10))
    approve(department, "2025-Q2", {code: 80})
    approve(department, "2025-Q3", {code: 85})
    assert combined(target).status == Status.ON_TRACK  # R = 1.03, projection 90.3

    # Q4's figures are due on 15 January 2026 (31 December + 15 days).
    on_day(date(2026, 1, 5))
    nightly(date(2026, 1, 5))
    row = api_row(token_client(doit_reviewer), target)
    assert row["status"] == "awaiting_final"
    assert row["status_label"] == "Chờ số liệu cuối kỳ"

    on_day(date(2026, 1, 16))
    nightly(date(2026, 1, 16))
    assert combined(target).status == Status.MISSED


def test_a_yearly_indicator_waits_for_the_years_deadline(city, department, approve, on_day):
    target = department_target(city, department, frequency=Frequency.YEARLY)
    on_day(date(2025, 3, 1))
    approve(department, "2024", {target.indicator.code: 70})
    on_day(date(2026, 1, 2))
    nightly(date(2026, 1, 2))
    assert combined(target).status == Status.AWAITING_FINAL


# --- item 6: a target for 2025 is judged on figures of 2025 or before ----------------------

def test_figures_of_2026_never_change_the_verdict_on_2025(
    city, department, approve, on_day, token_client, doit_reviewer
):
    target = department_target(city, department)
    later_target(target)
    code = target.indicator.code
    on_day(date(2026, 1, 10))
    approve(department, "2025-Q4", {code: 70})
    on_day(date(2026, 7, 10))
    approve(department, "2026-Q2", {code: 95})

    result = combined(target)
    assert result.status == Status.MISSED
    assert result.actual_value == 70
    assert result.period.code == "2026-Q2"  # the row answers "as of the latest figure"
    assert (result.since_deadline_value, result.since_deadline_t) == (95, 2026.5)
    row = api_row(token_client(doit_reviewer), target)
    assert row["status"] == "missed"
    assert row["actual_value"] == 70 and row["since_deadline_value"] == 95


def test_a_2021_target_is_not_achieved_on_2026_data(city, department, approve, on_day):
    target = department_target(city, department, year=2021, value="80")
    later_target(target)
    code = target.indicator.code
    on_day(date(2021, 10, 1))
    approve(department, "2021-Q3", {code: 60})
    on_day(date(2026, 7, 10))
    approve(department, "2026-Q2", {code: 99})
    result = combined(target)
    assert result.status == Status.MISSED and result.actual_value == 60
    assert result.stale is False  # 2021 figures are the right ones for a 2021 target


def test_a_2022_rank_behind_a_2025_rank_target_is_stale_in_december_2026(
    city, approve, on_day, token_client, doit_reviewer, django_user_model
):
    from tests.factories import MembershipFactory
    from units.models import Role

    city_reporter = django_user_model.objects.create_user("city_reporter")
    MembershipFactory(user=city_reporter, unit=city, role=Role.REPORTER)
    target = TargetFactory(
        plan=PlanFactory(city=city), year=2025, comparator=Comparator.TOP_N, value=Decimal(10),
        indicator=IndicatorFactory(measure=Measure.RANK, direction=Direction.LOWER,
                                   frequency=Frequency.YEARLY),
        responsible=[city],
    )
    on_day(date(2023, 3, 1))
    approve(city, "2022", {target.indicator.code: 5}, reporter=city_reporter)
    on_day(date(2026, 12, 3))
    nightly(date(2026, 12, 3))

    result = combined(target)
    assert result.status == Status.ACHIEVED and result.stale is True
    assert api_row(token_client(doit_reviewer), target)["stale"] is True


# --- who forms the value (items 1, 3) and coverage (item 4) --------------------------------

@pytest.fixture
def reporter_of(django_user_model):
    """reporter_of(unit): a new user who enters that unit's figures."""
    from tests.factories import MembershipFactory
    from units.models import Role

    def _make(unit):
        user = django_user_model.objects.create_user(f"reporter-{unit.code}")
        MembershipFactory(user=user, unit=unit, role=Role.REPORTER)
        return user

    return _make


def districts_of(city, n):
    from tests.factories import UnitFactory
    from units.models import UnitKind

    return [UnitFactory(code=f"TC-D{i}", parent=city, kind=UnitKind.DISTRICT)
            for i in range(1, n + 1)]


@pytest.mark.parametrize("own_rule", ["", "consolidated"])
def test_doit_consolidating_a_city_share_is_the_city_value_not_all_or_nothing(
    city, doit, approve, on_day, reporter_of, token_client, doit_reviewer, own_rule
):
    # "100 % of communes have fibre", reported by DOIT alone: 95 % then 99 % is 99 %.
    from targets.models import Aggregation

    target = TargetFactory(
        plan=PlanFactory(city=city),
        indicator=IndicatorFactory(aggregation=Aggregation.SHARE_MEETING),
        value=Decimal(100), responsible=[doit], aggregation=own_rule,
    )
    reporter = reporter_of(doit)
    on_day(date(2024, 10, 5))
    approve(doit, "2024-Q3", {target.indicator.code: 95}, reporter=reporter)
    on_day(date(2025, 1, 5))
    approve(doit, "2024-Q4", {target.indicator.code: 99}, reporter=reporter)

    row = api_row(token_client(doit_reviewer), target)
    assert row["actual_value"] == 99
    assert row["status"] == "on_track"
    assert (row["units_reported"], row["units_expected"]) == (1, 1)


def test_each_district_picks_a_commune_is_the_share_of_districts_that_did(
    city, approve, on_day, reporter_of
):
    from targets.models import Aggregation, Level

    districts = districts_of(city, 4)
    target = TargetFactory(
        plan=PlanFactory(city=city), indicator=IndicatorFactory(measure=Measure.COUNT),
        level=Level.DISTRICT, value=Decimal(100), responsible=districts,
        aggregation=Aggregation.SHARE_OF_UNITS, unit_comparator=Comparator.AT_LEAST,
        unit_value=Decimal(1),
    )
    on_day(date(2024, 10, 5))
    for district, picked in zip(districts, (1, 2, 1, 0), strict=True):
        approve(district, "2024-Q3", {target.indicator.code: picked},
                reporter=reporter_of(district))
    result = combined(target)
    assert result.actual_value == 75  # 3 of 4 districts, not a sum of 4 >= 1
    assert (result.numerator, result.denominator) == (3, 4)
    assert result.status != Status.ACHIEVED


def test_two_districts_of_nine_do_not_make_a_district_target_achieved(
    city, approve, on_day, reporter_of, token_client, doit_reviewer
):
    from targets.models import Aggregation, Level

    districts = districts_of(city, 9)
    target = TargetFactory(
        plan=PlanFactory(city=city), indicator=IndicatorFactory(aggregation=Aggregation.MEAN),
        level=Level.DISTRICT, value=Decimal(80), responsible=districts,
    )
    code = target.indicator.code
    on_day(date(2024, 10, 5))
    for district in districts[:2]:
        approve(district, "2024-Q3", {code: 85}, reporter=reporter_of(district))

    row = api_row(token_client(doit_reviewer), target)
    assert row["status"] == "incomplete_data"
    assert row["actual_value"] == 85
    assert (row["units_reported"], row["units_expected"]) == (2, 9)
    assert row["coverage_pct"] == pytest.approx(200 / 9)

    for district in districts[2:8]:
        approve(district, "2024-Q3", {code: 85}, reporter=reporter_of(district))
    result = combined(target)
    assert (result.units_reported, result.units_expected) == (8, 9)  # 89 % >= 80 %
    assert result.status == Status.ACHIEVED

    from attainment.models import Rollup

    city_rollup = Rollup.objects.get(dataset="official", scope="city", city=city,
                                     target_year__isnull=True)
    assert (city_rollup.units_reported, city_rollup.units_expected) == (8, 9)


# --- a reduction needs a base (item 2) -----------------------------------------------------

def test_a_count_of_procedures_is_never_read_as_percent_reduced(
    city, department, approve, on_day, token_client, doit_reviewer
):
    target = TargetFactory(
        plan=PlanFactory(city=city), comparator=Comparator.REDUCE_BY, value=Decimal(20),
        indicator=IndicatorFactory(measure=Measure.COUNT, direction=Direction.LOWER),
        responsible=[department],
    )
    on_day(date(2024, 10, 5))
    approve(department, "2024-Q3", {target.indicator.code: 1800})
    row = api_row(token_client(doit_reviewer), target)
    assert row["status"] == "baseline_needed"
    assert row["status_label"] == "Cần giá trị gốc"
    assert row["actual_value"] == 1800 and row["attainment_pct"] is None


# --- the 2025 merger (item 7) --------------------------------------------------------------

def test_an_absorbed_provinces_figures_do_not_count_for_the_older_plan(
    city, doit, approve, on_day, reporter_of
):
    from tests.attainment.conftest import figure
    from tests.factories import CityFactory, UnitFactory
    from units.models import UnitKind

    absorbed = CityFactory(code="AP", valid_to=date(2025, 7, 1), successor=city)
    absorbed_doit = UnitFactory(code="AP-STTTT", parent=absorbed, kind=UnitKind.DEPARTMENT,
                                valid_to=date(2025, 7, 1), successor=doit)
    old_plan = PlanFactory(city=city, code="old", issued_on=date(2021, 3, 1))
    new_plan = PlanFactory(city=city, code="new", issued_on=date(2025, 9, 1))
    indicator = IndicatorFactory()
    old = TargetFactory(plan=old_plan, indicator=indicator, value=Decimal(80),
                        responsible=[doit])
    new = TargetFactory(plan=new_plan, indicator=indicator, year=2030, value=Decimal(80),
                        responsible=[doit])
    figure(indicator, absorbed_doit, "2024-Q3", 10)
    on_day(date(2024, 10, 5))
    approve(doit, "2024-Q3", {indicator.code: 60}, reporter=reporter_of(doit))

    assert combined(old).actual_value == 60  # old Cần Thơ alone
    assert combined(new).actual_value == 35  # the merged province, as the new plan covers it


def test_a_2030_district_target_says_level_abolished_instead_of_its_2024_figures(
    city, approve, on_day, reporter_of, token_client, doit_reviewer
):
    from targets.models import Level

    districts = districts_of(city, 1)
    target = TargetFactory(plan=PlanFactory(city=city), level=Level.DISTRICT, year=2030,
                           value=Decimal(80), responsible=districts)
    on_day(date(2024, 10, 5))
    approve(districts[0], "2024-Q3", {target.indicator.code: 95},
            reporter=reporter_of(districts[0]))
    assert combined(target).status == Status.ACHIEVED  # before 1 July 2025 it is judged

    on_day(date(2031, 2, 1))
    nightly(date(2031, 2, 1))
    row = api_row(token_client(doit_reviewer), target)
    assert row["status"] == "level_abolished"
    assert row["status_label"] == "Cấp hành chính đã bãi bỏ"


def test_a_rank_among_34_is_shown_with_its_field_and_not_compared_with_top_10_of_63(
    city, on_day, token_client, doit_reviewer
):
    from tests.attainment.conftest import figure

    target = TargetFactory(
        plan=PlanFactory(city=city, issued_on=date(2021, 3, 1)), year=2025,
        comparator=Comparator.TOP_N, value=Decimal(10),
        indicator=IndicatorFactory(measure=Measure.RANK, direction=Direction.LOWER,
                                   frequency=Frequency.YEARLY),
        responsible=[city],
    )
    figure(target.indicator, city, "2020", 15, origin="document", denominator=Decimal(63))
    figure(target.indicator, city, "2022", 5, origin="document", denominator=Decimal(63))
    figure(target.indicator, city, "2025", 12, origin="document", denominator=Decimal(34))
    on_day(date(2026, 6, 1))
    nightly(date(2026, 6, 1))

    row = api_row(token_client(doit_reviewer), target)
    assert row["rank_field"] == 63 and row["not_comparable"] is True
    assert row["actual_value"] == 5  # the last rank among 63
    assert row["status"] == "achieved" and row["stale"] is True


# --- what the target page and the API show (item 9, and the details above) -----------------

def page(client, target) -> str:
    from django.urls import reverse

    response = client.get(reverse("dashboards:target", args=[target.pk]), {"dataset": "official"})
    assert response.status_code == 200
    return response.content.decode()


def test_target_page_shows_coverage_expected_value_and_the_figures_since_the_deadline(
    city, department, approve, on_day, login, doit_reviewer
):
    target = department_target(city, department)
    target.baseline_value, target.baseline_year = Decimal(40), 2020
    target.save()
    later_target(target)
    code = target.indicator.code
    on_day(date(2026, 1, 10))
    approve(department, "2025-Q4", {code: 70})
    on_day(date(2026, 7, 10))
    approve(department, "2026-Q2", {code: 95})

    html = page(login(doit_reviewer), target)
    assert 'data-testid="coverage">1 trên 1 đơn vị đã báo cáo (100 %)' in html
    assert 'data-testid="since-deadline">95 · 30/06/2026' in html
    assert 'data-testid="expected-now">90 ' in html  # the deadline passed: the target itself
    assert "Không đạt" in html  # judged on 2025's 70


def test_a_derived_rank_and_the_merger_break_show_on_the_page_and_in_the_api(
    city, on_day, login, doit_reviewer, token_client
):
    from tests.attainment.conftest import figure
    from tests.factories import CityFactory

    CityFactory(code="AP", valid_to=date(2025, 7, 1), successor=city)
    target = TargetFactory(
        plan=PlanFactory(city=city, issued_on=date(2021, 3, 1)), year=2025,
        comparator=Comparator.TOP_N, value=Decimal(10),
        indicator=IndicatorFactory(measure=Measure.RANK, direction=Direction.LOWER,
                                   frequency=Frequency.YEARLY),
        responsible=[city],
    )
    figure(target.indicator, city, "2021", 15, origin="document", denominator=Decimal(63),
           derived=True)
    on_day(date(2022, 6, 1))
    nightly(date(2022, 6, 1))

    html = page(login(doit_reviewer), target)
    assert 'data-testid="latest-value">15 trên 63' in html
    assert 'data-testid="derived"' in html
    assert 'data-testid="series-break">01/07/2025' in html
    row = api_row(token_client(doit_reviewer), target)
    assert row["derived"] is True and row["ranked_among"] == 63
    assert row["series_break_on"] == "2025-07-01"


def test_a_milestone_target_shows_its_state_over_time_not_an_empty_year_2000_chart(
    city, department, login, doit_reviewer, on_day
):
    from tests.attainment.conftest import figure

    target = TargetFactory(
        plan=PlanFactory(city=city), comparator=Comparator.MILESTONE, value=None,
        indicator=IndicatorFactory(measure=Measure.MILESTONE), responsible=[department],
    )
    client = login(doit_reviewer)
    on_day(date(2024, 1, 5))
    nightly(date(2024, 1, 5))
    empty = page(client, target)
    assert "2000" not in empty.split('id="fig-series"')[1].split("</script>")[0]

    figure(target.indicator, department, "2023-Q3", milestone_state="not_started")
    figure(target.indicator, department, "2024-Q1", milestone_state="in_progress")
    nightly(date(2024, 1, 5))
    html = page(client, target)
    assert "Trạng thái mốc theo thời gian" in html
    table = html.split('data-testid="table-series"')[1].split("</table>")[0]
    assert "Chưa bắt đầu" in table and "Đang thực hiện" in table
    assert 'data-testid="latest-value">Đang thực hiện' in html


def test_the_city_dashboard_and_its_export_give_coverage(
    city, approve, on_day, reporter_of, login, doit_reviewer
):
    import csv
    import io

    from django.urls import reverse

    from targets.models import Aggregation, Level

    districts = districts_of(city, 3)
    target = TargetFactory(
        plan=PlanFactory(city=city), indicator=IndicatorFactory(aggregation=Aggregation.MEAN),
        level=Level.COMMUNE, year=2030, value=Decimal(80), responsible=districts,
    )
    on_day(date(2024, 10, 5))
    approve(districts[0], "2024-Q3", {target.indicator.code: 85},
            reporter=reporter_of(districts[0]))
    client = login(doit_reviewer)
    url = reverse("dashboards:city", args=[city.code])
    html = client.get(url, {"dataset": "official"}).content.decode()
    assert 'data-testid="coverage">1/3</td>' in html
    response = client.get(url, {"dataset": "official", "export": "trajectory-2030",
                                "format": "csv"})
    # CSV for people: semicolons, as Excel set to Vietnamese reads it
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows and (rows[0]["Số đơn vị đã báo cáo"], rows[0]["Số đơn vị phải báo cáo"]) == (
        "1", "3"
    )


def test_the_chart_draws_later_figures_and_other_field_ranks_apart_from_the_judged_ones(
    city, on_day, login, doit_reviewer
):
    from django.urls import reverse

    from tests.attainment.conftest import figure

    target = TargetFactory(
        plan=PlanFactory(city=city, issued_on=date(2021, 3, 1)), year=2025,
        comparator=Comparator.TOP_N, value=Decimal(10),
        indicator=IndicatorFactory(measure=Measure.RANK, direction=Direction.LOWER,
                                   frequency=Frequency.YEARLY),
        responsible=[city],
    )
    figure(target.indicator, city, "2022", 5, origin="document", denominator=Decimal(63))
    figure(target.indicator, city, "2025", 12, origin="document", denominator=Decimal(34))
    figure(target.indicator, city, "2026", 9, origin="document", denominator=Decimal(34))
    on_day(date(2027, 6, 1))
    nightly(date(2027, 6, 1))

    response = login(doit_reviewer).get(reverse("dashboards:target", args=[target.pk]),
                                        {"dataset": "official"})
    table = [(r[0].value, r[2].value, r[3].value) for r in response.context["charts"][0].table.rows]
    assert ("Giá trị thực tế", 5, "") in table
    assert ("Xếp hạng theo phạm vi khác (không so sánh được)", 12, "trên 34") in table
    assert ("Xếp hạng theo phạm vi khác (không so sánh được)", 9, "trên 34") in table
    assert not any(name == "Giá trị thực tế" and value in (12, 9) for name, value, _ in table)


def test_a_figure_given_as_a_floor_shows_as_a_lower_bound(
    city, department, on_day, login, doit_reviewer, token_client
):
    from tests.attainment.conftest import figure

    target = department_target(city, department, value="1000", measure=Measure.COUNT)
    figure(target.indicator, department, "2023-Q3", 550, origin="document", lower_bound=True)
    on_day(date(2024, 1, 5))
    nightly(date(2024, 1, 5))
    html = page(login(doit_reviewer), target)
    assert 'data-testid="lower-bound"' in html and "cận dưới" in html
    assert api_row(token_client(doit_reviewer), target)["lower_bound"] is True
