"""Who may call what. Who may read or write which city or unit: units.access."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from api.models import ApiToken


class TokenScope(permissions.BasePermission):
    """A read-only token may only read, whatever its user could do on the web."""

    message = _("This API token is read-only: ask an administrator for a token that may write.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not isinstance(token, ApiToken) or token.can_write

