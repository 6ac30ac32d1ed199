"""The one access rule (units.access): every role against its own and another city, on the
dashboard pages and the API side by side, each allowed case beside its refusal.

Who is who here (the cast of tests/conftest.py plus three):
- department_reporter: reporter of TC's Sở Nội vụ; reads TC's results, its own unit's reports;
- doit_reviewer: reviewer of TC; reads TC's results and reports, approves TC's reports;
- city_viewer: viewer of TC; reads TC's results and reports, writes nothing;
- outsider: reporter of OC's department; reads OC's results, nothing of TC;
- national_viewer: in the "National viewers" group; reads every city, writes nothing;
- admin: superuser, everything.
"""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.services import api_token_issue
from attainment.models import Dataset, Rollup
from reporting.models import ComplianceRecord, Report, Timeliness
from tests.factories import (
    CityFactory,
    MembershipFactory,
    PeriodFactory,
    PlanFactory,
    ReportFactory,
    TargetAttainmentFactory,
    TargetFactory,
    UnitFactory,
    UserFactory,
)
from units import access
from units.models import Role, UnitKind
from units.services import national_viewer_grant

pytestmark = pytest.mark.django_db

ROLES = ["department_reporter", "doit_reviewer", "city_viewer", "outsider",
         "national_viewer", "admin"]
# Which cities each role reads; every other (role, city) pair must be refused.
READS = {
    "department_reporter": {"TC"},
    "doit_reviewer": {"TC"},
    "city_viewer": {"TC"},
    "outsider": {"OC"},
    "national_viewer": {"TC", "OC"},
    "admin": {"TC", "OC"},
}
PAIRS = [(role, code, code in READS[role]) for role in ROLES for code in ("TC", "OC")]


@pytest.fixture
def city_viewer(city):
    user = UserFactory(username="city_viewer")
    MembershipFactory(user=user, unit=city, role=Role.VIEWER)
    return user


@pytest.fixture
def national_viewer(db):
    user = UserFactory(username="national_viewer")
    national_viewer_grant(user=user)
    return user


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def cast(department_reporter, doit_reviewer, city_viewer, outsider, national_viewer, admin):
    return {"department_reporter": department_reporter, "doit_reviewer": doit_reviewer,
            "city_viewer": city_viewer, "outsider": outsider,
            "national_viewer": national_viewer, "admin": admin}


@pytest.fixture
def results(city, other_city, department, other_unit):
    """For each city: a plan with one target, its latest result, a city rollup and one unit's
    completeness record."""
    period = PeriodFactory(year=2025, quarter=1)
    made = {}
    for c, unit in ((city, department), (other_city, other_unit)):
        plan = PlanFactory(code=f"{c.code.lower()}-plan", city=c)
        target = TargetFactory(plan=plan, code=f"{c.code.lower()}-t1", responsible=[unit])
        row = TargetAttainmentFactory(target=target, period=period)
        Rollup.objects.create(dataset=Dataset.OFFICIAL, scope="city",
                              key=f"official|city={c.code}", city=c, n_targets=1,
                              status_counts={"on_track": 1}, computed_at=timezone.now())
        ComplianceRecord.objects.create(dataset=Dataset.OFFICIAL, unit=unit, period=period,
                                        timeliness=Timeliness.LATE, days_late=3,
                                        computed_at=timezone.now())
        made[c.code] = {"plan": plan, "target": target, "row": row, "unit": unit}
    return made


def _token_client(user) -> APIClient:
    _, key = api_token_issue(user=user, name=f"{user.username} system")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize(("role", "code", "allowed"), PAIRS)
@pytest.mark.parametrize("page", ["dashboards:city", "dashboards:compliance"])
def test_city_pages_follow_the_rule(client, cast, results, role, code, allowed, page):
    client.force_login(cast[role])

    response = client.get(reverse(page, args=[code]))

    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize(("role", "code", "allowed"), PAIRS)
def test_unit_and_target_pages_follow_the_rule(client, cast, results, role, code, allowed):
    client.force_login(cast[role])
    unit_code = results[code]["unit"].code

    unit_page = client.get(reverse("dashboards:unit", args=[unit_code]))
    target_page = client.get(reverse("dashboards:target", args=[results[code]["target"].pk]))

    assert (unit_page.status_code, target_page.status_code) == (
        (200, 200) if allowed else (403, 403)
    )


