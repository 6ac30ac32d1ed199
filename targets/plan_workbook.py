"""A plan as an Excel workbook: the template, the export of a plan, and reading one back.

Sheet "KeHoach" holds the plan (label in column A, value in column B); sheet "MucTieu" one
target per row under fixed Vietnamese headers (how an uploaded file is recognised). Reading
never saves: `plan_check` turns the raw cells into cleaned values and every problem by row
and column, with the same rules as load_seed (targets/validation.py); the import service
saves all of it or nothing. The upload itself is opened by the report upload's hardened
reader (reporting.excel), so a hostile file is refused the same way in both places.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dxtracker.spreadsheets import set_cell
from reporting import excel as report_excel
from reporting.numbers import NumberFormatError, parse_number
from targets.models import (
    Aggregation,
    BaselineSource,
    Comparator,
    Direction,
    Frequency,
    Indicator,
    IndicatorDefinition,
    Level,
    Measure,
    NationalIndicator,
    Pillar,
    Plan,
    Target,
)
from targets.validation import TargetDraft, city_kinds, target_problems
from units.models import Unit, UnitKind

PLAN_SHEET = "KeHoach"
TARGET_SHEET = "MucTieu"
GUIDE_SHEET = "HuongDan"
# Optional: later definitions of the plan's indicators (a file without the sheet is read too).
DEFINITION_SHEET = "DinhNghia"
HEADER_ROW = 1
FIRST_ROW = 2
MAX_TARGET_ROWS = 1000

# (key, label in column A)
PLAN_FIELDS = [
    ("code", "Mã kế hoạch"),
    ("city", "Mã thành phố"),
    ("title_vi", "Tên kế hoạch (tiếng Việt)"),
    ("title_en", "Tên kế hoạch (tiếng Anh)"),
    ("document_number", "Số văn bản"),
    ("issued_on", "Ngày ban hành"),
    ("issuing_body_vi", "Cơ quan ban hành (tiếng Việt)"),
    ("issuing_body_en", "Cơ quan ban hành (tiếng Anh)"),
    ("legal_basis", "Căn cứ pháp lý (cách nhau bởi dấu ;)"),
    ("horizon_years", "Năm mục tiêu (cách nhau bởi dấu phẩy)"),
    ("source_file", "Tệp văn bản nguồn"),
]
PLAN_ROW = {key: i for i, (key, _label) in enumerate(PLAN_FIELDS, start=1)}

# (key, header, width)
TARGET_COLUMNS = [
    ("code", "Mã mục tiêu", 28),
    ("indicator", "Mã chỉ tiêu", 28),
    ("pillar", "Trụ cột (chỉ tiêu mới)", 18),
    ("indicator_name_vi", "Tên chỉ tiêu (tiếng Việt, chỉ tiêu mới)", 40),
    ("indicator_name_en", "Tên chỉ tiêu (tiếng Anh, chỉ tiêu mới)", 40),
    ("measure", "Đơn vị đo (chỉ tiêu mới)", 16),
    ("direction", "Chiều (chỉ tiêu mới)", 12),
    ("frequency", "Tần suất (chỉ tiêu mới)", 12),
    ("national_indicator", "Mã chỉ tiêu quốc gia", 20),
    ("aggregation", "Cách tổng hợp", 16),
    ("comparator", "Phép so sánh", 14),
    ("value", "Giá trị", 12),
    ("year", "Năm", 8),
    ("level", "Cấp", 12),
    ("responsible", "Đơn vị chịu trách nhiệm", 30),
    ("unit_comparator", "Mỗi đơn vị phải", 14),
    ("unit_value", "Ngưỡng mỗi đơn vị", 12),
    ("baseline_value", "Giá trị gốc", 12),
    ("baseline_year", "Năm gốc", 8),
    ("baseline_source", "Nguồn mức gốc", 14),
    ("source_sentence", "Câu trích từ văn bản", 50),
    ("reading_vi", "Cách đọc (tiếng Việt)", 40),
    ("reading_en", "Cách đọc (tiếng Anh)", 40),
]
COLUMN_OF = {key: get_column_letter(i) for i, (key, _h, _w) in enumerate(TARGET_COLUMNS, 1)}
DEFINITION_COLUMNS = [
    ("indicator", "Mã chỉ tiêu", 28),
    ("effective_from", "Hiệu lực từ ngày", 14),
    ("document_number", "Văn bản (số hiệu)", 20),
    ("document_title", "Tên văn bản", 40),
    ("text_vi", "Định nghĩa mới (tiếng Việt)", 60),
    ("text_en", "Định nghĩa mới (tiếng Anh)", 60),
]
DEFINITION_COLUMN_OF = {key: get_column_letter(i)
                        for i, (key, _h, _w) in enumerate(DEFINITION_COLUMNS, 1)}
HEADER_OF = {key: header for key, header, _w in TARGET_COLUMNS}
# Which column a rule of targets/validation.py points at.
FIELD_COLUMN = {"responsible": "responsible", "baseline_source": "baseline_source",
                "baseline_value": "baseline_value", "baseline_year": "baseline_year",
                "unit_comparator": "unit_comparator", "unit_value": "unit_value",
                "aggregation": "aggregation", "comparator": "comparator", "value": "value",
                "source_sentence": "source_sentence"}

GUIDE_LINES = [
    "HƯỚNG DẪN ĐIỀN MẪU KẾ HOẠCH",
    "",
    "1. Sheet KeHoach: điền thông tin kế hoạch vào cột B (mã kế hoạch, mã thành phố, tên, số "
    "văn bản, ngày ban hành dạng YYYY-MM-DD, cơ quan ban hành, căn cứ, năm mục tiêu).",
    "2. Sheet MucTieu: mỗi dòng một mục tiêu. Chỉ tiêu đã có: ghi Mã chỉ tiêu. Chỉ tiêu mới: "
    "ghi thêm Trụ cột, Tên (tiếng Việt, tiếng Anh), Đơn vị đo, Chiều, Tần suất.",
    "3. Một câu nhiều mục tiêu (90% cấp thành phố, 80% cấp huyện): mỗi cấp một dòng.",
    "4. Đơn vị chịu trách nhiệm: mã đơn vị hoặc kind:commune, kind:district…, cách nhau bởi "
    "dấu phẩy.",
    "5. Mã chỉ tiêu quốc gia: chỉ tiêu của Chương trình quốc gia (749/QĐ-TTg) mà chỉ tiêu "
    "của thành phố tương ứng, để so sánh giữa các thành phố (danh sách ở cuối trang này). "
    "Chỉ tiêu đã gắn mã khác thì không đổi được qua tệp này.",
    "6. Câu trích từ văn bản phải có nguyên văn trong văn bản kế hoạch đính kèm khi tải lên "
    "(.docx, .pdf hoặc .txt); không kể xuống dòng, khoảng trắng và kiểu dấu ngoặc kép.",
    "7. Mục tiêu 'giảm'/'tăng' (reduce_by, increase_by) cần Giá trị gốc và Năm gốc, hoặc ghi "
    "Nguồn mức gốc = needed.",
    "8. Không dùng công thức: gõ giá trị. Số viết kiểu Việt Nam: 1.000 là một nghìn; 12,5.",
    "9. Sheet DinhNghia (không bắt buộc): khi một văn bản định nghĩa lại chỉ tiêu từ một ngày "
    "(ví dụ Nghị định 42/2022/NĐ-CP: 'mức độ 3, 4' thành 'toàn trình / một phần'), mỗi dòng "
    "một định nghĩa mới; định nghĩa cũ vẫn giữ cho các kỳ trước ngày đó. Định nghĩa đã ghi "
    "thì không sửa được qua tệp này.",
    "",
    "Giá trị hợp lệ:",
    "Đơn vị đo: " + ", ".join(Measure.values),
    "Chiều: " + ", ".join(Direction.values),
    "Tần suất: " + ", ".join(Frequency.values),
    "Cách tổng hợp: " + ", ".join(Aggregation.values),
    "Phép so sánh: " + ", ".join(Comparator.values),
    "Cấp: " + ", ".join(Level.values),
    "Nguồn mức gốc: " + ", ".join(BaselineSource.values),
    "Trụ cột: xem danh mục trụ cột (digital_government, digital_economy, digital_society…)",
]


@dataclass
class Problem:
    sheet: str
    row: int
    column: str
    header: str
    message: str


@dataclass
class PlanPreview:
    """What an uploaded plan would save, and every problem found."""

    plan: dict = field(default_factory=dict)
    targets: list[dict] = field(default_factory=list)
    new_indicators: list[dict] = field(default_factory=list)
    # Later definitions not yet recorded: {indicator, effective_from, document_number, …}.
    definitions: list[dict] = field(default_factory=list)
    # {existing indicator code: national indicator code} for indicators not yet linked.
    national_links: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Not refusals: what the reader should know before confirming (no document attached).
    warnings: list[str] = field(default_factory=list)
    city: Unit | None = None
    # "upload": the file sent with the workbook; "stored": the plan's saved text; "": none.
    document_source: str = ""


# --------------------------------------------------------------------------- writing


def plan_workbook(*, plan: Plan | None = None) -> bytes:
    """The template (empty) or a plan exported to the same layout (round trip)."""
    wb = Workbook()
    ws = wb.active
    ws.title = PLAN_SHEET
    bold = Font(bold=True)
    head = PatternFill("solid", fgColor="DDE7F3")
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 70
    values = _plan_values(plan) if plan else {}
    for key, label in PLAN_FIELDS:
        r = PLAN_ROW[key]
        ws.cell(row=r, column=1, value=label).font = bold
        set_cell(ws.cell(row=r, column=2), values.get(key))
    ts = wb.create_sheet(TARGET_SHEET)
    for i, (_key, header, width) in enumerate(TARGET_COLUMNS, start=1):
        cell = ts.cell(row=HEADER_ROW, column=i, value=header)
        cell.font, cell.fill = bold, head
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ts.column_dimensions[get_column_letter(i)].width = width
    ts.freeze_panes = "B2"
    if plan is not None:
        targets = (Target.objects.filter(plan=plan)
                   .select_related("indicator__national_indicator")
                   .prefetch_related("responsible_units").order_by("year", "code"))
        for r, target in enumerate(targets, start=FIRST_ROW):
            for i, (key, _h, _w) in enumerate(TARGET_COLUMNS, start=1):
                # a sentence typed as "=…" in the admin must not come back as a formula
                set_cell(ts.cell(row=r, column=i), _target_value(target, key))
    ds = wb.create_sheet(DEFINITION_SHEET)
    for i, (_key, header, width) in enumerate(DEFINITION_COLUMNS, start=1):
        cell = ds.cell(row=HEADER_ROW, column=i, value=header)
        cell.font, cell.fill = bold, head
        ds.column_dimensions[get_column_letter(i)].width = width
    if plan is not None:
        definitions = (IndicatorDefinition.objects
                       .filter(indicator__targets__plan=plan).distinct()
                       .select_related("indicator").order_by("indicator__code",
                                                             "effective_from"))
        for r, d in enumerate(definitions, start=FIRST_ROW):
            for i, (key, _h, _w) in enumerate(DEFINITION_COLUMNS, start=1):
                value = d.indicator.code if key == "indicator" else getattr(d, key)
                set_cell(ds.cell(row=r, column=i),
                         value.isoformat() if key == "effective_from" else value or None)
    guide = wb.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 120
    nationals = [f"{n.code}: {n.name_vi} ({n.decision})"
                 for n in NationalIndicator.objects.order_by("code")]
    lines = [*GUIDE_LINES, "", "Mã chỉ tiêu quốc gia:", *nationals]
    for r, line in enumerate(lines, start=1):
        set_cell(guide.cell(row=r, column=1), line)
        guide.cell(row=r, column=1).font = bold if r == 1 else Font()
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _plan_values(plan: Plan) -> dict:
    return {
        "code": plan.code, "city": plan.city.code, "title_vi": plan.title_vi,
        "title_en": plan.title_en, "document_number": plan.document_number,
        "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
        "issuing_body_vi": plan.issuing_body_vi, "issuing_body_en": plan.issuing_body_en,
        "legal_basis": "; ".join(plan.legal_basis),
        "horizon_years": ", ".join(str(y) for y in plan.horizon_years),
        "source_file": plan.source_file,
    }


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _target_value(target: Target, key: str):
    if key == "indicator":
        return target.indicator.code
    if key == "national_indicator":
        national = target.indicator.national_indicator
        return national.code if national else None
    if key == "responsible":
        units = list(target.responsible_units.all())
        kinds = list(target.responsible_kinds or ())
        # Kind-resolved units and successors the catalogue added are not what the plan named.
        successors = {u.successor_id for u in units}
        named = [u.code for u in units if u.kind not in kinds and u.pk not in successors]
        return ", ".join([f"kind:{k}" for k in kinds] + named)
    if key in ("pillar", "indicator_name_vi", "indicator_name_en", "measure", "direction",
               "frequency"):
        return None  # only for new indicators
    value = getattr(target, key)
    if isinstance(value, Decimal):
        return _number(value)
    return value if value not in ("",) else None


# --------------------------------------------------------------------------- reading


def plan_workbook_read(*, upload) -> tuple[dict, list[tuple[int, dict]]]:
    """The raw cells of an uploaded plan workbook: ({plan key: value}, [(row, {key: value})]).

    Raises reporting.excel.ExcelFileError when the whole file is refused.
    """
    wb = report_excel.open_workbook_safely(upload)
    try:
        return _raw_cells(wb)
    finally:
        wb.close()


def _raw_cells(wb) -> tuple[dict, list[tuple[int, dict]]]:
    for sheet in (PLAN_SHEET, TARGET_SHEET):
        if sheet not in wb.sheetnames:
            raise report_excel.ExcelFileError(
                _("The workbook has no sheet named “%(sheet)s” (found: %(found)s). "
                  "Use the downloaded plan template.")
                % {"sheet": sheet, "found": ", ".join(wb.sheetnames)})
    plan_rows = list(wb[PLAN_SHEET].iter_rows(min_row=1, max_row=len(PLAN_FIELDS),
                                              max_col=2, values_only=True))
    raw_plan = {}
    for key, _label in PLAN_FIELDS:
        row = plan_rows[PLAN_ROW[key] - 1] if len(plan_rows) >= PLAN_ROW[key] else ()
        raw_plan[key] = _jsonable(row[1] if len(row) > 1 else None)
    rows = wb[TARGET_SHEET].iter_rows(min_row=HEADER_ROW,
                                      max_row=HEADER_ROW + MAX_TARGET_ROWS,
                                      max_col=len(TARGET_COLUMNS), values_only=True)
    header = next(rows, ())
    expected = [h for _k, h, _w in TARGET_COLUMNS]
    found = [str(v or "").strip() for v in header]
    if [f.lower() for f in found] != [e.lower() for e in expected]:
        raise report_excel.ExcelFileError(
            _("The columns in row %(row)s of sheet “%(sheet)s” are not the template's. "
              "Expected: %(expected)s.")
            % {"row": HEADER_ROW, "sheet": TARGET_SHEET, "expected": ", ".join(expected)})
    raw_rows = []
    for r, values in enumerate(rows, start=FIRST_ROW):
        if all(v in (None, "") for v in values):
            continue
        raw_rows.append((r, {key: _jsonable(values[i] if i < len(values) else None)
                             for i, (key, _h, _w) in enumerate(TARGET_COLUMNS)}))
    raw_plan["definitions"] = _raw_definitions(wb)
    return raw_plan, raw_rows


def _raw_definitions(wb) -> list[tuple[int, dict]]:
    """Rows of the optional definitions sheet, under the same header check as the targets."""
    if DEFINITION_SHEET not in wb.sheetnames:
        return []
    rows = wb[DEFINITION_SHEET].iter_rows(min_row=HEADER_ROW,
                                          max_row=HEADER_ROW + MAX_TARGET_ROWS,
                                          max_col=len(DEFINITION_COLUMNS), values_only=True)
    header = next(rows, ())
    expected = [h for _k, h, _w in DEFINITION_COLUMNS]
    if [str(v or "").strip().lower() for v in header] != [e.lower() for e in expected]:
        raise report_excel.ExcelFileError(
            _("The columns in row %(row)s of sheet “%(sheet)s” are not the template's. "
              "Expected: %(expected)s.")
            % {"row": HEADER_ROW, "sheet": DEFINITION_SHEET, "expected": ", ".join(expected)})
    raw = []
    for r, values in enumerate(rows, start=FIRST_ROW):
        if all(v in (None, "") for v in values):
            continue
        raw.append((r, {key: _jsonable(values[i] if i < len(values) else None)
                        for i, (key, _h, _w) in enumerate(DEFINITION_COLUMNS)}))
    return raw


def _jsonable(value):
    """Cell values as JSON-safe text or numbers, so a preview can wait in the session."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    return str(value)


