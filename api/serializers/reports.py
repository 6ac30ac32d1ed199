"""Progress reports: what clients read, and the shapes they send to the reporting services."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.periodcodes import PERIOD_CODE_PATTERN, period_by_code
from api.serializers.catalogue import code_field
from reporting.models import Report, ReportEvent, ReportLine
from units.models import Unit


@extend_schema_field({"type": "string", "pattern": PERIOD_CODE_PATTERN, "example": "2024-Q1"})
class PeriodCodeField(serializers.Field):
    """A period as '2024-Q1' or '2024'."""

    def to_internal_value(self, data):
        if not isinstance(data, str | int):
            raise serializers.ValidationError(
                _("Enter a period as 2024-Q1 (a quarter) or 2024 (a year).")
            )
        try:
            return period_by_code(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def to_representation(self, period):
        return period.code


@extend_schema_field(
    {"oneOf": [{"type": "number"}, {"type": "string", "maxLength": 64}], "nullable": True}
)
class FigureField(serializers.Field):
    """A number as JSON or as people type it ("1.234,5", "85 %"); null or "" clears it.

    The reporting services parse and check it, so the API accepts what the web form accepts.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float | Decimal):
            raise serializers.ValidationError(_("Send a number, a text such as “85,5”, or null."))
        if isinstance(data, str) and len(data) > 64:
            raise serializers.ValidationError(_("This number is too long."))
        return data

    def to_representation(self, value):
        return value


class LineInputSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=96, help_text="Indicator code")
    value = FigureField()
    numerator = FigureField()
    denominator = FigureField()
    milestone_state = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=32,
        help_text="not_started, in_progress or done (Vietnamese labels accepted)",
    )
    comment = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                    max_length=2000, trim_whitespace=False)
    evidence_url = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                         max_length=500)


class ReportLinesInputSerializer(serializers.Serializer):
    """The lines to change: a field left out is kept, null or "" clears it."""

    lines = LineInputSerializer(many=True, allow_empty=False)

    def validate_lines(self, lines):
        codes = [line["indicator"] for line in lines]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise serializers.ValidationError(
                _("Each indicator may appear once; repeated: %(codes)s.")
                % {"codes": ", ".join(duplicates)}
            )
        return lines

    def service_values(self) -> dict[str, dict]:
        """The {indicator_code: {field: value}} that report_save takes."""
        return {
            line["indicator"]: {k: v for k, v in line.items() if k != "indicator"}
            for line in self.validated_data["lines"]
        }


class ReportCreateSerializer(serializers.Serializer):
    unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all(),
                                        help_text="Code of the reporting unit")
    period = PeriodCodeField(help_text="Period code, e.g. 2024-Q1")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why, as the unit will read it")


class ReportLineSerializer(serializers.ModelSerializer):
    indicator = code_field()
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    evidence_file = serializers.FileField(read_only=True, use_url=True, allow_null=True)

    class Meta:
        model = ReportLine
        fields = ["indicator", "indicator_name", "value", "numerator", "denominator",
                  "milestone_state", "comment", "evidence_url", "evidence_file", "warning"]


class ReportEventSerializer(serializers.ModelSerializer):
    # None once the account is deleted
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ReportEvent
        fields = ["action", "actor", "actor_name", "at", "revision", "channel", "reason",
                  "changes"]


class ReportSerializer(serializers.ModelSerializer):
    unit = code_field()
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    city = code_field("unit.city")
    period = PeriodCodeField(read_only=True)
    etag = serializers.SerializerMethodField(help_text="Send back as If-Match when writing")

    class Meta:
        model = Report
        fields = ["id", "unit", "unit_name", "city", "period", "state", "revision", "version",
                  "etag", "is_overdue", "is_demo", "return_reason", "correction_reason",
                  "created_at", "updated_at", "submitted_at", "first_submitted_at",
                  "reviewed_at"]

    def get_etag(self, report: Report) -> str:
        return report_etag(report)


class ReportDetailSerializer(ReportSerializer):
    lines = ReportLineSerializer(many=True, read_only=True)
    events = serializers.SerializerMethodField(
        help_text="The latest events, oldest first (?events=N for more)")
    events_total = serializers.IntegerField(read_only=True,
                                            help_text="How many events the report has in all")

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "lines", "events", "events_total"]

    @extend_schema_field(ReportEventSerializer(many=True))
    def get_events(self, report: Report) -> list:
        # The view prefetches them newest first, so that a slice keeps the latest.
        latest = reversed(report.latest_events)
        return ReportEventSerializer(latest, many=True, context=self.context).data


def report_etag(report: Report) -> str:
    """The report's entity tag: its version, which every write bumps."""
    return f'"{report.version}"'
