"""CSV and XLSX downloads hold exactly the numbers of the table under each chart."""

import csv
import io
import re
from datetime import date, datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from attainment.models import Dataset

pytestmark = pytest.mark.django_db

DEMO_LABEL = "Dữ liệu minh họa — không phải số liệu chính thức"
OFFICIAL_LABEL = "Số liệu chính thức"


class _TableParser(HTMLParser):
    """Rows of the <table data-testid="table-<id>"> as lists of cell texts."""

    def __init__(self, testid: str):
        super().__init__()
        self.testid, self.inside, self.rows, self.cell = testid, False, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-testid") == self.testid:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table" and self.inside:
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def html_table(html: str, chart_id: str) -> list[list[str]]:
    parser = _TableParser(f"table-{chart_id}")
    parser.feed(html)
    return parser.rows


def vi_number(text: str) -> float | None:
    """'1.234,5 %' -> 1234.5 ; '–' -> None."""
    text = text.replace("%", "").strip()
    if text in ("–", ""):
        return None
    return float(text.replace(".", "").replace(",", "."))


def _same(shown: str, raw) -> bool:
    if raw in ("", None):
        return shown == "–"
    if isinstance(raw, date):
        return shown == raw.strftime("%d/%m/%Y")
    if isinstance(raw, int | float):
        return vi_number(shown) == pytest.approx(float(raw), abs=0.01)
    try:
        return vi_number(shown) == pytest.approx(float(raw), abs=0.01)
    except ValueError:
        if len(raw) == 10 and raw[4] == "-":  # ISO date in CSV
            return shown == date.fromisoformat(raw).strftime("%d/%m/%Y")
        return shown == raw


def _people_csv(response) -> list[list]:
    """The Excel-friendly CSV read back: ';' between fields, decimal commas, dd/mm/yyyy."""
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    for row in rows[1:]:
        for i, cell in enumerate(row):
            if re.fullmatch(r"-?\d+(,\d+)?", cell):
                row[i] = float(cell.replace(",", "."))
            elif re.fullmatch(r"\d\d/\d\d/\d{4}", cell):
                row[i] = datetime.strptime(cell, "%d/%m/%Y").date()
    return rows


def _assert_table_equals(shown: list[list[str]], downloaded: list[list]):
    header, *rows = downloaded
    assert header[1:] == shown[0]
    assert len(rows) == len(shown) - 1 and rows
    for shown_row, raw_row in zip(shown[1:], rows, strict=True):
        assert raw_row[0] in (DEMO_LABEL, OFFICIAL_LABEL)
        for cell, raw in zip(shown_row, raw_row[1:], strict=True):
            assert _same(cell, raw), (cell, raw)


