"""Query filters of every list. Related objects are named by their codes, periods as 2024-Q1."""

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import PermissionDenied

from api import selectors
from api.periodcodes import PERIOD_CODE_PATTERN, period_by_code
from attainment.models import Dataset, Rollup, RollupScope, Scope, Status, TargetAttainment
from reporting.models import ComplianceRecord, Period, PeriodKind, Report, ReportState, Timeliness
from targets.models import (
    CatalogueChange,
    ChangeSource,
    Comparator,
    Indicator,
    IndicatorDefinition,
    Level,
    Measure,
    NationalIndicator,
    Pillar,
    PillarKind,
    Plan,
    Target,
    TargetAmendment,
)
from units.access import reads_city_id
from units.models import Unit, UnitKind


class PeriodCodeField(forms.Field):
    """'2024-Q1' (a quarter) or '2024' (a year), resolved to an existing period."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return period_by_code(value)


@extend_schema_field({"type": "string", "pattern": PERIOD_CODE_PATTERN, "example": "2024-Q1"})
class PeriodFilter(filters.Filter):
    field_class = PeriodCodeField


class IntegerFilter(filters.NumberFilter):
    """A whole number within bounds, so an absurd value is a 400 rather than a database error."""

    field_class = forms.IntegerField


def _year(**kwargs) -> IntegerFilter:
    return IntegerFilter(min_value=1900, max_value=2200, **kwargs)


def _by_code(queryset, **kwargs) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(queryset=queryset, to_field_name="code", **kwargs)


def _cities():
    return Unit.objects.filter(kind=UnitKind.PROVINCE)


def _ordering(*pairs: tuple[str, str]) -> filters.OrderingFilter:
    return filters.OrderingFilter(
        fields=pairs,
        help_text=_("Sort by these fields, comma-separated; a leading '-' sorts descending."),
    )


class PlanFilter(filters.FilterSet):
    city = _by_code(_cities(), field_name="city", help_text=_("City code"))
    ordering = _ordering(("code", "code"), ("issued_on", "issued_on"), ("city__code", "city"))

    class Meta:
        model = Plan
        fields = ["city"]


class PillarFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=PillarKind.choices)
    ordering = _ordering(("order", "order"), ("code", "code"))

    class Meta:
        model = Pillar
        fields = ["kind"]


class NationalIndicatorFilter(filters.FilterSet):
    ordering = _ordering(("code", "code"))

    class Meta:
        model = NationalIndicator
        fields: list[str] = []


class IndicatorFilter(filters.FilterSet):
    pillar = _by_code(Pillar.objects.all(), field_name="pillar", help_text=_("Pillar code"))
    national_indicator = _by_code(
        NationalIndicator.objects.all(), field_name="national_indicator",
        help_text=_("National indicator code"),
    )
    measure = filters.ChoiceFilter(choices=Measure.choices)
    plan = _by_code(Plan.objects.all(), field_name="targets__plan", distinct=True,
                    help_text=_("Plan code: indicators with a target in that plan"))
    ordering = _ordering(("code", "code"), ("pillar__order", "pillar"))

    class Meta:
        model = Indicator
        fields = ["pillar", "national_indicator", "measure", "plan"]


class TargetFilter(filters.FilterSet):
    city = _by_code(_cities(), field_name="plan__city", help_text=_("City code"))
    plan = _by_code(Plan.objects.all(), field_name="plan", help_text=_("Plan code"))
    pillar = _by_code(Pillar.objects.all(), field_name="indicator__pillar",
                      help_text=_("Pillar code"))
    indicator = _by_code(Indicator.objects.all(), field_name="indicator",
                         help_text=_("Indicator code"))
    national_indicator = _by_code(
        NationalIndicator.objects.all(), field_name="indicator__national_indicator",
        help_text=_("National indicator code"),
    )
    year = _year(field_name="year", help_text=_("Target year"))
    level = filters.ChoiceFilter(choices=Level.choices)
    comparator = filters.ChoiceFilter(choices=Comparator.choices)
    unit = _by_code(Unit.objects.all(), field_name="responsible_units",
                    help_text=_("Code of a responsible unit"))
    ordering = _ordering(("year", "year"), ("code", "code"), ("plan__code", "plan"),
                         ("indicator__code", "indicator"))

    class Meta:
        model = Target
        fields = ["city", "plan", "pillar", "indicator", "national_indicator", "year", "level",
                  "comparator", "unit"]


class UnitFilter(filters.FilterSet):
    # ISO dates only: a machine client's date must not be read differently by language.
    as_of = filters.DateFilter(
        method="filter_as_of", input_formats=["%Y-%m-%d"],
        help_text=_("Only units that exist on this day (YYYY-MM-DD): the tree as it was then."),
    )
    city = _by_code(_cities(), field_name="city", help_text=_("City code"))
    parent = _by_code(Unit.objects.all(), field_name="parent", help_text=_("Parent unit code"))
    kind = filters.ChoiceFilter(choices=UnitKind.choices)
    ordering = _ordering(("code", "code"), ("kind", "kind"), ("valid_from", "valid_from"))

    class Meta:
        model = Unit
        fields = ["as_of", "city", "parent", "kind"]

    def filter_as_of(self, queryset, name, value):
        return queryset.existing(value)


class PeriodListFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=PeriodKind.choices)
    year = _year()
    quarter = IntegerFilter(min_value=1, max_value=4)
    ordering = _ordering(("starts_on", "starts_on"), ("deadline", "deadline"))

    class Meta:
        model = Period
        fields = ["kind", "year", "quarter"]


class ReportFilter(filters.FilterSet):
    city = _by_code(_cities(), field_name="unit__city", help_text=_("City code"))
    unit = _by_code(Unit.objects.all(), field_name="unit", help_text=_("Unit code"))
    period = PeriodFilter(field_name="period", help_text=_("Period code, e.g. 2024-Q1"))
    year = _year(field_name="period__year", help_text=_("Year of the period"))
    state = filters.ChoiceFilter(choices=ReportState.choices)
    is_overdue = filters.BooleanFilter()
    dataset = filters.ChoiceFilter(
        choices=Dataset.choices, method="filter_dataset",
        help_text=_("official (default for lists): real reports; demo: demo reports"),
    )
    ordering = _ordering(("period__starts_on", "period"), ("unit__code", "unit"),
                         ("updated_at", "updated_at"), ("submitted_at", "submitted_at"))

    class Meta:
        model = Report
        fields = ["city", "unit", "period", "year", "state", "is_overdue", "dataset"]

    def filter_dataset(self, queryset, name, value):
        return queryset.filter(is_demo=value == Dataset.DEMO)


class _StoredResultFilter(filters.FilterSet):
    """Base of the attainment engine's stored results: a dataset, official unless asked."""

    dataset = filters.ChoiceFilter(
        choices=Dataset.choices, method="keep",
        help_text=_("official (default): document and approved-report figures; demo: demo data"),
    )

    def keep(self, queryset, name, value):
        # Read in filter_queryset, where the selector needs it before any other filter.
        return queryset

    def refuse_unreadable(self) -> None:
        """A city, unit or plan of a city the caller does not read is refused, not answered
        with an empty list that would read as "that city has no results"."""
        user = self.request.user if self.request is not None else None
        for name in ("city", "unit", "plan"):
            named = self.form.cleaned_data.get(name)
            if named is None:
                continue
            city_id = named.city_id or named.pk
            if not reads_city_id(user, city_id):
                raise PermissionDenied(_("You may not read this city's results."))

    def value(self, name, default=None):
        return self.form.cleaned_data.get(name) or default


