"""The API's reads: stored results through the attainment selectors, plus the few joins the API
adds (national indicator, period) so every list is served in a fixed number of queries."""

from django.db.models import Exists, Model, OuterRef, QuerySet

from attainment import selectors as attainment_selectors
from attainment.models import Rollup, Scope, TargetAttainment
from reporting.models import ComplianceRecord, Period

_ATTAINMENT_RELATED = (
    "target__plan__city",
    "target__indicator__pillar",
    "target__indicator__national_indicator",
    "unit",
    "period",
)


def attainment_rows(
    *,
    dataset: str,
    scope: str,
    period: Period | None = None,
    city: Model | None = None,
    plan: Model | None = None,
    pillar: Model | None = None,
    indicator: Model | None = None,
    unit: Model | None = None,
    year: int | None = None,
    status: str | None = None,
) -> QuerySet[TargetAttainment]:
    """Each target's latest result, or its result as of `period` when one is given."""
    if period is None:
        qs = attainment_selectors.latest_attainment(
            dataset=dataset, scope=scope, city=city, plan=plan, pillar=pillar,
            indicator=indicator, year=year, unit=unit, status=status,
        )
        return qs.select_related(*_ATTAINMENT_RELATED)
    # The selector picks the targets (and units) the filters select; their rows computed as
    # of `period` answer "where did we stand then", with the status they had then.
    latest = attainment_selectors.latest_attainment(
        dataset=dataset, scope=scope, city=city, plan=plan, pillar=pillar,
        indicator=indicator, year=year, unit=unit,
    )
    same = latest.filter(target=OuterRef("target"))
    if scope == Scope.UNIT:
        same = same.filter(unit=OuterRef("unit"))
    # The chosen targets named apart from the Exists, so that their rows are found through
    # attainment_unique (led by target): no index leads with the period.
    qs = TargetAttainment.objects.filter(
        dataset=dataset, scope=scope, period=period,
        target_id__in=latest.order_by().values("target_id"),
    ).filter(Exists(same.order_by().values("pk")))
    if status is not None:
        qs = qs.filter(status=status)
    return qs.select_related(*_ATTAINMENT_RELATED).order_by(*latest.query.order_by)


def rollup_rows(
    *,
    dataset: str,
    scope: str,
    city: Model | None = None,
    plan: Model | None = None,
    pillar: Model | None = None,
    unit: Model | None = None,
    year: int | None = None,
) -> QuerySet[Rollup]:
    """Stored rollups of one scope, as the dashboards read them."""
    return attainment_selectors.rollups(
        dataset=dataset, scope=scope, city=city, plan=plan, pillar=pillar, unit=unit, year=year
    )


def completeness_rows() -> QuerySet[ComplianceRecord]:
    """Every stored compliance record with its unit, city and period."""
    return ComplianceRecord.objects.select_related("unit__city", "period").order_by(
        "-period__starts_on", "unit__kind", "unit__code"
    )
