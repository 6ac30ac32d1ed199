"""Attainment, rollups and reporting completeness: stored results, read by machine clients."""

import csv
import io

import pytest
from django.utils import timezone

from attainment.models import Dataset, Rollup, Scope, Status
from reporting.models import ComplianceRecord, Timeliness
from tests.factories import PlanFactory, TargetAttainmentFactory, TargetFactory

V1 = "/api/v1"


@pytest.fixture
def results(catalogue, department, district):
    """Latest combined results for every target, an older Q1 row, demo and per-unit rows."""
    q1, q2 = catalogue["periods"]["2025-Q1"], catalogue["periods"]["2025-Q2"]
    targets = catalogue["targets"]
    rows = {
        code: TargetAttainmentFactory(target=target, period=q2, status=Status.ON_TRACK,
                                      attainment_pct=90.0 - i)
        for i, (code, target) in enumerate(targets.items())
    }
    TargetAttainmentFactory(target=targets["online-2025"], period=q1, is_latest=False,
                            status=Status.LIMITED_PROGRESS, attainment_pct=40.0)
    TargetAttainmentFactory(target=targets["online-2025"], period=q2, scope=Scope.UNIT,
                            unit=department, status=Status.ACHIEVED)
    TargetAttainmentFactory(target=targets["online-2025"], period=q2, dataset=Dataset.DEMO,
                            status=Status.MISSED)
    return rows


def test_attainment_needs_authentication(anon_client, results):
    response = anon_client.get(f"{V1}/attainment/")

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Chưa cung cấp thông tin xác thực."


def test_token_client_pages_through_city_attainment_by_pillar_and_year_as_json(
    token_client, doit_reviewer, results
):
    client = token_client(doit_reviewer)
    params = {"city": "TC", "pillar": "digital_government", "year": 2025, "page_size": 1}

    first = client.get(f"{V1}/attainment/", params).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 2
    assert second["next"] is None
    items = first["results"] + second["results"]
    assert [i["target_code"] for i in items] == ["online-2025", "datasets-2025"]
    online = items[0]
    assert online["is_demo"] is False
    assert online["dataset"] == "official"
    assert online["period"] == "2025-Q2"
    assert online["status"] == "on_track"
    assert online["status_label"] == "Đúng tiến độ"
    assert online["national_indicator"] == "dvc-4"
    assert online["year"] == 2025


def test_token_client_pages_through_city_attainment_as_csv(token_client, doit_reviewer, results):
    client = token_client(doit_reviewer)
    params = {"city": "TC", "pillar": "digital_government", "year": 2025, "page_size": 1}

    first = client.get(f"{V1}/attainment/", params, HTTP_ACCEPT="text/csv")
    second = client.get(f"{V1}/attainment/", {**params, "page": 2, "format": "csv"})

    assert first.status_code == second.status_code == 200
    assert first["Content-Disposition"] == 'attachment; filename="attainment.csv"'
    rows = [
        *csv.DictReader(io.StringIO(first.content.decode())),
        *csv.DictReader(io.StringIO(second.content.decode())),
    ]
    assert [r["target_code"] for r in rows] == ["online-2025", "datasets-2025"]
    assert rows[0]["is_demo"] == "False"
    assert rows[0]["status"] == "on_track"
    header = first.content.decode().splitlines()[0].split(",")
    assert header[:4] == ["id", "dataset", "is_demo", "scope"]  # serializer order, not sorted


def test_attainment_filters_by_status_indicator_and_national_indicator(
    token_client, doit_reviewer, results
):
    client = token_client(doit_reviewer)

    by_national = client.get(f"{V1}/attainment/", {"national_indicator": "dvc-4"}).json()
    by_indicator = client.get(f"{V1}/attainment/", {"indicator": "digital-gdp"}).json()
    by_status = client.get(f"{V1}/attainment/", {"status": "achieved"}).json()

    assert [i["target_code"] for i in by_national["results"]] == ["online-2025", "online-2030"]
    assert [i["target_code"] for i in by_indicator["results"]] == ["gdp-2025"]
    assert by_status["count"] == 0


def test_attainment_as_of_an_earlier_period(token_client, doit_reviewer, results):
    body = token_client(doit_reviewer).get(
        f"{V1}/attainment/", {"period": "2025-Q1", "city": "TC"}
    ).json()

    assert [(i["target_code"], i["status"]) for i in body["results"]] == [
        ("online-2025", "limited_progress")
    ]


def test_attainment_per_unit(token_client, doit_reviewer, results):
    body = token_client(doit_reviewer).get(
        f"{V1}/attainment/", {"scope": "unit", "unit": "TC-SNV"}
    ).json()

    assert [(i["target_code"], i["unit"], i["status"]) for i in body["results"]] == [
        ("online-2025", "TC-SNV", "achieved")
    ]


