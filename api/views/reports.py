"""Progress reports through the reporting services, so the web's rules and permissions hold.

Writes and review actions carry the report's ETag in If-Match (428 without it): an update or
a decision made on a stale copy is refused (412) instead of overwriting figures someone else
saved or approving figures the reviewer never saw.
"""

import re

from django.db.models import Count, Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api import filters
from api.exceptions import PreconditionFailed, PreconditionRequired
from api.openapi import ErrorSerializer
from api.serializers.reports import (
    ReasonSerializer,
    ReportCreateSerializer,
    ReportDetailSerializer,
    ReportLinesInputSerializer,
    ReportSerializer,
    report_etag,
)
from api.views.base import ListFormatsMixin
from reporting import services
from reporting.models import Channel, Report, ReportEvent, ReportLine
from reporting.selectors import report_for_entry, reports_visible_to

EVENTS_DEFAULT, EVENTS_MAX = 20, 1000

ENTITY_TAG = re.compile(r'(?:W/)?"([^"]*)"')

IF_MATCH_REQUIRED = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description="The report's ETag as last read; 412 when stale, 428 when missing",
)
ETAG_HEADER = OpenApiParameter(
    "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=True,
    description="The report's current version, to send back as If-Match",
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


WRITE_ERRORS = {
    409: _error("The report's state or period does not allow this"),
    412: _error("If-Match does not carry the report's current ETag"),
}


def if_match_versions(request) -> list[int] | None:
    """The versions named by If-Match, None when the header is absent."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        return None
    tags = ENTITY_TAG.findall(header) or [header.strip()]
    return [int(tag) for tag in tags if tag.isdigit() and len(tag) < 10]


@extend_schema(tags=["reports"])
class ReportViewSet(
    ListFormatsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Units' progress reports visible to the caller: their own units' for a reporter, their
    city's for a DOIT reviewer."""

    filterset_class = filters.ReportFilter
    csv_filename = "reports"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = reports_visible_to(user=self.request.user).select_related("unit__city")
        if self.action == "list":
            # Lists are official unless demo is asked for, like the attainment endpoints;
            # a demo report stays reachable by id, so a trial client can still work on it.
            if not self.request.query_params.get("dataset"):
                qs = qs.filter(is_demo=False)
            return qs.order_by("-period__starts_on", "unit__code", "pk")
        return qs.prefetch_related(
            Prefetch("lines", queryset=ReportLine.objects.select_related("indicator")
                     .order_by("indicator__pillar__order", "indicator__code")),
            # A report's history grows with every save: the detail carries the latest events
            # only (?events=N, up to EVENTS_MAX) and how many there are in all.
            Prefetch("events", queryset=ReportEvent.objects.select_related("actor")
                     .order_by("-at", "-pk")[:self._events_wanted()], to_attr="latest_events"),
        ).annotate(events_total=Count("events"))

    def _events_wanted(self) -> int:
        try:
            wanted = int(self.request.query_params.get("events", EVENTS_DEFAULT))
        except (TypeError, ValueError):
            wanted = EVENTS_DEFAULT
        return min(max(wanted, 0), EVENTS_MAX)

    def get_serializer_class(self):
        if self.action == "list":
            return ReportSerializer
        return ReportDetailSerializer

    def _respond(self, report: Report, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=report.pk)
        response = Response(ReportDetailSerializer(fresh, context=self.get_serializer_context())
                            .data, status=status_code)
        response["ETag"] = report_etag(fresh)
        return response

    def _expected_version(self, report: Report, *, required: bool) -> int | None:
        versions = if_match_versions(self.request)
        if versions is None:
            if required:
                raise PreconditionRequired()
            return None
        if report.version in versions:
            return report.version
        if not versions:
            raise PreconditionFailed()
        # A stale tag goes to the service, which refuses it under the report's lock.
        return versions[0]

    @extend_schema(responses={200: ReportDetailSerializer}, parameters=[
        ETAG_HEADER,
        OpenApiParameter("events", OpenApiTypes.INT, description=(
            f"How many of the latest events to include (default {EVENTS_DEFAULT}, at most "
            f"{EVENTS_MAX}); events_total says how many there are.")),
    ])
    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object())

    @extend_schema(
        request=ReportCreateSerializer,
        responses={201: ReportDetailSerializer, 200: ReportDetailSerializer, **WRITE_ERRORS},
        summary="Open the unit's report for a period (created as a draft when missing)",
    )
    def create(self, request, *args, **kwargs):
        query = ReportCreateSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        unit, period = query.validated_data["unit"], query.validated_data["period"]
        existed = report_for_entry(user=request.user, unit=unit, period=period) is not None
        report = services.report_open(user=request.user, unit=unit, period=period,
                                      channel=Channel.API)
        return self._respond(report, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        request=ReportLinesInputSerializer,
        parameters=[IF_MATCH_REQUIRED, ETAG_HEADER],
        responses={200: ReportDetailSerializer, 428: _error("If-Match missing"),
                   **WRITE_ERRORS},
        summary="Save figures: every line valid, or nothing saved",
    )
    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()
        expected = self._expected_version(report, required=True)
        body = ReportLinesInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = services.report_save(
            user=request.user, report=report, values=body.service_values(),
            expected_version=expected, channel=Channel.API,
        )
        return self._respond(report)

    @extend_schema(
        request=None,
        parameters=[IF_MATCH_REQUIRED, ETAG_HEADER],
        responses={200: ReportDetailSerializer, 428: _error("If-Match missing"),
                   **WRITE_ERRORS},
        summary="Submit the report to DOIT for review",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self.get_object()
        expected = self._expected_version(report, required=True)
        report = services.report_submit(user=request.user, report=report,
                                        expected_version=expected, channel=Channel.API)
        return self._respond(report)

    @extend_schema(
        request=None,
        parameters=[IF_MATCH_REQUIRED, ETAG_HEADER],
        responses={200: ReportDetailSerializer, 428: _error("If-Match missing"),
                   **WRITE_ERRORS},
        summary="Approve a submitted report (DOIT reviewers); attainment is recomputed",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        report = self.get_object()
        expected = self._expected_version(report, required=True)
        report = services.report_approve(user=request.user, report=report,
                                         expected_version=expected, channel=Channel.API)
        return self._respond(report)

    @extend_schema(
        request=ReasonSerializer,
        parameters=[IF_MATCH_REQUIRED, ETAG_HEADER],
        responses={200: ReportDetailSerializer, 428: _error("If-Match missing"),
                   **WRITE_ERRORS},
        summary="Return a submitted report to its unit with a reason (DOIT reviewers)",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        report = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        expected = self._expected_version(report, required=True)
        report = services.report_return(user=request.user, report=report,
                                        reason=body.validated_data["reason"],
                                        expected_version=expected, channel=Channel.API)
        return self._respond(report)

    @extend_schema(
        request=ReasonSerializer,
        parameters=[IF_MATCH_REQUIRED, ETAG_HEADER],
        responses={200: ReportDetailSerializer, 428: _error("If-Match missing"),
                   **WRITE_ERRORS},
        summary="Reopen an approved report for correction, as a new revision (DOIT reviewers)",
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        report = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        expected = self._expected_version(report, required=True)
        report = services.report_reopen(user=request.user, report=report,
                                        reason=body.validated_data["reason"],
                                        expected_version=expected, channel=Channel.API)
        return self._respond(report)
