"""Tokens for machine clients: issued and revoked in the admin, read-only unless granted."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from api.models import ApiToken, hash_key
from tests.factories import UserFactory

ATTAINMENT = "/api/v1/attainment/"


@pytest.fixture
def admin_client(client, db):
    admin = get_user_model().objects.create_superuser("root", "root@example.gov.vn", "pw-12345")
    client.force_login(admin)
    return client


def test_no_credentials_get_401_with_token_challenge(anon_client, db):
    response = anon_client.get(ATTAINMENT)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_valid_token_reads_and_marks_last_use(token_client, doit_reviewer):
    client = token_client(doit_reviewer)

    response = client.get(ATTAINMENT)

    assert response.status_code == 200
    client.token.refresh_from_db()
    assert client.token.last_used_at is not None


def test_unknown_token_is_refused(anon_client, db):
    anon_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")

    response = anon_client.get(ATTAINMENT)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_malformed_token_header_is_refused(anon_client, db):
    anon_client.credentials(HTTP_AUTHORIZATION="Token two words")

    assert anon_client.get(ATTAINMENT).status_code == 401


def test_revoked_token_is_refused(token_client, doit_reviewer):
    client = token_client(doit_reviewer)
    from api.services import api_token_revoke

    api_token_revoke(token=client.token)

    response = client.get(ATTAINMENT)

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Mã truy cập này đã bị thu hồi."


def test_token_of_disabled_user_is_refused(token_client, doit_reviewer):
    client = token_client(doit_reviewer)
    doit_reviewer.is_active = False
    doit_reviewer.save()

    assert client.get(ATTAINMENT).status_code == 401


def test_read_only_token_refused_on_write_even_for_a_reporter(
    token_client, department_reporter, catalogue
):
    client = token_client(department_reporter)  # could open the report on the web

    response = client.post("/api/v1/reports/", {"unit": "TC-SNV", "period": "2025-Q1"},
                           format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert "chỉ được đọc" in response.json()["error"]["message"]
    from reporting.models import Report

    assert not Report.objects.exists()


def test_session_authentication_serves_the_browser(client, doit_reviewer):
    client.force_login(doit_reviewer)

    response = client.get(ATTAINMENT, HTTP_ACCEPT="application/json")

    assert response.status_code == 200


def test_only_the_hash_of_a_key_is_stored(token_client, doit_reviewer):
    client = token_client(doit_reviewer)
    key = client._credentials["HTTP_AUTHORIZATION"].split()[1]

    token = ApiToken.objects.get()
    assert token.key_hash == hash_key(key)
    assert key not in token.key_hash
    assert token.prefix == key[:8]
    assert token.can_write is False


def test_admin_issues_a_token_and_shows_its_key_once(admin_client, doit_reviewer):
    response = admin_client.post(
        reverse("admin:api_apitoken_add"),
        {"name": "LGSP", "user": doit_reviewer.pk, "can_write": "on"},
        follow=True,
    )

    assert response.status_code == 200
    token = ApiToken.objects.get(name="LGSP")
    assert token.can_write and token.user == doit_reviewer
    shown = [str(m) for m in response.context["messages"]]
    key = next(m for m in shown if token.prefix in m).rsplit(" ", 1)[-1]
    assert hash_key(key) == token.key_hash
    # The change page never shows the key again.
    page = admin_client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
    assert key not in page.content.decode()


def test_admin_revokes_tokens(admin_client, token_client, doit_reviewer):
    client = token_client(doit_reviewer)

    admin_client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [client.token.pk]},
    )

    client.token.refresh_from_db()
    assert client.token.revoked_at is not None
    assert client.get(ATTAINMENT).status_code == 401


def test_admin_is_refused_to_non_staff(client, db):
    client.force_login(UserFactory(username="plain"))

    response = client.get(reverse("admin:api_apitoken_changelist"))

    assert response.status_code == 302


def test_admin_add_form_asks_only_name_user_and_grant(admin_client, db):
    response = admin_client.get(reverse("admin:api_apitoken_add"))

    assert response.status_code == 200
    assert set(response.context["adminform"].form.fields) == {"name", "user", "can_write"}
