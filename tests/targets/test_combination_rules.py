"""How each target's value is formed: the seeded readings, and what load_seed refuses.

The rules live in targets/validation.py; load_seed, the plan import and the admin ask it.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from targets.models import Aggregation, BaselineSource, Target
from targets.validation import TargetDraft, target_problems

SAMPLE = Path(__file__).parent / "sample_fixtures"
PLAN = "plans/000_sample.yaml"


# --------------------------------------------------------------------- the seeded readings


def _target(plan: str, code: str) -> Target:
    return Target.objects.select_related("indicator").get(plan__code=plan, code=code)


def test_fibre_communes_is_the_doit_figure_not_a_share_of_one_unit(seeded):
    target = _target("ct-dx-2025-2030", "fibre-communes-2025")

    assert target.indicator.aggregation == Aggregation.SHARE_MEETING
    assert target.combination == Aggregation.CONSOLIDATED
    # DOIT and the department that absorbed it in March 2025: one consolidating unit at a time.
    assert sorted(target.responsible_units.values_list("code", flat=True)) == [
        "CT-SKHCN", "CT-STTTT"]
    assert target.responsible_kinds == []


@pytest.mark.parametrize(("plan", "code", "unit"), [
    ("ct-dx-2025-2030", "telehealth-facilities-2025", "CT-STTTT"),
    ("ct-dx-2025-2030", "emr-hospitals-2025", "CT-STTTT"),
    ("ct-dx-2025-2030", "hospital-cashless-fees-2025", "CT-STTTT"),
    ("ct-dx-2025-2030", "e-prescription-hospitals-2025", "CT-STTTT"),
    ("ct-dx-2025-2030", "training-digital-management-2025", "CT-STTTT"),
    ("dn-dx-resolution-2025-2030", "ehr-use-health-facilities-2025", "DN-STTTT"),
    ("dn-dx-resolution-2025-2030", "telehealth-facilities-2025", "DN-STTTT"),
    ("dn-dx-resolution-2025-2030", "hospital-cashless-fees-2025", "DN-STTTT"),
])
def test_hospital_and_school_targets_are_consolidated_by_one_department(seeded, plan, code,
                                                                         unit):
    target = _target(plan, code)

    assert target.combination == Aggregation.CONSOLIDATED
    assert target.responsible_kinds == []
    assert unit in target.responsible_units.values_list("code", flat=True)
    assert not target.responsible_units.filter(kind__in=["hospital", "school"]).exists()


@pytest.mark.parametrize(("plan", "code"), [
    ("ct-dx-2025-2030", "tthc-existing-2030"),
    ("ct-dx-2025-2030", "data-driven-services-2030"),
    ("dn-dx-resolution-2025-2030", "tthc-existing-2025"),
    ("dn-dx-resolution-2025-2030", "tthc-existing-2030"),
])
def test_reductions_of_a_count_without_a_base_say_baseline_needed(seeded, plan, code):
    target = _target(plan, code)

    assert target.baseline_value is None
    assert target.baseline_source == BaselineSource.NEEDED
    assert target.needs_baseline()


def test_each_district_picks_one_commune_is_a_share_of_districts(seeded):
    target = _target("hp-dx-2025-2030", "digital-skills-pilot-communes-2025")

    assert target.combination == Aggregation.SHARE_OF_UNITS
    assert (target.unit_comparator, target.unit_value) == ("at_least", Decimal(1))
    assert (target.comparator, target.value) == ("at_least", Decimal(100))
    assert target.responsible_kinds == ["district"]
    with translation.override("en"):
        assert target.describe() == "≥ 100 % of units with ≥ 1"
    assert target.level_abolished_on == date(2025, 7, 1)


def test_every_seeded_target_passes_the_validator_and_says_how_it_is_formed(seeded):
    targets = Target.objects.select_related("indicator")
    assert targets.count() == 134
    for target in targets:
        assert target.combination in Aggregation.values


def test_api_target_says_how_the_value_is_formed(seeded, client):
    target = _target("hp-dx-2025-2030", "digital-skills-pilot-communes-2025")

    body = client.get(reverse("api:target-detail", args=[target.pk])).json()

    assert body["combination"] == "share_of_units"
    assert body["unit_rule"] == "≥ 1"
    assert body["responsible_kinds"] == ["district"]
    assert body["level_abolished_on"] == "2025-07-01"
    assert body["baseline_needed"] is False

    tthc = _target("dn-dx-resolution-2025-2030", "tthc-existing-2025")
    body = client.get(reverse("api:target-detail", args=[tthc.pk])).json()
    assert body["baseline_needed"] is True
    assert body["baseline_source"] == "needed"
    assert body["combination"] == "sum"
    assert body["level_abolished_on"] is None


# --------------------------------------------------------------------- the rules themselves


def _draft(**overrides) -> TargetDraft:
    values = {"level": "city", "comparator": "at_least", "value": Decimal(80),
              "measure": "percent", "indicator_aggregation": "mean",
              "named_unit_kinds": ("department",), "kinds_in_city": frozenset({"department"})}
    values.update(overrides)
    return TargetDraft(**values)


def test_a_plain_city_mean_has_no_problem():
    assert target_problems(_draft()) == []


def test_a_milestone_comparator_on_a_percent_indicator_is_refused():
    fields = [p.field for p in target_problems(_draft(comparator="milestone", value=None))]
    assert fields == ["comparator"]


def test_an_indicator_that_reports_the_change_needs_no_baseline():
    assert target_problems(_draft(comparator="reduce_by", reports_change=True)) == []
    assert [p.field for p in target_problems(_draft(comparator="reduce_by"))] == [
        "baseline_value"]


def test_a_baseline_marked_needed_on_an_absolute_target_is_refused():
    assert [p.field for p in target_problems(_draft(baseline_source="needed"))] == [
        "baseline_source"]


def test_milestones_combine_by_state_so_a_share_rule_does_not_bind_them():
    draft = _draft(measure="milestone", comparator="milestone", value=None,
                   indicator_aggregation="share_meeting")
    assert target_problems(draft) == []
