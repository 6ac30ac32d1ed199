"""parse_number: Vietnamese number formats as people type them."""

from decimal import Decimal

import pytest

from reporting.numbers import NumberFormatError, format_number, parse_number


@pytest.mark.parametrize(("text", "expected"), [
    ("1.234,5", "1234.5"), ("1.000", "1000"), ("12,5", "12.5"), ("85%", "85"),
    ("85,5 %", "85.5"), ("85.5", "85.5"), ("1.000.000", "1000000"), ("12.500", "12500"),
    ("0.125", "0.125"), ("1,234.5", "1234.5"), ("1,234,567", "1234567"), (" 7 ", "7"),
    ("-3", "-3"), ("593.000.000", "593000000"), ("3.14159", "3.14159"), ("0,5", "0.5"),
    (Decimal("4.2"), "4.2"), (9, "9"), (0.85, "0.85"),
])
def test_parses_vietnamese_and_plain_formats(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(("text", "message"), [
    ("abc", "“abc” không phải là số."),
    ("1.23.4", "“1.23.4” không phải là số: phần nghìn phải được nhóm theo ba chữ số."),
    ("1,2.3,4", "“1,2.3,4” không phải là số: có nhiều hơn một dấu thập phân."),
    ("", "Cần nhập một số."),
    ("%", "Cần nhập một số."),
    ("12 tỷ", "“12 tỷ” không phải là số."),
    (True, "“True” không phải là số."),
])
def test_refuses_with_a_vietnamese_message(text, message):
    with pytest.raises(NumberFormatError) as exc:
        parse_number(text)
    assert exc.value.message == message


def test_format_number_writes_vietnamese():
    assert format_number(Decimal("1234.5")) == "1.234,5"
    assert format_number(Decimal("-1000000")) == "-1.000.000"
    assert format_number(None) == ""