# --------------------------------------------------------------------------- checking


class _Row:
    """One target row being checked: its cells, and the problems found so far."""

    def __init__(self, r: int, raw: dict, problems: list[Problem]):
        self.r, self.raw, self.problems = r, raw, problems

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(TARGET_SHEET, self.r, COLUMN_OF[key], HEADER_OF[key],
                                     message))

    def text(self, key: str) -> str:
        value = self.raw.get(key)
        if value is None:
            return ""
        text = str(value).strip()
        if text.startswith("="):
            self.fail(key, _("This cell holds a formula; type the value itself."))
            return ""
        return text

    def choice(self, key: str, choices, *, required: bool = False, default: str = "") -> str:
        value = self.text(key)
        if not value:
            if required:
                self.fail(key, _("This cell is required."))
            return default
        if value not in choices.values:
            self.fail(key, _("“%(value)s” is not one of: %(allowed)s.")
                      % {"value": value, "allowed": ", ".join(choices.values)})
            return default
        return value

    def number(self, key: str) -> Decimal | None:
        value = self.raw.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, int):
            return Decimal(value)
        text = self.text(key)
        if not text:
            return None
        try:
            # A number typed in Excel arrives as repr(float) ("1000.0"); typed text is read
            # the Vietnamese way ("1.000" is one thousand).
            if re.fullmatch(r"-?\d+\.\d+(e-?\d+)?|-?\d+e-?\d+", text):
                return Decimal(text)
            return parse_number(text)
        except (NumberFormatError, ArithmeticError) as exc:
            self.fail(key, str(exc) if str(exc) else _("This is not a number."))
            return None

    def year(self, key: str, *, required: bool = False) -> int | None:
        value = self.number(key)
        if value is None:
            if required:
                self.fail(key, _("This cell is required."))
            return None
        if value != value.to_integral_value() or not 1900 < value < 2200:
            self.fail(key, _("“%(value)s” is not a year.") % {"value": self.raw.get(key)})
            return None
        return int(value)


