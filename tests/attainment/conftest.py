"""Helpers for the attainment engine tests: figures in a few words, a recompute at a fixed day."""

from datetime import date
from decimal import Decimal

import pytest

from attainment.models import Scope, TargetAttainment
from attainment.services import attainment_recompute
from reporting.models import FigureOrigin
from reporting.periods import period_from_code
from tests.factories import ApprovedFigureFactory

# The engine's "today" in most tests: 31 Dec 2024 ends at decimal year 2025.0, a year
# before a 2025 target falls due (end of 2025 = 2026.0).
TODAY = date(2024, 12, 31)


def period(code: str):
    """'2022' for a year, '2023-Q3' for a quarter."""
    return period_from_code(code)


def figure(indicator, unit, code: str, value=None, *, origin=FigureOrigin.REPORT, **fields):
    if value is not None:
        fields["value"] = Decimal(str(value))
    else:
        fields.setdefault("value", None)
    return ApprovedFigureFactory(
        indicator=indicator, unit=unit, period=period(code), origin=origin, **fields
    )


def recompute(dataset="official", today=TODAY, **kwargs):
    return attainment_recompute(dataset=dataset, trigger="test", today=today, **kwargs)


def latest(target, *, dataset="official", scope=Scope.COMBINED, unit=None) -> TargetAttainment:
    qs = TargetAttainment.objects.filter(
        dataset=dataset, target=target, scope=scope, is_latest=True
    )
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.get()


def row(target, code: str, *, dataset="official", scope=Scope.COMBINED, unit=None):
    qs = TargetAttainment.objects.filter(
        dataset=dataset, target=target, scope=scope, period=period(code)
    )
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.get()


def snapshot(dataset: str | None = None) -> list[tuple]:
    """Every stored result as comparable tuples (no ids, no timestamps)."""
    from attainment.models import Rollup
    from reporting.models import ComplianceRecord

    skip = {"id", "computed_at"}
    out = []
    for model in (TargetAttainment, Rollup, ComplianceRecord):
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        qs = model.objects.all() if dataset is None else model.objects.filter(dataset=dataset)
        rows = [
            (model.__name__, *(sorted(v.items()) if isinstance(v, dict) else v for v in r))
            for r in qs.values_list(*names)
        ]
        out += sorted(rows, key=repr)
    return out


@pytest.fixture
def today():
    return TODAY
