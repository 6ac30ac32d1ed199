"""Stored results of the attainment engine: attainment, rollups, reporting completeness."""

from datetime import date

from rest_framework import serializers

from api.serializers.catalogue import code_field
from attainment.models import Dataset, Rollup, TargetAttainment
from attainment.selectors import series_breaks
from reporting.models import ComplianceRecord


class _DatasetMixin(serializers.Serializer):
    is_demo = serializers.SerializerMethodField(
        help_text="True for the demo dataset: illustrative figures, never official ones"
    )

    def get_is_demo(self, row) -> bool:
        return row.dataset == Dataset.DEMO


class AttainmentSerializer(_DatasetMixin, serializers.ModelSerializer):
    target = serializers.IntegerField(source="target_id", read_only=True)
    target_code = serializers.CharField(source="target.code", read_only=True)
    city = code_field("target.plan.city")
    plan = code_field("target.plan")
    pillar = code_field("target.indicator.pillar")
    indicator = code_field("target.indicator")
    indicator_name = serializers.CharField(source="target.indicator.name", read_only=True)
    national_indicator = code_field("target.indicator.national_indicator", null=True)
    year = serializers.IntegerField(source="target.year", read_only=True,
                                    help_text="Target year")
    level = serializers.CharField(source="target.level", read_only=True)
    comparator = serializers.CharField(source="target.comparator", read_only=True)
    target_value = serializers.DecimalField(source="target.value", max_digits=20,
                                            decimal_places=4, read_only=True, allow_null=True)
    target_description = serializers.CharField(source="target.describe", read_only=True)
    unit = code_field()
    period = serializers.CharField(source="period.code", read_only=True,
                                   help_text="The period the result is computed as of")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    series_break_on = serializers.SerializerMethodField(
        help_text="The day the plan's city absorbed other provinces (1 July 2025 for the merged "
                  "cities): its figures before that day are the old city's; null when none",
    )
    coverage_pct = serializers.FloatField(
        read_only=True, allow_null=True,
        help_text="units_reported / units_expected * 100: how many of the units owing the "
                  "period's figure reported it (null when no unit owes it)",
    )

    class Meta:
        model = TargetAttainment
        fields = ["id", "dataset", "is_demo", "scope", "target", "target_code", "city", "plan",
                  "pillar", "indicator", "indicator_name", "national_indicator", "year",
                  "level", "comparator", "target_value", "target_description", "unit", "period",
                  "status", "status_label", "actual_value", "numerator", "denominator",
                  "n_units", "effective_target", "attainment_pct", "ratio", "observed_rate",
                  "required_rate", "projected_cagr", "projected_linear",
                  "required_rate_from_now", "required_step_from_now", "places_gained",
                  "n_observations", "stale", "since_deadline_value", "since_deadline_t",
                  "units_reported", "units_expected", "coverage_pct", "rank_field",
                  "ranked_among", "not_comparable", "expected_now", "milestone_state", "derived",
                  "lower_bound", "series_break_on", "computed_at"]


    def get_series_break_on(self, row) -> date | None:
        # One query per response, not per row.
        if "series_breaks" not in self.context:
            self.context["series_breaks"] = series_breaks()
        return self.context["series_breaks"].get(row.target.plan.city_id)


class RollupSerializer(_DatasetMixin, serializers.ModelSerializer):
    city = code_field()
    plan = code_field(null=True)
    pillar = code_field(null=True)
    unit = code_field(null=True)
    status_counts = serializers.DictField(
        child=serializers.IntegerField(), read_only=True,
        help_text="Number of targets in each attainment status",
    )

    class Meta:
        model = Rollup
        fields = ["id", "dataset", "is_demo", "scope", "city", "plan", "pillar", "unit",
                  "target_year", "n_targets", "status_counts", "mean_attainment",
                  "units_reported", "units_expected", "computed_at"]


class CompletenessSerializer(_DatasetMixin, serializers.ModelSerializer):
    unit = code_field()
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    unit_kind = serializers.CharField(source="unit.kind", read_only=True)
    city = code_field("unit.city")
    period = serializers.CharField(source="period.code", read_only=True)
    deadline = serializers.DateField(source="period.deadline", read_only=True)

    class Meta:
        model = ComplianceRecord
        fields = ["id", "dataset", "is_demo", "unit", "unit_name", "unit_kind", "city", "period",
                  "deadline", "timeliness", "submitted_at", "days_late", "computed_at"]