def plan_check(*, raw_plan: dict, raw_rows: list[tuple[int, dict]],
               document_text: str | None = None) -> PlanPreview:
    """Clean and check a plan and its targets; every problem names its sheet, row and column.

    document_text: the text of the document uploaded with the workbook; None means the plan's
    stored text (a re-import of an export). Without either, quotes are not checked and the
    preview warns.
    """
    preview = PlanPreview()
    plan = _check_plan(raw_plan, preview)
    city = preview.city
    if document_text:
        preview.document_source = "upload"
    else:
        document_text = (Plan.objects.filter(code=plan.get("code") or "")
                         .values_list("document_text", flat=True).first() or "")
        preview.document_source = "stored" if document_text else ""
    if not document_text:
        preview.warnings.append(_(
            "No document text is attached to this plan, so the source sentences were not "
            "checked against the document. Upload the plan document (.docx, .pdf or .txt) "
            "with the workbook to check them."))
    if not raw_rows:
        preview.problems.append(Problem(TARGET_SHEET, FIRST_ROW, "A", HEADER_OF["code"],
                                        _("The sheet has no target rows.")))
    if city is None:
        return preview
    units = {u.code: u for u in Unit.objects.filter(city=city)}
    kinds_in_city = city_kinds(city)
    indicators = {i.code: i for i in Indicator.objects.select_related("national_indicator")}
    pillars = {p.code: p for p in Pillar.objects.all()}
    nationals = set(NationalIndicator.objects.values_list("code", flat=True))
    national_of: dict[str, tuple[str, int]] = {}
    new_indicators: dict[str, dict] = {}
    seen: dict[str, int] = {}
    for r, raw in raw_rows:
        row = _Row(r, raw, preview.problems)
        before = len(preview.problems)
        code = row.text("code")
        if not code:
            row.fail("code", _("This cell is required."))
        elif not re.fullmatch(r"[-a-zA-Z0-9_]+", code):
            row.fail("code", _("A code uses only letters, digits, - and _."))
        elif code in seen:
            row.fail("code", _("The code %(code)s is already used on row %(row)s.")
                     % {"code": code, "row": seen[code]})
        seen.setdefault(code, r)
        indicator, measure, aggregation_default, reports_change = _row_indicator(
            row, indicators, pillars, new_indicators)
        _row_national(row, indicator, indicators, nationals, national_of, new_indicators,
                      preview)
        comparator = row.choice("comparator", Comparator, required=True)
        value = row.number("value")
        year = row.year("year", required=True)
        level = row.choice("level", Level, default=Level.CITY)
        aggregation = row.choice("aggregation", Aggregation)
        unit_comparator = row.choice("unit_comparator", Comparator)
        unit_value = row.number("unit_value")
        baseline_value = row.number("baseline_value")
        baseline_year = row.year("baseline_year")
        baseline_source = row.choice("baseline_source", BaselineSource,
                                     default=BaselineSource.ENTERED if baseline_value is not None
                                     else "")
        named, kinds = _row_responsible(row, units)
        sentence = row.text("source_sentence")
        if not sentence:
            row.fail("source_sentence", _("Quote the sentence of the document the target "
                                          "comes from."))
        if year and plan.get("horizon_years") and year not in plan["horizon_years"]:
            row.fail("year", _("%(year)s is not among the plan's target years (%(years)s).")
                     % {"year": year,
                        "years": ", ".join(str(y) for y in plan["horizon_years"])})
        if measure and comparator:
            draft = TargetDraft(
                level=level, comparator=comparator, value=value, measure=measure,
                indicator_aggregation=aggregation_default, reports_change=reports_change,
                aggregation=aggregation, unit_comparator=unit_comparator,
                unit_value=unit_value, baseline_value=baseline_value,
                baseline_year=baseline_year, baseline_source=baseline_source,
                named_unit_kinds=tuple(u.kind for u in named),
                responsible_kinds=tuple(kinds), kinds_in_city=kinds_in_city,
                source_sentence=sentence, document_text=document_text,
            )
            for p in target_problems(draft):
                row.fail(FIELD_COLUMN.get(p.field, "comparator"), p.message)
        if len(preview.problems) == before:
            preview.targets.append({
                "row": r, "code": code, "indicator": indicator, "year": year,
                "level": level, "comparator": comparator, "value": value,
                "aggregation": aggregation, "unit_comparator": unit_comparator,
                "unit_value": unit_value, "baseline_value": baseline_value,
                "baseline_year": baseline_year, "baseline_source": baseline_source,
                "named": [u.code for u in named], "kinds": kinds,
                "source_sentence": sentence, "reading_vi": row.text("reading_vi"),
                "reading_en": row.text("reading_en"),
            })
    preview.new_indicators = list(new_indicators.values())
    _check_definitions(raw_plan.get("definitions") or [], indicators, new_indicators, preview)
    return preview