def test_combined_attainment_filtered_by_responsible_unit(token_client, doit_reviewer, results):
    body = token_client(doit_reviewer).get(f"{V1}/attainment/", {"unit": "TC-Q1"}).json()

    assert [i["target_code"] for i in body["results"]] == ["datasets-2025"]


def test_demo_dataset_is_flagged_in_every_item(token_client, doit_reviewer, results):
    body = token_client(doit_reviewer).get(f"{V1}/attainment/", {"dataset": "demo"}).json()

    assert body["count"] == 1
    assert all(item["is_demo"] is True for item in body["results"])


def test_attainment_ordering(token_client, doit_reviewer, results):
    body = token_client(doit_reviewer).get(
        f"{V1}/attainment/", {"ordering": "-attainment_pct"}
    ).json()

    pcts = [i["attainment_pct"] for i in body["results"]]
    assert pcts == sorted(pcts, reverse=True)


def test_attainment_bad_filters_are_400_per_field_in_both_languages(
    token_client, doit_reviewer, results
):
    client = token_client(doit_reviewer)
    params = {"status": "great", "period": "2025-Q5", "year": "1800", "dataset": "x"}

    vi = client.get(f"{V1}/attainment/", params).json()["error"]
    en = client.get(f"{V1}/attainment/", params, HTTP_ACCEPT_LANGUAGE="en").json()["error"]

    assert set(vi["fields"]) == {"status", "period", "year", "dataset"}
    assert vi["fields"]["period"] == ["Nhập kỳ báo cáo dạng 2024-Q1 (một quý) hoặc 2024 (một năm)."]
    assert en["fields"]["period"] == ["Enter a period as 2024-Q1 (a quarter) or 2024 (a year)."]
    assert en["fields"]["year"] == ["Ensure this value is greater than or equal to 1900."]
    assert vi["fields"]["year"] != en["fields"]["year"]


def test_unknown_period_is_named_in_the_message(token_client, doit_reviewer, results):
    response = token_client(doit_reviewer).get(f"{V1}/attainment/", {"period": "2019-Q1"})

    assert response.json()["error"]["fields"]["period"] == ["Không có kỳ báo cáo 2019-Q1."]


def test_attainment_detail_of_any_dataset(token_client, doit_reviewer, results):
    demo_row = results["online-2025"].target.attainments.get(dataset=Dataset.DEMO)

    response = token_client(doit_reviewer).get(f"{V1}/attainment/{demo_row.pk}/")

    assert response.status_code == 200
    assert response.json()["is_demo"] is True


def _grow(catalogue, n):
    plan = catalogue["plan"]
    q2 = catalogue["periods"]["2025-Q2"]
    for i in range(n):
        target = TargetFactory(plan=plan, code=f"more-{i}", year=2025,
                               indicator=catalogue["indicators"]["online"])
        TargetAttainmentFactory(target=target, period=q2)


@pytest.mark.parametrize("extra", [0, 40])
def test_attainment_query_count_does_not_grow(
    token_client, doit_reviewer, results, catalogue, django_assert_max_num_queries, extra
):
    _grow(catalogue, extra)
    client = token_client(doit_reviewer)
    client.get(f"{V1}/attainment/")  # the token's last_used stamp is written once a minute

    # 7: one of them reads the caller's scope (units.access), which the city filter asks.
    with django_assert_max_num_queries(7):
        response = client.get(f"{V1}/attainment/",
                              {"city": "TC", "pillar": "digital_government", "year": 2025})

    assert response.json()["count"] == 2 + extra


@pytest.fixture
def rollups(catalogue, city, department):
    now = timezone.now()
    plan, gov = catalogue["plan"], catalogue["pillars"]["gov"]
    made = [
        Rollup.objects.create(dataset=Dataset.OFFICIAL, scope="city", key="official|city=TC",
                              city=city, n_targets=4, status_counts={"on_track": 4},
                              mean_attainment=88.5, computed_at=now),
        Rollup.objects.create(dataset=Dataset.OFFICIAL, scope="city",
                              key="official|city=TC|year=2025", city=city, target_year=2025,
                              n_targets=3, status_counts={"on_track": 3}, computed_at=now),
        Rollup.objects.create(dataset=Dataset.OFFICIAL, scope="pillar",
                              key=f"official|plan={plan.pk}|pillar={gov.pk}", city=city,
                              plan=plan, pillar=gov, n_targets=3,
                              status_counts={"on_track": 2, "missed": 1}, computed_at=now),
        Rollup.objects.create(dataset=Dataset.DEMO, scope="city", key="demo|city=TC", city=city,
                              n_targets=4, status_counts={"missed": 4}, computed_at=now),
    ]
    return made


