"""What load_seed refuses about how a target's value is formed, on the small sample fixtures.

The rules live in targets/validation.py; each refusal names the file and the entry, and the
whole load is rolled back.
"""

import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from targets.models import BaselineSource, Target

SAMPLE = Path(__file__).parent / "sample_fixtures"
PLAN = "plans/000_sample.yaml"




@pytest.fixture
def fx(tmp_path) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "fx", ignore=shutil.ignore_patterns("seeds"))
    return tmp_path / "fx"


def _replace_block(path: Path, code: str, **fields) -> None:
    """Rewrite fields of one target entry (by code) in a plan file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"  - code: {code}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("  - ")),
               len(lines))
    block = [ln for ln in lines[start:end]
             if not any(ln.startswith(f"    {key}:") for key in fields)]
    block += [f"    {key}: {value}" for key, value in fields.items()]
    path.write_text("\n".join(lines[:start] + block + lines[end:]) + "\n", encoding="utf-8")


def _load(fx: Path) -> None:
    call_command("load_seed", fixtures=fx, seeds=SAMPLE / "seeds", stdout=StringIO(),
                 stderr=StringIO())


def _refused(fx: Path) -> str:
    with translation.override("en"), pytest.raises(CommandError) as exc:
        _load(fx)
    assert not Target.objects.exists()  # nothing of the file was kept
    return str(exc.value)


@pytest.mark.django_db
def test_share_of_units_over_one_consolidating_unit_is_refused_naming_file_and_entry(fx):
    _replace_block(fx / PLAN, "work-records-online-2025-city", aggregation="share_meeting",
                   responsible="[SC-STTTT]")

    message = _refused(fx)

    assert PLAN in message
    assert "work-records-online-2025-city" in message
    assert "consolidated" in message


@pytest.mark.django_db
def test_a_sum_where_the_plan_says_each_district_is_refused(fx):
    _replace_block(fx / PLAN, "work-records-online-2025-district", aggregation="sum")

    message = _refused(fx)

    assert "work-records-online-2025-district" in message
    assert "share_of_units" in message


@pytest.mark.django_db
def test_consolidated_by_a_kind_of_unit_is_refused(fx):
    _replace_block(fx / PLAN, "work-records-online-2025-district", aggregation="consolidated")

    assert "name exactly one responsible unit" in _refused(fx)


@pytest.mark.django_db
def test_a_share_over_a_kind_the_city_does_not_have_is_refused(fx):
    _replace_block(fx / PLAN, "work-records-online-2025-district",
                   aggregation="share_meeting", responsible="[kind:hospital]")

    assert "no unit of that kind" in _refused(fx)


@pytest.mark.django_db
def test_share_of_units_needs_the_unit_threshold(fx):
    _replace_block(fx / PLAN, "work-records-online-2025-district",
                   aggregation="share_of_units")

    assert "unit_comparator" in _refused(fx)


@pytest.mark.django_db
def test_a_reduction_without_a_base_is_refused_unless_marked_needed(fx):
    _replace_block(fx / PLAN, "open-datasets-2025", comparator="reduce_by", value=30)
    assert "baseline" in _refused(fx)

    _replace_block(fx / PLAN, "open-datasets-2025", baseline_source="needed")
    _load(fx)
    target = Target.objects.get(code="open-datasets-2025")
    assert target.needs_baseline()
    assert target.baseline_source == "needed"


@pytest.mark.django_db
def test_a_reduction_with_a_document_baseline_loads_and_is_judgeable(fx):
    _replace_block(fx / PLAN, "open-datasets-2025", comparator="reduce_by", value=30,
                   baseline_value=1800, baseline_year=2020)
    _load(fx)

    target = Target.objects.get(code="open-datasets-2025")
    assert target.baseline_source == BaselineSource.DOCUMENT
    assert not target.needs_baseline()


@pytest.mark.django_db
def test_refusals_are_in_vietnamese_by_default(fx):
    _replace_block(fx / PLAN, "work-records-online-2025-district", aggregation="sum")

    with pytest.raises(CommandError) as exc:
        _load(fx)

    assert "cấp" in str(exc.value)


@pytest.mark.django_db
def test_the_sample_shares_its_valid_reading_with_a_share_of_units(fx):
    _replace_block(fx / PLAN, "work-records-online-2025-district",
                   aggregation="share_of_units", unit_comparator="at_least", unit_value=1)
    _load(fx)

    target = Target.objects.get(code="work-records-online-2025-district")
    assert target.combination == "share_of_units"
    assert target.responsible_kinds == ["district"]
    assert target.level_abolished_on == date(2025, 7, 1)
