"""What every CSV and XLSX the app writes shares: text stays text, and people get CSV Excel reads.

Formula injection: a comment typed as ``=HYPERLINK("http://…")`` must never come back as a
live formula in a file someone opens. CSV cells starting with ``= + - @`` (or tab / CR, which
Excel strips before looking) get a leading apostrophe, as OWASP recommends; XLSX text cells
are written as strings, with Excel's "quote prefix" on the same cells so that editing them
does not turn them into formulas either.

Two CSV dialects: for people (dashboard downloads) UTF-8 with a byte-order mark, ";" between
fields and a decimal comma, which is what Excel set to Vietnamese expects; for machines (the
API) plain RFC 4180 CSV with "," and decimal points.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """The value, with a leading apostrophe when it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def people_number(value: int | float | Decimal) -> str:
    """A number as Excel in Vietnamese reads it: decimal comma, no grouping, few decimals.

    Two decimals for ordinary figures; four for small ones (rates per 1,000 inhabitants),
    trailing zeros dropped.
    """
    if isinstance(value, int):
        return str(value)
    number = Decimal(str(value))
    places = 2 if abs(number) >= 1 or number == 0 else 4
    text = f"{round(number, places):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _people_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return people_number(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return formula_safe(str(value))


def _machine_cell(value):
    if isinstance(value, date):
        return value.isoformat()
    return formula_safe(value)


def csv_bytes(rows: Iterable[Sequence], *, for_people: bool) -> bytes:
    """Rows (the header first) as CSV bytes, in the people's or the machines' dialect."""
    out = io.StringIO()
    if for_people:
        writer = csv.writer(out, delimiter=";")
        for row in rows:
            writer.writerow([_people_cell(v) for v in row])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_machine_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def set_cell(cell, value) -> None:
    """Write a value into an openpyxl cell; text always as text, never as a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
