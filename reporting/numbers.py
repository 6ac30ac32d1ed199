"""Numbers as people type them, in Vietnamese first.

Vietnamese writes "." between thousands and "," before decimals: "1.234,5" is one
thousand two hundred thirty-four and a half, "12,5" is twelve and a half. People also
paste English-style numbers ("85.5", "1,234.5") from other tools. The rules:

1. Spaces (also non-breaking) are ignored; one trailing "%" is dropped ("85,5 %" -> 85.5).
2. Both "." and "," present: the one that comes last is the decimal separator and the
   other one separates thousands ("1.234,5" and "1,234.5" -> 1234.5).
3. Only ",": a single comma is the decimal separator ("12,5"); several commas separate
   thousands ("1,234,567").
4. Only ".": several dots separate thousands ("1.000.000"). A single dot followed by
   exactly three digits separates thousands ("1.000" -> 1000, "12.500" -> 12500), because
   that is how Vietnamese writes those numbers; any other single dot is a decimal point
   ("85.5", "3.14159"). A leading "0." is always decimal ("0.125").
5. Thousands groups must have exactly three digits ("1.23.4" is refused).

So "85.500" is 85500, not 85.5: write "85,5" (or "85.5") for a decimal.
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

_GROUPED = re.compile(r"^\d{1,3}(\d{3})*$")


class NumberFormatError(ValueError):
    """The text is not a number; .message says why in the active language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _check_groups(integer_part: str, separator: str, text: str) -> str:
    groups = integer_part.split(separator)
    if not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
        raise NumberFormatError(
            _("“%(text)s” is not a number: thousands must be grouped by three digits.")
            % {"text": text}
        )
    return "".join(groups)


def _split(body: str, text: str) -> tuple[str, str]:
    """The integer digits and the decimal digits of `body` (sign and % already removed)."""
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        decimal_sep = "," if body.rfind(",") > body.rfind(".") else "."
        thousands_sep = "." if decimal_sep == "," else ","
        if body.count(decimal_sep) > 1:
            raise NumberFormatError(
                _("“%(text)s” is not a number: it has more than one decimal separator.")
                % {"text": text}
            )
        integer, fraction = body.split(decimal_sep)
        return _check_groups(integer, thousands_sep, text), fraction
    if commas == 1:
        integer, fraction = body.split(",")
        return integer, fraction
    if commas > 1:
        return _check_groups(body, ",", text), ""
    if dots > 1:
        return _check_groups(body, ".", text), ""
    if dots == 1:
        integer, fraction = body.split(".")
        if len(fraction) == 3 and integer and integer.strip("0"):
            return _check_groups(body, ".", text), ""
        return integer, fraction
    return body, ""


def parse_number(text) -> Decimal:
    """The Decimal a person meant by `text`; raises NumberFormatError with a message to show.

    Decimals and ints pass through; floats (Excel cells) go through their shortest repr.
    """
    if isinstance(text, Decimal):
        return text
    if isinstance(text, bool):
        raise NumberFormatError(_("“%(text)s” is not a number.") % {"text": text})
    if isinstance(text, int):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(repr(text))
    original = "" if text is None else str(text)
    body = re.sub(r"\s+", "", original.replace("\u00a0", " "))
    if body.endswith("%"):
        body = body[:-1]
    if not body:
        raise NumberFormatError(_("A number is required."))
    sign = ""
    if body[0] in "+-−":
        sign = "-" if body[0] in "-−" else ""
        body = body[1:]
    if not body or not re.fullmatch(r"[\d.,]+", body):
        raise NumberFormatError(_("“%(text)s” is not a number.") % {"text": original.strip()})
    integer, fraction = _split(body, original.strip())
    if not (integer + fraction).isdigit():
        raise NumberFormatError(_("“%(text)s” is not a number.") % {"text": original.strip()})
    try:
        # adding zero turns normalize()'s "1E+3" back into "1000"
        return Decimal(f"{sign}{integer or '0'}.{fraction or '0'}").normalize() + Decimal(0)
    except InvalidOperation as exc:
        raise NumberFormatError(
            _("“%(text)s” is not a number.") % {"text": original.strip()}
        ) from exc


def format_number(value: Decimal | None) -> str:
    """A Decimal written the Vietnamese way for forms and sheets: 1234.5 -> '1.234,5'."""
    if value is None:
        return ""
    value = Decimal(value)
    sign = "-" if value < 0 else ""
    text = f"{abs(value).normalize():f}"
    integer, _sep, fraction = text.partition(".")
    grouped = f"{int(integer):,}".replace(",", ".")
    return f"{sign}{grouped}{',' + fraction if fraction else ''}"