def _check_definitions(raw: list, indicators: dict, new_indicators: dict,
                       preview: PlanPreview) -> None:
    """Later definitions: a known (or new) indicator, a date, a document and the Vietnamese
    text. One already recorded is left as it is; a different text for a recorded day is
    refused, because a definition is history and is never edited."""
    def fail(r: int, key: str, message: str) -> None:
        preview.problems.append(Problem(DEFINITION_SHEET, r, DEFINITION_COLUMN_OF[key],
                                        {k: h for k, h, _w in DEFINITION_COLUMNS}[key],
                                        message))

    recorded = {(d.indicator.code, d.effective_from): d for d in
                IndicatorDefinition.objects.select_related("indicator")
                .filter(indicator__code__in=[row.get("indicator") for _r, row in raw])}
    seen = set()
    for r, row in raw:
        values = {k: ("" if row.get(k) is None else str(row[k]).strip())
                  for k, _h, _w in DEFINITION_COLUMNS}
        before = len(preview.problems)
        for key, value in values.items():
            if value.startswith("="):
                fail(r, key, _("This cell holds a formula; type the value itself."))
        code = values["indicator"]
        if code not in indicators and code not in new_indicators:
            fail(r, "indicator", _("“%(code)s” is not an indicator of the catalogue or of this "
                                   "file.") % {"code": code})
        day = None
        try:
            day = date.fromisoformat(values["effective_from"][:10])
        except ValueError:
            fail(r, "effective_from", _("Write the date as YYYY-MM-DD."))
        for key in ("document_number", "text_vi"):
            if not values[key]:
                fail(r, key, _("This cell is required."))
        if len(preview.problems) != before:
            continue
        if (code, day) in seen:
            fail(r, "effective_from", _("The indicator already has a definition in force from "
                                        "that day."))
            continue
        seen.add((code, day))
        existing = recorded.get((code, day))
        if existing is None:
            preview.definitions.append({**values, "effective_from": day.isoformat(), "row": r})
        elif (existing.text_vi, existing.text_en, existing.document_number) != (
                values["text_vi"], values["text_en"], values["document_number"]):
            fail(r, "text_vi", _("A different definition is recorded from that day; a recorded "
                                 "definition is not changed (record a later one instead)."))


