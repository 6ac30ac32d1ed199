"""Decimal years (the attainment method's time) as calendar dates for chart axes."""

from datetime import date, timedelta


def t_to_date(t: float) -> date:
    """The last day of the month a decimal year ends: 2023.75 -> 30/09/2023, 2026.0 -> 31/12/2025.

    The method places every value at the END of its period, so t is a period boundary.
    """
    year = int(t)
    month = round((t - year) * 12)
    if month >= 12:
        year, month = year + 1, 0
    return date(year, month + 1, 1) - timedelta(days=1)


def deadline_date(year: int) -> date:
    """The day a target 'by <year>' falls due."""
    return date(year, 12, 31)
