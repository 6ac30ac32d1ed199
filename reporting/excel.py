"""The Excel round trip: a pre-filled .xlsx template per unit and period, and reading it back.

The sheet "BaoCao" holds the unit and period codes in B1/B2 and one row per due indicator
from row 5; the headers in row 4 are fixed Vietnamese words (not translated), because
they are how an uploaded file is recognised. "HuongDan" explains how to fill it in.
Reading never saves: it returns cleaned values and every problem by row and column, and
the caller saves all rows through report_save or none.
"""

import logging
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from dxtracker.spreadsheets import set_cell
from reporting.models import MilestoneState
from reporting.numbers import format_number
from reporting.validation import NUMBER_FIELDS, clean_line
from targets.models import Indicator, Measure

SHEET = "BaoCao"
GUIDE_SHEET = "HuongDan"
HEADER_ROW = 4
FIRST_ROW = 5
ZIP_SIGNATURE = b"PK\x03\x04"

# A hostile workbook must be refused or read in bounded time and memory. The template is a
# dozen parts of a few kilobytes; these bounds are far above any real report and far below
# what would pin a web worker (measured by `manage.py benchmark_uploads`).
MAX_ZIP_ENTRIES = 200
MAX_UNCOMPRESSED_BYTES = 10 * 1024 * 1024
# openpyxl spends ~5-70 µs per XML element (styles are the dearest): a filled template has
# a few thousand elements, the largest unit (about 90 indicators) under 10,000.
MAX_XML_TAGS = 40_000
MAX_STYLE_TAGS = 4_000
# Rows read after the header: more than any unit's indicators, so a cell typed at K1048576
# never makes the reader walk a million rows.
MAX_INDICATOR_ROWS = 500
# Real workbooks never carry a DTD; entity expansion (billion laughs) and external entities
# (XXE) both need one, so a part that declares one is refused before any parser sees it.
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")

logger = logging.getLogger(__name__)

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
    heading = {
        "A1": "Mã đơn vị", "B1": unit.code, "C1": unit.name_vi,
        "A2": "Kỳ báo cáo", "B2": period.code, "C2": str(period),
        "A3": "Hạn nộp", "B3": period.deadline.strftime("%d/%m/%Y"),
    }
    for ref, text in heading.items():
        set_cell(ws[ref], text)
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
            cell = ws.cell(row=r, column=index)
            set_cell(cell, value)  # a comment "=HYPERLINK(…)" stays text for the reviewer
            if key in INPUT_KEYS and not (key == "value" and indicator.fraction):
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


def open_workbook_safely(upload):
    """The uploaded .xlsx as a read-only Workbook, or ExcelFileError in the user's language.

    The one entry point for every workbook a user uploads (report figures, plan imports):
    size, type, zip directory (entry count, uncompressed sizes) and XML declarations are
    checked before openpyxl parses anything. The caller closes the workbook.
    """
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
    data = upload.read(limit + 1)
    name = (upload.name or "").lower()
    if not name.endswith(".xlsx") or not data.startswith(ZIP_SIGNATURE):
        raise ExcelFileError(
            _("This is not an Excel .xlsx file. Download the template, fill it in and upload it "
              "as .xlsx (old .xls files and CSV are not accepted).")
        )
    _check_archive(data)
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:
        # Whatever a malformed part makes openpyxl raise, the user gets one clear refusal
        # rather than a 500: the file itself is the problem.
        logger.info("Excel upload refused as damaged: %s: %s", type(exc).__name__, exc)
        raise ExcelFileError(_damaged_message()) from exc


def _damaged_message() -> str:
    return _("The file is damaged and could not be read as an Excel workbook. Open it in Excel, "
             "save it again as .xlsx, or download a new template.")


def _check_archive(data: bytes) -> None:
    """Refuse from the zip directory alone, then scan each part in bounded memory.

    zipfile stops each part at its declared size (and fails its CRC when the data runs on),
    so bounding the declared sizes bounds what any later reader can be made to inflate. The
    scan refuses a DTD and counts tags: openpyxl's parsing time follows the number of
    elements, not the bytes, and a styles part is the dearest per element.
    """
    too_big = _("The workbook is far larger or more complex than a report template (more than "
                "%(limit)s MB unpacked, %(entries)s parts or %(tags)s XML elements). "
                "Download a new template and fill it in.") % {
        "limit": MAX_UNCOMPRESSED_BYTES // 1048576, "entries": MAX_ZIP_ENTRIES,
        "tags": format_number(MAX_XML_TAGS),
    }
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            entries = archive.infolist()
            declared = sum(entry.file_size for entry in entries)
            if len(entries) > MAX_ZIP_ENTRIES or declared > MAX_UNCOMPRESSED_BYTES:
                raise ExcelFileError(too_big)
            total = 0
            for entry in entries:
                has_dtd, tags = _scan_part(archive, entry)
                if has_dtd:
                    raise ExcelFileError(_damaged_message())
                total += tags
                if total > MAX_XML_TAGS or (
                    entry.filename.lower().endswith("styles.xml") and tags > MAX_STYLE_TAGS
                ):
                    raise ExcelFileError(too_big)
    except ExcelFileError:
        raise
    except Exception as exc:
        logger.info("Excel upload refused as damaged: %s: %s", type(exc).__name__, exc)
        raise ExcelFileError(_damaged_message()) from exc


