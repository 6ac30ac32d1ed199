"""The leaders' report downloaded from the city overview in Chromium, as a DOIT reviewer."""

import io

import pytest
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from tests.dashboards.conftest import build_city_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data(city, doit, department, district, doit_reviewer):
    return build_city_data(city=city, units=[doit, department, district], n_targets=6)


def test_reviewer_downloads_the_docx_and_the_pdf_from_the_city_overview(open_session, data):
    session = open_session()
    session.login("doit_reviewer")
    session.goto(reverse("dashboards:city", args=["TC"]))
    card = session.page.locator('[data-testid="city-report"]')
    card.scroll_into_view_if_needed()
    session.page.select_option("#r-period", "2025-Q4")
    with session.page.expect_download() as info:
        card.locator('[data-testid="report-docx"]').click()
    download = info.value
    assert download.suggested_filename == "bao-cao-tc-2025-q4.docx"
    body = download.path().read_bytes()
    tables = Document(io.BytesIO(body)).tables
    values = {cell.text for t in tables for row in t.rows for cell in row.cells}
    assert "1.234,5" in values  # target 0's latest value, as the overview shows it
    assert "1.234,5" in session.page.inner_text('[data-testid="target-list"]')
    with session.page.expect_download() as info:
        card.locator('[data-testid="report-pdf"]').click()
    pdf = PdfReader(io.BytesIO(info.value.path().read_bytes()))
    assert "Thành phố Thử nghiệm" in pdf.pages[0].extract_text()
    session.screenshot("leaders-report-card")
    assert session.errors == []


def test_reporter_sees_no_download(open_session, data, department_reporter):
    session = open_session()
    session.login("department_reporter")
    session.goto(reverse("dashboards:city", args=["TC"]))
    session.page.wait_for_selector('[data-testid="target-list"]')
    assert session.page.locator('[data-testid="city-report"]').count() == 0
