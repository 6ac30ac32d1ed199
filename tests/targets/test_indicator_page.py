"""Indicator pages: definition, how unit figures combine, who reports, every city's targets,
changes over time."""

import pytest
from django.conf import settings
from django.urls import reverse

from targets.models import CatalogueChange, ChangeAction, ChangeSource, Indicator
from tests.factories import MembershipFactory, UserFactory
from units.models import Role, Unit


@pytest.fixture
def reader(client, seeded):
    """A viewer of Cần Thơ: reads its dashboards, not Hải Phòng's."""
    user = UserFactory(username="ct-viewer")
    MembershipFactory(user=user, unit=Unit.objects.get(code="CT-SKHCN"), role=Role.VIEWER)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_page_states_the_definition_and_how_units_combine(reader):
    html = reader.get(reverse("targets:indicator", args=["work-records-online"])).content.decode()

    assert "Share of work records processed online" in html
    assert "Weighted by the units&#x27; denominators" in html
    assert "out of the count of all that is measured (denominator)" in html
    assert "N749-WORK-RECORDS" in html


def test_every_citys_targets_show_with_who_reports_and_links_only_where_readable(reader):
    indicator = Indicator.objects.get(code="work-records-online")
    response = reader.get(reverse("targets:indicator", args=[indicator.code]))

    table = response.content.decode().split('data-testid="indicator-targets"')[1]
    assert table.count("<tr>") == 1 + indicator.targets.count()
    assert "every district" in table and "Hai Phong" in table
    for target in indicator.targets.select_related("plan__city"):
        link = f'href="{reverse("dashboards:target", args=[target.pk])}"'
        assert (link in table) == (target.plan.city.code == "CT"), target.code


def test_the_page_lists_the_indicators_changes(reader):
    indicator = Indicator.objects.get(code="fibre-communes")
    CatalogueChange.objects.create(indicator=indicator, action=ChangeAction.UPDATED,
                                   source=ChangeSource.ADMIN,
                                   changes={"name_en": ["Old name", "New name"]})

    html = reader.get(reverse("targets:indicator", args=[indicator.code])).content.decode()

    changes = html.split('data-testid="indicator-changes"')[1]
    assert "Old name → New name" in changes


def test_the_page_speaks_vietnamese_by_default(client, seeded):
    client.force_login(UserFactory(username="someone"))
    html = client.get(reverse("targets:indicator", args=["fibre-communes"])).content.decode()

    assert "Cách tổng hợp số liệu các đơn vị" in html
    assert "Tỷ lệ xã, phường, thị trấn được phủ hạ tầng băng rộng cáp quang" in html


def test_unknown_indicator_is_404_and_anonymous_users_log_in(client, seeded):
    assert client.get(reverse("targets:indicator", args=["fibre-communes"])).status_code == 302
    client.force_login(UserFactory(username="someone"))
    assert client.get(reverse("targets:indicator", args=["khong-co"])).status_code == 404


def test_query_count_does_not_grow_with_the_targets(reader, django_assert_max_num_queries):
    with django_assert_max_num_queries(14) as few:
        reader.get(reverse("targets:indicator", args=["fibre-communes"]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        reader.get(reverse("targets:indicator", args=["work-records-online"]))


def test_the_target_page_links_its_indicator_page(reader):
    from targets.models import Target

    target = Target.objects.get(plan__code="ct-dx-2025-2030", code="fibre-communes-2025")
    html = reader.get(reverse("dashboards:target", args=[target.pk])).content.decode()

    assert f'href="{reverse("targets:indicator", args=["fibre-communes"])}"' in html
