"""The unit tree as of a date and successor mapping, on the real units loaded by load_seed."""

from datetime import date

import pytest

from tests.factories import CityFactory, UnitFactory
from units.models import Unit, UnitKind
from units.selectors import (
    cities,
    current_successor,
    rolled_up_unit_ids,
    successor_as_of,
    successor_map,
    unit_tree_as_of,
    units_as_of,
)

BEFORE = date(2024, 12, 31)
AFTER = date(2025, 7, 1)  # Resolution 202/2025/QH15 takes effect; the district level is gone


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def flatten(tree: list[dict]) -> list[tuple[str, str | None]]:
    """(code, parent code in the tree) for every node."""
    rows = []

    def walk(node, parent):
        rows.append((node["unit"].code, parent))
        for child in node["children"]:
            walk(child, node["unit"].code)

    for root in tree:
        walk(root, None)
    return rows


def test_can_tho_tree_before_the_reform_has_districts_and_wards(seeded, django_assert_num_queries):
    ct = unit("CT")
    with django_assert_num_queries(1):
        tree = unit_tree_as_of(BEFORE, city=ct)

    assert [root["unit"].code for root in tree] == ["CT"]
    rows = dict(flatten(tree))
    districts = {code for code, parent in rows.items() if code.startswith(("CT-Q-", "CT-H-"))}
    assert len(districts) == 9
    assert all(rows[code] == "CT" for code in districts)
    assert rows["CT-P-CAIKHE"] == "CT-Q-NINHKIEU"
    assert rows["CT-STTTT"] == "CT"  # merged into Sở KH&CN only on 2025-03-01
    # An Nghiệp, An Cư and An Phú were merged into Thới Bình on 2024-11-01.
    assert "CT-P-ANNGHIEP" not in rows
    assert "CT-P-THOIBINH" in rows


def test_can_tho_tree_after_the_reform_has_no_districts_and_merged_departments(seeded):
    rows = dict(flatten(unit_tree_as_of(AFTER, city=unit("CT"))))

    assert not any(code.startswith(("CT-Q-", "CT-H-", "CT-P-")) for code in rows)
    assert "CT-STTTT" not in rows and "CT-SKHDT" not in rows and "CT-SLDTBXH" not in rows
    assert {"CT", "CT-SKHCN", "CT-SNV", "CT-STC", "CT-VP"} <= set(rows)
    assert all(parent == "CT" for code, parent in rows.items() if code != "CT")


def test_absorbed_provinces_exist_before_the_reform_and_are_gone_after(seeded):
    before = set(units_as_of(BEFORE).filter(kind=UnitKind.PROVINCE).values_list("code", flat=True))
    after = set(units_as_of(AFTER).filter(kind=UnitKind.PROVINCE).values_list("code", flat=True))

    assert before == {"CT", "HP", "DN", "ST", "HG", "HD", "QNA"}
    assert after == {"CT", "HP", "DN"}
    # cities() keeps the absorbed ones, so their history stays reachable.
    assert set(cities().values_list("code", flat=True)) == before
    assert units_as_of(date(2025, 6, 30), city=unit("ST")).count() == 1
    assert units_as_of(AFTER, city=unit("ST")).count() == 0


@pytest.mark.parametrize(("code", "carrier"), [
    ("CT-Q-BINHTHUY", "CT"),        # a district → the city
    ("CT-H-VINHTHANH", "CT"),
    ("ST", "CT"),                   # Sóc Trăng → Cần Thơ
    ("HG", "CT"),
    ("HD", "HP"),
    ("QNA", "DN"),
    ("CT-P-ANNGHIEP", "CT"),        # chain: ward → Thới Bình (2024-11-01) → city (2025-07-01)
    ("CT-STTTT", "CT-SKHCN"),       # DOIT → Department of Science and Technology
    ("CT-SLDTBXH", "CT-SNV"),
    ("CT", "CT"),                   # a unit that still exists carries itself
    ("CT-VP", "CT-VP"),
])
def test_a_historical_unit_maps_to_its_current_successor(seeded, code, carrier):
    assert current_successor(unit(code)).code == carrier
    assert successor_map()[unit(code).pk] == unit(carrier).pk


def test_successor_as_of_a_date_follows_only_the_changes_made_by_then(seeded):
    ward = unit("CT-P-ANNGHIEP")
    assert successor_as_of(ward, date(2024, 10, 31)).code == "CT-P-ANNGHIEP"
    assert successor_as_of(ward, BEFORE).code == "CT-P-THOIBINH"
    assert successor_as_of(ward, AFTER).code == "CT"
    assert successor_as_of(unit("CT-Q-OMON"), BEFORE).code == "CT-Q-OMON"
    assert successor_as_of(unit("CT-STTTT"), date(2025, 3, 1)).code == "CT-SKHCN"


def test_successor_map_is_one_query(seeded, django_assert_num_queries):
    with django_assert_num_queries(1):
        mapping = successor_map()
    assert len(mapping) == Unit.objects.count()


def test_a_districts_2023_figures_roll_up_into_the_city_after_2025(seeded):
    ct_ids = rolled_up_unit_ids(unit("CT"))
    codes = set(Unit.objects.filter(pk__in=ct_ids).values_list("code", flat=True))

    assert {"CT", "ST", "HG", "CT-Q-OMON", "CT-H-VINHTHANH", "CT-P-ANNGHIEP"} <= codes
    assert "CT-SNV" not in codes and "HP" not in codes
    assert "CT-SKHCN" not in codes
    assert set(
        Unit.objects.filter(pk__in=rolled_up_unit_ids(unit("CT-SKHCN"))).values_list(
            "code", flat=True)
    ) == {"CT-SKHCN", "CT-STTTT"}
    # Before the reform the district still carries its own figures.
    assert unit("CT-Q-OMON").pk not in rolled_up_unit_ids(unit("CT"), as_of=BEFORE)


def test_a_ward_whose_district_is_gone_hangs_under_the_city(db):
    city = CityFactory(code="XC")
    district = UnitFactory(code="XC-D", parent=city, kind=UnitKind.DISTRICT,
                           valid_to=date(2025, 7, 1), successor=city)
    UnitFactory(code="XC-W", parent=district, kind=UnitKind.COMMUNE)

    rows = dict(flatten(unit_tree_as_of(AFTER, city=city)))

    assert rows == {"XC": None, "XC-W": "XC"}


def test_a_successor_cycle_stops_instead_of_looping(db):
    city = CityFactory(code="YC")
    a = UnitFactory(code="YC-A", parent=city, valid_to=date(2025, 1, 1))
    b = UnitFactory(code="YC-B", parent=city, valid_to=date(2025, 1, 1), successor=a)
    Unit.objects.filter(pk=a.pk).update(successor=b)

    mapping = successor_map()

    assert mapping[a.pk] in (a.pk, b.pk)
    assert mapping[city.pk] == city.pk
