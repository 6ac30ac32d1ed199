"""One Vietnamese word per concept across every app's catalogue: an indicator (what is
measured) is "chỉ tiêu", as in DOMAIN.md; a target (an indicator's value to reach by a year in
a plan) is "mục tiêu". Two apps once called targets "chỉ tiêu", so a page and the report for
leaders named the same thing differently, and "Chỉ tiêu" next to "Mục tiêu" in one table
could mean either."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("*/locale/vi/LC_MESSAGES/django.po"))


def _entries(path: Path):
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        if "msgstr" not in block:
            continue
        head, _sep, rest = block.partition("\nmsgstr")
        msgid = "".join(re.findall(r'"(.*)"', head.split("msgid", 1)[-1])).lower()
        msgstr = "".join(re.findall(r'"(.*)"', rest)).lower()
        yield msgid, msgstr


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_a_target_is_muc_tieu_and_an_indicator_chi_tieu(path):
    wrong = []
    for msgid, msgstr in _entries(path):
        if "target" in msgid and "indicator" not in msgid and "chỉ tiêu" in msgstr:
            wrong.append((msgid, msgstr))
        if "indicator" in msgid and "target" not in msgid and "mục tiêu" in msgstr:
            wrong.append((msgid, msgstr))
    assert not wrong


def test_there_are_catalogues_to_check():
    assert len(CATALOGUES) >= 6
