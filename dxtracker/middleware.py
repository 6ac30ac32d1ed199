"""Request-wide behaviour that belongs to the project rather than to one app."""

from django.conf import settings


class VietnameseFirstMiddleware:
    """Pages open in Vietnamese whatever language the browser prefers.

    Officials often use browsers set to English; the product speaks Vietnamese first and
    English only when the user picks it (the language cookie). Machine clients of the API
    choose by Accept-Language, so it is left alone under /api/.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy from settings, on every response.

    Django 5.2 has no CSP of its own; two headers do not need a dependency. A view that
    sets either header itself (a page with special needs) keeps its own.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = "; ".join(
            " ".join([directive, *sources])
            for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
        )
        self.permissions = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        return response
