"""One JSON error shape for every refusal, in the client's language, and request throttling."""

import logging

import pytest
from django.conf import settings
from django.test import override_settings
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.throttling import SimpleRateThrottle

V1 = "/api/v1"


def _rates(**rates):
    config = {**settings.REST_FRAMEWORK}
    config["DEFAULT_THROTTLE_RATES"] = {**config["DEFAULT_THROTTLE_RATES"], **rates}
    return override_settings(REST_FRAMEWORK=config)


def test_unknown_address_under_api_is_a_json_404(anon_client, db):
    response = anon_client.get("/api/v2/anything")

    assert response.status_code == 404
    assert response.json() == {"error": {
        "code": "not_found", "message": "Không có điểm truy cập API nào tại địa chỉ này.",
        "fields": {},
    }}


def test_unknown_address_in_english(anon_client, db):
    response = anon_client.get("/api/v1/nothing-here/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["error"]["message"] == "There is no API endpoint at this address."


def test_method_not_allowed_is_json_405(anon_client, db):
    response = anon_client.delete(f"{V1}/pillars/")

    assert response.status_code == 405
    assert response.json()["error"] == {
        "code": "method_not_allowed", "message": "Phương thức “DELETE” không được chấp nhận.",
        "fields": {},
    }


def test_401_message_in_both_languages(anon_client, db):
    vi = anon_client.get(f"{V1}/attainment/").json()["error"]
    en = anon_client.get(f"{V1}/attainment/", HTTP_ACCEPT_LANGUAGE="en").json()["error"]

    assert vi["message"] == "Chưa cung cấp thông tin xác thực."
    assert en["message"] == "Authentication credentials were not provided."


def test_unacceptable_format_is_refused_in_json(anon_client, db):
    by_accept = anon_client.get(f"{V1}/pillars/", HTTP_ACCEPT="application/xml")
    by_suffix = anon_client.get(f"{V1}/pillars/", {"format": "xml"})

    assert by_accept.status_code == 406
    assert by_accept.json()["error"]["code"] == "not_acceptable"
    assert by_accept.json()["error"]["message"] == (
        "Không thể đáp ứng định dạng yêu cầu trong tiêu đề Accept."
    )
    assert by_suffix.status_code == 404  # DRF's answer to an unknown ?format=
    assert by_suffix.json()["error"]["code"] == "not_found"


def test_invalid_page_is_a_json_404(anon_client, catalogue):
    response = anon_client.get(f"{V1}/targets/", {"page": 99})

    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "Trang không hợp lệ.",
                                        "fields": {}}


def test_anonymous_clients_are_throttled_with_retry_after(anon_client, catalogue):
    with _rates(anon="2/min"):
        statuses = [anon_client.get(f"{V1}/pillars/").status_code for _ in range(3)]
        response = anon_client.get(f"{V1}/pillars/")

    assert statuses == [200, 200, 429]
    assert int(response["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert error["message"].startswith("Yêu cầu bị tạm từ chối do gửi quá nhiều.")
    assert "giây" in error["message"]


def test_token_clients_have_their_own_allowance(token_client, doit_reviewer, anon_client,
                                                catalogue):
    client = token_client(doit_reviewer)
    with _rates(anon="1/min", token="3/min"):
        anon_client.get(f"{V1}/pillars/")
        anon_refused = anon_client.get(f"{V1}/pillars/").status_code
        token_statuses = [client.get(f"{V1}/pillars/").status_code for _ in range(4)]

    assert anon_refused == 429
    assert token_statuses == [200, 200, 200, 429]


@pytest.mark.parametrize("rate", ["60/min"])
def test_default_rates_are_configured(rate):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"] == rate
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"] == "600/min"


def test_a_bug_answers_500_in_the_same_shape_and_is_logged(anon_client, db, monkeypatch,
                                                            caplog):
    from api.views.catalogue import PillarViewSet

    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(PillarViewSet, "get_queryset", broken)

    response = anon_client.get(f"{V1}/pillars/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 500
    assert response.json()["error"] == {"code": "server_error",
                                        "message": "A server error occurred.", "fields": {}}
    assert any(r.exc_info and "boom" in str(r.exc_info[1]) for r in caplog.records)


def test_browser_session_gets_the_browsable_api(client, doit_reviewer, catalogue):
    client.force_login(doit_reviewer)

    response = client.get(f"{V1}/attainment/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


class _CacheDown:
    """A cache whose server is gone, as Redis is when it stops."""

    def get(self, *args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    set = get


def test_api_answers_while_the_throttle_cache_is_down(monkeypatch, caplog, anon_client,
                                                      token_client, doit_reviewer, catalogue):
    monkeypatch.setattr(SimpleRateThrottle, "cache", _CacheDown())
    with caplog.at_level(logging.WARNING, logger="api.throttling"):
        anonymous = anon_client.get(f"{V1}/pillars/")
        with_token = token_client(doit_reviewer).get(f"{V1}/attainment/")

    assert (anonymous.status_code, with_token.status_code) == (200, 200)
    assert "cache is unavailable" in caplog.text
