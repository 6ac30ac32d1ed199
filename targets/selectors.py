"""Reads of the catalogue: plans, targets by city, unit and year, and cross-city comparison."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, QuerySet

from reporting.models import PeriodKind
from targets.models import Frequency, Indicator, NationalIndicator, Pillar, Plan, Target
from units.models import Unit, existed_during


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


# Which kind of period asks for which indicators: a ranking or a share of GRDP is measured
# once a year, so a quarter never asks for it and a year asks for nothing else.
FREQUENCY_OF_PERIOD_KIND = {
    PeriodKind.QUARTER: Frequency.QUARTERLY,
    PeriodKind.YEAR: Frequency.YEARLY,
}


@dataclass(frozen=True)
class Responsibility:
    """A unit answers for a target from `since` (None: from the start)."""

    unit_id: int
    target_id: int
    indicator_id: int
    year: int
    since: date | None
    unit_valid_from: date | None = None
    unit_valid_to: date | None = None
    frequency: str = Frequency.QUARTERLY

    def covers(self, *, period_start: date, period_end: date, period_year: int,
               period_kind: str) -> bool:
        """Whether the unit owes this target's figure for a period: the unit exists then, the
        indicator is measured in periods of that kind, the target's year is not past, and the
        duty has begun."""
        return (
            FREQUENCY_OF_PERIOD_KIND.get(period_kind) == self.frequency
            and self.year >= period_year
            and (self.since is None or self.since <= period_end)
            and existed_during(self.unit_valid_from, self.unit_valid_to, period_start,
                               period_end)
        )


def responsibilities(*, unit_ids=None, city: Unit | None = None,
                     target_ids=None) -> list[Responsibility]:
    """Who answers for which target, and since when, in one query (optionally one city's units,
    or some targets only).

    A unit listed beside the unit it absorbed (DOIT into Science and Technology in March
    2025) inherited the duty: it answers only from the day its predecessor ended.
    """
    through = Target.responsible_units.through
    rows = through.objects.all()
    if unit_ids is not None:
        rows = rows.filter(target__in=through.objects.filter(unit_id__in=list(unit_ids))
                           .values("target_id"))
    if city is not None:
        rows = rows.filter(unit__city=city)
    if target_ids is not None:
        rows = rows.filter(target_id__in=sorted(target_ids))
    by_target: dict[int, list[tuple]] = {}
    for row in rows.values_list("target_id", "unit_id", "target__indicator_id", "target__year",
                                "unit__successor_id", "unit__valid_to", "unit__valid_from",
                                "target__indicator__frequency"):
        by_target.setdefault(row[0], []).append(row)
    wanted = None if unit_ids is None else set(unit_ids)
    result = []
    for target_id, members in by_target.items():
        handed_over: dict[int, date] = {}
        for _, _, _, _, successor_id, valid_to, _, _ in members:
            if successor_id and valid_to:
                handed_over[successor_id] = min(valid_to, handed_over.get(successor_id, valid_to))
        for _, unit_id, indicator_id, year, _, valid_to, valid_from, frequency in members:
            if wanted is None or unit_id in wanted:
                result.append(Responsibility(unit_id, target_id, indicator_id, year,
                                             handed_over.get(unit_id), valid_from, valid_to,
                                             frequency))
    return result


@dataclass
class DefinitionSpan:
    """One definition of an indicator and the official figures read with it."""

    version: object  # targets.models.DefinitionVersion
    until: date | None  # the day the next definition took over (exclusive)
    periods: list  # [(period code, figures)] of periods ending while it was in force


@dataclass
class IndicatorProfile:
    """What an indicator page shows: the definition, who reports, every target, its changes."""

    indicator: Indicator
    targets: list[Target]
    changes: list
    definitions: list[DefinitionSpan]


def indicator_profile(*, code: str, city_ids: set[int] | None = None) -> IndicatorProfile | None:
    """An indicator with every city's targets on it, its recorded changes, and its
    definitions over time with the official figures each one labels (of the readable cities,
    `city_ids`; None: all); five queries."""
    from reporting.models import ApprovedFigure, FigureOrigin
    from targets.models import CatalogueChange

    indicator = (Indicator.objects.select_related("pillar", "national_indicator")
                 .prefetch_related("definitions").filter(code=code).first())
    if indicator is None:
        return None
    targets = list(
        targets_for(indicator=indicator).prefetch_related("amendments")
        .order_by("plan__city__code", "plan__code", "year", "level", "code")
    )
    changes = list(CatalogueChange.objects.filter(indicator=indicator).select_related("user"))
    figures = ApprovedFigure.objects.filter(
        indicator=indicator, superseded_at__isnull=True,
        origin__in=(FigureOrigin.DOCUMENT, FigureOrigin.REPORT))
    if city_ids is not None:
        figures = figures.filter(unit__city_id__in=city_ids)
    per_period = list(figures.values("period__year", "period__quarter", "period__ends_on")
                      .annotate(n=Count("pk")).order_by("period__ends_on", "period__quarter"))
    versions = indicator.definition_versions()
    spans = []
    for i, version in enumerate(versions):
        until = versions[i + 1].effective_from if i + 1 < len(versions) else None
        spans.append(DefinitionSpan(version, until, [
            (f"{row['period__year']}-Q{row['period__quarter']}" if row["period__quarter"]
             else str(row["period__year"]), row["n"])
            for row in per_period
            # A period is read with the definition in force on its last day.
            if (version.effective_from is None or version.effective_from <= row["period__ends_on"])
            and (until is None or row["period__ends_on"] < until)
        ]))
    return IndicatorProfile(indicator, targets, changes, spans)
