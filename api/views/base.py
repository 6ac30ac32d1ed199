"""What every API view shares: renderers (JSON, CSV), pagination, filtering."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from api.pagination import Pagination
from api.renderers import PageCSVRenderer


class ListFormatsMixin:
    """JSON by default; CSV with ?format=csv or Accept: text/csv; HTML for a browser."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, PageCSVRenderer]
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend]
    csv_filename = "export"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = getattr(request, "accepted_renderer", None)
        if renderer is not None and renderer.format == "csv":
            response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}.csv"'
        return response


class ReadOnlyViewSet(ListFormatsMixin, viewsets.ReadOnlyModelViewSet):
    pass
