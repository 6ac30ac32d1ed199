"""Plans, pillars, indicators, national indicators, targets, units and periods."""

import csv
import io
from datetime import date

import pytest

from tests.factories import PlanFactory, TargetFactory, UnitFactory
from units.models import UnitKind

V1 = "/api/v1"


def test_anonymous_clients_read_the_catalogue(anon_client, catalogue):
    response = anon_client.get(f"{V1}/plans/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    plan = body["results"][0]
    assert plan["code"] == "tc-plan"
    assert plan["city"] == "TC"
    assert plan["title"] == "Kế hoạch chuyển đổi số"  # Vietnamese by default


def test_names_follow_accept_language(anon_client, catalogue):
    response = anon_client.get(f"{V1}/plans/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["results"][0]["title"] == "Digital transformation plan"


def test_catalogue_refuses_writes(token_client, doit_reviewer, catalogue):
    client = token_client(doit_reviewer, can_write=True)

    response = client.post(f"{V1}/plans/", {"code": "x"}, format="json")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_pillars_filter_by_kind(anon_client, catalogue):
    body = anon_client.get(f"{V1}/pillars/", {"kind": "pillar"}).json()

    assert [p["code"] for p in body["results"]] == ["digital_government", "digital_economy"]


def test_indicators_carry_their_national_indicator(anon_client, catalogue):
    body = anon_client.get(f"{V1}/indicators/", {"national_indicator": "dvc-4"}).json()

    assert body["count"] == 1
    indicator = body["results"][0]
    assert indicator["code"] == "online-services"
    assert indicator["pillar"] == "digital_government"
    assert indicator["national_indicator"] == {
        "id": catalogue["national"].pk, "code": "dvc-4",
        "name": "Tỷ lệ dịch vụ công trực tuyến mức độ 4",
        "name_vi": "Tỷ lệ dịch vụ công trực tuyến mức độ 4",
        "name_en": "Share of level-4 online public services", "decision": "749/QĐ-TTg",
    }


def test_indicators_filtered_by_plan_are_listed_once(anon_client, catalogue):
    body = anon_client.get(f"{V1}/indicators/", {"plan": "tc-plan"}).json()

    assert sorted(i["code"] for i in body["results"]) == [
        "digital-gdp", "online-services", "open-datasets"
    ]


def test_national_indicators_list(anon_client, catalogue):
    body = anon_client.get(f"{V1}/national-indicators/").json()

    assert [n["code"] for n in body["results"]] == ["dvc-4"]


def test_targets_filter_by_city_pillar_and_year(anon_client, catalogue, other_city):
    TargetFactory(plan=PlanFactory(code="oc-plan", city=other_city),
                  indicator=catalogue["indicators"]["online"], year=2025)

    body = anon_client.get(
        f"{V1}/targets/", {"city": "TC", "pillar": "digital_government", "year": 2025}
    ).json()

    assert [t["code"] for t in body["results"]] == ["online-2025", "datasets-2025"]
    online = body["results"][0]
    assert online["description"] == "≥ 80 %"
    assert online["responsible_units"] == ["TC-SNV"]
    assert online["national_indicator"] == "dvc-4"
    assert online["value"] == 80


def test_targets_ordering_and_pagination(anon_client, catalogue):
    first = anon_client.get(f"{V1}/targets/", {"ordering": "-year,code", "page_size": 2}).json()

    assert first["count"] == 4
    assert [t["code"] for t in first["results"]] == ["online-2030", "datasets-2025"]
    second = anon_client.get(first["next"]).json()
    assert [t["code"] for t in second["results"]] == ["gdp-2025", "online-2025"]
    assert second["next"] is None


def test_unknown_filter_values_are_refused_per_field(anon_client, catalogue):
    response = anon_client.get(f"{V1}/targets/", {"city": "NOPE", "year": "năm", "ordering": "x"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"city", "year", "ordering"}
    assert error["fields"]["city"] == [
        "Hãy chọn một lựa chọn hợp lệ. Lựa chọn đó không phải là một trong các lựa chọn khả thi."
    ]


def test_unknown_filter_values_in_english(anon_client, catalogue):
    response = anon_client.get(f"{V1}/targets/", {"year": "x"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["error"]["fields"]["year"] == ["Enter a whole number."]


def test_targets_as_csv(anon_client, catalogue):
    response = anon_client.get(f"{V1}/targets/", {"format": "csv", "year": 2030})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["code"] for r in rows] == ["online-2030"]
    assert rows[0]["city"] == "TC"
    assert rows[0]["responsible_units.0"] == "TC-SNV"


def test_units_as_of_a_day_and_their_successor(anon_client, city, department):
    old = UnitFactory(code="TC-Q9", parent=city, kind=UnitKind.DISTRICT,
                      valid_to=date(2025, 7, 1), successor=city)
    ward = UnitFactory(code="TC-Q9-P1", parent=old, kind=UnitKind.COMMUNE,
                       valid_to=date(2025, 7, 1), successor=old)

    before = anon_client.get(f"{V1}/units/", {"city": "TC", "as_of": "2025-06-30"}).json()
    after = anon_client.get(f"{V1}/units/", {"city": "TC", "as_of": "2025-07-01"}).json()

    assert {u["code"] for u in before["results"]} == {"TC", "TC-SNV", "TC-Q9", "TC-Q9-P1"}
    assert {u["code"] for u in after["results"]} == {"TC", "TC-SNV"}
    by_code = {u["code"]: u for u in before["results"]}
    assert by_code["TC-Q9-P1"]["successor"] == "TC-Q9"
    assert by_code["TC-Q9-P1"]["current_successor"] == "TC"  # the chain is followed
    assert by_code["TC-SNV"]["current_successor"] == "TC-SNV"
    assert ward.pk == by_code["TC-Q9-P1"]["id"]


def test_units_as_of_refuses_a_bad_date(anon_client, city):
    response = anon_client.get(f"{V1}/units/", {"as_of": "30/06/2025"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["as_of"] == ["Nhập một ngày hợp lệ."]


def test_unit_tree_as_of_a_day(anon_client, city, department, commune):
    response = anon_client.get(f"{V1}/units/tree/", {"city": "TC", "as_of": "2025-01-01"})

    assert response.status_code == 200
    [root] = response.json()
    assert root["unit"]["code"] == "TC"
    children = {c["unit"]["code"]: c for c in root["children"]}
    assert set(children) == {"TC-SNV", "TC-Q1"}
    assert [c["unit"]["code"] for c in children["TC-Q1"]["children"]] == ["TC-Q1-P1"]


def test_unit_tree_needs_a_city(anon_client, city):
    response = anon_client.get(f"{V1}/units/tree/")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["city"] == ["Trường này là bắt buộc."]


def test_periods_filter_and_codes(anon_client, catalogue):
    body = anon_client.get(f"{V1}/periods/", {"year": 2025, "quarter": 2}).json()

    assert [p["code"] for p in body["results"]] == ["2025-Q2"]
    assert body["results"][0]["deadline"] == "2025-07-15"


def test_detail_of_a_missing_object_is_a_json_404(anon_client, catalogue):
    response = anon_client.get(f"{V1}/targets/999999/")

    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "Không tìm thấy.",
                                        "fields": {}}


def _grow(catalogue, n):
    plan = catalogue["plan"]
    for i in range(n):
        TargetFactory(plan=plan, code=f"extra-{n}-{i}", indicator=catalogue["indicators"]["gdp"],
                      year=2026 + i % 4, responsible=[plan.city])


@pytest.mark.parametrize("extra", [0, 30])
@pytest.mark.parametrize(
    "path, params, queries",
    [
        ("plans", {"city": "TC"}, 3),
        ("pillars", {}, 2),
        ("national-indicators", {}, 2),
        # 4: the indicators' later definitions are one prefetch of their own.
        ("indicators", {"pillar": "digital_economy"}, 4),
        # 6: the targets' amendments are one prefetch of their own.
        ("targets", {"city": "TC", "pillar": "digital_economy"}, 6),
        ("units", {"city": "TC", "as_of": "2025-01-01"}, 5),
        ("periods", {"year": 2025}, 2),
    ],
)
def test_catalogue_query_counts_do_not_grow_with_data(
    anon_client, catalogue, django_assert_max_num_queries, extra, path, params, queries
):
    _grow(catalogue, extra)

    with django_assert_max_num_queries(queries):
        response = anon_client.get(f"{V1}/{path}/", params)

    assert response.status_code == 200
    assert response.json()["count"] >= 1
