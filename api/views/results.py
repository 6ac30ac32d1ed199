"""Stored results of the attainment engine. Read only: Celery computes them."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated

from api import filters, selectors
from api.serializers.results import (
    AttainmentSerializer,
    CompletenessSerializer,
    RollupSerializer,
)
from api.views.base import ReadOnlyViewSet
from attainment.models import Rollup, TargetAttainment
from units.access import readable_city_ids


class ResultViewSet(ReadOnlyViewSet):
    """Results of the cities the caller reads (units.access), as on the dashboards."""

    permission_classes = [IsAuthenticated]
    # The path from a row to the province it belongs to.
    city_field = "city_id"

    def filter_queryset(self, queryset):
        # The list's filters pick a dataset and the latest rows (and refuse a city the caller
        # does not read); a row asked for by id is served whatever its dataset or period.
        if self.action != "retrieve":
            queryset = super().filter_queryset(queryset)
        city_ids = readable_city_ids(self.request.user)
        if city_ids is not None:
            queryset = queryset.filter(**{f"{self.city_field}__in": city_ids})
        return queryset


@extend_schema(tags=["attainment"])
class AttainmentViewSet(ResultViewSet):
    """How far each target is reached: its latest result, or as of a period.

    Official figures unless `dataset=demo`; every item says `is_demo`.
    """

    # The filter set chooses the rows through the attainment selectors; this queryset only
    # serves detail reads and the schema.
    queryset = TargetAttainment.objects.select_related(
        "target__plan__city", "target__indicator__pillar",
        "target__indicator__national_indicator", "unit", "period",
    )
    city_field = "target__plan__city_id"
    serializer_class = AttainmentSerializer
    filterset_class = filters.AttainmentFilter
    csv_filename = "attainment"


@extend_schema(tags=["attainment"])
class RollupViewSet(ResultViewSet):
    """Targets counted by status, and mean attainment, per city, plan, pillar or unit."""

    queryset = Rollup.objects.select_related("city", "plan", "pillar", "unit")
    serializer_class = RollupSerializer
    filterset_class = filters.RollupFilter
    csv_filename = "rollups"


@extend_schema(tags=["attainment"])
class CompletenessViewSet(ResultViewSet):
    """Whether each unit's expected report for a period came on time, late, or not at all."""

    queryset = selectors.completeness_rows()
    city_field = "unit__city_id"
    serializer_class = CompletenessSerializer
    filterset_class = filters.CompletenessFilter
    csv_filename = "completeness"
