"""The catalogue's history, read only: who changed which plan, target or indicator, when, and
by which document. Rows of a plan follow the city's readers (units.access); an indicator's
own changes (shared by every city) are read by every signed-in client."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated

from api import filters
from api.serializers.history import (
    AmendmentSerializer,
    CatalogueChangeSerializer,
    DefinitionSerializer,
)
from api.views.base import ReadOnlyViewSet
from targets.models import CatalogueChange, IndicatorDefinition, TargetAmendment
from units.access import catalogue_history_filter


class _HistoryViewSet(ReadOnlyViewSet):
    permission_classes = [IsAuthenticated]
    # The path from a row to its plan, for units.access.
    plan_prefix = ""

    def get_queryset(self):
        queryset = super().get_queryset()
        readable = catalogue_history_filter(self.request.user, prefix=self.plan_prefix)
        return queryset if readable is None else queryset.filter(readable)


@extend_schema(tags=["history"])
class CatalogueChangeViewSet(_HistoryViewSet):
    """Every recorded edit of a plan, indicator or target (import, admin, amendment,
    definition): who, when, old → new. Newest first; filter by `plan`, `target` (id),
    `indicator` or `city`."""

    queryset = CatalogueChange.objects.select_related("user", "plan", "indicator",
                                                      "target").order_by("-at", "-pk")
    serializer_class = CatalogueChangeSerializer
    filterset_class = filters.CatalogueChangeFilter
    csv_filename = "catalogue-changes"


@extend_schema(tags=["history"])
class AmendmentViewSet(_HistoryViewSet):
    """Targets amended or retired by a later document from a date, with who recorded it."""

    plan_prefix = "target__"
    queryset = TargetAmendment.objects.select_related(
        "target__plan", "target__indicator", "created_by").order_by("-effective_from", "-pk")
    serializer_class = AmendmentSerializer
    filterset_class = filters.AmendmentFilter
    csv_filename = "amendments"


@extend_schema(tags=["history"])
class DefinitionViewSet(ReadOnlyViewSet):
    """Later definitions of indicators, each in force from a date by a document, with who
    recorded it; figures of earlier periods are read with the definition then in force. (The
    texts alone are public in each indicator's `definitions`.)"""

    permission_classes = [IsAuthenticated]
    queryset = IndicatorDefinition.objects.select_related("indicator", "created_by").order_by(
        "indicator__code", "effective_from")
    serializer_class = DefinitionSerializer
    filterset_class = filters.DefinitionFilter
    csv_filename = "indicator-definitions"
