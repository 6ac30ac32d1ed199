"""Every loaded target and figure quotes its document exactly, and its numbers come from the quote.

For each document, every number written in the source sentences of its targets (or figures)
must appear as some target's value, baseline or year (or some figure's value, numerator,
denominator or period year) of that document. The numbers that are part of an indicator's
definition rather than a value are listed below, each with its reason.
"""

import re
from collections import defaultdict
from decimal import Decimal

from reporting.models import ApprovedFigure
from targets.models import Target

# (pattern, why the numbers it matches are not values)
NOT_VALUES = [
    (r"mức độ \d(?:(?:,| và) \d)*",
     "online public-service maturity levels 3 and 4 define the indicator"),
    (r"\d+G(?:/\d+G)?\b", "4G/5G names a mobile network generation"),
    (r"/1\.000 dân", "the denominator of a rate per 1,000 inhabitants (measure rate_per_1000)"),
    (r"doanh thu trên 1\.000 tỷ đồng/năm",
     "the revenue threshold that defines a large digital enterprise (in the indicator's name)"),
    (r"tăng 10 bậc",
     "places gained: the difference between the 2022 and the derived 2021 rank, checked in "
     "test_fidelity.test_dti_rank_2022_and_the_derived_rank_2021"),
]

# Vietnamese numbers: "." groups thousands, "," is the decimal mark; "triệu"/"tỷ" multiply.
NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?(?:\s*(triệu|tỷ)\b)?")
MULTIPLIERS = {"triệu": 10**6, "tỷ": 10**9}


def parse_numbers(text: str) -> list[tuple[str, Decimal]]:
    """Every number written in `text`, read the Vietnamese way, with the text it was read from."""
    found = []
    for match in NUMBER.finditer(text):
        whole, decimals, scale = match.groups()
        value = Decimal(whole.replace(".", "") + (f".{decimals}" if decimals else ""))
        found.append((match.group(0), value * MULTIPLIERS.get(scale, 1)))
    return found


def test_parse_numbers_reads_vietnamese_formats():
    assert [v for _, v in parse_numbers("1.000 bộ, 12,5%, 9/33, 593 triệu đồng, 1.000 tỷ")] == [
        Decimal(1000), Decimal("12.5"), Decimal(9), Decimal(33), Decimal(593_000_000),
        Decimal(1_000_000_000_000),
    ]
    assert parse_numbers("năm 2025") == [("2025", Decimal(2025))]


def quoted_rows():
    """(source_file, sentence, numbers the row gives) for every loaded target and figure."""
    for t in Target.objects.all():
        given = {t.value, t.baseline_value, t.year, t.baseline_year}
        yield t.source_file, f"target {t.plan.code}/{t.code}", t.source_sentence, given
    for f in ApprovedFigure.objects.select_related("indicator", "unit", "period"):
        given = {f.value, f.numerator, f.denominator, f.period.year}
        yield f.source_file, f"figure {f}", f.source_sentence, given


def test_every_source_sentence_is_an_exact_substring_of_its_seed_file(seeded, seeds_dir):
    rows = list(quoted_rows())
    assert len(rows) == 134 + 21
    for source_file, label, sentence, _ in rows:
        text = (seeds_dir / source_file).read_text(encoding="utf-8")
        assert sentence and sentence in text, f"{label}: {sentence!r} not in {source_file}"


def unmatched_numbers(rows: list[tuple]) -> tuple[list[str], set[str]]:
    """Numbers quoted in a document that no row of that document gives; exceptions used."""
    given_by_file: dict[str, set[Decimal]] = defaultdict(set)
    for source_file, _, _, given in rows:
        given_by_file[source_file] |= {Decimal(v) for v in given if v is not None}
    used, missing = set(), []
    for source_file, label, sentence, _ in rows:
        remaining = sentence
        for pattern, _reason in NOT_VALUES:
            remaining, n = re.subn(pattern, " ", remaining)
            if n:
                used.add(pattern)
        for text, value in parse_numbers(remaining):
            if value not in given_by_file[source_file]:
                missing.append(f"{label}: {text!r} in {sentence!r}")
    return missing, used


def test_every_number_in_a_source_sentence_is_a_value_of_that_document(seeded):
    missing, used = unmatched_numbers(list(quoted_rows()))

    assert missing == []
    # Each exception must still be needed, so the list cannot hide a new transcription slip.
    assert used == {pattern for pattern, _ in NOT_VALUES}


def test_the_number_check_reports_a_number_no_row_of_the_document_gives():
    rows = [
        ("a.txt", "target x", "có 5.000 bộ dữ liệu mở", {Decimal(1000), 2030}),
        ("a.txt", "figure y", "hạng 5/64 tỉnh", {Decimal(5), Decimal(63)}),
        ("b.txt", "target z", "có 1.000 bộ dữ liệu mở, mức độ 4", {Decimal(1000)}),
    ]
    missing, used = unmatched_numbers(rows)
    assert missing == [
        "target x: '5.000' in 'có 5.000 bộ dữ liệu mở'",
        "figure y: '64' in 'hạng 5/64 tỉnh'",
    ]
    assert used == {NOT_VALUES[0][0]}
