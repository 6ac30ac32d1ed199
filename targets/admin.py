"""Admin for the catalogue: plans with their targets, pillars, national indicators, indicators."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from targets.models import Indicator, NationalIndicator, Pillar, Plan, Target
from units.admin import CityFilter


@admin.display(description=_("name"), ordering="name_vi")
def localized_name(obj) -> str:
    return obj.name


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ("code", "indicator", "year", "level", "comparator", "value", "baseline_value",
              "baseline_year", "source_sentence")
    readonly_fields = ("source_sentence",)
    autocomplete_fields = ("indicator",)
    show_change_link = True
    ordering = ("year", "indicator__pillar__order", "indicator__code", "level")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator", "indicator__pillar")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("code", "display_title", "document_number", "city", "issued_on",
                    "target_count", "source_file")
    list_filter = (CityFilter,)
    search_fields = ("code", "title_vi", "title_en", "document_number")
    list_select_related = ("city",)
    inlines = (TargetInline,)
    fieldsets = (
        (None, {"fields": ("code", "city", "title_vi", "title_en", "document_number",
                           "issued_on", "issuing_body_vi", "issuing_body_en")}),
        (_("Basis and horizon"), {"fields": ("legal_basis", "horizon_years", "source_file",
                                             "note_vi", "note_en")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_targets=Count("targets"))

    @admin.display(description=_("title"), ordering="title_vi")
    def display_title(self, obj):
        return obj.title

    @admin.display(description=_("targets"), ordering="n_targets")
    def target_count(self, obj):
        return obj.n_targets


@admin.register(Pillar)
class PillarAdmin(admin.ModelAdmin):
    list_display = ("code", localized_name, "kind", "order")
    list_filter = ("kind",)
    search_fields = ("code", "name_vi", "name_en")
    ordering = ("order", "code")


@admin.register(NationalIndicator)
class NationalIndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", localized_name, "decision", "indicator_count")
    search_fields = ("code", "name_vi", "name_en")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_indicators=Count("indicators"))

    @admin.display(description=_("indicators"), ordering="n_indicators")
    def indicator_count(self, obj):
        return obj.n_indicators


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", localized_name, "pillar", "measure", "direction", "aggregation",
                    "fraction", "frequency", "national_indicator")
    list_filter = ("pillar", "measure", "frequency", "direction", "aggregation",
                   "national_indicator")
    search_fields = ("code", "name_vi", "name_en", "national_indicator__code")
    list_select_related = ("pillar", "national_indicator")
    autocomplete_fields = ("national_indicator",)


class PillarFilter(admin.SimpleListFilter):
    title = _("pillar")
    parameter_name = "pillar"

    def lookups(self, request, model_admin):
        return [(p.pk, p.name) for p in Pillar.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(indicator__pillar_id=self.value())
        return queryset


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("code", "plan", "indicator", "year", "level", "described", "source_file")
    list_filter = ("plan", "year", "level", "comparator", PillarFilter)
    search_fields = ("code", "source_sentence", "indicator__code", "indicator__name_vi",
                     "indicator__name_en")
    list_select_related = ("plan", "indicator", "indicator__pillar")
    autocomplete_fields = ("indicator", "responsible_units")
    fieldsets = (
        (None, {"fields": ("plan", "code", "indicator", "year", "level")}),
        (_("Target value"), {"fields": ("comparator", "value", "baseline_value",
                                        "baseline_year", "reading_vi", "reading_en")}),
        (_("Responsible units"), {"fields": ("responsible_units",)}),
        (_("Source"), {"fields": ("source_file", "source_sentence")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The quote is the evidence for the numbers: once transcribed it is not edited here.
        return ("source_file", "source_sentence") if obj is not None else ()

    @admin.display(description=_("target"), ordering="value")
    def described(self, obj):
        return obj.describe()
