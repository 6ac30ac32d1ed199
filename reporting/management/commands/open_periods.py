from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.periods import periods_open_due


class Command(BaseCommand):
    help = "Create the current reporting period(s), as the nightly beat job does (idempotent)."

    def handle(self, *args, **options):
        periods = periods_open_due(today=timezone.localdate())
        self.stdout.write(_("Reporting periods ready: %(codes)s")
                          % {"codes": ", ".join(p.code for p in periods)})
