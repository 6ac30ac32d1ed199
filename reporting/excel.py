"""The Excel round trip: a pre-filled .xlsx template per unit and period, and reading it back.

The sheet "BaoCao" holds the unit and period codes in B1/B2 and one row per due indicator
from row 5; the headers in row 4 are fixed Vietnamese words (not translated), because
they are how an uploaded file is recognised. "HuongDan" explains how to fill it in.
Reading never saves: it returns cleaned values and every problem by row and column, and
the caller saves all rows through report_save or none.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from zipfile import BadZipFile

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from reporting.models import MilestoneState
from reporting.numbers import format_number
from reporting.validation import NUMBER_FIELDS, clean_line
from targets.models import Indicator, Measure

SHEET = "BaoCao"
GUIDE_SHEET = "HuongDan"
HEADER_ROW = 4
FIRST_ROW = 5
ZIP_SIGNATURE = b"PK\x03\x04"

# (key, header in row 4, width); the first five are locked, the rest are filled in.
COLUMNS = [
    ("code", "Mã chỉ tiêu", 22),
    ("name", "Tên chỉ tiêu", 50),
    ("unit_of_measure", "Đơn vị tính", 14),
    ("targets", "Mục tiêu", 26),
    ("previous", "Giá trị kỳ trước", 16),
    ("value", "Giá trị", 14),
    ("numerator", "Tử số", 12),
    ("denominator", "Mẫu số", 12),
    ("milestone_state", "Trạng thái (mốc)", 18),
    ("comment", "Ghi chú", 40),
    ("evidence_url", "Liên kết minh chứng", 36),
]
INPUT_KEYS = ["value", "numerator", "denominator", "milestone_state", "comment", "evidence_url"]
COLUMN_OF = {key: get_column_letter(i + 1) for i, (key, _h, _w) in enumerate(COLUMNS)}
HEADER_OF = {key: header for key, header, _w in COLUMNS}
MILESTONE_LABELS = {
    MilestoneState.NOT_STARTED: "Chưa bắt đầu",
    MilestoneState.IN_PROGRESS: "Đang thực hiện",
    MilestoneState.DONE: "Hoàn thành",
}

GUIDE_LINES = [
    "HƯỚNG DẪN ĐIỀN MẪU BÁO CÁO",
    "",
    "1. Điền số liệu vào các cột Giá trị, Tử số, Mẫu số, Trạng thái (mốc), Ghi chú và "
    "Liên kết minh chứng của trang BaoCao. Không sửa các cột mã, tên, đơn vị tính, mục tiêu.",
    "2. Chỉ tiêu tính theo tỷ lệ (ví dụ 9/33): điền Tử số và Mẫu số; giá trị % được tự tính.",
    "3. Chỉ tiêu dạng mốc: chọn Chưa bắt đầu, Đang thực hiện hoặc Hoàn thành.",
    "4. Số viết theo kiểu Việt Nam: dấu chấm ngăn cách hàng nghìn, dấu phẩy trước phần thập phân "
    "(1.234,5; 12,5; 85%). Một dấu chấm theo sau đúng 3 chữ số là dấu ngăn cách hàng nghìn "
    "(1.000 = một nghìn).",
    "5. Phần trăm từ 0 đến 100; số lượng là số nguyên không âm; tử số không lớn hơn mẫu số; "
    "thứ hạng từ 1 đến số tỉnh, thành phố.",
    "6. Chỉ nhập giá trị, không dùng công thức. Ô để trống sẽ xóa giá trị đã lưu.",
    "7. Không đổi tên trang, không thêm hoặc xóa cột, không sửa mã đơn vị và kỳ báo cáo "
    "ở ô B1, B2.",
    "8. Tải tệp lên tại trang nhập báo cáo: hệ thống hiển thị bản xem trước và mọi lỗi theo dòng, "
    "cột; chỉ khi xác nhận, toàn bộ số liệu mới được lưu (không có lỗi nào).",
]


class ExcelFileError(Exception):
    """The whole file is refused; .message says why in the active language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Problem:
    row: int
    column: str
    header: str
    message: str


