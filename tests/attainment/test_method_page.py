"""The published method page: public, Vietnamese by default, English on request, thresholds
rendered from attainment/method.py, one anchor per status."""

import pytest
from django.urls import reverse

from attainment import method

pytestmark = pytest.mark.django_db


def english(client):
    """The user picked English with the switch (the language cookie)."""
    client.cookies["django_language"] = "en"
    return client


def test_method_page_is_public_and_vietnamese_by_default(client):
    response = client.get(reverse("attainment:method"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("attainment:method") == "/attainment/method/"
    assert "Cách tính mức độ đạt mục tiêu" in html
    assert "Đúng tiến độ" in html and "Cần đẩy nhanh" in html and "Đang đi xuống" in html
    # thresholds from method.py, in Vietnamese number format
    assert f"R ≥ {str(method.ON_TRACK_MIN_RATIO).replace('.', ',')}" in html
    assert "0,6 ≤ R &lt; 0,95" in html
    assert "0,001" in html
    assert "Open SDG" in html and "Canada" in html and "Eurostat" in html


def test_method_page_in_english(client):
    response = english(client).get(reverse("attainment:method"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "How attainment is computed" in html
    assert "R ≥ 0.95" in html and "0.6 ≤ R &lt; 0.95" in html and "0 ≤ R &lt; 0.6" in html
    assert "replaced by 0.001" in html
    assert "Statistics Canada" in html and "Eurostat" in html
    assert "not started 0 %, in progress 50 %, done 100 %" in html


@pytest.mark.parametrize("status", method.STATUSES)
def test_every_status_has_an_anchor(client, status):
    html = client.get(reverse("attainment:method")).content.decode()
    assert f'id="status-{status}"' in html


def test_thresholds_follow_the_method_module(client, monkeypatch):
    monkeypatch.setattr(method, "ON_TRACK_MIN_RATIO", 0.9)
    html = english(client).get(reverse("attainment:method")).content.decode()
    assert "R ≥ 0.9." in html and "0.6 ≤ R &lt; 0.9." in html


def test_both_datasets_are_explained(client):
    html = client.get(reverse("attainment:method")).content.decode()
    assert 'id="dataset-official"' in html and 'id="dataset-demo"' in html
    assert "Số liệu chính thức" in html and "Dữ liệu minh họa" in html


def test_method_page_shows_the_last_recompute_and_its_error(client):
    from datetime import timedelta

    from django.utils import timezone

    from attainment.models import RecomputeRequest, RecomputeRun, RunStatus

    page = client.get(reverse("attainment:method")).content.decode()
    assert "Chưa có lần tính lại nào." in page
    RecomputeRun.objects.create(
        dataset="official", trigger="approval", status=RunStatus.DIED,
        started_at=timezone.now() - timedelta(hours=2), error="Worker mất kết nối",
    )
    RecomputeRequest.objects.create(dataset="official", target_ids=[1, 2])
    page = client.get(reverse("attainment:method")).content.decode()
    assert 'data-status="died"' in page and "Đã dừng giữa chừng" in page
    assert "Worker mất kết nối" in page and "2 giờ" in page
    assert 'data-testid="pending-requests"' in page