@pytest.mark.parametrize("chart_id", ["pillars", "statuses", "results-2025", "trajectory-2030"])
def test_city_csv_equals_the_table_under_the_chart(login, doit_reviewer, city_data, chart_id):
    client = login(doit_reviewer)
    url = reverse("dashboards:city", args=["TC"])
    shown = html_table(client.get(url).content.decode(), chart_id)
    response = client.get(url, {"export": chart_id, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"-{chart_id}.csv" in response["Content-Disposition"]
    rows = _people_csv(response)
    _assert_table_equals(shown, rows)


def test_target_xlsx_equals_the_table_with_dates(login, doit_reviewer, city_data):
    client = login(doit_reviewer)
    url = reverse("dashboards:target", args=[city_data.targets[1].pk])
    shown = html_table(client.get(url).content.decode(), "series")
    response = client.get(url, {"export": "series", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.date() if hasattr(c, "date") else ("" if c is None else c) for c in row]
            for row in sheet.iter_rows(values_only=True)]
    _assert_table_equals(shown, rows)


def test_compliance_csv_equals_the_heatmap_table(login, doit_reviewer, city_data):
    client = login(doit_reviewer)
    url = reverse("dashboards:compliance", args=["TC"])
    shown = html_table(client.get(url).content.decode(), "compliance")
    rows = _people_csv(client.get(url, {"export": "compliance", "format": "csv"}))
    _assert_table_equals(shown, rows)


def test_export_keeps_the_page_filters(login, doit_reviewer, city_data):
    client = login(doit_reviewer)
    url = reverse("dashboards:city", args=["TC"])
    response = client.get(url, {"year": 2030, "export": "statuses", "format": "csv"})
    rows = _people_csv(response)
    n_2030 = sum(t.year == 2030 for t in city_data.targets)
    assert sum(int(r[2]) for r in rows[1:]) == n_2030


def test_demo_export_says_demo_in_every_row_and_file_name(login, doit_reviewer, city):
    from tests.dashboards.conftest import build_city_data
    from units.models import Unit

    build_city_data(city=city, units=[Unit.objects.get(code="TC-STTTT")], n_targets=2,
                    dataset=Dataset.DEMO)
    client = login(doit_reviewer)
    url = reverse("dashboards:city", args=["TC"])
    response = client.get(url, {"dataset": "demo", "export": "statuses", "format": "csv"})
    rows = _people_csv(response)
    assert rows[0][0] == "Bộ dữ liệu"
    assert rows[1:] and all(r[0] == DEMO_LABEL for r in rows[1:])
    assert "-demo.csv" in response["Content-Disposition"]
    xlsx = client.get(url, {"dataset": "demo", "export": "statuses", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {DEMO_LABEL}


def test_official_export_says_official(login, doit_reviewer, city_data):
    response = login(doit_reviewer).get(
        reverse("dashboards:city", args=["TC"]),
        {"dataset": "official", "export": "pillars", "format": "csv"},
    )
    rows = _people_csv(response)
    assert {r[0] for r in rows[1:]} == {OFFICIAL_LABEL}


def test_unknown_chart_or_format_is_404(login, doit_reviewer, city_data):
    client = login(doit_reviewer)
    url = reverse("dashboards:city", args=["TC"])
    assert client.get(url, {"export": "nope", "format": "csv"}).status_code == 404
    assert client.get(url, {"export": "pillars", "format": "pdf"}).status_code == 404


def test_outsider_cannot_download_another_citys_numbers(login, outsider, city_data):
    response = login(outsider).get(
        reverse("dashboards:city", args=["TC"]), {"export": "pillars", "format": "csv"}
    )
    assert response.status_code == 403


def test_city_target_list_downloads_as_people_csv_and_xlsx(login, doit_reviewer, city_data):
    client = login(doit_reviewer)
    url = reverse("dashboards:city", args=["TC"])
    page = client.get(url).content.decode()
    assert 'data-testid="csv-targets"' in page
    shown = page.count("<tr data-target=")
    rows = _people_csv(client.get(url, {"export": "targets", "format": "csv"}))
    assert rows[0][:3] == ["Bộ dữ liệu", "Chỉ tiêu", "Cấp"]
    assert len(rows) - 1 == shown == len(city_data.targets)
    xlsx = client.get(url, {"export": "targets", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row - 1 == shown


def test_a_name_typed_as_a_formula_is_inert_in_every_download(login, doit_reviewer, city_data):
    indicator = city_data.targets[0].indicator
    indicator.name_vi = '=HYPERLINK("http://evil.example","Xem")'
    indicator.save()
    client = login(doit_reviewer)
    url = reverse("dashboards:city", args=["TC"])
    rows = _people_csv(client.get(url, {"export": "targets", "format": "csv"}))
    assert ["'" + indicator.name_vi] == [r[1] for r in rows if "HYPERLINK" in r[1]]
    sheet = load_workbook(io.BytesIO(
        client.get(url, {"export": "targets", "format": "xlsx"}).content)).active
    [cell] = [c for c in sheet["B"] if c.value == indicator.name_vi]
    assert cell.data_type == "s"
