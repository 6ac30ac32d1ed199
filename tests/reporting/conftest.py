"""Shared fixtures of the reporting tests: an open quarter and the department's indicators.

Sở Nội vụ (department_reporter) is responsible for five indicators, one per kind of input:
a percentage, a count, a fraction (percent from numerator/denominator), a rank and a
milestone. Phường 1 (commune_clerk) reports the percentage only.
"""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from reporting.models import Period, PeriodKind
from targets.models import Comparator, Direction, Measure
from tests.demo_data import demo, demo_module  # noqa: F401
from tests.factories import IndicatorFactory, PlanFactory, TargetFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def period(db):
    """A quarter open for entry, due in ten days."""
    today = timezone.localdate()
    return Period.objects.create(
        kind=PeriodKind.QUARTER, year=today.year, quarter=(today.month - 1) // 3 + 1,
        starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=3),
        opens_on=today - timedelta(days=17), deadline=today + timedelta(days=10),
    )


@pytest.fixture
def previous_period(period):
    year, quarter = (period.year, period.quarter - 1) if period.quarter > 1 else (
        period.year - 1, 4)
    return Period.objects.create(
        kind=PeriodKind.QUARTER, year=year, quarter=quarter,
        starts_on=period.starts_on - timedelta(days=91), ends_on=period.starts_on - timedelta(1),
        opens_on=period.starts_on - timedelta(days=15), deadline=period.starts_on + timedelta(14),
    )


@pytest.fixture
def plan(city):
    return PlanFactory(code="tc-plan", city=city)


@pytest.fixture
def indicators(db):
    return {
        "pct": IndicatorFactory(code="dvc-online", measure=Measure.PERCENT,
                                name_vi="Tỷ lệ dịch vụ công trực tuyến"),
        "cnt": IndicatorFactory(code="open-datasets", measure=Measure.COUNT,
                                name_vi="Số bộ dữ liệu mở"),
        "frac": IndicatorFactory(code="key-tasks", measure=Measure.PERCENT, fraction=True,
                                 name_vi="Nhiệm vụ trọng tâm hoàn thành"),
        "rank": IndicatorFactory(code="dti-rank", measure=Measure.RANK,
                                 direction=Direction.LOWER, name_vi="Xếp hạng DTI"),
        "ms": IndicatorFactory(code="ioc", measure=Measure.MILESTONE,
                               name_vi="Trung tâm điều hành thông minh"),
    }


@pytest.fixture
def targets(plan, indicators, department, commune):
    made = {
        "pct": TargetFactory(plan=plan, indicator=indicators["pct"], year=2030,
                             value=Decimal("90"), responsible=[department, commune]),
        "pct2035": TargetFactory(plan=plan, indicator=indicators["pct"], year=2035,
                                 value=Decimal("100"), responsible=[department]),
        "cnt": TargetFactory(plan=plan, indicator=indicators["cnt"], year=2030,
                             value=Decimal("50"), responsible=[department]),
        "frac": TargetFactory(plan=plan, indicator=indicators["frac"], year=2030,
                              value=Decimal("100"), responsible=[department]),
        "rank": TargetFactory(plan=plan, indicator=indicators["rank"], year=2030,
                              comparator=Comparator.TOP_N, value=Decimal("10"),
                              responsible=[department]),
        "ms": TargetFactory(plan=plan, indicator=indicators["ms"], year=2030,
                            comparator=Comparator.MILESTONE, value=None,
                            responsible=[department]),
    }
    return made


FULL_VALUES = {
    "dvc-online": {"value": "85,5 %", "comment": "Theo báo cáo tháng"},
    "open-datasets": {"value": "1.000"},
    "key-tasks": {"numerator": "9", "denominator": "33"},
    "dti-rank": {"value": "5"},
    "ioc": {"milestone_state": "in_progress"},
}


@pytest.fixture
def full_values():
    return {code: dict(fields) for code, fields in FULL_VALUES.items()}


@pytest.fixture
def recompute():
    """The attainment task, replaced so that tests see what approval queues."""
    with mock.patch("attainment.tasks.recompute_targets") as task:
        yield task


def form_data(values: dict, version, action="save") -> dict:
    """POST data of the entry form from {code: {field: text}}."""
    data = {"version": str(version), "action": action}
    for code, fields in values.items():
        for field, text in fields.items():
            data[f"{field}_{code}"] = text
    return data
