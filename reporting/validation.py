"""What a figure must look like, per kind of measure, and when it looks suspicious.

Every check returns messages in the active language keyed by field, so a form, an Excel
preview and the API can show them beside the right box or cell.

Outliers (a warning, never a refusal). The history is the unit's own approved figures
for the indicator in earlier periods. With m the median of that history:
- ratio rule (any history): when m > 0, a value above 3 × m or below m / 3 is flagged;
- spread rule (three or more past values): with MAD the median absolute deviation, a
  value further than 3 × max(MAD, 10 % of |m|) from m is flagged. The 10 % floor stops a
  perfectly flat history (100, 100, 100) from flagging every small change.
"""

import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from reporting.models import MilestoneState
from reporting.numbers import NumberFormatError, format_number, parse_number
from targets.models import Indicator, Measure

NUMBER_FIELDS = ("value", "numerator", "denominator")
TEXT_FIELDS = ("milestone_state", "comment", "evidence_url")
FIELDS = NUMBER_FIELDS + TEXT_FIELDS

COMMENT_MAX_CHARS = 2000
_PLACES = Decimal("0.0001")
_LIMIT = Decimal("1e16")  # the model's DecimalField(max_digits=20, decimal_places=4)

# Labels people write in Excel for milestone states, beside the stored codes.
MILESTONE_WORDS = {
    "not_started": MilestoneState.NOT_STARTED,
    "chưa bắt đầu": MilestoneState.NOT_STARTED,
    "chua bat dau": MilestoneState.NOT_STARTED,
    "not started": MilestoneState.NOT_STARTED,
    "in_progress": MilestoneState.IN_PROGRESS,
    "đang thực hiện": MilestoneState.IN_PROGRESS,
    "dang thuc hien": MilestoneState.IN_PROGRESS,
    "in progress": MilestoneState.IN_PROGRESS,
    "done": MilestoneState.DONE,
    "hoàn thành": MilestoneState.DONE,
    "hoan thanh": MilestoneState.DONE,
}

EVIDENCE_TYPES = {
    # extension: signatures its first bytes may start with
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "ppt": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}


def _is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _number(raw) -> Decimal:
    value = parse_number(raw)
    if value.is_finite() and abs(value) < _LIMIT:
        # checked after rounding too: 9999999999999999.99999 rounds up to 10^16
        value = value.quantize(_PLACES, rounding=ROUND_HALF_UP)
    if not value.is_finite() or abs(value) >= _LIMIT:
        raise NumberFormatError(_("This number is too large."))
    return value


def _check_value(indicator: Indicator, value: Decimal) -> str | None:
    measure = indicator.measure
    if measure == Measure.PERCENT and not (0 <= value <= 100):
        return _("A percentage must be between 0 and 100.")
    if measure == Measure.COUNT:
        if value < 0:
            return _("A count cannot be negative.")
        if value != value.to_integral_value():
            return _("A count must be a whole number.")
    if measure == Measure.MONEY_VND and value < 0:
        return _("An amount of money cannot be negative.")
    if measure == Measure.RATE_PER_1000 and value < 0:
        return _("A rate cannot be negative.")
    if measure == Measure.RANK and (
        value != value.to_integral_value() or not (1 <= value <= settings.PROVINCE_COUNT)
    ):
        return _("A rank must be a whole number from 1 to %(n)s.") % {
            "n": settings.PROVINCE_COUNT
        }
    return None


def derived_value(indicator: Indicator, numerator: Decimal, denominator: Decimal) -> Decimal:
    """The value a fraction stands for: a percentage for percent indicators, else the numerator."""
    if indicator.measure == Measure.PERCENT:
        return (numerator / denominator * 100).quantize(_PLACES, rounding=ROUND_HALF_UP)
    return numerator