@dataclass
class ExcelPreview:
    """What an uploaded file would save: cleaned values per indicator code, and problems."""

    values: dict[str, dict] = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def template_workbook(*, unit, period, rows: list[dict]) -> bytes:
    """The pre-filled template; rows come from the entry form's row builder."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"], ws["B1"], ws["C1"] = "Mã đơn vị", unit.code, unit.name_vi
    ws["A2"], ws["B2"], ws["C2"] = "Kỳ báo cáo", period.code, str(period)
    ws["A3"] = "Hạn nộp"
    ws["B3"] = period.deadline.strftime("%d/%m/%Y")
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE7F0")
    input_fill = PatternFill("solid", fgColor="FFF8DC")
    for index, (_key, header, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=index, value=header)
        cell.font, cell.fill = bold, header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(index)].width = width
    milestone_list = DataValidation(
        type="list", formula1='"' + ",".join(MILESTONE_LABELS.values()) + '"', allow_blank=True
    )
    ws.add_data_validation(milestone_list)
    for offset, row in enumerate(rows):
        r = FIRST_ROW + offset
        indicator: Indicator = row["indicator"]
        line = row["line"]
        previous = row["previous"]
        cells = {
            "code": indicator.code,
            "name": indicator.name_vi,
            "unit_of_measure": row["unit_of_measure"],
            "targets": row["targets_text"],
            "previous": float(previous.value) if previous and previous.value is not None else None,
            "value": _number_cell(line.value) if line and not indicator.fraction else None,
            "numerator": _number_cell(line.numerator) if line else None,
            "denominator": _number_cell(line.denominator) if line else None,
            "milestone_state": MILESTONE_LABELS.get(line.milestone_state) if line else None,
            "comment": line.comment if line else None,
            "evidence_url": line.evidence_url if line else None,
        }
        for index, (key, _header, _width) in enumerate(COLUMNS, start=1):
            # a stored 0 is a figure: a blank cell would clear it on the way back
            value = None if cells[key] == "" else cells[key]
            cell = ws.cell(row=r, column=index, value=value)
            if key in INPUT_KEYS:
                cell.protection = Protection(locked=False)
                cell.fill = input_fill
        if indicator.measure == Measure.MILESTONE:
            milestone_list.add(f"{COLUMN_OF['milestone_state']}{r}")
    ws.freeze_panes = f"B{FIRST_ROW}"
    # Sheet protection locks the codes, names and targets; the input cells are unlocked.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    guide = wb.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 120
    for index, text in enumerate(GUIDE_LINES, start=1):
        cell = guide.cell(row=index, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True)
    guide["A1"].font = bold
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _number_cell(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _open(upload):
    size, limit = upload.size, settings.EXCEL_UPLOAD_MAX_BYTES
    if size > limit:
        raise ExcelFileError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {
                "size": format_number(round(Decimal(size) / 1048576, 1)),
                "limit": format_number(round(Decimal(limit) / 1048576, 1)),
            }
        )
    upload.seek(0)
    data = upload.read()
    name = (upload.name or "").lower()
    if not name.endswith(".xlsx") or not data.startswith(ZIP_SIGNATURE):
        raise ExcelFileError(
            _("This is not an Excel .xlsx file. Download the template, fill it in and upload it "
              "as .xlsx (old .xls files and CSV are not accepted).")
        )
    try:
        return load_workbook(BytesIO(data), data_only=False)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ExcelFileError(
            _("The file could not be read as an Excel workbook; it may be damaged.")
        ) from exc


def _check_layout(wb, *, unit, period):
    if SHEET not in wb.sheetnames:
        raise ExcelFileError(
            _("The workbook has no sheet named “%(sheet)s” (found: %(found)s). "
              "Use the downloaded template.")
            % {"sheet": SHEET, "found": ", ".join(wb.sheetnames)}
        )
    ws = wb[SHEET]
    found = [
        str(ws.cell(row=HEADER_ROW, column=i).value or "").strip()
        for i in range(1, len(COLUMNS) + 1)
    ]
    expected = [header for _key, header, _w in COLUMNS]
    if [f.lower() for f in found] != [e.lower() for e in expected]:
        raise ExcelFileError(
            _("The columns in row %(row)s of sheet “%(sheet)s” are not the template's. "
              "Expected: %(expected)s.")
            % {"row": HEADER_ROW, "sheet": SHEET, "expected": ", ".join(expected)}
        )
    unit_code = str(ws["B1"].value or "").strip()
    period_code = str(ws["B2"].value or "").strip()
    if unit_code != unit.code or period_code != period.code:
        raise ExcelFileError(
            _("This file is for unit “%(file_unit)s”, period “%(file_period)s”, not for "
              "%(unit)s, %(period)s. Download the template of this report.")
            % {
                "file_unit": unit_code or "?", "file_period": period_code or "?",
                "unit": unit.code, "period": period.code,
            }
        )
    return ws


def _cell_raw(cell, key: str, indicator: Indicator):
    """The cell's content as clean_line expects it; numbers from Excel arrive as floats."""
    value = cell.value
    if value is None:
        return None
    if key in NUMBER_FIELDS and isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        # A cell formatted as a percentage holds 0.85 for 85 %.
        if (
            key == "value" and indicator.measure == Measure.PERCENT
            and "%" in (cell.number_format or "")
        ):
            number *= 100
        return number
    if key in NUMBER_FIELDS and not isinstance(value, str):
        return str(value)  # a date or a boolean: parse_number refuses it with a message
    return str(value)


