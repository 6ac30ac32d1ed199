"""The site answers in Vietnamese first and switches to English on request."""

import pytest


@pytest.mark.django_db
def test_login_page_speaks_vietnamese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "Đăng nhập" in response.content.decode()
    assert 'lang="vi"' in response.content.decode()


@pytest.mark.django_db
def test_language_switch_is_remembered_in_a_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    page = client.get("/accounts/login/").content.decode()
    assert "Log in" in page and 'lang="en"' in page


@pytest.mark.django_db
def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_vietnamese_message(client, department_reporter):
    response = client.post("/accounts/login/", {"username": "department_reporter",
                                                "password": "wrong"})
    assert response.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.content.decode()


@pytest.mark.django_db
def test_pages_stay_vietnamese_for_a_browser_that_prefers_english(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in page and "Đăng nhập" in page


@pytest.mark.django_db
def test_the_api_answers_in_the_language_the_client_asks_for(client):
    english = client.get("/api/v1/reports/", HTTP_ACCEPT_LANGUAGE="en")
    vietnamese = client.get("/api/v1/reports/")
    assert english.status_code == vietnamese.status_code == 401
    assert english.json()["error"]["message"] != vietnamese.json()["error"]["message"]


@pytest.mark.django_db
def test_admin_has_the_language_switch(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.gov.vn", "x")
    client.force_login(admin)
    page = client.get("/admin/").content.decode()
    assert 'data-testid="admin-lang-switch"' in page
    assert 'value="en"' in page and 'value="vi"' in page
