"""The catalogue's history: recorded edits, target amendments, indicator definitions."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dxtracker.names import full_name
from targets.models import CatalogueChange, IndicatorDefinition, TargetAmendment


class _ByMixin(serializers.Serializer):
    by = serializers.SerializerMethodField(help_text="Who made it (name), null: the system")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_by(self, obj) -> str | None:
        user = getattr(obj, self.by_field)
        return full_name(user) if user is not None else None


class CatalogueChangeSerializer(_ByMixin, serializers.ModelSerializer):
    by_field = "user"
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True,
                                             allow_null=True)
    target = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    target_code = serializers.CharField(source="target.code", read_only=True, allow_null=True,
                                        default=None)
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(allow_null=True)),
        read_only=True, help_text="{field: [old, new]} as text; old is null when created",
    )

    class Meta:
        model = CatalogueChange
        fields = ["id", "at", "by", "action", "source", "plan", "indicator", "target",
                  "target_code", "changes", "note"]


class AmendmentSerializer(_ByMixin, serializers.ModelSerializer):
    by_field = "created_by"
    target = serializers.PrimaryKeyRelatedField(read_only=True)
    target_code = serializers.CharField(source="target.code", read_only=True)
    plan = serializers.CharField(source="target.plan.code", read_only=True)
    indicator = serializers.CharField(source="target.indicator.code", read_only=True)

    class Meta:
        model = TargetAmendment
        fields = ["id", "target", "target_code", "plan", "indicator", "document_number",
                  "document_title", "effective_from", "comparator", "value", "year",
                  "retires", "note", "by", "created_at"]


class DefinitionSerializer(_ByMixin, serializers.ModelSerializer):
    by_field = "created_by"
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = IndicatorDefinition
        fields = ["id", "indicator", "text_vi", "text_en", "effective_from",
                  "document_number", "document_title", "by", "created_at"]
