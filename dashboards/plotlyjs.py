"""Plotly's JavaScript, served by the app itself: the machines that read dashboards have no
Internet, so no CDN.

It goes through the static pipeline like every other file: `collectstatic` with WhiteNoise's
CompressedManifestStaticFilesStorage (the container image, STATIC_MANIFEST=1) gives it a
hashed name, gzip and Brotli copies, and a far-future `immutable` cache. 4.8 MB travel as
about 1.4 MB.
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage
from django.templatetags.static import static

PLOTLY_JS = "plotly.min.js"
PREFIX = "vendor"


def plotly_js_url() -> str:
    return static(f"{PREFIX}/{PLOTLY_JS}")


class PlotlyFinder(BaseFinder):
    """Finds `vendor/plotly.min.js` in the installed plotly package, and nothing else there
    (its package data also holds 5 MB of Jupyter widget bundle the site never serves)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=Path(plotly.__file__).parent / "package_data")
        self.storage.prefix = PREFIX

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        # Like Django's own finders: [] when not found, whatever find_all says.
        if path != f"{PREFIX}/{PLOTLY_JS}":
            return []
        found = self.storage.path(PLOTLY_JS)
        return [found] if find_all or kwargs.get("all") else found

    def list(self, ignore_patterns):
        yield PLOTLY_JS, self.storage