def test_rollups_default_to_official_city_rollups_over_all_years(
    token_client, doit_reviewer, rollups
):
    body = token_client(doit_reviewer).get(f"{V1}/rollups/").json()

    assert body["count"] == 1
    [row] = body["results"]
    assert (row["city"], row["target_year"], row["is_demo"]) == ("TC", None, False)
    assert row["status_counts"] == {"on_track": 4}
    assert row["mean_attainment"] == 88.5


def test_rollups_by_scope_year_and_dataset(token_client, doit_reviewer, rollups):
    client = token_client(doit_reviewer)

    year = client.get(f"{V1}/rollups/", {"year": 2025}).json()["results"]
    pillar = client.get(f"{V1}/rollups/", {"scope": "pillar", "plan": "tc-plan"}).json()
    demo = client.get(f"{V1}/rollups/", {"dataset": "demo"}).json()["results"]

    assert [r["target_year"] for r in year] == [2025]
    assert [r["pillar"] for r in pillar["results"]] == ["digital_government"]
    assert [r["is_demo"] for r in demo] == [True]


def test_rollups_as_csv_flatten_status_counts(token_client, doit_reviewer, rollups):
    response = token_client(doit_reviewer).get(
        f"{V1}/rollups/", {"scope": "pillar", "format": "csv"}
    )

    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["status_counts.on_track"] == "2"
    assert row["status_counts.missed"] == "1"


def test_rollups_need_authentication(anon_client, rollups):
    assert anon_client.get(f"{V1}/rollups/").status_code == 401


@pytest.fixture
def compliance(catalogue, department, district, other_unit):
    q1, q2 = catalogue["periods"]["2025-Q1"], catalogue["periods"]["2025-Q2"]
    now = timezone.now()
    for unit, period, timeliness, late in [
        (department, q1, Timeliness.ON_TIME, None),
        (district, q1, Timeliness.LATE, 4),
        (department, q2, Timeliness.MISSING, None),
        (other_unit, q1, Timeliness.ON_TIME, None),
    ]:
        ComplianceRecord.objects.create(dataset=Dataset.OFFICIAL, unit=unit, period=period,
                                        timeliness=timeliness, days_late=late, computed_at=now)


def test_completeness_of_a_city_in_a_period(token_client, doit_reviewer, compliance):
    body = token_client(doit_reviewer).get(
        f"{V1}/completeness/", {"city": "TC", "period": "2025-Q1", "ordering": "unit"}
    ).json()

    assert [(r["unit"], r["timeliness"], r["days_late"]) for r in body["results"]] == [
        ("TC-Q1", "late", 4), ("TC-SNV", "on_time", None)
    ]
    assert body["results"][0]["deadline"] == "2025-04-15"


def test_completeness_filters_by_timeliness(token_client, doit_reviewer, compliance):
    body = token_client(doit_reviewer).get(f"{V1}/completeness/", {"timeliness": "missing"}).json()

    assert [(r["unit"], r["period"]) for r in body["results"]] == [("TC-SNV", "2025-Q2")]


def test_completeness_demo_dataset_is_separate(token_client, doit_reviewer, compliance):
    body = token_client(doit_reviewer).get(f"{V1}/completeness/", {"dataset": "demo"}).json()

    assert body["count"] == 0


@pytest.mark.parametrize("extra", [0, 25])
def test_completeness_query_count_does_not_grow(
    token_client, doit_reviewer, compliance, catalogue, city, django_assert_max_num_queries, extra
):
    from tests.factories import UnitFactory

    q2 = catalogue["periods"]["2025-Q2"]
    for i in range(extra):
        unit = UnitFactory(code=f"TC-X{i}", parent=city)
        ComplianceRecord.objects.create(dataset=Dataset.OFFICIAL, unit=unit, period=q2,
                                        timeliness=Timeliness.ON_TIME, computed_at=timezone.now())
    client = token_client(doit_reviewer)
    client.get(f"{V1}/completeness/")

    with django_assert_max_num_queries(5):
        response = client.get(f"{V1}/completeness/", {"city": "TC"})

    assert response.json()["count"] == 3 + extra


@pytest.mark.parametrize("extra", [0, 20])
def test_rollups_query_count_does_not_grow(
    token_client, doit_reviewer, rollups, city, django_assert_max_num_queries, extra
):
    for i in range(extra):
        plan = PlanFactory(code=f"p{i}", city=city)
        Rollup.objects.create(dataset=Dataset.OFFICIAL, scope="plan", key=f"official|plan={i}",
                              city=city, plan=plan, n_targets=1, computed_at=timezone.now())
    client = token_client(doit_reviewer)
    client.get(f"{V1}/rollups/")

    with django_assert_max_num_queries(5):
        response = client.get(f"{V1}/rollups/", {"scope": "plan", "city": "TC"})

    assert response.json()["count"] == extra
