"""The OpenAPI 3 schema: generated without warnings, valid, complete, served with its docs."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from openapi_spec_validator import validate

ENDPOINTS = ["plans", "pillars", "indicators", "national-indicators", "targets", "units",
             "periods", "reports", "attainment", "rollups", "completeness"]


@pytest.fixture
def schema(anon_client, db):
    response = anon_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_generator_reports_no_warning_or_error(tmp_path, db):
    # --fail-on-warn turns any warning or error of drf-spectacular into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file",
                 str(tmp_path / "schema.yaml"))

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def test_schema_is_valid_openapi(schema):
    validate(schema)  # raises on any violation of the OpenAPI 3 specification


def test_schema_lists_every_endpoint(schema):
    for name in ENDPOINTS:
        assert f"/api/v1/{name}/" in schema["paths"], name
    for action in ["submit", "approve", "return", "reopen"]:
        assert "post" in schema["paths"][f"/api/v1/reports/{{id}}/{action}/"]


def test_schema_describes_if_match_and_etag(schema):
    patch = schema["paths"]["/api/v1/reports/{id}/"]["patch"]
    submit = schema["paths"]["/api/v1/reports/{id}/submit/"]["post"]
    reviews = [schema["paths"][f"/api/v1/reports/{{id}}/{action}/"]["post"]
               for action in ("approve", "return", "reopen")]

    def if_match(operation):
        return next(p for p in operation["parameters"] if p["name"] == "If-Match")

    assert if_match(patch)["required"] is True
    assert if_match(submit)["required"] is True
    for review in reviews:  # a decision names the version it was taken on
        assert if_match(review)["required"] is True
        assert {"412", "428"} <= set(review["responses"])
    assert {"412", "428", "400", "403", "409"} <= set(patch["responses"])
    assert "ETag" in patch["responses"]["200"]["headers"]


def test_schema_describes_the_error_format_everywhere(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["$ref"].endswith("/ErrorDetail")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "401" in operation["responses"], (method, path)
            assert "429" in operation["responses"], (method, path)


def test_schema_declares_token_and_session_auth(schema):
    schemes = schema["components"]["securitySchemes"]

    assert schemes["tokenAuth"] == {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": schemes["tokenAuth"]["description"],
    }
    assert "cookieAuth" in schemes


def test_lists_offer_csv(schema):
    response = schema["paths"]["/api/v1/attainment/"]["get"]["responses"]["200"]

    assert set(response["content"]) >= {"application/json", "text/csv"}


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_docs_are_served_by_the_app_without_a_cdn(anon_client, db, page):
    response = anon_client.get(page)

    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert assets, html[:500]
    for asset in assets:
        assert finders.find(asset.split("?")[0]), asset


@pytest.mark.parametrize("component, field", [
    ("Target", "national_indicator"), ("Attainment", "national_indicator"),
    ("Unit", "parent"), ("Unit", "city"), ("Unit", "successor"),
    ("Rollup", "plan"), ("Rollup", "pillar"), ("Rollup", "unit"), ("ReportEvent", "actor"),
])
def test_fields_that_can_be_null_are_declared_nullable(schema, component, field):
    assert schema["components"]["schemas"][component]["properties"][field].get("nullable")


def test_report_detail_documents_its_event_window(schema):
    detail = schema["components"]["schemas"]["ReportDetail"]["properties"]
    assert detail["events_total"]["type"] == "integer"
    parameters = schema["paths"]["/api/v1/reports/{id}/"]["get"]["parameters"]
    assert "events" in {p["name"] for p in parameters}


def test_every_read_documents_404_or_400_and_the_servers_414(schema):
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        assert "414" in get["responses"], path
        if "{" in path:
            assert "404" in get["responses"], path
