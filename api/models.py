"""API tokens for machine clients: other government systems pulling or pushing figures."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Keys are 256 bits of randomness, so a plain SHA-256 is enough to make a stolen table useless;
# a slow password hash would only add latency to every API call.
KEY_BYTES = 32
PREFIX_LENGTH = 8


def hash_key(key: str) -> str:
    """The stored form of a token key."""
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key() -> str:
    """A new random token key (URL-safe, about 43 characters)."""
    return secrets.token_urlsafe(KEY_BYTES)


class ApiToken(models.Model):
    """A key a machine client sends as `Authorization: Token <key>`; acts as its user."""

    name = models.CharField(
        _("name"), max_length=120,
        help_text=_("Which system uses the token, e.g. 'City LGSP data-sharing platform'."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text=_("The client acts with this user's memberships and roles."),
    )
    prefix = models.CharField(_("key prefix"), max_length=PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    can_write = models.BooleanField(
        _("may write"), default=False,
        help_text=_("Read-only unless granted: a read-only token is refused on every change, "
                    "even when its user could make it on the web."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Who issued, granted writing to, renamed or revoked the token, and when; the key's hash
    # and the use stamp are no one's decision, so they stay out of the history.
    history = HistoricalRecords(excluded_fields=["key_hash", "last_used_at"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        """Whether the token is still accepted."""
        return self.revoked_at is None

    def set_key(self, key: str) -> None:
        """Store the hash and a recognisable prefix of `key` (the key itself is never stored)."""
        self.key_hash = hash_key(key)
        self.prefix = key[:PREFIX_LENGTH]

    def mark_used(self) -> None:
        """Record use, at most once a minute, so reads do not turn into a write per request."""
        now = timezone.now()
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() >= 60:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
