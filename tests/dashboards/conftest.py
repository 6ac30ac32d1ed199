"""Stored attainment results for the test city, as the engine would have written them."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from attainment.models import Dataset, Rollup, RollupScope, Scope, Status, TargetAttainment
from reporting.models import ComplianceRecord, Timeliness
from targets.models import Level, NationalIndicator, PillarKind
from tests.demo_data import demo, demo_module  # noqa: F401
from tests.factories import (
    IndicatorFactory,
    PeriodFactory,
    PillarFactory,
    PlanFactory,
    TargetFactory,
)
from tests.targets.seeding import seeded_module  # noqa: F401  (the real fixtures, per module)

STATUSES = [Status.ACHIEVED, Status.ON_TRACK, Status.MISSED, Status.DETERIORATING]
TIMELINESS = [Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING]


@dataclass
class CityData:
    plan: object
    targets: list
    periods: list
    national: object


def _now():
    return timezone.make_aware(datetime(2026, 1, 20, 9))


def build_city_data(*, city, units, n_targets: int, dataset: str = Dataset.OFFICIAL,
                    national=None, plan_code: str | None = None) -> CityData:
    """A plan with n_targets city targets (2025 and 2030), 4 quarters of results each,
    per-pillar rollups and compliance records of every unit."""
    government = PillarFactory()
    economy = PillarFactory(code="digital_economy", kind=PillarKind.PILLAR,
                            name_vi="Kinh tế số", name_en="Digital economy", order=1)
    plan = PlanFactory(code=plan_code or f"{city.code.lower()}-plan", city=city)
    periods = [PeriodFactory(year=2025, quarter=q) for q in (1, 2, 3, 4)]
    national = national or NationalIndicator.objects.get_or_create(
        code="N749-DVC-L4", defaults={"name_vi": "Tỷ lệ DVC mức độ 4",
                                      "name_en": "Share of level-4 online services"})[0]
    targets = []
    for i in range(n_targets):
        pillar = government if i % 2 == 0 else economy
        indicator = IndicatorFactory(code=f"{plan.code}-ind-{i}", pillar=pillar,
                                     national_indicator=national if i == 0 else None)
        target = TargetFactory(plan=plan, code=f"t-{i}", indicator=indicator,
                               year=2025 if i % 3 else 2030, value=Decimal("80"),
                               responsible=[units[i % len(units)]])
        targets.append(target)
        for j, period in enumerate(periods):
            latest = j == len(periods) - 1
            value = 1234.5 if i == 0 and latest else 40.0 + 10 * j + i
            TargetAttainment.objects.create(
                dataset=dataset, target=target, scope=Scope.COMBINED, unit=city, period=period,
                is_latest=latest, actual_value=value, effective_target=80.0,
                attainment_pct=min(100.0, value / 80 * 100), status=STATUSES[i % len(STATUSES)],
                projected_linear=85.0, base_value=40.0, base_t=2025.25, computed_at=_now(),
            )
            TargetAttainment.objects.create(
                dataset=dataset, target=target, scope=Scope.UNIT, unit=units[i % len(units)],
                period=period, is_latest=latest, actual_value=value, effective_target=80.0,
                attainment_pct=50.0, status=STATUSES[i % len(STATUSES)], computed_at=_now(),
            )
    for pillar in (government, economy):
        for year in (None, 2025, 2030):
            Rollup.objects.create(
                dataset=dataset, scope=RollupScope.PILLAR, city=city, plan=plan, pillar=pillar,
                target_year=year, key=f"{dataset}|pillar|{plan.pk}|{pillar.pk}|{year}",
                n_targets=n_targets, status_counts={Status.ACHIEVED: 1}, mean_attainment=62.5,
                computed_at=_now(),
            )
    for k, unit in enumerate(units):
        for j, period in enumerate(periods):
            timeliness = TIMELINESS[(k + j) % len(TIMELINESS)]
            ComplianceRecord.objects.update_or_create(
                dataset=dataset, unit=unit, period=period, defaults={
                "timeliness": timeliness,
                "submitted_at": None if timeliness == Timeliness.MISSING
                else timezone.make_aware(datetime.combine(period.deadline, datetime.min.time()))
                + timedelta(days=3 if timeliness == Timeliness.LATE else -1),
                "days_late": 3 if timeliness == Timeliness.LATE else None,
                "computed_at": _now()},
            )
    return CityData(plan, targets, periods, national)


@pytest.fixture
def city_data(city, doit, department, district):
    return build_city_data(city=city, units=[doit, department, district], n_targets=6)


@pytest.fixture
def split_target(city_data, district, commune):
    """One indicator with a district-level and a commune-level target, one result per unit."""
    plan, period = city_data.plan, city_data.periods[-1]
    indicator = IndicatorFactory(code="work-records", name_vi="Hồ sơ công việc trên mạng",
                                 name_en="Work records online")
    district_target = TargetFactory(plan=plan, code="wr-district", indicator=indicator,
                                    level=Level.DISTRICT, value=Decimal("80"),
                                    responsible=[district])
    commune_target = TargetFactory(plan=plan, code="wr-commune", indicator=indicator,
                                   level=Level.COMMUNE, value=Decimal("60"),
                                   responsible=[commune])
    for target, unit, value, status in ((district_target, district, 82.0, Status.ACHIEVED),
                                        (commune_target, commune, 41.5, Status.MISSED)):
        TargetAttainment.objects.create(
            dataset=Dataset.OFFICIAL, target=target, scope=Scope.UNIT, unit=unit, period=period,
            is_latest=True, actual_value=value, effective_target=float(target.value),
            attainment_pct=min(100.0, value / float(target.value) * 100), status=status,
            computed_at=_now(),
        )
    return district_target
