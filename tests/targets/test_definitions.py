"""An indicator's definition changes from a date by a document; every version is kept.

The example is the real one: online public services "mức độ 3, 4" became "toàn trình / một
phần" under Nghị định 42/2022/NĐ-CP. Here the DTI rank indicator is redefined from mid-2022, so
the seeded 2021 figure stays labelled with the old definition and the 2022 one with the new.
"""

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from targets.models import CatalogueChange, ChangeSource, Indicator, IndicatorDefinition, Target
from targets.plan_workbook import DEFINITION_SHEET
from targets.services import PlanPermissionError, indicator_definition_change
from tests.factories import MembershipFactory, UserFactory
from units.models import Role, Unit

NEW_TEXT = "Xếp hạng Chỉ số chuyển đổi số cấp tỉnh (DTI) theo bộ chỉ số sửa đổi"
FORM = {"text_vi": NEW_TEXT, "text_en": "DTI rank under the revised index",
        "effective_from": "2022-06-01", "document_number": "42/2022/NĐ-CP",
        "document_title": "Nghị định về cung cấp thông tin và dịch vụ công trực tuyến"}


@pytest.fixture
def plan_editor(seeded):
    """DOIT plan editor of Cần Thơ: records definition changes of the shared indicators."""
    user = UserFactory(username="plan_editor", first_name="Lan", last_name="Trần Thị")
    MembershipFactory(user=user, unit=Unit.objects.get(code="CT-SKHCN"), role=Role.PLAN_EDITOR)
    MembershipFactory(user=user, unit=Unit.objects.get(code="CT-SKHCN"), role=Role.VIEWER)
    return user


@pytest.fixture
def reviewer(seeded):
    """DOIT reviewer of Cần Thơ: reads the indicator, may not redefine it."""
    user = UserFactory(username="reviewer")
    MembershipFactory(user=user, unit=Unit.objects.get(code="CT-SKHCN"), role=Role.REVIEWER)
    return user


def _url(code="dti-rank"):
    return reverse("targets:indicator_definition", args=[code])


def test_a_plan_editor_records_a_new_definition_and_the_old_one_stays(client, plan_editor):
    client.force_login(plan_editor)
    assert client.get(_url()).status_code == 200

    response = client.post(_url(), FORM)

    assert response.status_code == 302
    indicator = Indicator.objects.get(code="dti-rank")
    [definition] = indicator.definitions.all()
    assert definition.created_by == plan_editor and definition.text_vi == NEW_TEXT
    assert indicator.definition_on(date(2021, 12, 31)).text_vi == indicator.name_vi
    assert indicator.definition_on(date(2022, 12, 31)).text_vi == NEW_TEXT
    change = CatalogueChange.objects.get(indicator=indicator, source=ChangeSource.DEFINITION)
    assert change.user == plan_editor
    assert change.changes["definition_vi"] == [indicator.name_vi, NEW_TEXT]
    assert "42/2022/NĐ-CP" in change.note


def test_the_indicator_page_labels_each_period_with_its_definition(client, plan_editor):
    client.force_login(plan_editor)
    client.post(_url(), FORM)

    response = client.get(reverse("targets:indicator", args=["dti-rank"]))

    html = response.content.decode()
    assert "Định nghĩa thay đổi theo 42/2022/NĐ-CP từ 01/06/2022" in html
    old, new = response.context["profile"].definitions
    assert [code for code, _n in old.periods] == ["2021"]
    assert [code for code, _n in new.periods] == ["2022"]
    assert old.until == date(2022, 6, 1) and new.version.effective_from == date(2022, 6, 1)
    assert "Trần Thị Lan" in html


def test_the_target_page_and_the_api_show_the_change(client, plan_editor):
    client.force_login(plan_editor)
    client.post(_url(), FORM)
    target = Target.objects.filter(indicator__code="dti-rank", plan__city__code="CT").first()

    page = client.get(reverse("dashboards:target", args=[target.pk])).content.decode()
    api = client.get(reverse("api:indicator-list"), {"plan": target.plan.code}).json()
    history = client.get(reverse("api:indicator-definition-list"),
                         {"indicator": "dti-rank"}).json()

    assert "Định nghĩa thay đổi theo 42/2022/NĐ-CP từ 1/6/2022" in page
    [dti] = [i for i in api["results"] if i["code"] == "dti-rank"]
    assert dti["definitions"] == [{
        "text_vi": NEW_TEXT, "text_en": FORM["text_en"], "effective_from": "2022-06-01",
        "document_number": "42/2022/NĐ-CP", "document_title": FORM["document_title"]}]
    [row] = history["results"]
    assert row["by"] == "Trần Thị Lan" and row["effective_from"] == "2022-06-01"


