"""The reporting calendar: period dates and getting a period by its kind and number."""

import re
from datetime import date, timedelta

from django.conf import settings

from reporting.models import Period, PeriodKind

# A period opens for entry two weeks before it ends, so units can fill as figures come in.
OPENS_DAYS_BEFORE_END = 14


def period_bounds(kind: str, year: int, quarter: int | None = None) -> tuple[date, date]:
    """First and last day of a quarter or a year."""
    if kind == PeriodKind.YEAR:
        return date(year, 1, 1), date(year, 12, 31)
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1-4, got {quarter!r}")
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year, 12, 31) if quarter == 4 else date(year, 3 * quarter + 1, 1) - timedelta(days=1)
    return start, end


def report_deadline(ends_on: date) -> date:
    """The last day to report a period ending on ``ends_on``."""
    return ends_on + timedelta(days=settings.REPORT_DEADLINE_DAYS_AFTER_PERIOD)


def period_ensure(*, kind: str, year: int, quarter: int | None = None) -> Period:
    """The period of that kind and number, created with the standard calendar when missing."""
    if kind == PeriodKind.YEAR:
        quarter = None
    starts_on, ends_on = period_bounds(kind, year, quarter)
    period, _ = Period.objects.get_or_create(
        kind=kind,
        year=year,
        quarter=quarter,
        defaults={
            "starts_on": starts_on,
            "ends_on": ends_on,
            "opens_on": ends_on - timedelta(days=OPENS_DAYS_BEFORE_END),
            "deadline": report_deadline(ends_on),
        },
    )
    return period


_PERIOD_CODE = re.compile(r"(\d{4})(?:-Q([1-4]))?")


def parse_period_code(code) -> tuple[str, int, int | None]:
    """'2023-Q3' → (quarter, 2023, 3); '2022' → (year, 2022, None); ValueError otherwise."""
    match = _PERIOD_CODE.fullmatch(str(code).strip().upper())
    if not match:
        raise ValueError(f"not a period code: {code!r}")
    if match[2]:
        return PeriodKind.QUARTER, int(match[1]), int(match[2])
    return PeriodKind.YEAR, int(match[1]), None


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter) of the quarter containing `day`."""
    return day.year, (day.month - 1) // 3 + 1


def period_from_code(code: str) -> Period:
    """'2023-Q3' or '2022' to its period, created when missing."""
    kind, year, quarter = parse_period_code(code)
    return period_ensure(kind=kind, year=year, quarter=quarter)


def period_by_code(code: str) -> Period | None:
    """The existing period for '2023-Q3' or '2022', or None (never creates one)."""
    try:
        kind, year, quarter = parse_period_code(code)
    except ValueError:
        return None
    return Period.objects.filter(kind=kind, year=year, quarter=quarter).first()


def periods_open_due(*, today: date) -> list[Period]:
    """Make sure the quarter containing `today` exists (and, in Q4, the year's period).

    A period's dates make it open for entry from two weeks before its end, so creating
    it early is harmless; running this twice creates nothing new.
    """
    _, quarter = quarter_of(today)
    periods = [period_ensure(kind=PeriodKind.QUARTER, year=today.year, quarter=quarter)]
    if quarter == 4:
        periods.append(period_ensure(kind=PeriodKind.YEAR, year=today.year))
    return periods
