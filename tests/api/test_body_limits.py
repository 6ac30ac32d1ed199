"""Request bodies the API must refuse cleanly: too large is 413, too deep is 400, never 500."""

import json

import pytest

from reporting.models import ReportLine

V1 = "/api/v1"


@pytest.fixture
def opened(token_client, department_reporter, catalogue):
    client = token_client(department_reporter, can_write=True)
    response = client.post(f"{V1}/reports/", {"unit": "TC-SNV", "period": "2025-Q1"},
                           format="json")
    assert response.status_code == 201, response.json()
    return client, response.json()["id"], response["ETag"]


def _patch(client, report_id, etag, body: str):
    return client.patch(f"{V1}/reports/{report_id}/", body, content_type="application/json",
                        HTTP_IF_MATCH=etag, HTTP_ACCEPT_LANGUAGE="vi")


def test_a_20_mb_body_is_413_in_vietnamese(opened):
    client, report_id, etag = opened
    body = json.dumps({"lines": [{"indicator": "online-services", "comment": "x" * 1000}] * 20_000})
    assert len(body) > 20_000_000
    response = _patch(client, report_id, etag, body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert "quá lớn" in response.json()["error"]["message"]
    assert not ReportLine.objects.exists()


def test_a_5000_deep_body_is_400(opened):
    client, report_id, etag = opened
    response = _patch(client, report_id, etag, "[" * 5000 + "]" * 5000)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_deep"


def test_a_body_deeper_than_the_bound_but_parseable_is_400(opened):
    client, report_id, etag = opened
    response = _patch(client, report_id, etag, '{"lines": ' + "[" * 40 + "]" * 40 + "}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_deep"


def test_an_ordinary_body_still_saves(opened):
    client, report_id, etag = opened
    response = _patch(client, report_id, etag,
                      json.dumps({"lines": [{"indicator": "online-services", "value": "85,5"}]}))
    assert response.status_code == 200, response.json()
    assert ReportLine.objects.get().value == 85.5
