"""Periods named as clients name them: '2024-Q1' for a quarter, '2024' for a year."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reporting.models import Period, PeriodKind

PERIOD_CODE = re.compile(r"(\d{4})(?:-Q([1-4]))?")
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
    match = PERIOD_CODE.fullmatch(code)
    if not match:
        raise ValidationError(MESSAGES["invalid"], code="invalid")
    if match[2]:
        lookup = {"kind": PeriodKind.QUARTER, "year": int(match[1]), "quarter": int(match[2])}
    else:
        lookup = {"kind": PeriodKind.YEAR, "year": int(match[1])}
    period = Period.objects.filter(**lookup).first()
    if period is None:
        raise ValidationError(MESSAGES["unknown"], code="unknown", params={"code": code})
    return period
