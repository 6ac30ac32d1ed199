"""Admin for the catalogue: plans with their targets, pillars, national indicators, indicators."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from dxtracker.audit import ReadOnlyAdminMixin
from targets.documents import DocumentError, document_text_from_upload
from targets.models import (
    CatalogueChange,
    ChangeSource,
    Indicator,
    IndicatorDefinition,
    NationalIndicator,
    Pillar,
    Plan,
    Target,
)
from targets.services import catalogue_recompute, change_record, document_digest
from targets.validation import city_kinds, draft_of, sentence_in_document, target_problems
from units.admin import CityFilter

PLAN_FIELDS = ("code", "city", "title_vi", "title_en", "document_number", "issued_on",
               "issuing_body_vi", "issuing_body_en", "legal_basis", "horizon_years",
               "source_file", "note_vi", "note_en", "document_text")
INDICATOR_FIELDS = ("pillar", "name_vi", "name_en", "measure", "direction", "aggregation",
                    "fraction", "national_indicator", "frequency", "reports_change")
TARGET_FIELDS = ("plan", "indicator", "year", "level", "comparator", "value", "aggregation",
                 "unit_comparator", "unit_value", "baseline_value", "baseline_year",
                 "baseline_source", "responsible_kinds", "reading_vi", "reading_en")


class RecordedAdminMixin:
    """An edit in the admin is recorded (who, when, old -> new) and recomputes what it moves."""

    recorded_fields: tuple[str, ...] = ()

    def _snapshot(self, obj) -> dict:
        return {name: getattr(obj, name) for name in self.recorded_fields}

    def save_model(self, request, obj, form, change):
        old = None
        if change:
            old = self._snapshot(type(obj).objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)
        change_record(user=request.user, source=ChangeSource.ADMIN, obj=obj, old=old,
                      new=self._snapshot(obj))
        catalogue_recompute(target_ids=self.affected_targets(obj))

    def affected_targets(self, obj) -> list[int]:
        return []


def _has_results(target_ids) -> bool:
    # attainment depends on targets, so the results are looked up here, not imported above
    from attainment.models import TargetAttainment

    return TargetAttainment.objects.filter(target_id__in=target_ids).exists()


@admin.display(description=_("name"), ordering="name_vi")
def localized_name(obj) -> str:
    return obj.name


class TargetInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Listed only: a target is changed on its own page, which records the change and
    recomputes it (an edit here would bypass both)."""

    model = Target
    extra = 0
    fields = ("code", "indicator", "year", "level", "comparator", "value", "baseline_value",
              "baseline_year", "source_sentence")
    readonly_fields = fields
    show_change_link = True
    ordering = ("year", "indicator__pillar__order", "indicator__code", "level")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator", "indicator__pillar")


class PlanAdminForm(forms.ModelForm):
    document_file = forms.FileField(
        label=_("Replace the text from a file (.docx, .pdf or .txt)"), required=False,
        help_text=_("The text extracted from the file replaces the document text above."))

    class Meta:
        model = Plan
        fields = PLAN_FIELDS

    def clean(self):
        """A document text must hold every quote of the plan's targets (the rule of
        targets/validation.py, seen from the plan's side)."""
        data = super().clean()
        upload = data.get("document_file")
        if upload:
            try:
                data["document_text"] = document_text_from_upload(upload)
            except DocumentError as exc:
                self.add_error("document_file", exc.message)
                return data
        text = data.get("document_text") or ""
        if text and self.instance.pk:
            missing = [code for code, sentence in self.instance.targets.values_list(
                "code", "source_sentence") if not sentence_in_document(sentence, text)]
            if missing:
                self.add_error("document_text" if not upload else "document_file", _(
                    "The source sentences of these targets do not occur in this text: "
                    "%(codes)s. Attach the plan's own document, or correct the quotes first.")
                    % {"codes": ", ".join(missing)})
        return data

    def save(self, commit=True):
        if self.cleaned_data.get("document_file"):
            self.instance.document_text = self.cleaned_data["document_text"]
        return super().save(commit)


@admin.register(Plan)
class PlanAdmin(RecordedAdminMixin, admin.ModelAdmin):
    form = PlanAdminForm
    recorded_fields = PLAN_FIELDS
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
        (_("Document"), {"fields": ("document_text", "document_file")}),
    )

    def _snapshot(self, obj) -> dict:
        # The change log names a document text by its fingerprint, not the whole text.
        snapshot = super()._snapshot(obj)
        snapshot["document_text"] = document_digest(obj.document_text)
        return snapshot

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_targets=Count("targets"))

    def affected_targets(self, obj) -> list[int]:
        return list(obj.targets.values_list("pk", flat=True))

    def has_delete_permission(self, request, obj=None):
        # A plan whose targets have results is retired by a document, never deleted.
        if obj is not None and _has_results(obj.targets.values_list("pk", flat=True)):
            return False
        return super().has_delete_permission(request, obj)

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
class IndicatorAdmin(RecordedAdminMixin, admin.ModelAdmin):
    recorded_fields = INDICATOR_FIELDS
    list_display = ("code", localized_name, "pillar", "measure", "direction", "aggregation",
                    "fraction", "frequency", "national_indicator")
    list_filter = ("pillar", "measure", "frequency", "direction", "aggregation",
                   "national_indicator")
    search_fields = ("code", "name_vi", "name_en", "national_indicator__code")
    list_select_related = ("pillar", "national_indicator")
    autocomplete_fields = ("national_indicator",)

    def affected_targets(self, obj) -> list[int]:
        return list(obj.targets.values_list("pk", flat=True))