class AttainmentFilter(_StoredResultFilter):
    scope = filters.ChoiceFilter(
        choices=Scope.choices, method="keep",
        help_text=_(
            "combined (default): all responsible units together; unit: one row per unit"
        ),
    )
    city = _by_code(
        _cities(), field_name="target__plan__city", method="keep", help_text=_("City code")
    )
    plan = _by_code(
        Plan.objects.all(), field_name="target__plan", method="keep", help_text=_("Plan code")
    )
    pillar = _by_code(
        Pillar.objects.all(), field_name="target__indicator__pillar", method="keep",
        help_text=_("Pillar code"),
    )
    indicator = _by_code(
        Indicator.objects.all(), field_name="target__indicator", method="keep",
        help_text=_("Indicator code"),
    )
    national_indicator = _by_code(
        NationalIndicator.objects.all(), field_name="target__indicator__national_indicator",
        help_text=_("National indicator code"),
    )
    unit = _by_code(Unit.objects.all(), method="keep", help_text=_(
        "Unit code: its own rows with scope=unit, the targets it is responsible for otherwise"
    ))
    year = _year(method="keep", help_text=_("Target year"))
    status = filters.ChoiceFilter(choices=Status.choices, method="keep")
    period = PeriodFilter(method="keep", help_text=_(
        "Attainment as of this period (2024-Q1); the latest result of each target when omitted"
    ))
    ordering = _ordering(
        ("target__year", "year"), ("attainment_pct", "attainment_pct"), ("status", "status"),
        ("target__code", "target"), ("target__indicator__code", "indicator"),
        ("unit__code", "unit"), ("period__starts_on", "period"),
    )

    class Meta:
        model = TargetAttainment
        fields = ["dataset", "scope", "city", "plan", "pillar", "indicator", "national_indicator",
                  "unit", "year", "status", "period"]

    def filter_queryset(self, queryset):
        self.refuse_unreadable()
        qs = selectors.attainment_rows(
            dataset=self.value("dataset", Dataset.OFFICIAL),
            scope=self.value("scope", Scope.COMBINED),
            period=self.value("period"),
            city=self.value("city"),
            plan=self.value("plan"),
            pillar=self.value("pillar"),
            indicator=self.value("indicator"),
            unit=self.value("unit"),
            year=self.value("year"),
            status=self.value("status"),
        )
        for name in ("national_indicator", "ordering"):
            qs = self.filters[name].filter(qs, self.form.cleaned_data.get(name))
        return qs


