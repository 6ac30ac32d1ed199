"""Editing the catalogue in the admin: the same rules as load_seed, a recorded history, a
recompute of what the edit moves."""

import json

import pytest
from django.conf import settings
from django.urls import reverse

from targets.models import CatalogueChange, ChangeAction, ChangeSource, Indicator, Target
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, seeded):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def recomputes(monkeypatch):
    from attainment import tasks

    calls = []
    monkeypatch.setattr(tasks.recompute_targets, "delay",
                        lambda ids, dataset="official", **outbox:
                        calls.append((sorted(ids), dataset)))
    return calls


def _form(target: Target, **changes) -> dict:
    data = {
        "plan": target.plan_id, "code": target.code, "indicator": target.indicator_id,
        "year": target.year, "level": target.level, "comparator": target.comparator,
        "value": "" if target.value is None else str(target.value),
        "baseline_value": "", "baseline_year": "", "baseline_source": target.baseline_source,
        "reading_vi": target.reading_vi, "reading_en": target.reading_en,
        "aggregation": target.aggregation, "unit_comparator": target.unit_comparator,
        "unit_value": "",
        "responsible_units": [u.pk for u in target.responsible_units.all()],
        "responsible_kinds": json.dumps(target.responsible_kinds),
    }
    data.update(changes)
    return data


def _target(code="fibre-communes-2025", plan="ct-dx-2025-2030") -> Target:
    return Target.objects.get(plan__code=plan, code=code)


def test_an_admin_edit_is_recorded_and_recomputed(admin_client, recomputes,
                                                  django_capture_on_commit_callbacks):
    target = _target()
    url = reverse("admin:targets_target_change", args=[target.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, _form(target, value="95"))

    assert response.status_code == 302
    target.refresh_from_db()
    assert str(target.value.normalize()) == "95"
    change = CatalogueChange.objects.get(target=target)
    assert (change.action, change.source) == (ChangeAction.UPDATED, ChangeSource.ADMIN)
    assert change.changes == {"value": ["100", "95"]}
    assert change.user.username == "root"
    assert ([target.pk], "official") in recomputes and ([target.pk], "demo") in recomputes


def test_the_admin_refuses_a_share_over_one_consolidating_unit(admin_client, recomputes):
    target = _target()
    url = reverse("admin:targets_target_change", args=[target.pk])

    response = admin_client.post(url, _form(target, aggregation="share_meeting"))

    assert response.status_code == 200
    assert "consolidated" in response.content.decode()
    target.refresh_from_db()
    assert target.aggregation == "consolidated"
    assert not CatalogueChange.objects.filter(target=target).exists()
    assert recomputes == []


def test_the_admin_refuses_a_reduction_without_a_base_in_the_users_language(admin_client):
    target = _target("tthc-existing-2030")
    url = reverse("admin:targets_target_change", args=[target.pk])
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"

    response = admin_client.post(url, _form(target, baseline_source=""))

    assert response.status_code == 200
    assert "mức gốc" in response.content.decode()
    target.refresh_from_db()
    assert target.baseline_source == "needed"


def test_an_indicator_edit_recomputes_its_targets(admin_client, recomputes,
                                                  django_capture_on_commit_callbacks):
    indicator = Indicator.objects.get(code="fibre-communes")
    url = reverse("admin:targets_indicator_change", args=[indicator.pk])
    data = {"code": indicator.code, "pillar": indicator.pillar_id, "name_vi": indicator.name_vi,
            "name_en": "Share of communes with fibre", "measure": indicator.measure,
            "direction": indicator.direction, "aggregation": indicator.aggregation,
            "frequency": indicator.frequency, "national_indicator":
            indicator.national_indicator_id or ""}

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    change = CatalogueChange.objects.get(indicator=indicator)
    assert change.changes["name_en"][1] == "Share of communes with fibre"
    ids = sorted(indicator.targets.values_list("pk", flat=True))
    assert (ids, "official") in recomputes


def test_history_cannot_be_edited_or_deleted_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:targets_cataloguechange_add")).status_code == 403
    assert admin_client.get(
        reverse("admin:targets_cataloguechange_changelist")).status_code == 200


def test_the_target_page_shows_its_changes_and_how_its_value_is_formed(
        admin_client, recomputes, django_capture_on_commit_callbacks):
    target = _target()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:targets_target_change", args=[target.pk]),
                          _form(target, value="95"))
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = admin_client.get(reverse("dashboards:target", args=[target.pk])).content.decode()

    changes = html.split('data-testid="target-changes"')[1]
    assert "<code>value</code>: 100 → 95" in changes and "root" in changes
    assert "Consolidated: one unit&#x27;s figure is the city&#x27;s value" in html


def test_the_target_page_says_baseline_needed_and_level_abolished(admin_client):
    tthc = _target("tthc-existing-2025", plan="dn-dx-resolution-2025-2030")
    pilot = _target("digital-skills-pilot-communes-2025", plan="hp-dx-2025-2030")

    tthc_html = admin_client.get(reverse("dashboards:target", args=[tthc.pk])).content.decode()
    pilot_html = admin_client.get(reverse("dashboards:target", args=[pilot.pk])).content.decode()

    assert "cần mức gốc" in tthc_html
    assert "Chưa có thay đổi nào từ khi nạp kế hoạch." in tthc_html
    assert "cấp hành chính đã bỏ từ 1/7/2025" in pilot_html
    assert "mỗi đơn vị ≥ 1" in pilot_html