def _check_plan(raw: dict, preview: PlanPreview) -> dict:
    def fail(key: str, message: str) -> None:
        preview.problems.append(Problem(PLAN_SHEET, PLAN_ROW[key], "B",
                                        dict(PLAN_FIELDS)[key], message))

    def text(key: str) -> str:
        value = raw.get(key)
        text = "" if value is None else str(value).strip()
        if text.startswith("="):
            fail(key, _("This cell holds a formula; type the value itself."))
            return ""
        return text

    plan = {key: text(key) for key, _label in PLAN_FIELDS}
    for key in ("code", "city", "title_vi", "issuing_body_vi"):
        if not plan[key]:
            fail(key, _("This cell is required."))
    if plan["code"] and not re.fullmatch(r"[-a-zA-Z0-9_]+", plan["code"]):
        fail("code", _("A code uses only letters, digits, - and _."))
    if plan["city"]:
        city = Unit.objects.filter(code=plan["city"], kind=UnitKind.PROVINCE).first()
        if city is None:
            fail("city", _("“%(code)s” is not the code of a province or city.")
                 % {"code": plan["city"]})
        preview.city = city
    existing = Plan.objects.filter(code=plan["code"]).select_related("city").first()
    if existing and preview.city and existing.city_id != preview.city.pk:
        fail("code", _("The plan %(code)s belongs to %(city)s.")
             % {"code": plan["code"], "city": existing.city.name})
    issued = None
    if plan["issued_on"]:
        try:
            issued = date.fromisoformat(plan["issued_on"][:10])
        except ValueError:
            fail("issued_on", _("Write the date as YYYY-MM-DD."))
    plan["issued_on"] = issued.isoformat() if issued else None
    plan["legal_basis"] = [p.strip() for p in plan["legal_basis"].split(";") if p.strip()]
    years = []
    for part in re.split(r"[,;\s]+", plan["horizon_years"]):
        if not part:
            continue
        if not part.isdigit() or not 1900 < int(part) < 2200:
            fail("horizon_years", _("“%(value)s” is not a year.") % {"value": part})
        else:
            years.append(int(part))
    plan["horizon_years"] = years
    preview.plan = plan
    return plan


