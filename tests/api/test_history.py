"""The catalogue's history in the API: recorded changes, amendments and definitions, read only.

A plan's history is read by those who read its city (units.access.catalogue_history_filter);
an indicator's own changes by every signed-in client; nobody anonymous.
"""

from datetime import date
from decimal import Decimal

import pytest

from targets.models import ChangeSource, Indicator, TargetAmendment
from targets.services import change_record, indicator_definition_change
from tests.factories import (
    MembershipFactory,
    PlanFactory,
    TargetFactory,
    UserFactory,
)
from units.models import Role

V1 = "/api/v1"


@pytest.fixture
def editor(doit):
    """Plan editor of the test city: amends its targets and redefines indicators."""
    user = UserFactory(username="editor", first_name="Mai", last_name="Lê Thị")
    MembershipFactory(user=user, unit=doit, role=Role.PLAN_EDITOR)
    return user


@pytest.fixture
def history(catalogue, editor, other_city):
    """Changes of the test city's plan and target, an amendment, a definition, and a change
    of another city's plan."""
    target = catalogue["targets"]["online-2025"]
    plan = target.plan
    change_record(user=editor, source=ChangeSource.IMPORT, obj=plan, old=None,
                  new={"title_vi": plan.title_vi})
    change_record(user=editor, source=ChangeSource.ADMIN, obj=target,
                  old={"value": Decimal("70")}, new={"value": Decimal("80")})
    amendment = TargetAmendment.objects.create(
        target=target, document_number="12/KH-UBND", effective_from=date(2024, 1, 1),
        comparator="at_least", value=Decimal("90"), year=2025, created_by=editor)
    indicator = Indicator.objects.get(code="online-services")
    indicator_definition_change(user=editor, indicator=indicator, text_vi="Dịch vụ toàn trình",
                                text_en="Full online services",
                                effective_from=date(2022, 8, 1),
                                document_number="42/2022/NĐ-CP")
    other_plan = PlanFactory(code="oc-plan", city=other_city)
    other_target = TargetFactory(plan=other_plan, code="oc-target", indicator=indicator,
                                 year=2025, value=Decimal("50"))
    change_record(user=None, source=ChangeSource.ADMIN, obj=other_target,
                  old={"value": Decimal("40")}, new={"value": Decimal("50")})
    return {"target": target, "plan": plan, "amendment": amendment, "indicator": indicator,
            "other_plan": other_plan, "other_target": other_target}


def test_a_reader_of_the_city_sees_its_changes_newest_first(token_client, doit_reviewer,
                                                            history):
    body = token_client(doit_reviewer).get(f"{V1}/catalogue-changes/").json()

    rows = body["results"]
    assert body["count"] == 3 and "next" in body  # paged
    assert [r["source"] for r in rows] == ["definition", "admin", "import"]
    definition, edit, created = rows
    assert definition["indicator"] == "online-services" and definition["plan"] is None
    assert edit["target"] == history["target"].pk and edit["target_code"] == "online-2025"
    assert edit["changes"] == {"value": ["70", "80"]} and edit["by"] == "Lê Thị Mai"
    assert created["action"] == "created" and created["plan"] == "tc-plan"


def test_changes_filter_by_target_indicator_and_plan(token_client, doit_reviewer, history):
    client = token_client(doit_reviewer)

    by_target = client.get(f"{V1}/catalogue-changes/", {"target": history["target"].pk}).json()
    by_indicator = client.get(f"{V1}/catalogue-changes/", {"indicator": "online-services"}).json()
    by_plan = client.get(f"{V1}/catalogue-changes/", {"plan": "tc-plan"}).json()

    assert [r["target_code"] for r in by_target["results"]] == ["online-2025"]
    assert [r["source"] for r in by_indicator["results"]] == ["definition"]
    assert {r["source"] for r in by_plan["results"]} == {"admin", "import"}


def test_another_citys_history_is_refused_not_emptied(token_client, outsider, history):
    client = token_client(outsider)

    for params in ({"plan": "tc-plan"}, {"city": "TC"}, {"target": history["target"].pk}):
        for path in ("catalogue-changes", "amendments"):
            response = client.get(f"{V1}/{path}/", params)
            assert response.status_code == 403, (path, params)
            assert response.json()["error"]["code"] == "permission_denied"
    own = client.get(f"{V1}/catalogue-changes/", {"plan": "oc-plan"}).json()
    assert [r["target_code"] for r in own["results"]] == ["oc-target"]
    unfiltered = client.get(f"{V1}/catalogue-changes/").json()["results"]
    assert {r["plan"] for r in unfiltered} == {"oc-plan", None}  # its own and the indicator's


def test_anonymous_clients_are_refused(anon_client, history):
    for path in ("catalogue-changes", "amendments", "indicator-definitions"):
        assert anon_client.get(f"{V1}/{path}/").status_code == 401


def test_history_is_read_only(token_client, editor, history):
    client = token_client(editor, can_write=True)

    assert client.post(f"{V1}/catalogue-changes/", {}, format="json").status_code == 405
    assert client.delete(f"{V1}/amendments/{history['amendment'].pk}/").status_code == 405


def test_amendments_per_target_plan_and_indicator(token_client, doit_reviewer, history):
    client = token_client(doit_reviewer)

    for params in ({"target": history["target"].pk}, {"plan": "tc-plan"},
                   {"indicator": "online-services"}):
        [row] = client.get(f"{V1}/amendments/", params).json()["results"]
        assert row["document_number"] == "12/KH-UBND" and row["value"] == 90
        assert row["effective_from"] == "2024-01-01" and row["by"] == "Lê Thị Mai"
        assert row["target_code"] == "online-2025" and row["plan"] == "tc-plan"
    assert client.get(f"{V1}/amendments/", {"plan": "oc-plan"}).status_code == 403


def test_definitions_list_who_recorded_them(token_client, outsider, history):
    [row] = token_client(outsider).get(f"{V1}/indicator-definitions/",
                                       {"indicator": "online-services"}).json()["results"]

    assert row["text_vi"] == "Dịch vụ toàn trình" and row["document_number"] == "42/2022/NĐ-CP"
    assert row["by"] == "Lê Thị Mai"


@pytest.mark.parametrize("extra", [0, 20])
@pytest.mark.parametrize("path, queries", [
    # token, its last use, the reader's scope (not for definitions: no city), count, one page
    # with users, plans, indicators and targets joined
    ("catalogue-changes", 5), ("amendments", 5), ("indicator-definitions", 4),
])
def test_history_query_counts_do_not_grow(token_client, doit_reviewer, editor, history,
                                          django_assert_max_num_queries, extra, path, queries):
    for i in range(extra):
        target = history["target"]
        change_record(user=editor, source=ChangeSource.ADMIN, obj=target,
                      old={"value": Decimal(i)}, new={"value": Decimal(i + 1)})
        TargetAmendment.objects.create(
            target=target, document_number=f"{i}/QĐ", effective_from=date(2024, 2, i + 1),
            comparator="at_least", value=Decimal(i), year=2025, created_by=editor)
        indicator_definition_change(user=editor, indicator=history["indicator"],
                                    text_vi=f"Định nghĩa {i}", text_en="",
                                    effective_from=date(2023, 1, i + 1),
                                    document_number=f"{i}/NĐ")
    client = token_client(doit_reviewer)

    with django_assert_max_num_queries(queries):
        response = client.get(f"{V1}/{path}/")

    assert response.status_code == 200 and response.json()["count"] >= 1
