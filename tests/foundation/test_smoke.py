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