class RollupFilter(_StoredResultFilter):
    scope = filters.ChoiceFilter(
        choices=RollupScope.choices, method="keep",
        help_text=_("city (default), plan, pillar (within a plan) or unit"),
    )
    city = _by_code(_cities(), method="keep", help_text=_("City code"))
    plan = _by_code(Plan.objects.all(), method="keep", help_text=_("Plan code"))
    pillar = _by_code(Pillar.objects.all(), method="keep", help_text=_("Pillar code"))
    unit = _by_code(Unit.objects.all(), method="keep", help_text=_("Unit code"))
    year = _year(method="keep", help_text=_(
        "Target year: the rollup of the targets due that year; all years together when omitted"
    ))
    ordering = _ordering(("mean_attainment", "mean_attainment"), ("n_targets", "n_targets"),
                         ("city__code", "city"), ("plan__code", "plan"))

    class Meta:
        model = Rollup
        fields = ["dataset", "scope", "city", "plan", "pillar", "unit", "year"]

    def filter_queryset(self, queryset):
        self.refuse_unreadable()
        qs = selectors.rollup_rows(
            dataset=self.value("dataset", Dataset.OFFICIAL),
            scope=self.value("scope", RollupScope.CITY),
            city=self.value("city"),
            plan=self.value("plan"),
            pillar=self.value("pillar"),
            unit=self.value("unit"),
            year=self.value("year"),
        )
        return self.filters["ordering"].filter(qs, self.form.cleaned_data.get("ordering"))


class CompletenessFilter(_StoredResultFilter):
    city = _by_code(_cities(), field_name="unit__city", help_text=_("City code"))
    unit = _by_code(Unit.objects.all(), field_name="unit", help_text=_("Unit code"))
    kind = filters.ChoiceFilter(field_name="unit__kind", choices=UnitKind.choices,
                                help_text=_("Kind of unit"))
    period = PeriodFilter(field_name="period", help_text=_("Period code, e.g. 2024-Q1"))
    year = _year(field_name="period__year", help_text=_("Year of the period"))
    timeliness = filters.ChoiceFilter(choices=Timeliness.choices)
    ordering = _ordering(("period__starts_on", "period"), ("unit__code", "unit"),
                         ("days_late", "days_late"), ("timeliness", "timeliness"))

    class Meta:
        model = ComplianceRecord
        fields = ["dataset", "city", "unit", "kind", "period", "year", "timeliness"]

    def filter_queryset(self, queryset):
        self.refuse_unreadable()
        queryset = queryset.filter(dataset=self.value("dataset", Dataset.OFFICIAL))
        return super().filter_queryset(queryset)


class _HistoryFilter(filters.FilterSet):
    """Shared by the change log and the amendments: a plan, target or city the caller does
    not read is refused (403), not answered with an empty list."""

    city = _by_code(_cities(), method="keep_code", help_text=_("City code"))
    plan = _by_code(Plan.objects.all(), method="keep_code", help_text=_("Plan code"))
    target = filters.ModelChoiceFilter(queryset=Target.objects.select_related("plan"),
                                       method="keep_id", help_text=_("Target id"))
    indicator = _by_code(Indicator.objects.all(), method="keep_code",
                         help_text=_("Indicator code"))
    # How each filter reaches the row: {name: lookup}, set by the subclasses.
    lookups: dict[str, str] = {}

    # Applied in filter_queryset once the refusals are checked; the hints type the schema.
    def keep_code(self, queryset, name, value: str):
        return queryset

    def keep_id(self, queryset, name, value: int):
        return queryset

    def filter_queryset(self, queryset):
        user = self.request.user if self.request is not None else None
        for name in ("city", "plan", "target"):
            named = self.form.cleaned_data.get(name)
            if named is None:
                continue
            city_id = named.pk if name == "city" else (
                named.city_id if name == "plan" else named.plan.city_id)
            if not reads_city_id(user, city_id):
                raise PermissionDenied(_("You may not read this city's changes."))
        queryset = super().filter_queryset(queryset)
        for name, lookup in self.lookups.items():
            value = self.form.cleaned_data.get(name)
            if value is not None:
                queryset = queryset.filter(**{lookup: value})
        return queryset


class CatalogueChangeFilter(_HistoryFilter):
    lookups = {"city": "plan__city", "plan": "plan", "target": "target",
               "indicator": "indicator"}
    source = filters.ChoiceFilter(choices=ChangeSource.choices)

    class Meta:
        model = CatalogueChange
        fields = ["source"]


class AmendmentFilter(_HistoryFilter):
    lookups = {"city": "target__plan__city", "plan": "target__plan", "target": "target",
               "indicator": "target__indicator"}

    class Meta:
        model = TargetAmendment
        fields: list[str] = []


class DefinitionFilter(filters.FilterSet):
    indicator = _by_code(Indicator.objects.all(), field_name="indicator",
                         help_text=_("Indicator code"))

    class Meta:
        model = IndicatorDefinition
        fields = ["indicator"]
