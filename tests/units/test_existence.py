"""One rule for "does this unit exist then": the function, the model method and the filter."""

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import CityFactory, UnitFactory
from units.models import Unit, UnitKind, existed_during

JULY_1 = date(2025, 7, 1)


@pytest.mark.parametrize(("valid_from", "valid_to", "start", "end", "exists"), [
    (None, None, date(2000, 1, 1), None, True),
    (None, JULY_1, date(2025, 6, 30), None, True),
    (None, JULY_1, JULY_1, None, False),                         # valid_to is exclusive
    (JULY_1, None, date(2025, 6, 30), None, False),
    (JULY_1, None, JULY_1, None, True),                           # valid_from is inclusive
    (None, JULY_1, date(2025, 4, 1), date(2025, 6, 30), True),    # Q2 2025
    (None, JULY_1, JULY_1, date(2025, 9, 30), False),             # Q3 2025
    (date(2025, 9, 30), None, JULY_1, date(2025, 9, 30), True),   # created on Q3's last day
])
def test_existed_during(valid_from, valid_to, start, end, exists):
    assert existed_during(valid_from, valid_to, start, end) is exists


@pytest.fixture
def units(db):
    city = CityFactory(code="XC")
    return {
        "old": UnitFactory(code="XC-Q1", parent=city, kind=UnitKind.DISTRICT,
                           valid_to=JULY_1),
        "new": UnitFactory(code="XC-P9", parent=city, kind=UnitKind.COMMUNE,
                           valid_from=JULY_1),
        "city": city,
    }


def test_model_method_and_queryset_filter_give_the_same_answer(units):
    for day in (date(2025, 6, 30), JULY_1):
        existing = set(Unit.objects.existing(day).values_list("code", flat=True))
        for unit in Unit.objects.all():
            assert (unit.code in existing) is unit.exists_during(day)


def test_a_period_spanning_the_change_sees_both_units(units):
    codes = set(Unit.objects.existing(date(2025, 6, 1), date(2025, 7, 31))
                .values_list("code", flat=True))

    assert {"XC-Q1", "XC-P9", "XC"} <= codes
    assert set(Unit.objects.ceased_by(JULY_1).values_list("code", flat=True)) == {"XC-Q1"}


def test_api_units_as_of_uses_the_rule(units, client):
    url = reverse("api:unit-list")

    before = {u["code"] for u in client.get(url, {"as_of": "2025-06-30"}).json()["results"]}
    after = {u["code"] for u in client.get(url, {"as_of": "2025-07-01"}).json()["results"]}

    assert "XC-Q1" in before and "XC-P9" not in before
    assert "XC-P9" in after and "XC-Q1" not in after
