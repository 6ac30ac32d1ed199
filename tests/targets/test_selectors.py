"""Catalogue reads on the real fixtures, with their query counts pinned."""

from decimal import Decimal

from targets.models import NationalIndicator, Pillar, Plan
from targets.selectors import national_comparison, plans_for, targets_for, targets_of_unit
from units.models import Unit


def test_plans_for_a_city_count_their_targets(seeded, django_assert_num_queries):
    ct = Unit.objects.get(code="CT")
    with django_assert_num_queries(1):
        plans = [(p.code, p.city.code, p.n_targets) for p in plans_for(city=ct)]
    assert plans == [("ct-dg-2021", "CT", 17), ("ct-dx-2025-2030", "CT", 51)]
    assert len(plans_for()) == 4


def test_targets_for_filters_and_costs_two_queries(seeded, django_assert_num_queries):
    dn = Unit.objects.get(code="DN")
    pillar = Pillar.objects.get(code="digital_economy")
    with django_assert_num_queries(2):
        rows = [
            (t.code, t.indicator.pillar.code, t.plan.city.code,
             [u.code for u in t.responsible_units.all()])
            for t in targets_for(city=dn, pillar=pillar, year=2030)
        ]
    assert {r[1] for r in rows} == {"digital_economy"}
    assert {r[2] for r in rows} == {"DN"}
    # DOIT's duties passed to Science and Technology in March 2025, so both answer for it.
    assert ("open-datasets-2030", "digital_economy", "DN", ["DN-SKHCN", "DN-STTTT"]) in [
        (code, pillar, city, sorted(units)) for code, pillar, city, units in rows
    ]


def test_targets_of_unit_include_kind_expansions_and_respect_the_year(seeded):
    omon = Unit.objects.get(code="CT-Q-OMON")
    codes = set(targets_of_unit(unit=omon).values_list("code", flat=True))
    assert {"work-records-online-2021-district", "work-records-online-2025-district",
            "work-records-online-2030-district", "meetings-online-2025-district"} <= codes
    later = set(targets_of_unit(unit=omon, not_before_year=2025).values_list("year", flat=True))
    assert later == {2025, 2030}


def test_national_comparison_lines_up_the_cities(seeded, django_assert_num_queries):
    national = NationalIndicator.objects.get(code="N749-WORK-RECORDS")
    with django_assert_num_queries(2):
        rows = [(t.year, t.level, t.plan.city.code, t.value)
                for t in national_comparison(national_indicator=national)]
    assert (2025, "commune", "CT", Decimal(60)) in rows
    assert (2025, "commune", "HP", Decimal(60)) in rows
    assert (2021, "district", "CT", Decimal(65)) in rows
    assert {r[2] for r in rows} == {"CT", "HP"}
    assert not Plan.objects.filter(city__code="DN", targets__indicator__national_indicator=national)
