"""What a web process would otherwise do on its first request, done when it starts.

Django imports the URLconf on the first request, and with it every view and the libraries
they use (openpyxl, python-docx, matplotlib, numpy, fpdf2, plotly: about 900 modules, 1.7 s
of CPU); the first gettext and number or date format of each language read its catalogues
and format module, the template engine imports its tag libraries and context processors and
compiles each template once, and the first chart reads plotly's default theme.
``dxtracker.wsgi`` calls :func:`warm` after building the application, so a server
(gunicorn, runserver) pays this before it accepts a request. Under gunicorn's
``preload_app`` the master warms once and every worker forks with it already done.

Only imports and in-memory caches: no database or cache connection is opened, so nothing is
shared by the forked workers.
"""

import gc
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template import engines
from django.urls import get_resolver
from django.utils import formats, translation


def warm() -> None:
    get_resolver().url_patterns  # noqa: B018  (imports the URLconf and every view)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("")  # reads the language's catalogues
            formats.get_format("DATE_INPUT_FORMATS")  # imports its format modules
    for backend in engines.all():
        _compile_templates(backend)

    from dashboards import charts

    charts.plotly_default_template()
    # What is loaded now lives as long as the process: keep the garbage collector's full
    # collections from walking it again and again (about 240,000 objects, 100-200 ms each
    # time), and, in forked workers, from writing to the pages they share with the master.
    gc.collect()
    gc.freeze()


def _compile_templates(backend) -> None:
    """Compile the project's own templates into the engine's cached loader."""
    engine = getattr(backend, "engine", None)
    if engine is None:
        return
    engine.template_context_processors  # noqa: B018  (imports them)
    base = Path(settings.BASE_DIR).resolve()
    folders = [Path(d) for d in engine.dirs]
    # The project's apps are the folders beside manage.py (a virtualenv may live there too).
    folders += [Path(app.path) / "templates" for app in apps.get_app_configs()
                if Path(app.path).resolve().parent == base]
    for folder in folders:
        for path in sorted(folder.rglob("*.html")):
            backend.get_template(path.relative_to(folder).as_posix())
