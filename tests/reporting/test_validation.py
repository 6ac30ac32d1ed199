"""Validation per kind of measure, evidence files, and the outlier warning."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reporting.validation import clean_line, outlier_warning, validate_evidence_file
from targets.models import Measure
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db


def _indicator(measure, fraction=False):
    return IndicatorFactory(measure=measure, fraction=fraction)


@pytest.mark.parametrize(("measure", "text", "message"), [
    (Measure.PERCENT, "100,5", "Tỷ lệ phần trăm phải từ 0 đến 100."),
    (Measure.PERCENT, "-1", "Tỷ lệ phần trăm phải từ 0 đến 100."),
    (Measure.COUNT, "-2", "Số lượng không được âm."),
    (Measure.COUNT, "2,5", "Số lượng phải là số nguyên."),
    (Measure.MONEY_VND, "-593.000.000", "Số tiền không được âm."),
    (Measure.RATE_PER_1000, "-0,1", "Tỷ suất không được âm."),
    (Measure.RANK, "0", "Thứ hạng phải là số nguyên từ 1 đến 63."),
    (Measure.RANK, "64", "Thứ hạng phải là số nguyên từ 1 đến 63."),
    (Measure.RANK, "5,5", "Thứ hạng phải là số nguyên từ 1 đến 63."),
])
def test_refuses_out_of_range_values(measure, text, message):
    cleaned, errors = clean_line(_indicator(measure), {"value": text})
    assert errors == {"value": message}


@pytest.mark.parametrize(("measure", "text", "expected"), [
    (Measure.PERCENT, "0", "0"), (Measure.PERCENT, "100 %", "100"),
    (Measure.COUNT, "1.000", "1000"), (Measure.MONEY_VND, "593.000.000", "593000000"),
    (Measure.RATE_PER_1000, "1,5", "1.5"), (Measure.RANK, "63", "63"), (Measure.RANK, "1", "1"),
])
def test_accepts_values_in_range(measure, text, expected):
    cleaned, errors = clean_line(_indicator(measure), {"value": text})
    assert errors == {}
    assert cleaned["value"] == Decimal(expected)


def test_rank_limit_follows_the_province_count(settings):
    settings.PROVINCE_COUNT = 34
    _cleaned, errors = clean_line(_indicator(Measure.RANK), {"value": "35"})
    assert errors == {"value": "Thứ hạng phải là số nguyên từ 1 đến 34."}


def test_fraction_derives_the_percentage():
    cleaned, errors = clean_line(_indicator(Measure.PERCENT, True),
                                 {"numerator": "42", "denominator": "68"})
    assert errors == {}
    assert cleaned["value"] == Decimal("61.7647")


def test_fraction_of_a_count_keeps_the_numerator_as_value():
    cleaned, _errors = clean_line(_indicator(Measure.COUNT, True),
                                  {"numerator": "9", "denominator": "33"})
    assert cleaned["value"] == 9


@pytest.mark.parametrize(("raw", "errors"), [
    ({"numerator": "34", "denominator": "33"},
     {"numerator": "Tử số không được lớn hơn mẫu số."}),
    ({"numerator": "1", "denominator": "0"}, {"denominator": "Mẫu số phải lớn hơn 0."}),
    ({"numerator": "1", "denominator": ""},
     {"denominator": "Hãy nhập cả mẫu số cùng với tử số."}),
    ({"numerator": "", "denominator": "3"},
     {"numerator": "Hãy nhập cả tử số cùng với mẫu số."}),
])
def test_fraction_rules(raw, errors):
    assert clean_line(_indicator(Measure.PERCENT, True), raw)[1] == errors


def test_fraction_checks_a_new_numerator_against_the_stored_denominator():
    _c, errors = clean_line(_indicator(Measure.PERCENT, True), {"numerator": "40"},
                            current={"numerator": Decimal(9), "denominator": Decimal(33)})
    assert errors == {"numerator": "Tử số không được lớn hơn mẫu số."}


def test_milestone_states_accept_codes_and_vietnamese_words():
    indicator = _indicator(Measure.MILESTONE)
    assert clean_line(indicator, {"milestone_state": "Hoàn thành"})[0] == {
        "milestone_state": "done"}
    assert clean_line(indicator, {"milestone_state": "in_progress"})[1] == {}
    assert clean_line(indicator, {"milestone_state": "xong rồi"})[1] == {
        "milestone_state": "Hãy chọn một trong: chưa bắt đầu, đang thực hiện, hoàn thành."}


def test_evidence_link_must_be_http():
    _c, errors = clean_line(_indicator(Measure.PERCENT), {"evidence_url": "ftp://x.vn/a"})
    assert errors == {"evidence_url": "Hãy nhập địa chỉ web bắt đầu bằng http:// hoặc https://."}


@pytest.mark.parametrize(("value", "history", "flagged"), [
    ("40", ["80", "82", "85"], True),     # spread rule
    ("95", ["80", "82", "85"], False),
    ("300", ["90"], True),                # ratio rule, ×3
    ("20", ["90"], True),                 # ratio rule, ÷3
    ("100", ["100", "100", "100"], False),
    ("99", ["100", "100", "100"], False),  # the 10 % floor keeps a flat history quiet
    ("4", ["15", "10", "5"], False),
    ("50", [], False),
])
def test_outlier_rule(value, history, flagged):
    message = outlier_warning(Decimal(value), [Decimal(h) for h in history])
    assert bool(message) is flagged


def test_evidence_file_checks(settings):
    pdf = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    assert validate_evidence_file(pdf) is None
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf")
    assert validate_evidence_file(fake) == "Nội dung tệp không khớp với phần mở rộng .pdf."
    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00")
    assert validate_evidence_file(exe).startswith("Minh chứng phải là tệp PDF")
    settings.EVIDENCE_MAX_BYTES = 10
    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    assert validate_evidence_file(big).startswith("Tệp minh chứng lớn hơn")