@pytest.mark.parametrize(("role", "code", "allowed"), PAIRS)
@pytest.mark.parametrize("endpoint", ["attainment", "rollups", "completeness"])
def test_api_results_follow_the_same_rule_with_a_token(cast, results, role, code, allowed,
                                                       endpoint):
    client = _token_client(cast[role])

    response = client.get(f"/api/v1/{endpoint}/", {"city": code})

    if allowed:
        assert response.status_code == 200
        assert response.json()["count"] == 1
    else:
        assert response.status_code == 403
        assert response.json()["error"]["message"] == (
            "Bạn không được xem kết quả của thành phố này."
        )


@pytest.mark.parametrize(("role", "code", "allowed"), PAIRS)
def test_api_filters_by_unit_and_plan_are_refused_for_another_city(cast, results, role, code,
                                                                   allowed):
    client = _token_client(cast[role])

    by_unit = client.get("/api/v1/completeness/", {"unit": results[code]["unit"].code})
    by_plan = client.get("/api/v1/attainment/", {"plan": results[code]["plan"].code})

    expected = 200 if allowed else 403
    assert (by_unit.status_code, by_plan.status_code) == (expected, expected)


@pytest.mark.parametrize(("role", "code", "allowed"), PAIRS)
def test_api_result_by_id_of_another_city_is_not_found(cast, results, role, code, allowed):
    client = _token_client(cast[role])

    response = client.get(f"/api/v1/attainment/{results[code]['row'].pk}/")

    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize("endpoint", ["attainment", "rollups", "completeness"])
def test_unfiltered_api_lists_hold_only_the_readers_cities(cast, results, endpoint):
    reviewer = _token_client(cast["doit_reviewer"]).get(f"/api/v1/{endpoint}/").json()
    national = _token_client(cast["national_viewer"]).get(f"/api/v1/{endpoint}/").json()

    assert reviewer["count"] == 1
    assert national["count"] == 2
    if endpoint == "completeness":
        # The complaint of issue 12: another city's units and their lateness were listed.
        assert [r["unit"] for r in reviewer["results"]] == ["TC-SNV"]


def test_dashboard_index_offers_only_the_readers_cities(client, cast, results):
    client.force_login(cast["doit_reviewer"])
    own = [c.code for c in client.get(reverse("dashboards:index")).context["cities"]]
    client.force_login(cast["national_viewer"])
    every = [c.code for c in client.get(reverse("dashboards:index")).context["cities"]]

    assert own == ["TC"]
    assert every == ["OC", "TC"]


def test_anonymous_reads_no_results_but_the_public_catalogue(client, results):
    assert client.get(reverse("dashboards:city", args=["TC"])).status_code == 302
    assert APIClient().get("/api/v1/attainment/", {"city": "TC"}).status_code == 401
    assert APIClient().get("/api/v1/plans/", {"city": "TC"}).status_code == 200
    assert APIClient().get("/api/v1/targets/").json()["count"] == 2


def test_a_disabled_account_reads_nothing(client, doit_reviewer, city):
    doit_reviewer.is_active = False
    doit_reviewer.save()

    assert not doit_reviewer.has_perm(access.READ_CITY, city)
    assert access.readable_city_ids(doit_reviewer) == set()


# --- reports: unit-level data --------------------------------------------------------------


@pytest.fixture
def reports(department, commune, other_unit):
    period = PeriodFactory(year=2025, quarter=1)
    return {unit.code: ReportFactory(unit=unit, period=period)
            for unit in (department, commune, other_unit)}


REPORT_READS = {
    # A reporter reads its own unit's reports, not a sibling's: drafts are the unit's own.
    "department_reporter": {"TC-SNV"},
    "doit_reviewer": {"TC-SNV", "TC-Q1-P1"},
    "city_viewer": {"TC-SNV", "TC-Q1-P1"},
    "outsider": {"OC-SNV"},
    "national_viewer": {"TC-SNV", "TC-Q1-P1", "OC-SNV"},
    "admin": {"TC-SNV", "TC-Q1-P1", "OC-SNV"},
}
REPORT_PAIRS = [(role, unit, unit in REPORT_READS[role])
                for role in ROLES for unit in ("TC-SNV", "TC-Q1-P1", "OC-SNV")]


