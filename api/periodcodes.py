"""Periods named as clients name them: '2024-Q1' for a quarter, '2024' for a year."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reporting import periods
from reporting.models import Period

PERIOD_CODE_PATTERN = r"^\d{4}(-Q[1-4])?$"

MESSAGES = {
    "invalid": _("Enter a period as 2024-Q1 (a quarter) or 2024 (a year)."),
    "unknown": _("There is no reporting period %(code)s."),
}


def period_by_code(text) -> Period:
    """The existing period named by `text`; ValidationError with a message to show otherwise.

    Only existing periods: the reporting calendar creates them, a typo must not.
    """
    code = str(text).strip().upper()
    try:
        periods.parse_period_code(code)
    except ValueError as exc:
        raise ValidationError(MESSAGES["invalid"], code="invalid") from exc
    period = periods.period_by_code(code)
    if period is None:
        raise ValidationError(MESSAGES["unknown"], code="unknown", params={"code": code})
    return period
