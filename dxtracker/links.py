"""Absolute links for messages read outside the site (e-mails, documents)."""

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """`path` ("/dashboards/...") prefixed with settings.SITE_URL."""
    return f"{settings.SITE_URL}{path}"


def absolute_reverse(viewname: str, *args, **kwargs) -> str:
    """reverse() as an absolute link."""
    return absolute_url(reverse(viewname, args=args or None, kwargs=kwargs or None))
