"""Refusals and missing pages are site pages in the reader's language, with a way back."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_refused_page_is_a_vietnamese_site_page(login, outsider, city_data):
    response = login(outsider).get(reverse("dashboards:city", args=["TC"]))
    assert response.status_code == 403
    page = response.content.decode()
    assert 'data-testid="error-403"' in page
    assert "Bạn không được mở trang này" in page
    assert f'href="{reverse("home")}"' in page
    assert 'class="nav"' in page  # the menu stays


def test_refused_page_in_english_when_chosen(login, outsider, city_data, settings):
    client = login(outsider)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("dashboards:city", args=["TC"]))
    assert response.status_code == 403
    assert "You may not open this page" in response.content.decode()


def test_missing_page_is_a_vietnamese_site_page(login, outsider):
    response = login(outsider).get("/khong-co-trang-nay/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'data-testid="error-404"' in page
    assert "Không tìm thấy trang" in page
    assert f'href="{reverse("home")}"' in page
