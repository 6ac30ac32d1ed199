"""The seeded plans and document figures, recomputed on 3 December 2026: the verdicts issue 10
found wrong, now as DOIT officials read them."""

from datetime import date

import pytest

from attainment.models import Scope, Status, TargetAttainment
from attainment.services import attainment_recompute
from reporting.models import ApprovedFigure
from tests.targets.seeding import seeded, seeded_module  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def verdicts(seeded):  # noqa: F811
    attainment_recompute(dataset="official", trigger="test", today=date(2026, 12, 3))
    rows = TargetAttainment.objects.filter(dataset="official", scope=Scope.COMBINED,
                                           is_latest=True).select_related("target__plan")
    return {(r.target.plan.code, r.target.code): r for r in rows}


def test_figures_the_document_gives_as_floors_are_lower_bounds(seeded):  # noqa: F811
    floors = ApprovedFigure.objects.filter(lower_bound=True)
    assert sorted(floors.values_list("value", flat=True)) == [550, 593_000_000]


def test_a_procedure_count_without_a_base_is_never_achieved(verdicts):
    tthc = [r for (plan, code), r in verdicts.items() if code.startswith("tthc-existing")]
    assert len(tthc) == 3
    assert {r.status for r in tthc} == {Status.BASELINE_NEEDED}


def test_the_2025_dti_rank_target_rests_on_the_2022_rank_and_says_it_is_stale(verdicts):
    row = verdicts[("ct-dx-2025-2030", "dti-rank-2025")]
    assert row.status == Status.ACHIEVED and row.actual_value == 5
    assert row.stale is True and row.rank_field == 63


def test_district_level_targets_after_2025_say_level_abolished(verdicts):
    district = [r for r in verdicts.values() if r.target.level == "district"]
    assert district
    for row in district:
        expected = Status.LEVEL_ABOLISHED if row.target.year >= 2025 else row.status
        assert row.status == expected, row.target.code
    assert any(r.target.year < 2025 and r.status != Status.LEVEL_ABOLISHED for r in district)
