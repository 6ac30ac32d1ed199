"""System checks of our own settings, run by `manage.py check --deploy`."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def site_url_check(app_configs=None, **kwargs) -> list[Error]:
    """SITE_URL starts every link in e-mails (reminders, the leaders' report, its opt-out)."""
    if settings.DEBUG:
        return []
    if not settings.SITE_URL:
        return [Error(
            "SITE_URL is not set: links in e-mails (deadline reminders, the leaders' report "
            "and its opt-out link) would have no address to open.",
            hint="Set SITE_URL to the address users reach the site at, "
                 "e.g. https://dx.example.gov.vn.",
            id="dxtracker.E001",
        )]
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [Error(
            f"SITE_URL {settings.SITE_URL!r} is not an absolute http(s) address, so links in "
            "e-mails would not open.",
            hint="Write it with its scheme and host, e.g. https://dx.example.gov.vn.",
            id="dxtracker.E002",
        )]
    return []