def test_a_second_definition_on_the_same_day_is_refused_in_vietnamese(client, plan_editor):
    client.force_login(plan_editor)
    client.post(_url(), FORM)

    response = client.post(_url(), {**FORM, "text_vi": "Khác"})

    assert response.status_code == 400
    assert "đã có định nghĩa có hiệu lực từ ngày đó" in response.content.decode()
    assert IndicatorDefinition.objects.count() == 1


def test_a_reviewer_may_read_but_not_redefine(client, reviewer):
    client.force_login(reviewer)

    page = client.get(reverse("targets:indicator", args=["dti-rank"])).content.decode()
    assert 'data-testid="definition-change-link"' not in page
    assert client.get(_url()).status_code == 403
    assert client.post(_url(), FORM).status_code == 403
    assert not IndicatorDefinition.objects.exists()
    with pytest.raises(PlanPermissionError):
        indicator_definition_change(user=reviewer, indicator=Indicator.objects.get(
            code="dti-rank"), text_vi="x", text_en="", effective_from=date(2022, 1, 1),
            document_number="1/QĐ")


def test_anonymous_visitors_are_sent_to_log_in(client, seeded):
    assert client.get(_url()).status_code == 302
    assert client.post(_url(), FORM).status_code == 302
    assert not IndicatorDefinition.objects.exists()


# --------------------------------------------------------------------- the plan workbook


def _with_definitions(content: bytes, rows: list[list]) -> SimpleUploadedFile:
    wb = load_workbook(BytesIO(content))
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            wb[DEFINITION_SHEET].cell(row=r, column=c, value=value)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile("ke-hoach.xlsx", out.getvalue())


def _export(client, code="ct-dx-2025-2030") -> bytes:
    return client.get(reverse("targets:plan_export", args=[code])).content


def test_a_definition_comes_in_with_the_plan_workbook_and_goes_out_again(client, plan_editor):
    client.force_login(plan_editor)
    upload = _with_definitions(_export(client), [
        ["dti-rank", "2022-06-01", "42/2022/NĐ-CP", FORM["document_title"], NEW_TEXT,
         FORM["text_en"]]])

    preview = client.post(reverse("targets:plan_import"), {"file": upload})
    assert preview.status_code == 200, [p.message for p in preview.context["preview"].problems]
    assert 'data-testid="new-definitions"' in preview.content.decode()
    client.post(reverse("targets:plan_import_confirm"))

    [definition] = IndicatorDefinition.objects.filter(indicator__code="dti-rank")
    assert definition.created_by == plan_editor and definition.text_en == FORM["text_en"]
    assert CatalogueChange.objects.filter(source=ChangeSource.DEFINITION).count() == 1
    exported = load_workbook(BytesIO(_export(client)))[DEFINITION_SHEET]
    assert [c.value for c in exported[2]] == [
        "dti-rank", "2022-06-01", "42/2022/NĐ-CP", FORM["document_title"], NEW_TEXT,
        FORM["text_en"]]

    again = client.post(reverse("targets:plan_import"), {
        "file": SimpleUploadedFile("ke-hoach.xlsx", _export(client))})
    assert again.context["preview"].definitions == [] and not again.context["preview"].problems


def test_bad_definition_rows_are_refused_by_row_and_column(client, plan_editor):
    client.force_login(plan_editor)
    indicator_definition_change(user=plan_editor, indicator=Indicator.objects.get(
        code="dti-rank"), text_vi=NEW_TEXT, text_en="", effective_from=date(2022, 6, 1),
        document_number="42/2022/NĐ-CP")
    upload = _with_definitions(_export(client), [
        ["dti-rank", "2022-06-01", "42/2022/NĐ-CP", "", "Sửa lại lịch sử", ""],  # row 2
        ["khong-co", "2023-01-01", "1/QĐ", "", "x", ""],                          # row 3
        ["dti-rank", "01/2023", "1/QĐ", "", "x", ""],                             # row 4
        ["dti-rank", "2024-01-01", "", "", "", ""],                               # row 5
    ])

    response = client.post(reverse("targets:plan_import"), {"file": upload})

    assert response.status_code == 400
    problems = {(p.sheet, p.row, p.column) for p in response.context["preview"].problems}
    assert problems == {(DEFINITION_SHEET, 2, "E"), (DEFINITION_SHEET, 3, "A"),
                        (DEFINITION_SHEET, 4, "B"), (DEFINITION_SHEET, 5, "C"),
                        (DEFINITION_SHEET, 5, "E")}
    assert "không sửa" in response.content.decode()
    assert IndicatorDefinition.objects.count() == 1
