from django.core.management.base import BaseCommand

from dashboards.demo import demo_remove


class Command(BaseCommand):
    help = "Delete every demo row (reports, lines, events, figures, demo results) and nothing else."

    def handle(self, *args, **options):
        counts = demo_remove()
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data removed: {summary}."))
