"""A department that absorbed another answers for its duties only from the handover day."""

from datetime import date

import pytest

from reporting.models import PeriodKind
from reporting.periods import period_ensure
from reporting.selectors import compliance_rows, indicators_due
from tests.factories import TargetFactory, UnitFactory


@pytest.fixture
def handover(city):
    science = UnitFactory(code="TC-SKHCN", parent=city, name_vi="Sở Khoa học và Công nghệ")
    doit = UnitFactory(code="TC-STTTT-OLD", parent=city, valid_to=date(2025, 3, 1),
                       successor=science, name_vi="Sở Thông tin và Truyền thông")
    target = TargetFactory(plan__city=city, year=2030, responsible=[doit, science])
    return doit, science, target


def test_the_successor_owes_nothing_before_the_handover(handover):
    doit, science, target = handover
    before = period_ensure(kind=PeriodKind.QUARTER, year=2024, quarter=4)
    assert indicators_due(unit=science, period=before) == []
    assert indicators_due(unit=doit, period=before) == [target.indicator]


def test_the_successor_owes_the_figures_from_the_handover_quarter(handover):
    doit, science, target = handover
    after = period_ensure(kind=PeriodKind.QUARTER, year=2025, quarter=2)
    assert indicators_due(unit=science, period=after) == [target.indicator]
    assert indicators_due(unit=doit, period=after) == []


def test_compliance_expects_each_department_only_for_its_own_quarters(handover):
    doit, science, _ = handover
    q4 = period_ensure(kind=PeriodKind.QUARTER, year=2024, quarter=4)
    q2 = period_ensure(kind=PeriodKind.QUARTER, year=2025, quarter=2)
    rows = compliance_rows(dataset="official", periods=[q4, q2], today=date(2026, 1, 1))
    assert {(r.unit_id, r.period_id) for r in rows} == {(doit.pk, q4.pk), (science.pk, q2.pk)}