@pytest.mark.parametrize(("role", "unit_code", "allowed"), REPORT_PAIRS)
def test_report_page_and_api_follow_the_rule(client, cast, reports, role, unit_code, allowed):
    report = reports[unit_code]
    client.force_login(cast[role])

    page = client.get(reverse("report_history", args=[report.unit_id, report.period.code]))
    api = _token_client(cast[role]).get(f"/api/v1/reports/{report.pk}/")

    assert page.status_code == (200 if allowed else 403)
    assert api.status_code == (200 if allowed else 404)


def test_api_report_list_holds_only_readable_reports(cast, reports):
    listed = {
        role: {r["unit"] for r in _token_client(user).get("/api/v1/reports/").json()["results"]}
        for role, user in cast.items()
    }

    assert listed == REPORT_READS


@pytest.mark.parametrize(
    ("role", "may_enter", "may_review"),
    [("department_reporter", True, False), ("doit_reviewer", False, True),
     ("city_viewer", False, False), ("outsider", False, False),
     ("national_viewer", False, False), ("admin", True, True)],
)
def test_who_writes_a_units_figures_and_who_reviews_them(cast, department, role, may_enter,
                                                         may_review):
    user = cast[role]

    assert user.has_perm(access.ENTER_FIGURES, department) is may_enter
    assert user.has_perm(access.REVIEW_UNIT, department) is may_review


def test_national_viewer_cannot_write_even_with_a_writing_token(national_viewer, reports):
    report = reports["TC-SNV"]
    _, key = api_token_issue(user=national_viewer, name="ministry", can_write=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.post(f"/api/v1/reports/{report.pk}/submit/",
                           HTTP_IF_MATCH=f'"{report.version}"')

    assert response.status_code == 403
    assert Report.objects.get(pk=report.pk).state == report.state


# --- provinces absorbed on 1 July 2025 -----------------------------------------------------


def test_a_city_reads_the_history_of_the_provinces_it_absorbed(client, city, doit_reviewer):
    absorbed = CityFactory(code="AB", valid_to=date(2025, 7, 1), successor=city)
    absorbed_unit = UnitFactory(code="AB-SNV", parent=absorbed, kind=UnitKind.DEPARTMENT)
    stranger = CityFactory(code="ZZ")
    client.force_login(doit_reviewer)

    assert client.get(reverse("dashboards:unit", args=["AB-SNV"])).status_code == 200
    assert doit_reviewer.has_perm(access.REVIEW_UNIT, absorbed_unit)
    assert access.readable_city_ids(doit_reviewer) == {city.pk, absorbed.pk}
    assert stranger.pk not in access.readable_city_ids(doit_reviewer)
    # Its own pages live under the successor: the absorbed province is no dashboard of its own.
    assert client.get(reverse("dashboards:city", args=["AB"])).status_code == 403


def test_scope_is_read_in_one_query(doit_reviewer, city, django_assert_num_queries):
    with django_assert_num_queries(1):
        access.readable_city_ids(doit_reviewer)
        doit_reviewer.has_perm(access.READ_CITY, city)
        doit_reviewer.has_perm(access.REVIEW_UNIT, city)


def test_demo_national_viewer_reads_every_city_and_writes_nothing(db):
    from dxtracker.demo_accounts import demo_accounts_ensure

    cities = {code: CityFactory(code=code) for code in ("CT", "HP", "DN")}
    for code in ("CT-SKHCN", "CT-SNV"):
        UnitFactory(code=code, parent=cities["CT"], kind=UnitKind.DEPARTMENT)
    for code in ("HP", "DN"):
        UnitFactory(code=f"{code}-SKHCN", parent=cities[code], kind=UnitKind.DEPARTMENT)
    demo_accounts_ensure()
    demo_accounts_ensure()  # twice: nothing duplicated
    national = UserFactory._meta.model.objects.get(username="xem.quocgia")
    viewer = UserFactory._meta.model.objects.get(username="xem.cantho")

    assert access.readable_city_ids(national) is None
    assert not national.has_perm(access.ENTER_FIGURES, cities["HP"])
    assert not national.has_perm(access.REVIEW_UNIT, cities["HP"])
    assert access.readable_city_ids(viewer) == {cities["CT"].pk}


def test_national_viewer_grant_works_on_a_database_without_the_group(db):
    # A flushed database (transactional tests, a restored dump) has lost the migration's group.
    Group.objects.filter(name=access.NATIONAL_VIEWERS_GROUP).delete()
    user = UserFactory(username="ministry")

    national_viewer_grant(user=user)

    assert user.has_perm(access.NATIONAL_VIEWER_PERM)
