"""The national-indicator column of the plan workbook: template, validation, export, round trip."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from targets.models import CatalogueChange, ChangeAction, Indicator
from targets.plan_workbook import COLUMN_OF, HEADER_OF
from tests.targets.test_plan_import import (
    ROWS,
    workbook,
)


def _upload(client, upload):
    return client.post(reverse("targets:plan_import"), {"file": upload})


def _rows(**by_code):
    rows = [dict(r) for r in ROWS]
    for row in rows:
        row.update(by_code.get(row["code"], {}))
    return rows


def test_the_template_has_the_column_and_lists_the_codes(editor_client):
    wb = load_workbook(BytesIO(editor_client.get(reverse("targets:plan_template")).content))

    assert wb["MucTieu"][f"{COLUMN_OF['national_indicator']}1"].value == "Mã chỉ tiêu quốc gia"
    guide = [c.value for c in wb["HuongDan"]["A"]]
    assert any(str(v).startswith("N749-DVC-L4: ") for v in guide)


def test_the_export_carries_each_indicators_national_code(editor_client):
    wb = load_workbook(BytesIO(editor_client.get(
        reverse("targets:plan_export", args=["ct-dx-2025-2030"])).content))
    sheet = wb["MucTieu"]
    pairs = {(sheet[f"{COLUMN_OF['indicator']}{r}"].value,
              sheet[f"{COLUMN_OF['national_indicator']}{r}"].value)
             for r in range(2, sheet.max_row + 1)}

    assert ("dvc-online-level4", "N749-DVC-L4") in pairs
    assert ("dti-rank", None) in pairs


def test_a_new_indicator_and_an_unlinked_one_take_the_plans_national_code(editor_client,
                                                                          plan_editor):
    rows = _rows(**{"ai-services-2030": {"national_indicator": "N749-DVC-L4"},
                    "smart-city-2030": {"national_indicator": "N749-OPEN-DATA"},
                    "dvc-l4-2026": {"national_indicator": "N749-DVC-L4"}})

    preview = _upload(editor_client, workbook(rows=rows))
    assert preview.status_code == 200, [p.message for p in preview.context["preview"].problems]
    assert preview.context["preview"].national_links == {
        "smart-city-data-platform": "N749-OPEN-DATA"}
    editor_client.post(reverse("targets:plan_import_confirm"))

    assert Indicator.objects.get(code="ai-public-services").national_indicator.code == (
        "N749-DVC-L4")
    linked = Indicator.objects.get(code="smart-city-data-platform")
    assert linked.national_indicator.code == "N749-OPEN-DATA"
    change = CatalogueChange.objects.get(indicator=linked, action=ChangeAction.UPDATED)
    assert change.changes == {"national_indicator": [None, "N749-OPEN-DATA"]}
    assert change.user == plan_editor
    api = editor_client.get(reverse("api:indicator-detail", args=[linked.pk])).json()
    assert api["national_indicator"]["code"] == "N749-OPEN-DATA"
    page = editor_client.get(reverse("targets:indicator", args=[linked.code])).content.decode()
    assert "N749-OPEN-DATA" in page


def test_bad_national_codes_are_refused_by_row_and_column(editor_client):
    rows = _rows(**{
        "dvc-l4-2026": {"national_indicator": "N749-KHONGCO"},        # row 2: unknown
        "dvc-l4-2030": {"national_indicator": "N749-OPEN-DATA"},      # row 3: remaps
        "ai-services-2030": {"national_indicator": "N749-DVC-L4"},    # row 12
    })
    rows.append({**rows[10], "code": "ai-services-2026", "year": 2026,
                 "national_indicator": "N749-OPEN-DATA"})             # row 14: disagrees

    response = _upload(editor_client, workbook(rows=rows))

    assert response.status_code == 400
    column = COLUMN_OF["national_indicator"]
    assert {(p.row, p.column) for p in response.context["preview"].problems} == {
        (2, column), (3, column), (14, column)}
    html = response.content.decode()
    assert "không phải mã của chỉ tiêu quốc gia" in html
    assert HEADER_OF["national_indicator"] in html
    assert Indicator.objects.get(code="dvc-online-level4").national_indicator.code == (
        "N749-DVC-L4")


def test_the_round_trip_keeps_the_codes_and_changes_nothing(editor_client):
    exported = editor_client.get(reverse("targets:plan_export", args=["ct-dx-2025-2030"]))

    response = _upload(editor_client, SimpleUploadedFile("ke-hoach.xlsx", exported.content))
    assert response.status_code == 200, [p.message for p in response.context["preview"].problems]
    editor_client.post(reverse("targets:plan_import_confirm"))

    assert not CatalogueChange.objects.filter(action=ChangeAction.UPDATED).exists()
