"""OpenAPI 3 description of the API: the token scheme and the error shape on every operation."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable machine code: invalid, not_authenticated, authentication_failed, "
                  "permission_denied, not_found, method_not_allowed, invalid_state, "
                  "precondition_failed, precondition_required, throttled, …"
    )
    message = serializers.CharField(help_text="Translated by Accept-Language (vi by default)")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field; report lines as lines.<indicator_code>.<field>",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    "400": "Invalid values, with messages per field",
    "401": "No credentials, an unknown token or a revoked one",
    "403": "Not allowed: wrong unit or role, or a read-only token writing",
    "404": "No such object, or not visible to you",
    "409": "The report's state does not allow this action",
    "412": "If-Match does not carry the report's current ETag",
    "428": "If-Match header missing",
    "429": "Too many requests: retry after the Retry-After seconds",
}


class ApiAutoSchema(AutoSchema):
    """Adds the shared error responses so clients can rely on one error shape."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["401", "429"]
        if self.method != "GET" or getattr(self.view, "filterset_class", None):
            codes.append("400")
        if self.method != "GET":
            codes.append("403")
        if "{" in self.path:
            codes.append("404")
        if self.method == "GET" and "414" not in responses:
            # Answered by gunicorn before the app sees the request, so not in the JSON shape.
            responses["414"] = {"description": (
                "Address too long: gunicorn refuses request lines over 4,094 bytes "
                "(plain-text body, not the JSON error shape)")}
        for code in sorted(codes):
            if code not in responses:
                response = self._get_response_for_code(
                    ErrorSerializer, code, media_types=["application/json"]
                )
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'API token issued in the admin, sent as "Token <key>". Read-only '
                           "unless the token is granted writing.",
        }
