from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dxtracker.demo_accounts import DEMO_PASSWORD, demo_accounts_ensure


class Command(BaseCommand):
    help = "Create one demo login per role (idempotent) and print them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help="Allow it with DEBUG off (the passwords are public: never on a real server).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to create demo accounts with DEBUG off: their passwords are public. "
                "Use --force on a throwaway machine."
            )
        try:
            accounts = demo_accounts_ensure()
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("Demo logins / Tài khoản dùng thử "
                                             f"(password / mật khẩu: {DEMO_PASSWORD}):"))
        for a in accounts:
            self.stdout.write(f"  {a.username:<16} {a.what_vi}  |  {a.what_en}")