def _row_indicator(row: _Row, indicators: dict, pillars: dict, new: dict):
    """The row's indicator code, measure, aggregation and reports_change (new ones included)."""
    code = row.text("indicator")
    if not code:
        row.fail("indicator", _("This cell is required."))
        return "", None, Aggregation.MEAN, False
    known = indicators.get(code)
    if known is not None:
        return code, known.measure, known.aggregation, known.reports_change
    if code in new:
        return code, new[code]["measure"], new[code]["aggregation"], False
    # A new indicator: the row describes it.
    before = len(row.problems)
    if not re.fullmatch(r"[-a-z0-9_]+", code):
        row.fail("indicator", _("A new indicator's code uses only lower-case letters, digits, "
                                "- and _."))
    pillar = row.text("pillar")
    if pillar not in pillars:
        row.fail("pillar", _("“%(code)s” is neither a known indicator nor, with a pillar, a "
                             "new one: give the pillar (%(allowed)s).")
                 % {"code": code, "allowed": ", ".join(sorted(pillars))})
    name_vi = row.text("indicator_name_vi")
    if not name_vi:
        row.fail("indicator_name_vi", _("A new indicator needs its Vietnamese name."))
    measure = row.choice("measure", Measure, required=True)
    direction = row.choice("direction", Direction, default=Direction.HIGHER)
    frequency = row.choice("frequency", Frequency, default=Frequency.QUARTERLY)
    aggregation = row.choice("aggregation", Aggregation) or Aggregation.MEAN
    if len(row.problems) != before or not measure:
        return code, None, aggregation, False
    new[code] = {"code": code, "pillar": pillar, "name_vi": name_vi,
                 "name_en": row.text("indicator_name_en"), "measure": measure,
                 "direction": direction, "frequency": frequency, "aggregation": aggregation}
    return code, measure, aggregation, False


