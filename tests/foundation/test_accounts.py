"""Accounts: login lockout per username and address, password change and e-mail reset, all
in Vietnamese on the site's own pages; security headers on every response."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
GOOD, BAD, NEW = "pass-1234", "wrong-password", "Mat-khau-moi-2026"


@pytest.fixture
def clerk(db):
    """An ordinary account with an e-mail address, password 'pass-1234'."""
    return UserFactory(username="clerk", email="clerk@example.gov.vn")


def _login(client, username, password, *, address="10.0.0.1", url=LOGIN):
    return client.post(url, {"username": username, "password": password},
                       REMOTE_ADDR=address)


def _fail(client, username, times, **kwargs):
    for _ in range(times):
        assert _login(client, username, BAD, **kwargs).status_code == 200


def test_wrong_passwords_lock_that_username_from_that_address(client, clerk, settings):
    _fail(client, "clerk", settings.AXES_FAILURE_LIMIT - 1)
    response = _login(client, "clerk", BAD)
    assert response.status_code == 429
    assert "Đăng nhập tạm khóa" in response.content.decode()
    # the right password does not get through a lock
    response = _login(client, "clerk", GOOD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_fewer_failures_than_the_limit_still_log_in_and_reset_the_count(client, clerk, settings):
    _fail(client, "clerk", settings.AXES_FAILURE_LIMIT - 1)
    assert _login(client, "clerk", GOOD).status_code == 302
    client.logout()
    _fail(client, "clerk", settings.AXES_FAILURE_LIMIT - 1)
    assert _login(client, "clerk", GOOD).status_code == 302


def test_a_lock_holds_neither_another_address_nor_another_user(client, clerk, settings):
    UserFactory(username="colleague")
    _fail(client, "clerk", settings.AXES_FAILURE_LIMIT - 1)
    assert _login(client, "clerk", BAD).status_code == 429
    assert _login(client, "clerk", GOOD).status_code == 429
    assert _login(client, "colleague", GOOD).status_code == 302
    client.logout()
    assert _login(client, "clerk", GOOD, address="10.0.0.2").status_code == 302


def test_the_admin_login_is_locked_alike(client, settings):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    _fail(client, "boss", settings.AXES_FAILURE_LIMIT - 1, url=ADMIN_LOGIN)
    assert _login(client, "boss", BAD, url=ADMIN_LOGIN).status_code == 429
    assert _login(client, "boss", GOOD, url=ADMIN_LOGIN).status_code == 429


def test_password_change_needs_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_password_change_refuses_a_wrong_old_password(client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("password_change"), {
        "old_password": BAD, "new_password1": NEW, "new_password2": NEW,
    })
    assert response.status_code == 200
    assert "Đổi mật khẩu" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(GOOD)


def test_password_change_in_vietnamese(client, clerk):
    client.force_login(clerk)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "Đổi mật khẩu" in page.content.decode()
    response = client.post(reverse("password_change"), {
        "old_password": GOOD, "new_password1": NEW, "new_password2": NEW,
    }, follow=True)
    assert "Đã đổi mật khẩu" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password("Mat-khau-moi-2026")


def test_password_reset_by_e_mail_end_to_end(client, clerk):
    assert "Quên mật khẩu" in client.get(LOGIN).content.decode()
    response = client.post(reverse("password_reset"), {"email": "clerk@example.gov.vn"},
                           follow=True)
    assert "Hãy kiểm tra hộp thư" in response.content.decode()
    [message] = mail.outbox
    assert "mật khẩu mới" in message.subject
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "Chọn mật khẩu mới" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {
        "new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026",
    }, follow=True)
    assert "Mật khẩu mới của bạn đã được đặt" in done.content.decode()
    assert get_user_model().objects.get(username="clerk").check_password("Mat-khau-moi-2026")


def test_password_reset_of_an_unknown_address_sends_nothing_and_says_the_same(client, clerk):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.gov.vn"},
                           follow=True)
    assert "Hãy kiểm tra hộp thư" in response.content.decode()
    assert mail.outbox == []


def test_a_used_reset_link_is_refused(client, clerk):
    client.post(reverse("password_reset"), {"email": "clerk@example.gov.vn"})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)",
                     mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {
        "new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"})
    again = client.get(link, follow=True)
    assert "không còn hiệu lực" in again.content.decode()


@pytest.mark.parametrize("url", [LOGIN, "/api/v1/plans/", "/healthz"])
def test_every_response_carries_csp_and_permissions_policy(client, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-eval'" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"]


def test_hsts_only_on_https_responses(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    assert "Strict-Transport-Security" not in client.get(LOGIN)
    assert client.get(LOGIN, secure=True)["Strict-Transport-Security"].startswith(
        "max-age=31536000")


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/", LOGIN])
def test_pages_need_no_inline_script_under_the_csp(client, url):
    body = client.get(url).content.decode()
    inline = re.findall(r"<script(?![^>]*\b(?:src|type=\"application/json\")\b)[^>]*>", body)
    assert inline == []


def test_swagger_start_up_script_is_served_as_a_file(client):
    response = client.get("/api/docs/", {"script": ""})
    assert response.status_code == 200
    assert "SwaggerUIBundle" in response.content.decode()


# Behind a reverse proxy (TRUSTED_PROXIES): REMOTE_ADDR is the proxy's for everyone.
PROXY = "10.0.0.5"


def _login_via(client, username, password, *, remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_two_clients_behind_the_proxy_are_locked_out_separately(client, clerk, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login_via(client, "clerk", BAD, remote=PROXY, forwarded="203.0.113.7")
    locked = _login_via(client, "clerk", BAD, remote=PROXY, forwarded="203.0.113.7")
    assert locked.status_code == 429
    assert _login_via(client, "clerk", GOOD, remote=PROXY,
                      forwarded="203.0.113.7").status_code == 429

    other = _login_via(client, "clerk", GOOD, remote=PROXY, forwarded="198.51.100.9")

    assert other.status_code == 302


def test_a_client_cannot_dodge_the_lock_with_its_own_forwarded_header(client, clerk, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    limit = settings.AXES_FAILURE_LIMIT
    # Through the proxy, which appends the real address after whatever the client sent.
    for n in range(limit):
        response = _login_via(client, "clerk", BAD, remote=PROXY,
                              forwarded=f"192.0.2.{n}, 203.0.113.7")
    assert response.status_code == 429
    # Straight to the server, bypassing the proxy: the header is not believed at all.
    for n in range(limit):
        response = _login_via(client, "clerk", BAD, remote="198.51.100.20",
                              forwarded=f"192.0.2.{n}")
    assert response.status_code == 429
    assert _login_via(client, "clerk", GOOD, remote="198.51.100.20",
                      forwarded="192.0.2.200").status_code == 429


def test_without_trusted_proxies_the_forwarded_header_is_ignored(client, clerk, settings):
    assert settings.TRUSTED_PROXIES == []
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = _login_via(client, "clerk", BAD, remote="10.0.0.1", forwarded=f"192.0.2.{n}")
    assert response.status_code == 429


@pytest.mark.parametrize("remote,forwarded,expected", [
    ("10.0.0.5", "203.0.113.7", "203.0.113.7"),
    ("10.0.0.5", "203.0.113.7:51234", "203.0.113.7"),
    ("10.0.0.5", "[2001:db8::7]:443", "2001:db8::7"),
    ("10.0.0.5", "2001:db8::7", "2001:db8::7"),
    # two proxies in a row, both trusted: the address before them
    ("10.0.0.5", "192.0.2.1, 203.0.113.7, 10.0.0.6", "203.0.113.7"),
    # garbled or missing: the proxy's own address, never the client's claim
    ("10.0.0.5", "192.0.2.1, not-an-address", "10.0.0.5"),
    ("10.0.0.5", "", "10.0.0.5"),
    ("198.51.100.20", "203.0.113.7", "198.51.100.20"),
])
def test_client_ip_reads_past_trusted_proxies_only(rf, settings, remote, forwarded, expected):
    from dxtracker.clientip import client_ip

    settings.TRUSTED_PROXIES = ["10.0.0.5", "10.0.0.6/32"]
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
