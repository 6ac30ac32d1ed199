"""manage.py city_report --city CT --period 2026-Q3 --format docx|pdf: the leaders' report."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from attainment.models import Dataset
from leaders.services import (
    FORMATS,
    ReportRequestError,
    city_report_render,
    unknown_period_message,
)
from reporting.periods import period_by_code
from units.models import Unit, UnitKind

STEPS = 3  # content, charts and layout, file


class Command(BaseCommand):
    help = "Write a city's quarterly progress report for leaders as .docx or .pdf."

    def add_arguments(self, parser):
        parser.add_argument("--city", required=True, help="city code, e.g. CT")
        parser.add_argument("--period", required=True, help="period code, e.g. 2026-Q3")
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="pdf")
        parser.add_argument("--dataset", choices=Dataset.values, default=Dataset.OFFICIAL,
                            help="official figures unless demo is asked for")
        parser.add_argument("--lang", choices=["vi", "en"], default="vi")
        parser.add_argument("--output", "-o", default=None,
                            help="file to write (default: the report's name in this folder)")

    def handle(self, *args, lang, **options):
        # Messages in the report's language, whatever a caller left active in this thread.
        with translation.override(lang):
            self._handle(lang=lang, **options)

    def _handle(self, *, city, period, fmt, dataset, lang, output, **options):
        city_unit = Unit.objects.filter(kind=UnitKind.PROVINCE, code=city).first()
        if city_unit is None:
            raise CommandError(_("There is no city with code “%(code)s”.") % {"code": city})
        found = period_by_code(period)
        if found is None:
            raise CommandError(unknown_period_message(period))
        quiet = options.get("verbosity", 1) == 0
        with tqdm(total=STEPS, desc=f"{city} {found.code}", file=sys.stderr,
                  disable=quiet) as bar:

            def progress(step: str) -> None:
                bar.set_postfix_str(step)
                bar.update(1)

            try:
                file = city_report_render(city=city_unit, period=found, fmt=fmt,
                                          dataset=dataset, lang=lang, progress=progress)
            except ReportRequestError as exc:
                raise CommandError(exc.message) from exc
        path = Path(output) if output else Path(file.filename)
        path.write_bytes(file.body)
        self.stdout.write(str(path))
