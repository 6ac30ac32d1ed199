"""Request-wide behaviour that belongs to the project rather than to one app."""


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
