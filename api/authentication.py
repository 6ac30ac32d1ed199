"""`Authorization: Token <key>` for machine clients; browsers use the session."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api.models import ApiToken, hash_key


class TokenAuthentication(authentication.BaseAuthentication):
    """Authenticates an ApiToken; `request.auth` is the token, so permissions see its grants."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: send “Authorization: Token <key>”.")
            )
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        return self.authenticate_key(key)

    def authenticate_key(self, key: str):
        token = (
            ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.is_active:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's user account is disabled."))
        token.mark_used()
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
