"""How a report's stored figures read on a page: field names and numbers in the reader's language.

The history keeps each change as the model stores it ({"field": "value", "new": "91.5"}); the
page shows "Giá trị" and "91,5".
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist

from dxtracker.i18n import is_english
from reporting.models import MilestoneState, ReportLine
from reporting.numbers import format_number

NUMBER_FIELDS = ("value", "numerator", "denominator")


def field_label(field: str) -> str:
    """The line field's name as the form labels it ("value" -> "giá trị")."""
    try:
        return str(ReportLine._meta.get_field(field).verbose_name).capitalize()
    except FieldDoesNotExist:  # a key written by an older version of the history
        return field


def display_number(value) -> str:
    """A number in the active language: "1.234,5" in Vietnamese, "1,234.5" in English."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not is_english():
        return format_number(number)
    text = f"{abs(number).normalize():f}"
    integer, _sep, fraction = text.partition(".")
    sign = "-" if number < 0 else ""
    return f"{sign}{int(integer):,}{'.' + fraction if fraction else ''}"


def milestone_label(code: str | None) -> str:
    """The milestone state as people read it ("in_progress" -> "Đang thực hiện")."""
    if code in MilestoneState.values:
        return str(MilestoneState(code).label)
    return code or ""


def display_value(field: str, text) -> str | None:
    """A history value as the page shows it; None stays None (shown as "—")."""
    if text is None or text == "":
        return None
    if field in NUMBER_FIELDS:
        return display_number(text)
    if field == "milestone_state":
        return milestone_label(text)
    return str(text)
