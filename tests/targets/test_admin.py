"""The catalogue and unit admin on the real fixtures: Vietnamese by default, English on request."""

import pytest
from django.conf import settings
from django.urls import reverse

from targets.models import Plan, Target
from tests.factories import UserFactory
from units.models import Membership, Role, Unit

CHANGELISTS = [
    ("targets", "plan"), ("targets", "pillar"), ("targets", "nationalindicator"),
    ("targets", "indicator"), ("targets", "target"), ("units", "unit"), ("units", "membership"),
]


@pytest.fixture
def admin_client_vi(client, seeded):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    Membership.objects.create(user=admin, unit=Unit.objects.get(code="CT-STTTT"),
                              role=Role.REVIEWER)
    client.force_login(admin)
    return client


@pytest.fixture
def admin_client_en(admin_client_vi):
    admin_client_vi.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client_vi


def changelist(app, model):
    return reverse(f"admin:{app}_{model}_changelist")


@pytest.mark.parametrize(("app", "model"), CHANGELISTS)
def test_every_changelist_answers_a_superuser_in_vietnamese(admin_client_vi, app, model,
                                                             django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = admin_client_vi.get(changelist(app, model))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "vi"


def test_target_changelist_speaks_vietnamese_by_default(admin_client_vi):
    response = admin_client_vi.get(changelist("targets", "target"))
    html = response.content.decode()
    assert "Chọn mục tiêu để thay đổi" in html  # Target's verbose_name in the page title
    assert "Bởi trụ cột" in html                # the pillar filter
    assert "Cấp huyện" in html                  # a level choice
    assert "Tỷ lệ hồ sơ công việc" in html      # indicator names in Vietnamese
    assert "Share of work records" not in html


def test_target_changelist_speaks_english_with_the_language_cookie(admin_client_en):
    response = admin_client_en.get(changelist("targets", "target"))
    html = response.content.decode()
    assert response.headers["Content-Language"] == "en"
    assert "Share of work records processed online" in html
    assert "Select target to change" in html
    assert "District level" in html
    assert "Chọn mục tiêu" not in html


def test_unit_names_follow_the_language(admin_client_vi):
    url = changelist("units", "unit") + "?q=CT-Q-BINHTHUY"
    assert "Quận Bình Thủy" in admin_client_vi.get(url).content.decode()

    admin_client_vi.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = admin_client_vi.get(url).content.decode()
    assert "Binh Thuy District" in html
    assert "Quận Bình Thủy" not in html


@pytest.mark.parametrize(("query", "present", "absent"), [
    ("?level__exact=district&year=2021", "work-records-online-2021-district",
     "work-records-online-2021-commune"),
    ("?q=5.000+bộ+dữ+liệu+mở", "open-datasets-2030", "open-datasets-2025"),
    ("?comparator__exact=reduce_by", "tthc-existing-2030", "dti-rank-2025"),
    ("?q=dti-rank", "dti-rank-2030", "open-datasets-2030"),
])
def test_target_changelist_filters_and_search(admin_client_vi, query, present, absent):
    response = admin_client_vi.get(changelist("targets", "target") + query)
    html = response.content.decode()
    assert response.status_code == 200
    assert present in html
    assert absent not in html


def test_target_changelist_filters_by_plan_and_pillar(admin_client_vi):
    plan = Plan.objects.get(code="ct-dg-2021")
    pillar = Target.objects.get(plan=plan, code="infosec-level-dossiers-2021").indicator.pillar
    response = admin_client_vi.get(
        changelist("targets", "target") + f"?plan__id__exact={plan.pk}&pillar={pillar.pk}"
    )
    result = response.context["cl"].result_list
    assert {t.code for t in result} == set(
        Target.objects.filter(plan=plan, indicator__pillar=pillar).values_list("code", flat=True)
    )
    assert "infosec-level-dossiers-2021" in {t.code for t in result}


def test_plan_changelist_filters_by_city_and_searches_document_number(admin_client_vi):
    hp = Unit.objects.get(code="HP")
    by_city = admin_client_vi.get(changelist("targets", "plan") + f"?city={hp.pk}")
    assert [p.code for p in by_city.context["cl"].result_list] == ["hp-dx-2025-2030"]
    by_number = admin_client_vi.get(changelist("targets", "plan") + "?q=11/KH-UBND")
    assert [p.code for p in by_number.context["cl"].result_list] == ["ct-dg-2021"]


def test_indicator_changelist_filters_by_national_indicator(admin_client_vi):
    from targets.models import NationalIndicator

    national = NationalIndicator.objects.get(code="N749-WORK-RECORDS")
    response = admin_client_vi.get(
        changelist("targets", "indicator") + f"?national_indicator__id__exact={national.pk}"
    )
    assert [i.code for i in response.context["cl"].result_list] == ["work-records-online"]


def test_unit_changelist_filters_by_kind_city_and_validity(admin_client_vi):
    ct = Unit.objects.get(code="CT")
    response = admin_client_vi.get(
        changelist("units", "unit") + f"?kind__exact=district&city={ct.pk}&status=dissolved"
    )
    codes = {u.code for u in response.context["cl"].result_list}
    assert len(codes) == 9 and "CT-Q-OMON" in codes
    valid = admin_client_vi.get(changelist("units", "unit") + f"?city={ct.pk}&status=valid")
    assert {u.code for u in valid.context["cl"].result_list} == {
        "CT", "CT-SKHCN", "CT-SNV", "CT-STC", "CT-SVHTTDL", "CT-VP",
    }


def test_membership_changelist_filters_by_role(admin_client_vi):
    response = admin_client_vi.get(changelist("units", "membership") + "?role__exact=reviewer")
    assert [m.unit.code for m in response.context["cl"].result_list] == ["CT-STTTT"]
    assert "Người duyệt" in response.content.decode()


def test_target_change_page_shows_the_source_sentence_read_only(admin_client_vi):
    target = Target.objects.get(plan__code="dn-dx-resolution-2025-2030", code="open-datasets-2030")
    response = admin_client_vi.get(reverse("admin:targets_target_change", args=[target.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "5.000 bộ dữ liệu mở" in html
    assert 'name="source_sentence"' not in html   # shown, not an input
    assert 'name="value"' in html


def test_target_source_sentence_cannot_be_changed_through_the_admin(admin_client_vi):
    target = Target.objects.get(plan__code="ct-dg-2021", code="work-records-online-2021-city")
    url = reverse("admin:targets_target_change", args=[target.pk])
    form = admin_client_vi.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["responsible_units"] = list(target.responsible_units.values_list("pk", flat=True))
    data["source_sentence"] = "altered"
    data["value"] = "86"

    response = admin_client_vi.post(url, data)

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == 86
    assert target.source_sentence.startswith("Tối thiểu 85% hồ sơ công việc")


def test_plan_change_page_lists_its_targets_inline(admin_client_vi):
    plan = Plan.objects.get(code="ct-dg-2021")
    response = admin_client_vi.get(reverse("admin:targets_plan_change", args=[plan.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("work-records-online-2021-") >= 3


def test_a_non_staff_user_is_refused(client, seeded):
    client.force_login(UserFactory(username="clerk", is_staff=False))
    for app, model in CHANGELISTS:
        response = client.get(changelist(app, model))
        assert response.status_code == 302
        assert reverse("admin:login") in response.url


def test_an_anonymous_visitor_is_sent_to_log_in(client, seeded):
    response = client.get(changelist("targets", "target"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


@pytest.mark.parametrize("name", [
    "targets_plan_add", "targets_target_add", "targets_indicator_add", "units_unit_add",
    "units_membership_add",
])
def test_add_pages_answer(admin_client_vi, name):
    assert admin_client_vi.get(reverse(f"admin:{name}")).status_code == 200


def test_unit_change_page_shows_successor_and_parent(admin_client_vi):
    omon = Unit.objects.get(code="CT-Q-OMON")
    response = admin_client_vi.get(reverse("admin:units_unit_change", args=[omon.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đơn vị kế thừa" in html
    assert "Thành phố Cần Thơ" in html


def test_membership_autocomplete_finds_units_by_name(admin_client_vi):
    response = admin_client_vi.get(reverse("admin:autocomplete"), {
        "term": "Ô Môn", "app_label": "units", "model_name": "membership", "field_name": "unit",
    })
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Quận Ô Môn"]
