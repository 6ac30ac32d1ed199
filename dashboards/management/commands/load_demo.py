from django.core.management.base import BaseCommand

from dashboards.demo import SEED, demo_load


class Command(BaseCommand):
    help = (
        "Load the deterministic demo set of quarterly reports (2021 Q1 - 2026 Q3) for the units "
        "responsible for the seeded targets, then recompute the demo dataset. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=SEED, help="Random seed (default %(default)s)."
        )

    def handle(self, *args, seed: int, **options):
        summary = demo_load(seed=seed)
        if not summary.reports and not summary.skipped_existing:
            self.stdout.write(self.style.WARNING(
                "No demo reports written: load the seed plans first (manage.py load_seed)."
            ))
            return
        self.stdout.write(self.style.SUCCESS(
            f"Demo data: {summary.reports} reports, {summary.lines} lines, "
            f"{summary.figures} figures, {summary.events} events written, "
            f"{summary.drafts} drafts of the last quarter left to fill for units with a "
            f"reporter login; "
            f"{summary.skipped_existing} already there, "
            f"{summary.skipped_real} left to real reports."
        ))
