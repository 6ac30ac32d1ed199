"""Amending and retiring a target by a later document, from a date; both versions are kept."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from attainment.models import Dataset, Scope, Status, TargetAttainment
from reporting.periods import period_ensure
from targets.models import CatalogueChange, ChangeSource, Target, TargetAmendment
from tests.factories import MembershipFactory, UserFactory
from units.models import Role, Unit

PLAN = "ct-dx-2025-2030"
CODE = "dvc-online-level4-2025"


@pytest.fixture
def target(seeded) -> Target:
    return Target.objects.get(plan__code=PLAN, code=CODE)


def _user(name: str, unit: str, role: str):
    user = UserFactory(username=name)
    MembershipFactory(user=user, unit=Unit.objects.get(code=unit), role=role)
    return user


@pytest.fixture
def editor(seeded):
    """Cần Thơ's plan editor: amends Cần Thơ's targets."""
    return _user("ct-editor", "CT-SKHCN", Role.PLAN_EDITOR)


@pytest.fixture
def recomputes(monkeypatch):
    from attainment import tasks

    calls = []
    monkeypatch.setattr(tasks.recompute_targets, "delay",
                        lambda ids, dataset="official", **outbox:
                        calls.append((sorted(ids), dataset)))
    return calls


def _amend(client, target, HTTP_ACCEPT_LANGUAGE="vi", **fields):
    data = {"document_number": "12/KH-UBND", "document_title": "Kế hoạch điều chỉnh",
            "effective_from": "2025-01-01", "comparator": "at_least", "value": "90",
            "year": "2025", "note": "", **fields}
    return client.post(reverse("targets:target_amend", args=[target.pk]), data,
                       HTTP_ACCEPT_LANGUAGE=HTTP_ACCEPT_LANGUAGE)


def test_an_amendment_keeps_both_versions_and_dates_them(client, target, editor, recomputes,
                                                         django_capture_on_commit_callbacks):
    client.force_login(editor)
    assert client.get(reverse("targets:target_amend", args=[target.pk])).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = _amend(client, target)

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal(80)  # the plan's own version is not edited
    assert target.version_on(date(2024, 12, 31)).value == Decimal(80)
    assert target.version_on(date(2025, 3, 31)).value == Decimal(90)
    amendment = TargetAmendment.objects.get(target=target)
    assert amendment.created_by == editor and amendment.document_number == "12/KH-UBND"
    change = CatalogueChange.objects.get(target=target, source=ChangeSource.AMENDMENT)
    assert change.changes["value"] == ["80", "90"]
    assert change.note == "12/KH-UBND, có hiệu lực từ 01/01/2025"
    assert ([target.pk], "official") in recomputes


def test_the_change_log_is_written_in_vietnamese_whatever_the_editor_reads(client, target,
                                                                          editor):
    client.force_login(editor)
    assert _amend(client, target, HTTP_ACCEPT_LANGUAGE="en").status_code == 302
    change = CatalogueChange.objects.get(target=target, source=ChangeSource.AMENDMENT)
    assert change.note == "12/KH-UBND, có hiệu lực từ 01/01/2025"


def test_pages_and_api_say_amended_by_from(client, target, editor):
    client.force_login(editor)
    _amend(client, target)

    html = client.get(reverse("dashboards:target", args=[target.pk])).content.decode()
    versions = html.split('data-testid="target-versions"')[1].split("</dd>")[0]
    assert "như khi ban hành: ≥ 80 %" in versions
    assert "điều chỉnh theo 12/KH-UBND từ 1/1/2025: ≥ 90 %" in versions
    assert 'data-testid="amend-link"' in html
    in_force = html.split('data-testid="target-in-force"')[1].split("</dd>")[0]
    assert "≥ 90 %" in in_force and "điều chỉnh theo 12/KH-UBND từ 1/1/2025" in in_force
    assert 'data-testid="target-retired"' not in html

    body = client.get(reverse("api:target-detail", args=[target.pk])).json()
    assert (body["retired_by"], body["retired_from"]) == (None, None)
    assert body["amendments"] == [{
        "document_number": "12/KH-UBND", "document_title": "Kế hoạch điều chỉnh",
        "effective_from": "2025-01-01", "comparator": "at_least", "value": 90.0,
        "year": 2025, "retires": False}]


def test_a_retired_target_says_so_and_keeps_its_plan_version(client, target, editor):
    client.force_login(editor)

    response = _amend(client, target, retires="on", effective_from="2026-01-01")

    assert response.status_code == 302
    assert target.version_on(date(2026, 3, 31)).retired
    assert not target.version_on(date(2025, 12, 31)).retired
    html = client.get(reverse("dashboards:target", args=[target.pk])).content.decode()
    assert "đã bãi bỏ" in html
    retired = html.split('data-testid="target-retired"')[1].split("</dd>")[0]
    assert "bãi bỏ theo 12/KH-UBND từ 1/1/2026" in retired
    # What it asked until then stays on the page.
    assert "≥ 80 %" in html.split('data-testid="target-in-force"')[1].split("</dd>")[0]
    body = client.get(reverse("api:target-detail", args=[target.pk])).json()
    assert (body["retired_by"], body["retired_from"]) == ("12/KH-UBND", "2026-01-01")


def test_an_amendment_that_breaks_a_rule_is_refused_in_vietnamese(client, target, editor):
    client.force_login(editor)

    response = _amend(client, target, comparator="reduce_by", value="30")

    assert response.status_code == 400
    assert "mức gốc" in response.content.decode()
    assert not TargetAmendment.objects.exists()


def test_the_amend_form_starts_from_the_version_in_force(client, target, editor):
    client.force_login(editor)
    _amend(client, target, value="92,5", effective_from="2025-01-01")

    response = client.get(reverse("targets:target_amend", args=[target.pk]))

    # Written as the form reads it back (a decimal comma; "1.234" would be 1234).
    assert response.context["form"].initial["value"] == "92,5"
    assert "≥ 92.5 %" in response.content.decode().split('data-testid="amend-in-force"')[1]


def test_two_amendments_from_the_same_day_are_refused(client, target, editor):
    client.force_login(editor)
    _amend(client, target)

    response = _amend(client, target, value="95")

    assert response.status_code == 400
    assert "Mục tiêu đã được điều chỉnh từ ngày này." in response.content.decode()
    assert TargetAmendment.objects.count() == 1


@pytest.mark.parametrize(("unit", "role"), [
    ("CT-SKHCN", Role.REVIEWER),          # Cần Thơ's DOIT reviewer: reviews, does not amend
    ("HP-SKHCN", Role.PLAN_EDITOR),       # another city's plan editor
])
def test_others_may_not_amend(client, target, unit, role):
    client.force_login(_user("someone", unit, role))

    assert client.get(reverse("targets:target_amend", args=[target.pk])).status_code == 403
    assert _amend(client, target).status_code == 403
    assert not TargetAmendment.objects.exists()
    html = client.get(reverse("dashboards:target", args=[target.pk])).content.decode()
    assert 'data-testid="amend-link"' not in html


def test_a_target_with_results_cannot_be_deleted_in_the_admin(client, target):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:targets_target_delete", args=[target.pk])
    assert client.get(url).status_code == 200  # no results yet: it may go

    TargetAttainment.objects.create(
        dataset=Dataset.OFFICIAL, target=target, scope=Scope.COMBINED, unit=target.plan.city,
        period=period_ensure(kind="quarter", year=2025, quarter=1), is_latest=True,
        actual_value=70.0, status=Status.ON_TRACK,
        computed_at=timezone.make_aware(datetime(2025, 4, 20)))

    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Target.objects.filter(pk=target.pk).exists()
    plan_url = reverse("admin:targets_plan_delete", args=[target.plan_id])
    assert client.get(plan_url).status_code == 403
