"""The review queue stays in the reviewer's menu on every page; others never see /review/."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = ["home", "dashboards:index", "attainment:method"]


def test_reviewer_has_the_queue_in_the_menu_on_every_page(login, doit_reviewer, city):
    client = login(doit_reviewer)
    queue = reverse("review_queue")
    for name in [*PAGES, "review_queue"]:
        page = client.get(reverse(name)).content.decode()
        assert f'<a href="{queue}" data-testid="nav-review">' in page, name
    page = client.get(reverse("dashboards:city", args=[city.code])).content.decode()
    assert 'data-testid="nav-review"' in page


def test_reporters_and_viewers_never_see_the_queue(login, department_reporter, city):
    from tests.factories import MembershipFactory, UserFactory
    from units.models import Role

    viewer = UserFactory(username="viewer")
    MembershipFactory(user=viewer, unit=city, role=Role.VIEWER)
    for user in (department_reporter, viewer):
        client = login(user)
        for name in PAGES:
            page = client.get(reverse(name)).content.decode()
            assert reverse("review_queue") not in page, (user, name)
        assert client.get(reverse("review_queue")).status_code == 403


def test_plan_editors_have_the_plan_import_in_the_menu_and_others_do_not(
    login, department_reporter, doit_reviewer, city
):
    from tests.factories import MembershipFactory, UserFactory
    from units.models import Role

    editor = UserFactory(username="plan_editor")
    MembershipFactory(user=editor, unit=city, role=Role.PLAN_EDITOR)
    plans = reverse("targets:plan_import")
    client = login(editor)
    for name in PAGES:
        page = client.get(reverse(name)).content.decode()
        assert f'<a href="{plans}" data-testid="nav-plans">Kế hoạch</a>' in page, name
    assert client.get(plans).status_code == 200
    for user in (department_reporter, doit_reviewer):
        client = login(user)
        for name in PAGES:
            assert 'data-testid="nav-plans"' not in client.get(reverse(name)).content.decode()
        assert client.get(plans).status_code == 403
