"""Reporting frequency: a quarter asks for the quarterly indicators, a year for the yearly ones.

In the shared fixtures Sở Nội vụ answers for five indicators; here the DTI ranking is made
yearly (it is published once a year), so the department owes four figures each quarter and
one each year. Phường 1 answers for a quarterly indicator only and owes no yearly report.
"""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from api.services import api_token_issue
from reporting.models import Period, PeriodKind, Report, ReportLine, ReportState
from reporting.selectors import compliance_rows, indicators_due
from reporting.services import report_open, report_save, report_submit
from targets.models import Frequency
from tests.reporting.conftest import form_data

pytestmark = pytest.mark.django_db

QUARTERLY = ["dvc-online", "open-datasets", "key-tasks", "ioc"]
YEARLY = ["dti-rank"]


@pytest.fixture
def yearly_targets(targets):
    rank = targets["rank"].indicator
    rank.frequency = Frequency.YEARLY
    rank.save()
    return targets


@pytest.fixture
def year(db):
    """This year's period, open for entry, due in a month."""
    today = timezone.localdate()
    return Period.objects.create(
        kind=PeriodKind.YEAR, year=today.year, quarter=None,
        starts_on=date(today.year, 1, 1), ends_on=date(today.year, 12, 31),
        opens_on=today - timedelta(days=5), deadline=today + timedelta(days=30),
    )


def _rows(page: str, codes) -> list[str]:
    return [code for code in codes if f'data-testid="row-{code}"' in page]


def test_the_quarter_form_lists_only_quarterly_indicators(
    login, department_reporter, department, period, yearly_targets
):
    response = login(department_reporter).get(
        reverse("report_edit", args=[department.pk, period.code])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert _rows(page, QUARTERLY + YEARLY) == QUARTERLY


def test_the_year_form_lists_only_yearly_indicators_and_saves_them(
    login, department_reporter, department, year, yearly_targets
):
    client = login(department_reporter)
    url = reverse("report_edit", args=[department.pk, year.code])
    page = client.get(url).content.decode()
    assert _rows(page, QUARTERLY + YEARLY) == YEARLY
    assert "top 10" in page  # the rank's 2030 target is shown beside it

    # A quarterly figure slipped into the year's form is not a field of it: it is not saved.
    response = client.post(url, form_data({"dti-rank": {"value": "7"},
                                           "dvc-online": {"value": "80"}}, 0))
    assert response.status_code == 302
    report = Report.objects.get(unit=department, period=year)
    assert list(report.lines.values_list("indicator__code", "value")) == [
        ("dti-rank", Decimal("7")),
    ]

    response = client.post(url, form_data({"dti-rank": {"value": "7"}}, report.version,
                                          action="submit"))
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).state == ReportState.SUBMITTED


def test_a_unit_without_yearly_indicators_has_nothing_to_enter_for_a_year(
    login, commune_clerk, commune, year, yearly_targets
):
    client = login(commune_clerk)
    url = reverse("report_edit", args=[commune.pk, year.code])
    page = client.get(url).content.decode()
    assert "Đơn vị không có chỉ tiêu nào phải báo cáo trong kỳ này." in page
    assert 'data-testid="row-dvc-online"' not in page

    response = client.post(url, form_data({"dvc-online": {"value": "80"}}, 0))
    assert "không có chỉ tiêu nào phải báo cáo trong kỳ Năm" in response.content.decode()
    assert not Report.objects.exists()


def test_indicators_due_follow_the_period_kind(department, commune, period, year,
                                               yearly_targets):
    assert {i.code for i in indicators_due(unit=department, period=period)} == set(QUARTERLY)
    assert [i.code for i in indicators_due(unit=department, period=year)] == YEARLY
    assert [i.code for i in indicators_due(unit=commune, period=period)] == ["dvc-online"]
    assert indicators_due(unit=commune, period=year) == []


def test_compliance_expects_a_year_only_from_units_with_yearly_indicators(
    department, commune, city, period, year, yearly_targets
):
    rows = compliance_rows(dataset="official", city=city, periods=[year, period])
    expected = {(r.unit_id, r.period_id) for r in rows}
    assert expected == {
        (department.pk, period.pk), (commune.pk, period.pk), (department.pk, year.pk),
    }
    assert {r.timeliness for r in rows} == {"pending"}


