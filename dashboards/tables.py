"""The numbers behind a chart: one table shown under it and downloaded as CSV or XLSX.

A chart and its table are built from the same rows, so the download holds exactly what
the page shows. Cells keep their raw values (float, date, str); the page formats them in
the active language, the downloads keep them machine-readable.
"""

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from dxtracker.spreadsheets import csv_bytes, set_cell

TEXT = "text"
NUMBER = "number"
PERCENT = "percent"
INTEGER = "integer"
DATE = "date"


@dataclass
class Column:
    key: str
    label: str
    kind: str = TEXT

    @property
    def is_numeric(self) -> bool:
        return self.kind in (NUMBER, PERCENT, INTEGER)


@dataclass
class Cell:
    """A table cell: the raw value, and optionally a status/timeliness code for its colour."""

    value: object
    css: str = ""
    href: str = ""


@dataclass
class ChartTable:
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)

    def add(self, *values, css: dict[int, str] | None = None, href: dict[int, str] | None = None):
        css = css or {}
        href = href or {}
        self.rows.append(
            [Cell(v, css.get(i, ""), href.get(i, "")) for i, v in enumerate(values)]
        )


@dataclass
class ExportTable:
    """A table the page shows as HTML of its own (not under a chart), downloadable alike."""

    id: str
    title: str
    table: ChartTable


@dataclass
class DisplayCell:
    text: str
    css: str
    numeric: bool
    href: str


# Values whose repr tells them apart exactly, so that two cells of one kind with the same
# repr show the same text.
_MEMO_TYPES = frozenset((str, int, float, Decimal, date))


def display_rows(table: ChartTable) -> list[list[DisplayCell]]:
    """The table's cells as the page shows them.

    A long table repeats its dates, periods and values (34 provinces x 40 quarters on the
    comparison), and Django's number and date formatting costs tens of microseconds a cell,
    so each distinct value of a kind is formatted once per table.
    """
    formatted: dict[tuple, str] = {}
    columns = [(col.kind, col.is_numeric) for col in table.columns]

    def text(value, kind: str) -> str:
        if value.__class__ not in _MEMO_TYPES:
            return format_cell(value, kind)
        key = (kind, value.__class__, repr(value))
        found = formatted.get(key)
        if found is None:
            found = formatted[key] = format_cell(value, kind)
        return found

    return [
        [
            DisplayCell(text(c.value, kind), c.css, numeric, c.href)
            for c, (kind, numeric) in zip(row, columns, strict=True)
        ]
        for row in table.rows
    ]


def format_cell(value: object, kind: str) -> str:
    """A cell as the page shows it, in the active language's number and date format."""
    if value is None or value == "":
        return "–"
    if kind == INTEGER:
        return formats.number_format(round(float(value)), 0, use_l10n=True, force_grouping=True)
    if kind in (NUMBER, PERCENT):
        text = floatformat(value, "2g")
        # floatformat keeps trailing zeros ("85,50"); people read "85,5".
        sep = formats.get_format("DECIMAL_SEPARATOR")
        if sep in text:
            text = text.rstrip("0").rstrip(sep)
        return f"{text} %" if kind == PERCENT else text
    if kind == DATE and isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _raw(value: object, kind: str) -> object:
    if value is None:
        return ""
    if kind in (NUMBER, PERCENT) and isinstance(value, float):
        return round(value, 4)
    if kind == INTEGER:
        return round(float(value))
    return value


def _dataset_label(is_demo: bool) -> str:
    return _("Demo data — not official figures") if is_demo else _("Official figures")


def _header(table: ChartTable) -> list[str]:
    return [_("Dataset"), *(c.label for c in table.columns)]


def table_rows_raw(table: ChartTable, *, is_demo: bool) -> list[list[object]]:
    """Header and rows as they are downloaded, the dataset named in the first column."""
    label = _dataset_label(is_demo)
    rows: list[list[object]] = [_header(table)]
    for row in table.rows:
        cells = (_raw(c.value, col.kind) for c, col in zip(row, table.columns, strict=True))
        rows.append([label, *cells])
    return rows


def table_to_csv(table: ChartTable, *, is_demo: bool) -> bytes:
    """CSV for people: Excel set to Vietnamese opens it as columns with decimal commas."""
    return csv_bytes(table_rows_raw(table, is_demo=is_demo), for_people=True)


def table_to_xlsx(table: ChartTable, *, is_demo: bool, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    # Sheet names are limited to 31 characters and a few forbidden signs.
    sheet.title = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "data"
    for r, row in enumerate(table_rows_raw(table, is_demo=is_demo), start=1):
        for c, value in enumerate(row, start=1):
            set_cell(sheet.cell(row=r, column=c), value)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i, column in enumerate(table.columns, start=2):
        if column.kind == DATE:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "dd/mm/yyyy"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