class PillarFilter(admin.SimpleListFilter):
    title = _("pillar")
    parameter_name = "pillar"

    def lookups(self, request, model_admin):
        return [(p.pk, p.name) for p in Pillar.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(indicator__pillar_id=self.value())
        return queryset


class TargetAdminForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ("code", *TARGET_FIELDS, "responsible_units", "source_file",
                  "source_sentence")

    def clean(self):
        """The rules of targets/validation.py, as load_seed and the plan import apply them."""
        data = super().clean()
        target, plan = self.instance, data.get("plan") or getattr(self.instance, "plan", None)
        if plan is None or data.get("indicator") is None:
            return data
        for name in (*TARGET_FIELDS, "source_sentence"):
            if name in data:
                setattr(target, name, data[name])
        named = [u for u in data.get("responsible_units", [])
                 if u.kind not in (data.get("responsible_kinds") or ())]
        successors = {u.successor_id for u in named}
        named = [u for u in named if u.pk not in successors]
        draft = draft_of(target, named_units=named, kinds_in_city=city_kinds(plan.city))
        for problem in target_problems(draft):
            field = problem.field if problem.field in self.fields else None
            if problem.field == "responsible":
                field = "responsible_units"
            self.add_error(field, problem.message)
        return data


@admin.register(Target)
class TargetAdmin(RecordedAdminMixin, admin.ModelAdmin):
    form = TargetAdminForm
    recorded_fields = (*TARGET_FIELDS, "source_sentence")
    list_display = ("code", "plan", "indicator", "year", "level", "described", "source_file")
    list_filter = ("plan", "year", "level", "comparator", PillarFilter)
    search_fields = ("code", "source_sentence", "indicator__code", "indicator__name_vi",
                     "indicator__name_en")
    list_select_related = ("plan", "indicator", "indicator__pillar")
    autocomplete_fields = ("indicator", "responsible_units")
    fieldsets = (
        (None, {"fields": ("plan", "code", "indicator", "year", "level")}),
        (_("Target value"), {"fields": ("comparator", "value", "baseline_value",
                                        "baseline_year", "baseline_source", "reading_vi",
                                        "reading_en")}),
        (_("How the value is formed"), {"fields": ("aggregation", "unit_comparator",
                                                   "unit_value")}),
        (_("Responsible units"), {"fields": ("responsible_units", "responsible_kinds")}),
        (_("Source"), {"fields": ("source_file", "source_sentence")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The quote is the evidence for the numbers: once transcribed it is not edited here.
        return ("source_file", "source_sentence") if obj is not None else ()

    @admin.display(description=_("target"), ordering="value")
    def described(self, obj):
        return obj.describe()

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.responsible_units.values_list("code", flat=True))
        super().save_related(request, form, formsets, change)
        after = set(form.instance.responsible_units.values_list("code", flat=True))
        if change and before != after:
            change_record(user=request.user, source=ChangeSource.ADMIN, obj=form.instance,
                          old={"responsible": ", ".join(sorted(before))},
                          new={"responsible": ", ".join(sorted(after))})

    def affected_targets(self, obj) -> list[int]:
        return [obj.pk]

    def has_delete_permission(self, request, obj=None):
        # A target with results is retired by a document (an amendment), never deleted.
        if obj is not None and _has_results([obj.pk]):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(CatalogueChange)
class CatalogueChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The record of catalogue edits: read only, nobody edits history."""

    list_display = ("at", "user", "action", "source", "plan", "indicator", "target")
    list_filter = ("action", "source")
    list_select_related = ("user", "plan", "indicator", "target")
    search_fields = ("target__code", "indicator__code", "plan__code", "user__username")


@admin.register(IndicatorDefinition)
class IndicatorDefinitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Definitions are recorded on the indicator's page (targets:indicator_definition), which
    keeps the earlier one and logs the change; here they are only read."""

    list_display = ("indicator", "effective_from", "document_number", "created_by",
                    "created_at")
    list_select_related = ("indicator", "created_by")
    search_fields = ("indicator__code", "document_number", "text_vi")
