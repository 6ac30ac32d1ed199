"""manage.py recompute_attainment: the nightly recompute on demand, with a progress bar."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from attainment.models import Dataset
from attainment.services import attainment_recompute
from reporting.compliance import compliance_refresh
from targets.models import Target

ALL = "all"


class Command(BaseCommand):
    help = "Recompute stored attainment results, rollups and reporting compliance."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dataset", choices=[*Dataset.values, ALL], default=ALL,
            help="official, demo, or all (default, as the nightly task does)",
        )
        parser.add_argument(
            "--targets", nargs="+", type=int, metavar="ID",
            help="recompute only these targets (rollups are always recomputed)",
        )

    def handle(self, *args, dataset: str, targets: list[int] | None, **options):
        if targets:
            missing = sorted(set(targets) - set(
                Target.objects.filter(pk__in=targets).values_list("pk", flat=True)
            ))
            if missing:
                raise CommandError(
                    _("No target with id %(ids)s.") % {"ids": ", ".join(map(str, missing))}
                )
        datasets = Dataset.values if dataset == ALL else [dataset]
        quiet = options["verbosity"] == 0
        for name in datasets:
            started = time.perf_counter()
            with tqdm(desc=name, unit=" targets", file=sys.stderr, disable=quiet) as bar:

                def progress(done: int, total: int, bar=bar) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                run = attainment_recompute(
                    dataset=name, target_ids=targets, trigger="command", progress=progress
                )
            self.stdout.write(
                _("%(dataset)s: %(targets)d targets, %(rows)d rows in %(seconds).1f s")
                % {"dataset": name, "targets": run.target_count, "rows": run.row_count,
                   "seconds": time.perf_counter() - started}
            )
            if not targets:
                # The nightly jobs on demand: compliance is its own service, refreshed beside.
                records = compliance_refresh(dataset=name)
                self.stdout.write(
                    _("%(dataset)s: %(records)d compliance records")
                    % {"dataset": name, "records": records}
                )