def clean_line(
    indicator: Indicator, raw: dict, current: dict | None = None
) -> tuple[dict, dict[str, str]]:
    """Parse and check one indicator's typed fields.

    `raw` holds only the fields being set (blank clears a field); `current` the line's
    stored fields, so that a numerator can be checked against a stored denominator.
    Returns (cleaned fields, {field: message}).
    """
    current = current or {}
    cleaned: dict = {}
    errors: dict[str, str] = {}
    unknown = set(raw) - set(FIELDS)
    for field in sorted(unknown):
        errors[field] = _("Unknown field.")

    for field in NUMBER_FIELDS:
        if field not in raw:
            continue
        if _is_blank(raw[field]):
            cleaned[field] = None
            continue
        try:
            cleaned[field] = _number(raw[field])
        except NumberFormatError as exc:
            errors[field] = exc.message

    if "milestone_state" in raw:
        text = "" if _is_blank(raw["milestone_state"]) else str(raw["milestone_state"]).strip()
        # some Vietnamese keyboards type accents as combining characters (NFD)
        text = unicodedata.normalize("NFC", text)
        state = MILESTONE_WORDS.get(text.lower(), text if text in MilestoneState.values else None)
        if text and state is None:
            errors["milestone_state"] = _(
                "Choose one of: not started, in progress, done."
            )
        else:
            cleaned["milestone_state"] = state or ""
    if "comment" in raw:
        comment = "" if raw["comment"] is None else str(raw["comment"]).strip()
        if len(comment) > COMMENT_MAX_CHARS:
            errors["comment"] = _("A comment can have at most %(n)s characters.") % {
                "n": COMMENT_MAX_CHARS
            }
        cleaned["comment"] = comment
    if "evidence_url" in raw:
        url = "" if raw["evidence_url"] is None else str(raw["evidence_url"]).strip()
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
                if len(url) > 500:
                    raise ValidationError("too long")
            except ValidationError:
                errors["evidence_url"] = _("Enter a web address starting with http:// or https://.")
        cleaned["evidence_url"] = url
    if errors:
        return cleaned, errors

    if indicator.fraction:
        _clean_fraction(indicator, cleaned, current, errors)
    elif indicator.measure != Measure.MILESTONE and cleaned.get("value") is not None:
        message = _check_value(indicator, cleaned["value"])
        if message:
            errors["value"] = message
    if indicator.measure == Measure.MILESTONE:
        cleaned.pop("value", None)
    return cleaned, errors


def _clean_fraction(indicator, cleaned: dict, current: dict, errors: dict) -> None:
    if not ({"numerator", "denominator"} & cleaned.keys()):
        cleaned.pop("value", None)  # the value of a fraction is derived, never typed
        return
    numerator = cleaned.get("numerator", current.get("numerator"))
    denominator = cleaned.get("denominator", current.get("denominator"))
    if numerator is None and denominator is None:
        cleaned["value"] = None
        return
    if numerator is None:
        errors["numerator"] = _("Enter the numerator as well as the denominator.")
        return
    if denominator is None:
        errors["denominator"] = _("Enter the denominator as well as the numerator.")
        return
    if numerator < 0:
        errors["numerator"] = _("The numerator cannot be negative.")
    if indicator.measure == Measure.COUNT:
        # the numerator is the count itself ("9/33 tasks done"): both parts are whole numbers
        for name, part in (("numerator", numerator), ("denominator", denominator)):
            if name not in errors and part != part.to_integral_value():
                errors[name] = _("A count must be a whole number.")
    if denominator <= 0:
        errors["denominator"] = _("The denominator must be greater than zero.")
    elif numerator > denominator:
        errors["numerator"] = _("The numerator cannot be larger than the denominator.")
    if not errors:
        cleaned["value"] = derived_value(indicator, numerator, denominator)


def has_figure(line) -> bool:
    """Whether a line (or dict of its fields) holds a figure for its indicator."""
    get = line.get if isinstance(line, dict) else lambda f: getattr(line, f, None)
    return get("value") is not None or bool(get("milestone_state"))


def outlier_warning(value: Decimal | None, history: list[Decimal]) -> str:
    """A warning when `value` is far from the unit's own history (rules in the module doc)."""
    if value is None or not history:
        return ""
    m = Decimal(median(history))
    far = m > 0 and (value > 3 * m or value < m / 3)
    if not far and len(history) >= 3:
        mad = Decimal(median([abs(x - m) for x in history]))
        spread = max(mad, abs(m) / 10)
        far = spread > 0 and abs(value - m) > 3 * spread
    if not far:
        return ""
    return _(
        "%(value)s is far from this unit's earlier approved figures (median %(median)s): "
        "please check it."
    ) % {"value": format_number(value), "median": format_number(m.quantize(_PLACES))}


def validate_evidence_file(upload) -> str | None:
    """A message when the uploaded evidence is too large or not an allowed type, else None."""
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        return _("The evidence file is larger than %(mb)s MB.") % {
            "mb": format_number(Decimal(settings.EVIDENCE_MAX_BYTES) / (1024 * 1024))
        }
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    signatures = EVIDENCE_TYPES.get(extension)
    if signatures is None:
        return _("Evidence must be a PDF, an image or an office document (%(types)s).") % {
            "types": ", ".join(sorted(EVIDENCE_TYPES))
        }
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in signatures) or (
        extension == "webp" and head[8:12] != b"WEBP"
    ):
        return _("The file's content does not match its .%(ext)s extension.") % {
            "ext": extension
        }
    return None
