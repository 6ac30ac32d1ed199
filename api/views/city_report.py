"""The leaders' quarterly report of a city as a file (.docx or .pdf)."""

from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from attainment.models import Dataset
from leaders.services import (
    FORMATS,
    ReportRequestError,
    city_report_render,
    unknown_period_message,
)
from leaders.views import attachment, report_city
from reporting.periods import period_by_code


class FileNegotiation(BaseContentNegotiation):
    """The file's type is chosen by the URL; refusals are JSON whatever Accept says."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema(
    tags=["reports"],
    parameters=[
        OpenApiParameter("dataset", str, enum=Dataset.values,
                         description="official (default) or demo"),
        OpenApiParameter("lang", str, enum=["vi", "en"],
                         description="vi or en (default: the request's Accept-Language, vi)"),
    ],
    responses={
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
        (200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"):
            OpenApiResponse(OpenApiTypes.BINARY),
        400: OpenApiResponse(description="unknown period, format, dataset or language"),
        403: OpenApiResponse(description="not a reviewer or viewer of the city"),
        404: OpenApiResponse(description="no such city"),
    },
)
class CityReportView(APIView):
    """The city's progress report for a quarter ("2026-Q3") as .docx or .pdf.

    For the city's reviewers and viewers; official figures unless `dataset=demo`.
    """

    renderer_classes = [JSONRenderer]
    content_negotiation_class = FileNegotiation

    def get(self, request, code: str, period: str, fmt: str):
        city = report_city(user=request.user, code=code)
        found = period_by_code(period)
        if found is None:
            raise exceptions.ValidationError({"period": [unknown_period_message(period)]})
        if fmt not in FORMATS:
            raise exceptions.NotFound()
        try:
            file = city_report_render(
                city=city, period=found, fmt=fmt,
                dataset=request.query_params.get("dataset") or Dataset.OFFICIAL,
                # the API's language (Accept-Language, Vietnamese first) unless ?lang= says
                lang=request.query_params.get("lang") or get_language(),
            )
        except ReportRequestError as exc:
            raise exceptions.ValidationError({"detail": [exc.message]}) from exc
        return attachment(file)
