"""Demo logins, one per role, so a newcomer can try every path of the app."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from units.models import Membership, Role, Unit
from units.services import national_viewer_grant

DEMO_PASSWORD = "demo1234"
DEMO_EMAIL_DOMAIN = "demo.dxtracker.local"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    family_name: str  # họ và tên đệm: Django's last_name
    given_name: str  # tên: Django's first_name
    unit_code: str | None
    role: str | None
    what_vi: str
    what_en: str
    superuser: bool = False
    national: bool = False


DEMO_ACCOUNTS = [
    DemoAccount("admin", "", "Quản trị hệ thống", None, None,
                "Quản trị: toàn quyền, trang /admin/", "Administrator: everything, /admin/",
                superuser=True),
    DemoAccount("doit.cantho", "Nguyễn Văn", "Hùng", "CT-SKHCN", Role.REVIEWER,
                "Cán bộ DOIT Cần Thơ: duyệt báo cáo, xem dashboard",
                "Can Tho DOIT reviewer: approves reports, reads dashboards"),
    DemoAccount("kehoach.cantho", "Hoàng Thị", "Thu", "CT-SKHCN", Role.PLAN_EDITOR,
                "Cán bộ DOIT Cần Thơ biên tập kế hoạch: nhập kế hoạch từ Excel, điều chỉnh "
                "mục tiêu", "Can Tho DOIT plan editor: imports plans from Excel, amends targets"),
    DemoAccount("doit.haiphong", "Trần Thị", "Mai", "HP-SKHCN", Role.REVIEWER,
                "Cán bộ DOIT Hải Phòng", "Hai Phong DOIT reviewer"),
    DemoAccount("doit.danang", "Lê Văn", "Nam", "DN-SKHCN", Role.REVIEWER,
                "Cán bộ DOIT Đà Nẵng", "Da Nang DOIT reviewer"),
    DemoAccount("sonoivu.cantho", "Phạm Thị", "Lan", "CT-SNV", Role.REPORTER,
                "Cán bộ Sở Nội vụ Cần Thơ: nhập số liệu hằng quý",
                "Can Tho Home Affairs reporter: enters quarterly figures"),
    DemoAccount("skhcn.cantho", "Võ Minh", "Tuấn", "CT-SKHCN", Role.REPORTER,
                "Cán bộ Sở KH&CN Cần Thơ: nhập số liệu toàn thành phố",
                "Can Tho Science and Technology reporter: city-wide figures"),
    DemoAccount("xem.cantho", "Đỗ Thu", "Hà", "CT", Role.VIEWER,
                "Người xem: chỉ đọc số liệu Cần Thơ", "Viewer: reads Can Tho's figures"),
    DemoAccount("xem.quocgia", "Bùi Quốc", "Anh", None, None,
                "Người xem toàn quốc: đọc số liệu mọi thành phố, không ghi",
                "National viewer: reads every city's figures, writes nothing", national=True),
]


def demo_accounts_ensure() -> list[DemoAccount]:
    """Create or refresh the demo users and their memberships; running twice adds nothing."""
    user_model = get_user_model()
    units = Unit.objects.in_bulk([a.unit_code for a in DEMO_ACCOUNTS if a.unit_code],
                                 field_name="code")
    created = []
    with transaction.atomic():
        for account in DEMO_ACCOUNTS:
            if account.unit_code and account.unit_code not in units:
                raise LookupError(
                    f"Unit {account.unit_code} is missing: run `manage.py load_seed` first"
                )
            user, _ = user_model.objects.update_or_create(
                username=account.username,
                defaults={
                    "first_name": account.given_name,
                    "last_name": account.family_name,
                    "email": f"{account.username}@{DEMO_EMAIL_DOMAIN}",
                    "is_staff": account.superuser,
                    "is_superuser": account.superuser,
                    "is_active": True,
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            if account.unit_code:
                Membership.objects.get_or_create(
                    user=user, unit=units[account.unit_code], role=account.role
                )
            if account.national:
                national_viewer_grant(user=user)
            created.append(account)
    return created


DEMO_USERNAMES = frozenset(account.username for account in DEMO_ACCOUNTS)


def demo_logins():
    """The demo logins as create_demo_accounts made them (name and demo e-mail both)."""
    return get_user_model().objects.filter(
        username__in=DEMO_USERNAMES, email__endswith=f"@{DEMO_EMAIL_DOMAIN}"
    )


def is_demo_login(user) -> bool:
    """Whether the account is one of demo_logins(): what such a login enters is demo data."""
    return bool(
        user is not None and user.is_authenticated
        and user.get_username() in DEMO_USERNAMES
        and user.email.endswith(f"@{DEMO_EMAIL_DOMAIN}")
    )
