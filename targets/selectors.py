"""Reads of the catalogue: plans, targets by city, unit and year, and cross-city comparison."""

from django.db.models import Count, Prefetch, QuerySet

from targets.models import Indicator, NationalIndicator, Pillar, Plan, Target
from units.models import Unit


def plans_for(*, city: Unit | None = None) -> QuerySet[Plan]:
    """Plans (optionally of one city) with their city and number of targets."""
    qs = Plan.objects.select_related("city").annotate(n_targets=Count("targets"))
    if city is not None:
        qs = qs.filter(city=city)
    return qs.order_by("city__code", "code")


def targets_for(
    *,
    city: Unit | None = None,
    plan: Plan | None = None,
    pillar: Pillar | None = None,
    indicator: Indicator | None = None,
    year: int | None = None,
) -> QuerySet[Target]:
    """Targets filtered the way lists, dashboards and the API filter them, ready to display.

    Responsible units are prefetched, so a page of targets costs a fixed number of queries.
    """
    qs = Target.objects.select_related(
        "plan", "plan__city", "indicator", "indicator__pillar", "indicator__national_indicator"
    ).prefetch_related(Prefetch("responsible_units", queryset=Unit.objects.order_by("code")))
    if city is not None:
        qs = qs.filter(plan__city=city)
    if plan is not None:
        qs = qs.filter(plan=plan)
    if pillar is not None:
        qs = qs.filter(indicator__pillar=pillar)
    if indicator is not None:
        qs = qs.filter(indicator=indicator)
    if year is not None:
        qs = qs.filter(year=year)
    return qs


def targets_of_unit(*, unit: Unit, not_before_year: int | None = None) -> QuerySet[Target]:
    """Targets `unit` is responsible for, optionally only those due in or after a year."""
    qs = targets_for().filter(responsible_units=unit)
    if not_before_year is not None:
        qs = qs.filter(year__gte=not_before_year)
    return qs


def national_comparison(*, national_indicator: NationalIndicator) -> QuerySet[Target]:
    """Every city's targets on indicators linked to one national indicator (Decision 749).

    The link is what makes the comparison honest: the indicators mean the same thing.
    """
    return targets_for().filter(indicator__national_indicator=national_indicator).order_by(
        "year", "level", "plan__city__code", "plan__code"
    )
