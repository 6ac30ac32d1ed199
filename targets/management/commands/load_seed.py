"""manage.py load_seed: load the transcribed source documents (fixtures/) into the database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from targets.seed import DEFAULT_FIXTURES_DIR, SeedError, seed_load


class Command(BaseCommand):
    help = (
        "Load units, the catalogue, plans with their targets and the figures reported in the "
        "source documents from fixtures/*.yaml. Safe to run again: rows are matched on their "
        "codes and only changed values are written. A bad file loads nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures", type=Path, default=DEFAULT_FIXTURES_DIR,
            help=f"directory holding catalogue.yaml, units.yaml, plans/ and figures.yaml "
                 f"(default: {DEFAULT_FIXTURES_DIR})",
        )
        parser.add_argument(
            "--seeds", type=Path, default=None,
            help="directory of the source documents used to check source sentences "
                 "(default: $SEEDS_DIR, else ../shared/seeds)",
        )

    def handle(self, *args, fixtures: Path, seeds: Path | None, **options):
        try:
            report = seed_load(fixtures_dir=fixtures, seeds_dir=seeds)
        except SeedError as exc:
            raise CommandError(_("Nothing was loaded. %(error)s") % {"error": exc}) from exc
        for line in report.lines():
            self.stdout.write(line)
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(_("warning: %s") % warning))
        if report.changed:
            self.stdout.write(self.style.SUCCESS(_("Loaded: %(n)d rows created or updated.")
                                                 % {"n": report.changed}))
        else:
            self.stdout.write(self.style.SUCCESS(_("Nothing to change: the database already "
                                                   "holds these fixtures.")))
