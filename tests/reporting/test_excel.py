"""The Excel round trip: template download, upload preview, confirm; every bad file refused."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from reporting.models import Report, ReportEvent, ReportLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_(login, department_reporter, targets):
    return login(department_reporter)


def _template(client, unit, period):
    response = client.get(reverse("report_excel_template", args=[unit.pk, period.code]))
    assert response.status_code == 200
    return load_workbook(BytesIO(response.content))


def _fill(wb, values: dict):
    ws = wb["BaoCao"]
    columns = {"value": "F", "numerator": "G", "denominator": "H", "milestone_state": "I",
               "comment": "J", "evidence_url": "K"}
    for row in range(5, ws.max_row + 1):
        code = ws[f"A{row}"].value
        for field, text in values.get(code, {}).items():
            ws[f"{columns[field]}{row}"] = text
    return wb


def _upload(client, unit, period, wb=None, *, name="bao-cao.xlsx", content=None):
    if content is None:
        out = BytesIO()
        wb.save(out)
        content = out.getvalue()
    return client.post(reverse("report_excel_upload", args=[unit.pk, period.code]),
                       {"file": SimpleUploadedFile(name, content)})


EXCEL_VALUES = {
    "dvc-online": {"value": 0.855},  # a percentage cell is set below
    "open-datasets": {"value": 1000},
    "key-tasks": {"numerator": 9, "denominator": 33},
    "dti-rank": {"value": "5"},
    "ioc": {"milestone_state": "Đang thực hiện", "comment": "Đã khởi công"},
}


def _filled(client, unit, period):
    wb = _fill(_template(client, unit, period), EXCEL_VALUES)
    ws = wb["BaoCao"]
    for row in range(5, ws.max_row + 1):
        if ws[f"A{row}"].value == "dvc-online":
            ws[f"F{row}"].number_format = "0.0%"
    return wb


def test_template_has_codes_targets_instructions_and_protection(client_, department, period):
    wb = _template(client_, department, period)
    assert wb.sheetnames == ["BaoCao", "HuongDan"]
    ws = wb["BaoCao"]
    assert (ws["B1"].value, ws["B2"].value) == (department.code, period.code)
    assert [c.value for c in ws[4]][:6] == ["Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị tính",
                                             "Mục tiêu", "Giá trị kỳ trước", "Giá trị"]
    codes = [ws[f"A{r}"].value for r in range(5, ws.max_row + 1)]
    assert sorted(codes) == ["dti-rank", "dvc-online", "ioc", "key-tasks", "open-datasets"]
    row = codes.index("dvc-online") + 5
    assert ws[f"D{row}"].value == "2030: ≥ 90 %, 2035: ≥ 100 %"
    assert ws.protection.sheet is True
    assert ws[f"A{row}"].protection.locked is True and ws[f"F{row}"].protection.locked is False
    assert "HƯỚNG DẪN" in wb["HuongDan"]["A1"].value


def test_upload_preview_then_confirm_saves_every_row(client_, department, period):
    response = _upload(client_, department, period, _filled(client_, department, period))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="excel-confirm"' in page
    assert "Đang thực hiện" in page and "in_progress" not in page  # labels, not codes
    assert not ReportLine.objects.exists()  # the preview saves nothing
    response = client_.post(reverse("report_excel_confirm", args=[department.pk, period.code]))
    assert response.status_code == 302
    report = Report.objects.get()
    lines = {line.indicator.code: line for line in report.lines.select_related("indicator")}
    assert lines["dvc-online"].value == 85.5
    assert lines["open-datasets"].value == 1000
    assert (lines["key-tasks"].numerator, lines["key-tasks"].denominator) == (9, 33)
    assert lines["dti-rank"].value == 5
    assert lines["ioc"].milestone_state == "in_progress"
    assert lines["ioc"].comment == "Đã khởi công"
    assert ReportEvent.objects.filter(action="saved", channel="excel").count() == 1
    # confirming twice does not save twice
    response = client_.post(reverse("report_excel_confirm", args=[department.pk, period.code]))
    assert ReportEvent.objects.filter(action="saved").count() == 1


def _assert_refused(response, message):
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page, page
    assert not ReportLine.objects.exists()
    assert 'data-testid="excel-confirm"' not in page


def test_bad_values_are_listed_by_row_and_column_and_nothing_is_saved(client_, department,
                                                                       period):
    wb = _fill(_template(client_, department, period), {
        "dvc-online": {"value": "120"}, "open-datasets": {"value": "-1"},
        "key-tasks": {"numerator": 40, "denominator": 33}, "dti-rank": {"value": "abc"},
    })
    response = _upload(client_, department, period, wb)
    _assert_refused(response, "Tỷ lệ phần trăm phải từ 0 đến 100.")
    page = response.content.decode()
    assert "Tệp có 4 lỗi." in page
    for text in ("Số lượng không được âm.", "Tử số không được lớn hơn mẫu số.",
                 "“abc” không phải là số.", "F (Giá trị)", "G (Tử số)"):
        assert text in page
    confirm = client_.post(reverse("report_excel_confirm", args=[department.pk, period.code]))
    assert confirm.status_code == 302 and not ReportLine.objects.exists()


def test_formula_is_refused(client_, department, period):
    wb = _filled(client_, department, period)
    ws = wb["BaoCao"]
    ws["F5"] = "=1+1"
    _assert_refused(_upload(client_, department, period, wb),
                    "Ô này chứa công thức; hãy nhập trực tiếp giá trị.")


def test_unknown_indicator_code_is_refused(client_, department, period):
    wb = _filled(client_, department, period)
    wb["BaoCao"]["A5"].value = "khong-ton-tai"
    _assert_refused(_upload(client_, department, period, wb),
                    "Mã chỉ tiêu “khong-ton-tai” không hợp lệ")


def test_renamed_xls_is_refused(client_, department, period):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    _assert_refused(_upload(client_, department, period, content=ole, name="bao-cao.xlsx"),
                    "Đây không phải tệp Excel .xlsx.")


def test_csv_named_csv_is_refused(client_, department, period):
    _assert_refused(_upload(client_, department, period, content=b"a,b\n1,2", name="x.csv"),
                    "Đây không phải tệp Excel .xlsx.")


def test_too_large_file_is_refused(client_, department, period, settings):
    settings.EXCEL_UPLOAD_MAX_BYTES = 1024
    wb = _filled(client_, department, period)
    wb["HuongDan"]["B1"] = "x" * 5000
    _assert_refused(_upload(client_, department, period, wb), "Tệp quá lớn")


def test_damaged_zip_is_refused(client_, department, period):
    _assert_refused(_upload(client_, department, period, content=b"PK\x03\x04garbage"),
                    "Tệp bị hỏng, không đọc được như một bảng tính Excel")


def test_wrong_sheet_is_refused(client_, department, period):
    wb = _filled(client_, department, period)
    wb["BaoCao"].title = "Sheet1"
    _assert_refused(_upload(client_, department, period, wb),
                    "Bảng tính không có trang tên “BaoCao”")


def test_wrong_columns_are_refused(client_, department, period):
    wb = _filled(client_, department, period)
    wb["BaoCao"]["F4"] = "Số liệu"
    _assert_refused(_upload(client_, department, period, wb), "không đúng như mẫu")


def test_file_of_another_unit_or_period_is_refused(client_, department, period):
    wb = _filled(client_, department, period)
    wb["BaoCao"]["B1"] = "TC-Q1-P1"
    _assert_refused(_upload(client_, department, period, wb), "Tệp này dành cho đơn vị “TC-Q1-P1”")
    wb["BaoCao"]["B1"] = department.code
    wb["BaoCao"]["B2"] = "2019-Q1"
    _assert_refused(_upload(client_, department, period, wb), "kỳ “2019-Q1”")


def test_upload_by_another_unit_reporter_is_refused(login, commune_clerk, department, period,
                                                    targets):
    response = login(commune_clerk).post(
        reverse("report_excel_upload", args=[department.pk, period.code]), {})
    assert response.status_code == 403


def test_report_changed_between_preview_and_confirm_saves_nothing(
    client_, department_reporter, department, period
):
    from reporting.services import report_open, report_save

    report = report_open(user=department_reporter, unit=department, period=period)
    _upload(client_, department, period, _filled(client_, department, period))
    report_save(user=department_reporter, report=report, values={"dti-rank": {"value": "7"}},
                expected_version=report.version, channel="web")
    response = client_.post(reverse("report_excel_confirm", args=[department.pk, period.code]),
                            follow=True)
    assert "Báo cáo đã bị người khác thay đổi" in response.content.decode()
    assert list(ReportLine.objects.values_list("indicator__code", "value")) == [("dti-rank", 7)]


def test_a_saved_zero_survives_the_template_round_trip(client_, department_reporter,
                                                        department, period):
    from reporting.services import report_open, report_save

    report = report_open(user=department_reporter, unit=department, period=period)
    report_save(user=department_reporter, report=report, channel="web",
                expected_version=report.version,
                values={"open-datasets": {"value": "0"},
                        "key-tasks": {"numerator": "0", "denominator": "33"}})
    wb = _template(client_, department, period)
    ws = wb["BaoCao"]
    rows = {ws[f"A{r}"].value: r for r in range(5, ws.max_row + 1)}
    assert ws[f"F{rows['open-datasets']}"].value == 0
    assert ws[f"G{rows['key-tasks']}"].value == 0
    # the reporter fills one more row and uploads the template back: the zeros stay
    _fill(wb, {"dti-rank": {"value": 5}})
    assert _upload(client_, department, period, wb).status_code == 200
    response = client_.post(reverse("report_excel_confirm", args=[department.pk, period.code]))
    assert response.status_code == 302
    lines = {line.indicator.code: line for line in report.lines.select_related("indicator")}
    assert lines["open-datasets"].value == 0
    assert (lines["key-tasks"].numerator, lines["key-tasks"].denominator) == (0, 33)
    assert lines["dti-rank"].value == 5


def test_milestone_typed_in_decomposed_unicode_is_understood(client_, department, period):
    import unicodedata

    # Vietnamese keyboards set to "Unicode tổ hợp" type the accents as separate characters
    typed = unicodedata.normalize("NFD", "Đang thực hiện")
    assert typed != "Đang thực hiện"
    wb = _fill(_template(client_, department, period), {"ioc": {"milestone_state": typed}})
    response = _upload(client_, department, period, wb)
    assert response.status_code == 200
    response = client_.post(reverse("report_excel_confirm", args=[department.pk, period.code]))
    assert response.status_code == 302
    assert ReportLine.objects.get(indicator__code="ioc").milestone_state == "in_progress"


def test_a_comment_typed_as_a_formula_comes_back_as_text_in_the_template(
    client_, department_reporter, department, period
):
    from reporting.services import report_open, report_save

    formula = '=HYPERLINK("http://evil.example","Xem minh chứng")'
    report = report_open(user=department_reporter, unit=department, period=period)
    report_save(user=department_reporter, report=report, channel="web",
                expected_version=report.version,
                values={"ioc": {"milestone_state": "in_progress", "comment": formula}})
    ws = _template(client_, department, period)["BaoCao"]
    row = next(r for r in range(5, ws.max_row + 1) if ws[f"A{r}"].value == "ioc")
    assert (ws[f"J{row}"].value, ws[f"J{row}"].data_type) == (formula, "s")


def test_a_value_typed_for_a_numerator_and_denominator_indicator_is_refused_not_dropped(
        client_, department, period):
    wb = _template(client_, department, period)
    ws = wb["BaoCao"]
    row = [ws[f"A{r}"].value for r in range(5, ws.max_row + 1)].index("key-tasks") + 5
    # Its value is computed: the template keeps the cell locked, numerator and denominator open.
    assert ws[f"F{row}"].protection.locked is True
    assert ws[f"G{row}"].protection.locked is False and ws[f"H{row}"].protection.locked is False
    wb = _fill(wb, {"key-tasks": {"value": 27, "numerator": 9, "denominator": 33}})
    _assert_refused(_upload(client_, department, period, wb),
                    "Chỉ tiêu này báo cáo bằng tử số và mẫu số: để trống ô này và điền hai "
                    "cột đó.")
    assert "F (Giá trị)" in _upload(client_, department, period, wb).content.decode()