def test_compliance_counts_a_submitted_yearly_report(
    department_reporter, department, city, year, yearly_targets
):
    report = report_open(user=department_reporter, unit=department, period=year)
    report = report_save(user=department_reporter, report=report,
                         values={"dti-rank": {"value": "7"}},
                         expected_version=report.version, channel="web")
    report_submit(user=department_reporter, report=report, channel="web")
    rows = compliance_rows(dataset="official", city=city, periods=[year])
    assert [(r.unit_id, r.timeliness) for r in rows] == [(department.pk, "on_time")]


def test_the_start_page_lists_a_year_for_the_department_only_until_it_is_submitted(
    login, department_reporter, commune_clerk, department, commune, period, year,
    yearly_targets
):
    client = login(department_reporter)
    response = client.get(reverse("home"))
    counts = {(i.unit.pk, i.period.pk): i.indicator_count for i in response.context["due"]}
    assert counts == {(department.pk, period.pk): 4, (department.pk, year.pk): 1}
    assert f'data-testid="enter-{department.code}-{year.code}"' in response.content.decode()

    url = reverse("report_edit", args=[department.pk, year.code])
    client.post(url, form_data({"dti-rank": {"value": "7"}}, 0, action="submit"))
    page = client.get(reverse("home")).content.decode()
    assert f'data-testid="enter-{department.code}-{year.code}"' not in page
    assert f'data-testid="enter-{department.code}-{period.code}"' in page

    page = login(commune_clerk).get(reverse("home")).content.decode()
    assert f'data-testid="enter-{commune.code}-{period.code}"' in page
    assert f'data-testid="enter-{commune.code}-{year.code}"' not in page


def _template_codes(client, unit, period) -> list[str]:
    response = client.get(reverse("report_excel_template", args=[unit.pk, period.code]))
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.content))["BaoCao"]
    return [ws[f"A{r}"].value for r in range(5, ws.max_row + 1)]


def test_the_excel_template_of_a_year_lists_only_yearly_indicators_and_round_trips(
    login, department_reporter, department, period, year, yearly_targets
):
    client = login(department_reporter)
    assert sorted(_template_codes(client, department, period)) == sorted(QUARTERLY)
    assert _template_codes(client, department, year) == YEARLY

    response = client.get(reverse("report_excel_template", args=[department.pk, year.code]))
    wb = load_workbook(BytesIO(response.content))
    wb["BaoCao"]["F5"] = 6
    out = BytesIO()
    wb.save(out)
    response = client.post(
        reverse("report_excel_upload", args=[department.pk, year.code]),
        {"file": SimpleUploadedFile("bao-cao-nam.xlsx", out.getvalue())},
    )
    assert response.status_code == 200
    assert 'data-testid="excel-confirm"' in response.content.decode()
    client.post(reverse("report_excel_confirm", args=[department.pk, year.code]))
    line = ReportLine.objects.get(report__unit=department, report__period=year)
    assert (line.indicator.code, line.value) == ("dti-rank", Decimal("6"))


def _api(user) -> APIClient:
    _token, key = api_token_issue(user=user, name="frequency test", can_write=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_api_opens_saves_and_submits_a_yearly_report(department_reporter, department,
                                                         year, yearly_targets):
    client = _api(department_reporter)
    opened = client.post("/api/v1/reports/", {"unit": department.code, "period": year.code},
                         format="json")
    assert opened.status_code == 201, opened.json()
    assert opened.json()["period"] == year.code

    wrong = client.patch(f"/api/v1/reports/{opened.json()['id']}/",
                         {"lines": [{"indicator": "dvc-online", "value": "80"}]},
                         format="json", HTTP_IF_MATCH=opened["ETag"])
    assert wrong.status_code == 400
    assert "lines.dvc-online.indicator" in wrong.json()["error"]["fields"]

    saved = client.patch(f"/api/v1/reports/{opened.json()['id']}/",
                         {"lines": [{"indicator": "dti-rank", "value": "7"}]},
                         format="json", HTTP_IF_MATCH=opened["ETag"])
    assert saved.status_code == 200, saved.json()
    submitted = client.post(f"/api/v1/reports/{opened.json()['id']}/submit/",
                            HTTP_IF_MATCH=saved["ETag"])
    assert submitted.status_code == 200, submitted.json()
    report = Report.objects.get(unit=department, period=year)
    assert report.state == ReportState.SUBMITTED
    assert list(report.lines.values_list("indicator__code", "value")) == [
        ("dti-rank", Decimal("7")),
    ]


def test_the_api_refuses_a_yearly_report_from_a_unit_without_yearly_indicators(
    commune_clerk, commune, year, yearly_targets
):
    response = _api(commune_clerk).post(
        "/api/v1/reports/", {"unit": commune.code, "period": year.code}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_state"
    assert not Report.objects.exists()
