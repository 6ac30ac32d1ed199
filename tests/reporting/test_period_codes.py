from datetime import date

import pytest

from reporting.periods import parse_period_code, quarter_of


@pytest.mark.parametrize("code,expected", [
    ("2023-Q3", ("quarter", 2023, 3)), (" 2024-q1 ", ("quarter", 2024, 1)),
    ("2022", ("year", 2022, None)),
])
def test_period_codes_name_quarters_and_years(code, expected):
    assert parse_period_code(code) == expected


@pytest.mark.parametrize("code", ["2023-Q5", "23-Q1", "2023Q1", "", "Q1-2023"])
def test_anything_else_is_not_a_period_code(code):
    with pytest.raises(ValueError):
        parse_period_code(code)


def test_quarter_of_a_day():
    assert [quarter_of(date(2026, m, 1)) for m in (1, 3, 4, 11)] == [
        (2026, 1), (2026, 1), (2026, 2), (2026, 4)
    ]
