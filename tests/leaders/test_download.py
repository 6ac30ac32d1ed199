"""The report from the city overview and from the API: the city's reviewers and viewers get the
file; its reporters and other cities' users are refused."""

import io

import pytest
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from tests.factories import CityFactory, MembershipFactory, UserFactory
from units.models import Role

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def page_url(code="TC", **params):
    query = "&".join(f"{k}={v}" for k, v in {"period": "2025-Q4", **params}.items())
    return f"{reverse('leaders:city_report', args=[code])}?{query}"


def api_url(code="TC", period="2025-Q4", fmt="pdf"):
    return reverse("api:city-report", kwargs={"code": code, "period": period, "fmt": fmt})


# ---------------------------------------------------------------- page


@pytest.mark.parametrize("who", ["doit_reviewer", "viewer"])
def test_city_reviewer_and_viewer_download_the_docx(login, request, city_data, who):
    response = login(request.getfixturevalue(who)).get(page_url(format="docx"))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-tc-2025-q4.docx"'
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "Thành phố Thử nghiệm" in text


def test_pdf_download_opens(login, doit_reviewer, city_data):
    response = login(doit_reviewer).get(page_url(format="pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Thành phố Thử nghiệm" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_demo_download_is_named_and_marked_demo(login, doit_reviewer, city_data):
    response = login(doit_reviewer).get(page_url(format="docx", dataset="demo"))
    assert response["Content-Disposition"].endswith('-demo.docx"')
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "DỮ LIỆU MẪU" in text


@pytest.mark.parametrize("who", ["department_reporter", "outsider"])
def test_reporters_and_other_cities_are_refused(login, request, city_data, who):
    response = login(request.getfixturevalue(who)).get(page_url(format="docx"))
    assert response.status_code == 403


def test_other_citys_reviewer_is_refused(login, city_data, other_city):
    stranger = UserFactory(username="oc_reviewer")
    MembershipFactory(user=stranger, unit=other_city, role=Role.REVIEWER)
    assert login(stranger).get(page_url(format="pdf")).status_code == 403


def test_anonymous_is_sent_to_login(client, city_data):
    response = client.get(page_url(format="pdf"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("params", "message"), [
    ({"period": "2031-Q9"}, "Không có kỳ báo cáo"),
    ({"format": "odt"}, "Không có định dạng tệp"),
    ({"format": "pdf", "dataset": "both"}, "Không có bộ dữ liệu"),
])
def test_bad_request_explains_in_vietnamese(login, doit_reviewer, city_data, params, message):
    response = login(doit_reviewer).get(page_url(**params))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_unknown_city_is_404(login, doit_reviewer, city_data):
    assert login(doit_reviewer).get(page_url(code="ZZ")).status_code == 404


def test_city_overview_offers_the_report_to_its_reviewer_only(login, doit_reviewer,
                                                             department_reporter, city_data):
    url = reverse("dashboards:city", args=["TC"])
    html = login(doit_reviewer).get(url).content.decode()
    assert 'data-testid="city-report"' in html
    assert reverse("leaders:city_report", args=["TC"]) in html
    assert '<option value="2025-Q4">' in html
    html = login(department_reporter).get(url).content.decode()
    assert 'data-testid="city-report"' not in html


# ---------------------------------------------------------------- API


def test_api_returns_the_file_to_a_city_reviewer(token_client, doit_reviewer, city_data):
    response = token_client(doit_reviewer).get(api_url(fmt="pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert PdfReader(io.BytesIO(response.content)).pages
    response = token_client(doit_reviewer).get(api_url(fmt="docx"), HTTP_ACCEPT="*/*")
    assert response.status_code == 200 and response["Content-Type"] == DOCX


@pytest.mark.parametrize("who", ["department_reporter", "outsider"])
def test_api_refuses_reporters_and_other_cities(token_client, request, city_data, who):
    response = token_client(request.getfixturevalue(who)).get(api_url())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_api_needs_a_user(anon_client, city_data):
    assert anon_client.get(api_url()).status_code == 401


def test_api_bad_period_is_a_400_in_the_error_format(token_client, doit_reviewer, city_data):
    response = token_client(doit_reviewer).get(api_url(period="2031-Q1"))
    assert response.status_code == 400
    assert "Không có kỳ báo cáo" in response.json()["error"]["fields"]["period"][0]


def test_api_unknown_format_or_city_is_404(token_client, doit_reviewer, city_data):
    client = token_client(doit_reviewer)
    assert client.get(api_url(fmt="odt")).status_code == 404
    CityFactory(code="ZC")
    assert client.get(api_url(code="NOPE")).status_code == 404


def test_api_speaks_the_clients_language(token_client, doit_reviewer, city_data):
    client = token_client(doit_reviewer)
    english = client.get(api_url(fmt="docx"), HTTP_ACCEPT_LANGUAGE="en")
    text = "\n".join(p.text for p in Document(io.BytesIO(english.content)).paragraphs)
    assert "Progress report on digital transformation" in text
    vietnamese = client.get(api_url(fmt="docx"), {"lang": "vi"}, HTTP_ACCEPT_LANGUAGE="en")
    text = "\n".join(p.text for p in Document(io.BytesIO(vietnamese.content)).paragraphs)
    assert "Báo cáo tình hình thực hiện chuyển đổi số" in text