def _scan_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> tuple[bool, int]:
    """(declares a DTD, number of "<"), read 64 KB at a time."""
    tail, tags = b"", 0
    with archive.open(entry) as part:
        while chunk := part.read(64 * 1024):
            window = tail + chunk
            if any(marker in window for marker in _DTD_MARKERS):
                return True, tags
            tags += chunk.count(b"<")
            tail = chunk[-16:]
    return False, tags


def _check_layout(wb, *, unit, period):
    if SHEET not in wb.sheetnames:
        raise ExcelFileError(
            _("The workbook has no sheet named “%(sheet)s” (found: %(found)s). "
              "Use the downloaded template.")
            % {"sheet": SHEET, "found": ", ".join(wb.sheetnames)}
        )
    ws = wb[SHEET]
    top = list(ws.iter_rows(min_row=1, max_row=HEADER_ROW, max_col=len(COLUMNS),
                            values_only=True))
    top += [()] * (HEADER_ROW - len(top))
    found = [str(v or "").strip() for v in top[HEADER_ROW - 1]]
    found += [""] * (len(COLUMNS) - len(found))
    expected = [header for _key, header, _w in COLUMNS]
    if [f.lower() for f in found] != [e.lower() for e in expected]:
        raise ExcelFileError(
            _("The columns in row %(row)s of sheet “%(sheet)s” are not the template's. "
              "Expected: %(expected)s.")
            % {"row": HEADER_ROW, "sheet": SHEET, "expected": ", ".join(expected)}
        )
    unit_code = str(_at(top[0], 1) or "").strip()
    period_code = str(_at(top[1], 1) or "").strip()
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


def _at(row: tuple, index: int):
    return row[index] if len(row) > index else None


def _indicator_rows(ws):
    """(row number, {key: cell}) for the rows the template can hold, refusing a longer sheet.

    Only columns A..K and at most MAX_INDICATOR_ROWS rows are read; one row more is looked
    at so that figures typed beyond the limit are refused rather than silently dropped.
    """
    last = FIRST_ROW + MAX_INDICATOR_ROWS - 1
    rows = ws.iter_rows(min_row=FIRST_ROW, max_row=last + 1, max_col=len(COLUMNS))
    for r, row in enumerate(rows, start=FIRST_ROW):
        cells = {key: row[i] for i, (key, _h, _w) in enumerate(COLUMNS)}
        if all(c.value in (None, "") for c in cells.values()):
            continue
        if r > last:
            raise ExcelFileError(
                _("The sheet “%(sheet)s” has figures below row %(row)s; a report has at most "
                  "%(count)s indicator rows. Use the downloaded template.")
                % {"sheet": SHEET, "row": last, "count": MAX_INDICATOR_ROWS}
            )
        yield r, cells


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
    wb = open_workbook_safely(upload)
    try:
        return _read_rows(_check_layout(wb, unit=unit, period=period), indicators, current)
    except ExcelFileError:
        raise
    except Exception as exc:
        logger.info("Excel upload refused as damaged: %s: %s", type(exc).__name__, exc)
        raise ExcelFileError(_damaged_message()) from exc
    finally:
        wb.close()


def _read_rows(ws, indicators: list[Indicator], current: dict) -> ExcelPreview:
    by_code = {i.code: i for i in indicators}
    preview = ExcelPreview()
    seen: dict[str, int] = {}
    for r, cells in _indicator_rows(ws):
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
                # Its value is numerator / denominator; a number typed here would be dropped.
                if str(cells[key].value or "").strip():
                    row_problems.append(Problem(r, COLUMN_OF[key], HEADER_OF[key], _(
                        "This indicator is reported as a numerator and a denominator: leave "
                        "this cell empty and fill those two columns."
                    )))
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
