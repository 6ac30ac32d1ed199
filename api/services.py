"""Issuing and revoking API tokens."""

from django.utils import timezone

from api.models import ApiToken, generate_key


def api_token_issue(*, user, name: str, can_write: bool = False, issued_by=None) -> tuple[
    ApiToken, str
]:
    """Create a token for `user`; returns it with its key, which is shown this once only."""
    key = generate_key()
    token = ApiToken(name=name, user=user, can_write=can_write, created_by=issued_by)
    token.set_key(key)
    token.save()
    return token, key


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Refuse the token from now on; revoking twice keeps the first date."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
