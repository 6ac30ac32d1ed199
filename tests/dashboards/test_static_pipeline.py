"""plotly.js goes through the static pipeline: in production (collectstatic with WhiteNoise's
compressed manifest storage) it has a hashed name, a gzip copy and a far-future cache."""

import gzip
import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from dashboards.plotlyjs import PlotlyFinder, plotly_js_url

pytestmark = pytest.mark.django_db

MANIFEST = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_static_files_find_plotly_and_nothing_else_of_the_package():
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/plotly.min.js").endswith("plotly.min.js")
    assert finders.find("vendor/widgetbundle.js") is None


def test_the_finder_offers_only_plotly_min_js():
    finder = PlotlyFinder()
    assert [path for path, _storage in finder.list([])] == ["plotly.min.js"]
    assert finder.find("vendor/plotly.min.js").endswith("package_data/plotly.min.js")
    assert finder.find("vendor/widgetbundle.js") == []


def test_collected_plotly_is_hashed_compressed_and_cached_for_ever(tmp_path):
    root = tmp_path / "static"
    # Only this finder: collecting the admin's and Swagger's files too would take a minute.
    with override_settings(STATIC_ROOT=root, STORAGES=MANIFEST,
                           STATICFILES_FINDERS=["dashboards.plotlyjs.PlotlyFinder"]):
        call_command("collectstatic", "--noinput", verbosity=0)
        url = plotly_js_url()
        match = re.fullmatch(r"/static/vendor/(plotly\.min\.[0-9a-f]{12}\.js)", url)
        assert match, url
        name = match.group(1)
        original = (root / "vendor" / "plotly.min.js").stat().st_size
        gz = root / "vendor" / f"{name}.gz"
        assert len(gzip.decompress(gz.read_bytes())) == original > 4_000_000
        assert gz.stat().st_size < original / 2

        response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")  # WhiteNoise indexes at start
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "immutable" in response["Cache-Control"]
        assert "max-age=315360000" in response["Cache-Control"]
