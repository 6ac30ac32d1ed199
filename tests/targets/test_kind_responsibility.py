"""Responsibilities given by kind ("kind:commune") follow the units that exist in each period.

A ward created after the plan was loaded owes the plan's commune targets from its first day,
not before; a ward merged away owes nothing after its last. The district level that ended on
1 July 2025 is known to the catalogue.
"""

from datetime import date

import pytest
from django.urls import reverse

from reporting.periods import period_ensure
from reporting.selectors import compliance_rows, indicators_due
from targets.models import LEVEL_ABOLISHED_ON, Level, Target
from tests.factories import UserFactory
from units.models import Unit, UnitKind

COMMUNE_TARGET = ("ct-dx-2025-2030", "work-records-online-2030-commune")


@pytest.fixture
def admin_client(client, seeded):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _new_ward_through_the_admin(admin_client) -> Unit:
    city = Unit.objects.get(code="CT")
    response = admin_client.post(reverse("admin:units_unit_add"), {
        "code": "CT-P-MOI", "name_vi": "Phường Mới", "name_en": "New Ward",
        "kind": UnitKind.COMMUNE, "email": "", "parent": city.pk, "city": city.pk,
        "valid_from": "2026-01-01", "valid_to": "", "successor": "", "note": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    return Unit.objects.get(code="CT-P-MOI")


def test_the_plan_keeps_commune_targets_by_kind(seeded):
    target = Target.objects.get(plan__code=COMMUNE_TARGET[0], code=COMMUNE_TARGET[1])

    assert target.responsible_kinds == ["commune"]
    assert target.responsible_units.filter(kind=UnitKind.COMMUNE).count() == 11


def test_a_ward_created_later_owes_commune_targets_from_its_start(admin_client):
    ward = _new_ward_through_the_admin(admin_client)
    target = Target.objects.get(plan__code=COMMUNE_TARGET[0], code=COMMUNE_TARGET[1])
    before = period_ensure(kind="quarter", year=2025, quarter=4)
    first = period_ensure(kind="quarter", year=2026, quarter=1)

    assert target.responsible_units.filter(pk=ward.pk).exists()
    assert indicators_due(unit=ward, period=before) == []
    assert target.indicator in indicators_due(unit=ward, period=first)
    # Targets named by unit, or of another kind, are not given to the new ward.
    assert not ward.targets.exclude(responsible_kinds__icontains="commune").exists()


def test_compliance_expects_the_new_ward_only_from_its_start(admin_client):
    ward = _new_ward_through_the_admin(admin_client)
    before = period_ensure(kind="quarter", year=2025, quarter=4)
    first = period_ensure(kind="quarter", year=2026, quarter=1)

    rows = compliance_rows(dataset="official", city=Unit.objects.get(code="CT"),
                           periods=[before, first], today=date(2026, 12, 3))

    expected = {(r.unit_id, r.period_id) for r in rows}
    assert (ward.pk, first.pk) in expected
    assert (ward.pk, before.pk) not in expected


def test_a_ward_merged_away_owes_nothing_after_its_last_day(seeded):
    an_phu = Unit.objects.get(code="CT-P-ANPHU")  # merged into Thới Bình on 2024-11-01
    last = period_ensure(kind="quarter", year=2024, quarter=4)  # existed in October
    after = period_ensure(kind="quarter", year=2025, quarter=1)

    assert indicators_due(unit=an_phu, period=last)
    assert indicators_due(unit=an_phu, period=after) == []


def test_the_district_level_ended_on_1_july_2025(seeded):
    assert {Level.DISTRICT: date(2025, 7, 1)} == LEVEL_ABOLISHED_ON
    target = Target.objects.get(plan__code="ct-dx-2025-2030",
                                code="work-records-online-2030-district")
    assert target.level_abolished_on == date(2025, 7, 1)
    # No district unit of the city exists after that day.
    assert not Unit.objects.filter(city__code="CT", kind=UnitKind.DISTRICT).existing(
        date(2025, 7, 1)).exists()
    assert Unit.objects.filter(city__code="CT", kind=UnitKind.DISTRICT).existing(
        date(2025, 6, 30)).count() == 9