def _row_national(row: _Row, indicator: str, indicators: dict, nationals: set,
                  seen: dict, new: dict, preview: PlanPreview) -> None:
    """The national indicator the row's indicator maps to: a known code, the same on every
    row of the indicator, and never a different one from the mapping already catalogued
    (other cities' comparisons rest on it)."""
    code = row.text("national_indicator")
    if not code or not indicator:
        return
    if code not in nationals:
        row.fail("national_indicator", _("“%(code)s” is not the code of a national indicator "
                                         "(see the guide sheet).") % {"code": code})
        return
    if indicator in seen and seen[indicator][0] != code:
        row.fail("national_indicator", _(
            "Row %(row)s maps indicator %(indicator)s to national indicator %(other)s; one "
            "indicator maps to one national indicator.")
            % {"row": seen[indicator][1], "indicator": indicator, "other": seen[indicator][0]})
        return
    seen.setdefault(indicator, (code, row.r))
    known = indicators.get(indicator)
    if known is None:
        if indicator in new:
            new[indicator]["national_indicator"] = code
        return
    if known.national_indicator is None:
        preview.national_links[indicator] = code
    elif known.national_indicator.code != code:
        row.fail("national_indicator", _(
            "Indicator %(indicator)s is mapped to national indicator %(current)s, which other "
            "cities' comparisons use; it cannot be changed from a plan file (ask the "
            "administrator), so leave %(current)s or an empty cell.")
            % {"indicator": indicator, "current": known.national_indicator.code})


def _row_responsible(row: _Row, units: dict) -> tuple[list[Unit], list[str]]:
    named, kinds = [], []
    for part in re.split(r"[,;]", row.text("responsible")):
        part = part.strip()
        if not part:
            continue
        if part.startswith("kind:"):
            kind = part.removeprefix("kind:")
            if kind not in UnitKind.values:
                row.fail("responsible", _("“%(kind)s” is not a kind of unit (%(allowed)s).")
                         % {"kind": kind, "allowed": ", ".join(UnitKind.values)})
            elif kind not in kinds:
                kinds.append(kind)
        elif part in units:
            named.append(units[part])
        else:
            row.fail("responsible", _("“%(code)s” is not a unit of this city.") % {"code": part})
    if not named and not kinds:
        row.fail("responsible", _("Name at least one responsible unit or kind:<kind>."))
    return named, kinds
