"""Plans, pillars, indicators, targets, units and periods as machine clients read them."""

from datetime import date

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reporting.models import Period
from targets.models import (
    Indicator,
    IndicatorDefinition,
    NationalIndicator,
    Pillar,
    Plan,
    Target,
    TargetAmendment,
)
from units.models import Unit


def code_field(source: str | None = None, *, null: bool = False) -> serializers.SlugRelatedField:
    """A related object as its code; null=True where there may be none, so the schema says so."""
    kwargs = {"source": source} if source else {}
    return serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=null,
                                        **kwargs)


class PlanSerializer(serializers.ModelSerializer):
    city = code_field()
    title = serializers.CharField(read_only=True, help_text="Title in the request's language")
    issuing_body = serializers.CharField(read_only=True)
    has_document_text = serializers.SerializerMethodField(
        help_text="Whether the plan's document text is attached, so its targets' source "
                  "sentences were checked against it")

    class Meta:
        model = Plan
        fields = ["id", "code", "city", "title", "title_vi", "title_en", "document_number",
                  "issued_on", "issuing_body", "issuing_body_vi", "issuing_body_en",
                  "legal_basis", "horizon_years", "source_file", "has_document_text"]


    def get_has_document_text(self, plan: Plan) -> bool:
        return bool(plan.document_text)


class PillarSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Pillar
        fields = ["id", "code", "kind", "name", "name_vi", "name_en", "order"]


class NationalIndicatorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = NationalIndicator
        fields = ["id", "code", "name", "name_vi", "name_en", "decision"]


class DefinitionVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorDefinition
        fields = ["text_vi", "text_en", "effective_from", "document_number", "document_title"]


class IndicatorSerializer(serializers.ModelSerializer):
    pillar = code_field()
    name = serializers.CharField(read_only=True)
    unit_of_measure = serializers.CharField(read_only=True)
    national_indicator = NationalIndicatorSerializer(read_only=True, allow_null=True)
    definitions = DefinitionVersionSerializer(
        many=True, read_only=True,
        help_text="Later definitions, each in force from a date by a document (the name is "
                  "the definition before the first); a figure is read with the definition in "
                  "force on its period's last day.",
    )

    class Meta:
        model = Indicator
        fields = ["id", "code", "pillar", "name", "name_vi", "name_en", "measure",
                  "unit_of_measure", "direction", "aggregation", "fraction", "reports_change",
                  "national_indicator", "definitions"]


class TargetAmendmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = TargetAmendment
        fields = ["document_number", "document_title", "effective_from", "comparator", "value",
                  "year", "retires"]


class TargetSerializer(serializers.ModelSerializer):
    plan = code_field()
    city = code_field("plan.city")
    indicator = code_field()
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    pillar = code_field("indicator.pillar")
    national_indicator = code_field("indicator.national_indicator", null=True)
    description = serializers.CharField(source="describe", read_only=True,
                                        help_text="Comparator and value, e.g. '≥ 80 %'")
    reading = serializers.CharField(read_only=True)
    responsible_units = serializers.SlugRelatedField(many=True, slug_field="code",
                                                     read_only=True)
    responsible_kinds = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="Kinds of unit responsible (every commune, every district), resolved per "
                  "period: a unit created later owes reports from its start.",
    )
    combination = serializers.CharField(
        read_only=True,
        help_text="How unit figures form the value: the target's own rule, else the "
                  "indicator's (consolidated, share_of_units, share_meeting, sum, mean, "
                  "weighted).",
    )
    unit_rule = serializers.CharField(
        source="describe_unit_rule", read_only=True,
        help_text="For share_of_units: what each unit's own figure must reach, e.g. '≥ 1'.",
    )
    baseline_needed = serializers.BooleanField(
        source="needs_baseline", read_only=True,
        help_text="A change from a baseline that the target does not have: never judged "
                  "until one is entered.",
    )
    amendments = TargetAmendmentSerializer(
        many=True, read_only=True,
        help_text="Later documents that change the target from a date; periods before each "
                  "date are judged against the version then in force.",
    )
    retired_by = serializers.CharField(
        read_only=True, allow_null=True,
        help_text="The document that retired the target, if it is retired today: its results "
                  "stay, and from retired_from on it is shown with status 'retired', not judged.",
    )
    retired_from = serializers.DateField(read_only=True, allow_null=True)
    level_abolished_on = serializers.DateField(
        read_only=True, allow_null=True,
        help_text="First day the target's administrative level no longer existed, if it "
                  "ceased (district level: 2025-07-01).",
    )

    class Meta:
        model = Target
        fields = ["id", "code", "plan", "city", "indicator", "indicator_name", "pillar",
                  "national_indicator", "year", "level", "comparator", "value", "description",
                  "combination", "unit_comparator", "unit_value", "unit_rule",
                  "baseline_value", "baseline_year", "baseline_source", "baseline_needed",
                  "level_abolished_on", "amendments", "retired_by", "retired_from",
                  "reading", "reading_vi", "reading_en",
                  "responsible_units", "responsible_kinds", "source_sentence", "source_file"]


class UnitSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    parent = code_field(null=True)
    city = code_field(null=True)
    successor = code_field(null=True)
    current_successor = serializers.SerializerMethodField(
        help_text="Code of the unit that carries this unit's reports today (itself when it "
                  "still exists); its rollups count there."
    )

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "name_vi", "name_en", "kind", "parent", "city",
                  "valid_from", "valid_to", "successor", "current_successor"]

    @extend_schema_field(serializers.CharField())
    def get_current_successor(self, unit: Unit) -> str:
        successors = self.context["successor_codes"]
        return successors.get(unit.pk, unit.code)


class UnitTreeSerializer(serializers.Serializer):
    """A unit with the units under it on the chosen day."""

    unit = UnitSerializer()
    children = serializers.SerializerMethodField()

    @extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/UnitTree"}})
    def get_children(self, node: dict) -> list:
        return UnitTreeSerializer(node["children"], many=True, context=self.context).data


class PeriodSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text="2024-Q1 for a quarter, 2024 a year")
    is_open = serializers.SerializerMethodField(
        help_text="Whether units may enter figures for it today"
    )

    class Meta:
        model = Period
        fields = ["id", "code", "kind", "year", "quarter", "starts_on", "ends_on", "opens_on",
                  "deadline", "is_locked", "is_open"]

    def get_is_open(self, period: Period) -> bool:
        today: date = self.context.get("today") or timezone.localdate()
        return period.is_open_on(today)
