"""One JSON error shape for every refusal: {"error": {"code", "message", "fields"}}.

Messages are translated by the active language (Accept-Language; Vietnamese by default).
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from api.parsers import RequestTooLarge
from reporting import errors as report_errors

logger = logging.getLogger("api")


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = _("Send the report's ETag in an If-Match header so no update is lost.")
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "The report has changed since you read it: fetch it again and reapply your changes."
    )
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The report is not in a state that allows this action.")
    default_code = "invalid_state"


class InvalidValues(exceptions.APIException):
    """A ReportValidationError carried to the handler with its per-field messages."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message: str, fields: dict[str, list[str]]):
        super().__init__(message)
        self.fields = fields


def _report_error_to_api(exc: report_errors.ReportError) -> exceptions.APIException:
    message = str(getattr(exc, "message", "") or exc)
    if isinstance(exc, report_errors.ReportPermissionError):
        return exceptions.PermissionDenied(message)
    if isinstance(exc, report_errors.ReportConflictError):
        return PreconditionFailed(message)
    if isinstance(exc, report_errors.ReportValidationError):
        return InvalidValues(message, report_validation_fields(getattr(exc, "errors", {}) or {}))
    if isinstance(exc, report_errors.ReportStateError):
        return Conflict(message)
    return Conflict(message)


def report_validation_fields(errors: dict) -> dict[str, list[str]]:
    """{indicator_code: {field: message}} → {"lines.<code>.<field>": [message]}.

    The services file errors about the whole request (a missing reason) under the code "".
    """
    fields: dict[str, list[str]] = {}
    for key, value in errors.items():
        if isinstance(value, dict):
            for field, message in value.items():
                name = f"lines.{key}.{field}" if key else str(field)
                fields[name] = _as_list(message)
        else:
            fields[str(key)] = _as_list(value)
    return fields


def _as_list(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail → {"field" | "lines.0.value": [messages]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]} if detail else {}
        out = {}
        for index, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def exception_handler(exc, context):
    if isinstance(exc, report_errors.ReportError):
        exc = _report_error_to_api(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()  # Django's message names the model, in English
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Raised by request.body when DRF falls back to it; the same refusal as the parser's.
        exc = RequestTooLarge()
    response = drf_exception_handler(exc, context)
    if response is None:
        # A bug, not a refusal: logged with its traceback, answered in the same shape.
        request = context.get("request")
        logger.error("API error on %s", getattr(request, "path", "?"), exc_info=exc)
        set_rollback()
        return Response(
            error_body("server_error", _("A server error occurred.")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, InvalidValues):
        body = error_body("invalid", exc.detail, exc.fields)
    elif isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        general = fields.pop("non_field_errors", None)
        message = general[0] if general else _("Some values are not valid; see the fields.")
        if general and len(general) > 1:
            fields["non_field_errors"] = general
        body = error_body("invalid", message, fields)
    elif isinstance(exc, exceptions.ParseError):
        # DRF's message embeds the parser's English text; say it in the client's language.
        body = error_body("parse_error", _("The request body could not be read as JSON."))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(detail, dict | list):
            body = error_body(str(code if isinstance(code, str) else "error"),
                              _("The request was refused."), _flatten(detail))
        else:
            body = error_body(code if isinstance(code, str) else "error", str(detail))
    response.data = body
    return response


def not_found(request, *args, **kwargs):
    """JSON 404 for any address under /api/ that names no endpoint."""
    return JsonResponse(
        error_body("not_found", _("There is no API endpoint at this address.")), status=404
    )
