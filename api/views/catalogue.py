"""The catalogue: public reads of what the plan documents state, and the unit tree over time."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from api import filters
from api.serializers.catalogue import (
    IndicatorSerializer,
    NationalIndicatorSerializer,
    PeriodSerializer,
    PillarSerializer,
    PlanSerializer,
    TargetSerializer,
    UnitSerializer,
    UnitTreeSerializer,
)
from api.views.base import ReadOnlyViewSet
from reporting.models import Period
from targets.models import Indicator, NationalIndicator, Pillar, Plan, Target
from units.models import Unit, UnitKind
from units.selectors import successor_map, unit_tree_as_of


class CatalogueViewSet(ReadOnlyViewSet):
    # Transcribed from published documents, so anonymous callers may read (throttled).
    permission_classes = [AllowAny]


@extend_schema(tags=["catalogue"])
class PlanViewSet(CatalogueViewSet):
    """Plans and resolutions with targets, per city."""

    queryset = Plan.objects.select_related("city").order_by("city__code", "code")
    serializer_class = PlanSerializer
    filterset_class = filters.PlanFilter
    csv_filename = "plans"


@extend_schema(tags=["catalogue"])
class PillarViewSet(CatalogueViewSet):
    """Pillars (digital government, economy, society) and foundation groups."""

    queryset = Pillar.objects.order_by("order", "code")
    serializer_class = PillarSerializer
    filterset_class = filters.PillarFilter
    csv_filename = "pillars"


@extend_schema(tags=["catalogue"])
class NationalIndicatorViewSet(CatalogueViewSet):
    """Indicators of the national programme (Decision 749/QĐ-TTg) that cities share."""

    queryset = NationalIndicator.objects.order_by("code")
    serializer_class = NationalIndicatorSerializer
    filterset_class = filters.NationalIndicatorFilter
    csv_filename = "national-indicators"


@extend_schema(tags=["catalogue"])
class IndicatorViewSet(CatalogueViewSet):
    """What is measured, with its national indicator."""

    queryset = Indicator.objects.select_related("pillar", "national_indicator").prefetch_related(
        "definitions").order_by("pillar__order", "code")
    serializer_class = IndicatorSerializer
    filterset_class = filters.IndicatorFilter
    csv_filename = "indicators"


@extend_schema(tags=["catalogue"])
class TargetViewSet(CatalogueViewSet):
    """Each indicator's value to reach by a year in a plan, at one administrative level."""

    queryset = (
        Target.objects.select_related(
            "plan__city", "indicator__pillar", "indicator__national_indicator"
        )
        .prefetch_related("responsible_units", "amendments")
        .order_by("plan__code", "year", "indicator__pillar__order", "indicator__code", "level",
                  "code")
    )
    serializer_class = TargetSerializer
    filterset_class = filters.TargetFilter
    csv_filename = "targets"


class TreeQuerySerializer(serializers.Serializer):
    city = serializers.SlugRelatedField(
        slug_field="code", queryset=Unit.objects.filter(kind=UnitKind.PROVINCE),
        help_text="City code",
    )
    as_of = serializers.DateField(required=False, help_text="Day of the tree (today by default)")


@extend_schema(tags=["catalogue"])
class UnitViewSet(CatalogueViewSet):
    """Reporting units; `as_of` gives those that existed on a day, `current_successor` the unit
    that carries a merged or dissolved unit's figures today."""

    queryset = Unit.objects.select_related("parent", "city", "successor").order_by("code")
    serializer_class = UnitSerializer
    filterset_class = filters.UnitFilter
    csv_filename = "units"

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["successor_codes"] = self._successor_codes()
        return context

    def _successor_codes(self) -> dict[int, str]:
        # Two queries for the whole table (it is small) instead of one per unit.
        codes = dict(Unit.objects.values_list("pk", "code"))
        return {unit_id: codes[carrier] for unit_id, carrier in successor_map().items()}

    @extend_schema(
        parameters=[TreeQuerySerializer],
        responses={200: UnitTreeSerializer(many=True)},
        summary="A city's unit tree on a day",
    )
    @action(detail=False, pagination_class=None, filterset_class=None)
    def tree(self, request):
        query = TreeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("as_of") or timezone.localdate()
        city = query.validated_data["city"]
        if not city.exists_during(day):
            raise ValidationError({"as_of": [_("The city did not exist on that day.")]})
        nodes = unit_tree_as_of(day, city=city)
        return Response(UnitTreeSerializer(nodes, many=True, context=self.get_serializer_context())
                        .data)


@extend_schema(tags=["catalogue"])
class PeriodViewSet(CatalogueViewSet):
    """Reporting periods (quarters and years) with their deadlines."""

    queryset = Period.objects.order_by("starts_on", "kind")
    serializer_class = PeriodSerializer
    filterset_class = filters.PeriodListFilter
    csv_filename = "periods"

