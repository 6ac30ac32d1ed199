"""Plotly's JavaScript, served by the app itself: the machines that read dashboards have no
Internet, so no CDN. The URL carries Plotly's version, so browsers may cache it for a year.
"""

from functools import lru_cache
from hashlib import sha256

import plotly
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.views.decorators.http import require_GET
from plotly.offline import get_plotlyjs

ONE_YEAR = 365 * 24 * 3600


@lru_cache(maxsize=1)
def _bundle() -> tuple[bytes, str]:
    body = get_plotlyjs().encode("utf-8")
    return body, f'"{sha256(body).hexdigest()[:32]}"'


def plotly_js_url() -> str:
    return reverse("dashboards:plotly_js", kwargs={"version": plotly.__version__})


@require_GET
def plotly_js(request: HttpRequest, version: str) -> HttpResponse:
    """The plotly.min.js bundled with the installed plotly package."""
    body, etag = _bundle()
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    # An old version in the URL still gets today's bundle, but only the current URL is immutable.
    if version == plotly.__version__:
        response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    else:
        response["Cache-Control"] = "public, max-age=3600"
    return response