def workbook_read(
    *, upload, unit, period, indicators: list[Indicator], current: dict
) -> ExcelPreview:
    """Read an uploaded template. Raises ExcelFileError when the whole file is refused.

    indicators: the indicators due; current: {code: {field: stored value}} for fraction checks.
    """
    wb = _open(upload)
    ws = _check_layout(wb, unit=unit, period=period)
    by_code = {i.code: i for i in indicators}
    preview = ExcelPreview()
    seen: dict[str, int] = {}
    for r in range(FIRST_ROW, ws.max_row + 1):
        cells = {key: ws[f"{COLUMN_OF[key]}{r}"] for key, _h, _w in COLUMNS}
        if all(c.value in (None, "") for c in cells.values()):
            continue
        code = str(cells["code"].value or "").strip()
        problem = _row_problem(r, code, by_code, seen)
        if problem:
            preview.problems.append(problem)
            continue
        seen[code] = r
        indicator = by_code[code]
        raw, row_problems = {}, []
        for key in INPUT_KEYS:
            if key == "value" and indicator.fraction:
                continue
            cell = cells[key]
            is_text = isinstance(cell.value, str)
            if cell.data_type == "f" or (is_text and cell.value.startswith("=")):
                row_problems.append(Problem(r, COLUMN_OF[key], HEADER_OF[key], _(
                    "This cell holds a formula; type the value itself."
                )))
                continue
            raw[key] = _cell_raw(cell, key, indicator)
        cleaned, errors = clean_line(indicator, raw, current.get(code, {}))
        for key, message in errors.items():
            column = COLUMN_OF.get(key, COLUMN_OF["value"])
            row_problems.append(Problem(r, column, HEADER_OF.get(key, key), message))
        preview.problems.extend(row_problems)
        if not row_problems:
            preview.values[code] = cleaned
            preview.rows.append({"row": r, "indicator": indicator, "cleaned": cleaned})
    if not preview.values and not preview.problems:
        preview.problems.append(Problem(FIRST_ROW, "A", HEADER_OF["code"], _(
            "The sheet has no indicator rows."
        )))
    return preview


def _row_problem(r: int, code: str, by_code: dict, seen: dict) -> Problem | None:
    column, header = COLUMN_OF["code"], HEADER_OF["code"]
    if not code:
        return Problem(r, column, header, _("The indicator code is missing."))
    if code not in by_code:
        return Problem(r, column, header, _(
            "Unknown indicator code “%(code)s”: this unit does not report it for this period."
        ) % {"code": code})
    if code in seen:
        return Problem(r, column, header, _(
            "Indicator “%(code)s” appears twice (also in row %(row)s)."
        ) % {"code": code, "row": seen[code]})
    return None


def preview_to_session(values: dict[str, dict]) -> dict[str, dict]:
    """Cleaned values as JSON for the session (Decimals as exact strings)."""
    return {
        code: {k: (str(v) if isinstance(v, Decimal) else v) for k, v in fields.items()}
        for code, fields in values.items()
    }


def preview_from_session(data: dict[str, dict]) -> dict[str, dict]:
    """The inverse of preview_to_session, ready for report_save."""
    return {
        code: {
            k: (Decimal(v) if k in NUMBER_FIELDS and v is not None else v)
            for k, v in fields.items()
        }
        for code, fields in data.items()
    }
