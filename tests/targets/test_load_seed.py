"""manage.py load_seed against small sample fixtures: what it loads, idempotence, refusals."""

import shutil
from datetime import date, datetime, time
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from reporting.models import ApprovedFigure, FigureOrigin, Period
from targets.models import (
    Comparator,
    Frequency,
    Indicator,
    Level,
    NationalIndicator,
    Pillar,
    Plan,
    Target,
)
from targets.seed import SeedError, seed_load
from units.models import Unit

SAMPLE = Path(__file__).parent / "sample_fixtures"
SEEDS = SAMPLE / "seeds"
MODELS = (Unit, Pillar, NationalIndicator, Indicator, Plan, Target, ApprovedFigure, Period)

pytestmark = pytest.mark.django_db


def load(fixtures=SAMPLE, seeds=SEEDS) -> str:
    out = StringIO()
    call_command("load_seed", fixtures=fixtures, seeds=seeds, stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot() -> dict:
    """Every row of every model the loader writes, with all its values (m2m included)."""
    rows = {model._meta.label: sorted(map(repr, model.objects.values())) for model in MODELS}
    rows["responsible"] = sorted(
        Target.responsible_units.through.objects.values_list("target__code", "unit__code")
    )
    return rows


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A writable copy of the sample fixtures, for tests that break a file."""
    shutil.copytree(SAMPLE, tmp_path / "fx", ignore=shutil.ignore_patterns("seeds"))
    return tmp_path / "fx"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_load_seed_brings_in_units_catalogue_plan_targets_and_figures():
    out = load()

    assert "targets.Target: 6 tạo mới, 0 cập nhật, 0 không đổi" in out
    assert "units.Unit: 8 tạo mới" in out
    assert "Đã nạp: 26 dòng được tạo mới hoặc cập nhật." in out
    assert Unit.objects.count() == 8
    assert Pillar.objects.count() == 2
    assert Indicator.objects.count() == 5
    plan = Plan.objects.get(code="sc-dx-2025")
    assert plan.city.code == "SC"
    assert plan.document_number == "1/KH-UBND"
    assert plan.issued_on == date(2021, 3, 15)
    assert plan.horizon_years == [2025]
    assert plan.source_file == "sample_plan.txt"
    assert plan.targets.count() == 6

    indicator = Indicator.objects.get(code="work-records-online")
    assert indicator.national_indicator.code == "N749-WORK-RECORDS"
    assert indicator.fraction is True
    assert indicator.aggregation == "weighted"
    # Absent means quarterly; the DTI ranking is published once a year.
    assert indicator.frequency == Frequency.QUARTERLY
    assert Indicator.objects.get(code="dti-rank").frequency == Frequency.YEARLY


def test_one_sentence_becomes_one_target_per_level():
    load()
    by_level = {
        t.level: t.value for t in Target.objects.filter(indicator__code="work-records-online")
    }
    assert by_level == {
        Level.CITY: Decimal("90"), Level.DISTRICT: Decimal("80"), Level.COMMUNE: Decimal("60"),
    }


def test_vietnamese_thousands_and_milestones_are_kept():
    load()
    datasets = Target.objects.get(code="open-datasets-2025")
    assert datasets.value == Decimal("1000")
    assert datasets.source_sentence == "Có 1.000 bộ dữ liệu mở"
    milestone = Target.objects.get(code="smart-city-data-platform-2025")
    assert milestone.comparator == Comparator.MILESTONE
    assert milestone.value is None
    assert milestone.reading_en.startswith("Met when")


def test_responsible_kind_expands_to_every_unit_of_that_kind_in_the_city_dissolved_included():
    load()
    district_target = Target.objects.get(code="work-records-online-2025-district")
    # SP-H1 belongs to the absorbed province, not the plan's city, so it is not expanded.
    assert sorted(district_target.responsible_units.values_list("code", flat=True)) == [
        "SC-H2", "SC-Q1",
    ]
    commune_target = Target.objects.get(code="work-records-online-2025-commune")
    # The named SC-STTTT brings its successor SC-SKHCN (see the test below).
    assert sorted(commune_target.responsible_units.values_list("code", flat=True)) == [
        "SC-Q1-P1", "SC-SKHCN", "SC-STTTT",
    ]
    # SC-STTTT was dissolved on 2025-03-01 and still counts as a department of the city.
    city_target = Target.objects.get(code="work-records-online-2025-city")
    assert sorted(city_target.responsible_units.values_list("code", flat=True)) == [
        "SC-SKHCN", "SC-STTTT",
    ]


def test_units_get_parent_city_and_successor_whatever_their_order_in_the_file():
    load()
    commune = Unit.objects.get(code="SC-Q1-P1")
    assert commune.parent.code == "SC-Q1"
    assert commune.city.code == "SC"
    assert commune.successor.code == "SC"
    assert commune.valid_to == date(2025, 7, 1)
    assert Unit.objects.get(code="SP-H1").city.code == "SP"
    assert Unit.objects.get(code="SP").city.code == "SP"
    assert Unit.objects.get(code="SC-STTTT").successor.code == "SC-SKHCN"


def test_figures_are_document_figures_approved_at_the_end_of_their_period():
    load()
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    rank_2021 = ApprovedFigure.objects.get(indicator__code="dti-rank", period__year=2021)
    assert rank_2021.origin == FigureOrigin.DOCUMENT
    assert rank_2021.value == Decimal("15")
    assert rank_2021.denominator == Decimal("63")
    assert rank_2021.derived is True
    assert rank_2021.period.code == "2021"
    assert rank_2021.approved_at == datetime.combine(date(2021, 12, 31), time(23, 59, 59), tz)
    assert rank_2021.superseded_at is None

    tasks = ApprovedFigure.objects.get(indicator__code="key-tasks-done")
    assert (tasks.numerator, tasks.denominator, tasks.value) == (Decimal(9), Decimal(33), None)
    assert tasks.period.code == "2023-Q3"
    assert tasks.approved_at == datetime.combine(date(2023, 9, 30), time(23, 59, 59), tz)
    assert tasks.source_sentence == "đã hoàn thành 9/33 nhiệm vụ"


def test_loading_twice_changes_nothing():
    load()
    before = snapshot()

    out = load()

    assert snapshot() == before
    assert "targets.Target: 0 tạo mới, 0 cập nhật, 6 không đổi" in out
    assert "reporting.ApprovedFigure: 0 tạo mới, 0 cập nhật, 3 không đổi" in out
    assert "Không có gì thay đổi" in out
    report = seed_load(fixtures_dir=SAMPLE, seeds_dir=SEEDS)
    assert report.changed == 0


def test_a_changed_value_updates_the_row_in_place(sample_copy):
    load(sample_copy)
    target = Target.objects.get(code="open-datasets-2025")
    edit(sample_copy / "plans" / "000_sample.yaml", "value: 1000", "value: 1200")
    edit(sample_copy / "figures.yaml", "numerator: 9", "numerator: 10")

    out = load(sample_copy)

    assert "targets.Target: 0 tạo mới, 1 cập nhật, 5 không đổi" in out
    assert "reporting.ApprovedFigure: 0 tạo mới, 1 cập nhật, 2 không đổi" in out
    assert Target.objects.get(pk=target.pk).value == Decimal("1200")
    assert Target.objects.count() == 6
    figures = ApprovedFigure.objects.filter(indicator__code="key-tasks-done")
    assert [f.numerator for f in figures] == [Decimal("10")]


def test_a_changed_frequency_updates_the_indicator_in_place(sample_copy):
    load(sample_copy)
    indicator = Indicator.objects.get(code="dti-rank")
    edit(sample_copy / "catalogue.yaml", "    frequency: yearly\n", "")

    out = load(sample_copy)

    assert "targets.Indicator: 0 tạo mới, 1 cập nhật, 4 không đổi" in out
    assert Indicator.objects.get(pk=indicator.pk).frequency == Frequency.QUARTERLY


def test_a_changed_responsible_list_counts_as_an_update(sample_copy):
    load(sample_copy)
    edit(sample_copy / "plans" / "000_sample.yaml", "responsible: [SC-STTTT]\n    reading_vi: \"\"",
         "responsible: [SC-SKHCN]\n    reading_vi: \"\"")

    out = load(sample_copy)

    assert "targets.Target: 0 tạo mới, 1 cập nhật, 5 không đổi" in out
    target = Target.objects.get(code="open-datasets-2025")
    assert list(target.responsible_units.values_list("code", flat=True)) == ["SC-SKHCN"]


BAD_EDITS = [
    pytest.param("plans/000_sample.yaml", "indicator: open-datasets", "indicator: open-data",
                 ["plans/000_sample.yaml", "#5 open-datasets-2025", "'open-data'"],
                 id="unknown-indicator"),
    pytest.param("plans/000_sample.yaml", "responsible: [SC]", "responsible: [SC-NOPE]",
                 ["plans/000_sample.yaml", "dti-rank-2025", "'SC-NOPE'"], id="unknown-unit"),
    pytest.param("plans/000_sample.yaml", "Có 1.000 bộ dữ liệu mở", "Có 1000 bộ dữ liệu mở",
                 ["plans/000_sample.yaml", "open-datasets-2025", "sample_plan.txt"],
                 id="sentence-not-in-seed"),
    pytest.param("plans/000_sample.yaml", "comparator: top_n", "comparator: top",
                 ["plans/000_sample.yaml", "dti-rank-2025", "'top'", "top_n"],
                 id="bad-comparator"),
    pytest.param("plans/000_sample.yaml", "value: 1000", "value: 1.000",
                 ["plans/000_sample.yaml", "dòng 68", "1.000 không rõ nghĩa"],
                 id="vietnamese-thousands"),
    pytest.param("plans/000_sample.yaml", "value: 1000", "value: \"1.000\"",
                 ["plans/000_sample.yaml", "open-datasets-2025", "'1.000'", "không phải là số"],
                 id="number-as-text"),
    pytest.param("plans/000_sample.yaml", "    level: district", "    levl: district",
                 ["plans/000_sample.yaml", "work-records-online-2025-district", "levl"],
                 id="unknown-field"),
    pytest.param("units.yaml", "parent: SC-Q1\n", "parent: SC-Q9\n",
                 ["units.yaml", "#1 SC-Q1-P1", "'SC-Q9'"], id="unknown-parent"),
    pytest.param("catalogue.yaml", "measure: rank", "measure: place",
                 ["catalogue.yaml", "#2 dti-rank", "'place'"], id="bad-measure"),
    pytest.param("catalogue.yaml", "frequency: yearly", "frequency: annually",
                 ["catalogue.yaml", "#2 dti-rank", "frequency", "'annually'", "quarterly, yearly"],
                 id="bad-frequency"),
    pytest.param("figures.yaml", "unit: SC\n    period: \"2021\"", "unit: XX\n    period: \"2021\"",
                 ["figures.yaml", "#2 (dti-rank XX 2021)", "'XX'"], id="figure-unit"),
    pytest.param("figures.yaml", "period: \"2023-Q3\"", "period: \"2023-Q5\"",
                 ["figures.yaml", "#3 (key-tasks-done SC 2023-Q5)", "'2023-Q5'"],
                 id="figure-period"),
    pytest.param("figures.yaml", "đã hoàn thành 9/33 nhiệm vụ", "đã hoàn thành 9/34 nhiệm vụ",
                 ["figures.yaml", "#3 (key-tasks-done SC 2023-Q3)", "sample_news.txt"],
                 id="figure-sentence"),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), BAD_EDITS)
def test_a_bad_file_loads_nothing_and_names_the_file_and_entry(sample_copy, file, old, new,
                                                               expected):
    edit(sample_copy / file, old, new)

    with pytest.raises(CommandError) as excinfo:
        load(sample_copy)

    for fragment in expected:
        assert fragment in str(excinfo.value)
    assert all(model.objects.count() == 0 for model in MODELS)


def test_a_bad_file_leaves_an_earlier_load_exactly_as_it_was(sample_copy):
    load(sample_copy)
    before = snapshot()
    edit(sample_copy / "plans" / "000_sample.yaml", "value: 90", "value: 95")  # valid change
    edit(sample_copy / "figures.yaml", "indicator: key-tasks-done", "indicator: nope")

    with pytest.raises(CommandError, match="figures.yaml"):
        load(sample_copy)

    assert snapshot() == before


def test_source_sentences_are_checked_against_seeds_dir_from_the_environment(
    sample_copy, monkeypatch
):
    edit(sample_copy / "plans" / "000_sample.yaml", "Có 1.000 bộ dữ liệu mở", "Có 2.000 bộ")
    monkeypatch.setenv("SEEDS_DIR", str(SEEDS))
    with pytest.raises(SeedError, match="open-datasets-2025"):
        seed_load(fixtures_dir=sample_copy)

    monkeypatch.setenv("SEEDS_DIR", str(sample_copy / "no-such-dir"))
    report = seed_load(fixtures_dir=sample_copy)
    assert Target.objects.count() == 6
    assert any("không tìm thấy sample_plan.txt" in w for w in report.warnings)


def test_missing_fixtures_directory_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="không tồn tại"):
        load(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match="catalogue.yaml"):
        load(tmp_path / "empty")


def test_error_messages_are_vietnamese_by_default_and_english_on_request(sample_copy):
    edit(sample_copy / "plans" / "000_sample.yaml", "comparator: top_n", "comparator: top")

    with pytest.raises(SeedError) as vi:
        seed_load(fixtures_dir=sample_copy, seeds_dir=SEEDS)
    with translation.override("en"), pytest.raises(SeedError) as en:
        seed_load(fixtures_dir=sample_copy, seeds_dir=SEEDS)

    assert str(vi.value) == (
        "plans/000_sample.yaml: mục tiêu #1 dti-rank-2025: comparator 'top' không thuộc "
        "at_least, more_than, at_most, less_than, top_n, reduce_by, increase_by, milestone"
    )
    assert str(en.value) == (
        "plans/000_sample.yaml: target #1 dti-rank-2025: comparator 'top' is not one of "
        "at_least, more_than, at_most, less_than, top_n, reduce_by, increase_by, milestone"
    )


def test_a_named_department_passes_its_duties_to_the_department_that_absorbed_it():
    load()
    commune_target = Target.objects.get(code="work-records-online-2025-commune")
    codes = set(commune_target.responsible_units.values_list("code", flat=True))
    assert {"SC-STTTT", "SC-SKHCN"} <= codes


def test_a_dissolved_district_does_not_make_the_city_responsible():
    load()
    district_target = Target.objects.get(code="work-records-online-2025-district")
    assert "SC" not in set(district_target.responsible_units.values_list("code", flat=True))
