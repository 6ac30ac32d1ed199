"""Importing a plan from Excel, as a DOIT plan editor would: template, errors, confirm, round trip.

The plan is the merged Cần Thơ's own 2026–2030 plan (a new plan after the 1 July 2025 merger),
made in the test as a workbook of a dozen targets, including a split by level and a milestone.
"""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from reporting import hostile_workbooks as hostile
from targets.models import CatalogueChange, ChangeAction, Indicator, Plan, Target
from targets.plan_workbook import COLUMN_OF, PLAN_ROW, TARGET_COLUMNS
from tests.factories import MembershipFactory, UserFactory
from units.models import Role, Unit

PLAN_CODE = "ct-dx-2026-2030"
SENTENCE = "Kế hoạch chuyển đổi số thành phố Cần Thơ giai đoạn 2026-2030"

PLAN = {
    "code": PLAN_CODE, "city": "CT",
    "title_vi": "Kế hoạch chuyển đổi số thành phố Cần Thơ giai đoạn 2026 - 2030",
    "title_en": "Can Tho digital transformation plan 2026-2030",
    "document_number": "45/KH-UBND", "issued_on": "2026-02-10",
    "issuing_body_vi": "Ủy ban nhân dân thành phố Cần Thơ",
    "issuing_body_en": "Can Tho City People's Committee",
    "legal_basis": "Nghị quyết 57-NQ/TW; Quyết định 749/QĐ-TTg",
    "horizon_years": "2026, 2030", "source_file": "ct-2026-2030.txt",
}


def _row(code, indicator, comparator, value, year, responsible, **extra):
    return {"code": code, "indicator": indicator, "comparator": comparator, "value": value,
            "year": year, "responsible": responsible, "source_sentence": SENTENCE, **extra}


# A dozen targets: work records split by level (city, commune), a milestone, a rank, a new
# indicator, a consolidated DOIT figure, a reduction with a base entered by DOIT.
ROWS = [
    _row("dvc-l4-2026", "dvc-online-level4", "at_least", 90, 2026, "CT-SKHCN"),
    _row("dvc-l4-2030", "dvc-online-level4", "at_least", 100, 2030, "CT-SKHCN"),
    _row("work-records-2030-city", "work-records-online", "at_least", 100, 2030,
         "kind:department", level="city"),
    _row("work-records-2030-commune", "work-records-online", "at_least", 90, 2030,
         "kind:commune", level="commune"),
    _row("fibre-communes-2026", "fibre-communes", "at_least", 100, 2026, "CT-SKHCN",
         aggregation="consolidated"),
    _row("smart-city-2030", "smart-city-data-platform", "milestone", None, 2030, "CT-SKHCN"),
    _row("dti-rank-2030", "dti-rank", "top_n", 5, 2030, "CT"),
    _row("de-grdp-2030", "de-grdp-share", "at_least", 30, 2030, "CT"),
    _row("epayment-2030", "epayment-accounts", "more_than", 85, 2030, "CT-SKHCN"),
    _row("tthc-2030", "tthc-existing", "reduce_by", 30, 2030, "CT-VP", baseline_value=1800,
         baseline_year=2025),
    _row("ai-services-2030", "ai-public-services", "at_least", 50, 2030, "CT-SKHCN",
         pillar="digital_government", indicator_name_vi="Tỷ lệ dịch vụ công có ứng dụng AI",
         indicator_name_en="Share of public services using AI", measure="percent"),
    _row("open-datasets-2030", "open-datasets", "at_least", 2000, 2030, "CT-SKHCN"),
]


def workbook(plan=PLAN, rows=ROWS, *, tweak=None) -> SimpleUploadedFile:
    from targets.plan_workbook import plan_workbook

    wb = load_workbook(BytesIO(plan_workbook()))
    for key, value in plan.items():
        wb["KeHoach"].cell(row=PLAN_ROW[key], column=2, value=value)
    keys = [k for k, _h, _w in TARGET_COLUMNS]
    for r, row in enumerate(rows, start=2):
        for key, value in row.items():
            wb["MucTieu"].cell(row=r, column=keys.index(key) + 1, value=value)
    if tweak:
        tweak(wb)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile("ke-hoach.xlsx", out.getvalue())


@pytest.fixture
def recomputes(monkeypatch):
    """The recomputes queued after commit: [(target_ids, dataset)]."""
    from attainment import tasks

    calls = []
    monkeypatch.setattr(tasks.recompute_targets, "delay",
                        lambda ids, dataset="official", **outbox:
                        calls.append((sorted(ids), dataset)))
    return calls


def _upload(client, upload):
    return client.post(reverse("targets:plan_import"), {"file": upload})


def test_template_has_the_plan_and_target_sheets(editor_client):
    response = editor_client.get(reverse("targets:plan_template"))

    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    assert wb.sheetnames == ["KeHoach", "MucTieu", "DinhNghia", "HuongDan"]
    assert wb["MucTieu"]["A1"].value == "Mã mục tiêu"
    assert wb["KeHoach"]["A1"].value == "Mã kế hoạch"


def test_a_bad_file_lists_every_problem_by_row_and_column_in_vietnamese(editor_client):
    rows = [dict(r) for r in ROWS]
    rows[1]["value"] = "12,5,3"                           # row 3: not a number
    rows[3]["aggregation"] = "sum"                        # row 5: a sum at commune level
    rows[4]["aggregation"] = "share_meeting"              # row 6: share over one named unit
    del rows[9]["baseline_value"], rows[9]["baseline_year"]  # row 11: no base
    rows[10].pop("pillar")                                # row 12: unknown indicator
    rows[11]["responsible"] = "CT-KHONGCO"                # row 13: unknown unit

    def formula(wb):
        wb["MucTieu"][f"{COLUMN_OF['value']}2"] = "=80+10"  # row 2: a formula

    response = _upload(editor_client, workbook(rows=rows, tweak=formula))

    assert response.status_code == 400
    problems = {(p.row, p.column) for p in response.context["preview"].problems}
    assert problems >= {
        (2, COLUMN_OF["value"]), (3, COLUMN_OF["value"]), (5, COLUMN_OF["aggregation"]),
        (6, COLUMN_OF["responsible"]), (11, COLUMN_OF["baseline_value"]),
        (12, COLUMN_OF["pillar"]), (13, COLUMN_OF["responsible"]),
    }
    html = response.content.decode()
    assert "công thức" in html                            # formula
    assert "“CT-KHONGCO” không phải là đơn vị của thành phố này." in html
    assert "Chưa có gì được lưu" in html
    assert not Plan.objects.filter(code=PLAN_CODE).exists()
    assert "plan-import" not in editor_client.session


def test_confirmed_plan_is_saved_whole_with_history_and_recompute(
        editor_client, plan_editor, recomputes, django_capture_on_commit_callbacks):
    preview = _upload(editor_client, workbook())
    assert preview.status_code == 200, [p.message for p in preview.context["preview"].problems]
    assert 'data-testid="plan-confirm"' in preview.content.decode()
    assert not Plan.objects.filter(code=PLAN_CODE).exists()  # a preview saves nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(reverse("targets:plan_import_confirm"))

    assert response.status_code == 302
    plan = Plan.objects.get(code=PLAN_CODE)
    assert plan.city.code == "CT" and plan.document_number == "45/KH-UBND"
    assert plan.horizon_years == [2026, 2030]
    assert plan.targets.count() == 12
    commune = plan.targets.get(code="work-records-2030-commune")
    assert commune.responsible_kinds == ["commune"] and commune.level == "commune"
    assert commune.responsible_units.filter(kind="commune").exists()
    assert plan.targets.get(code="tthc-2030").baseline_source == "entered"
    assert plan.targets.get(code="fibre-communes-2026").combination == "consolidated"
    assert Indicator.objects.get(code="ai-public-services").name_vi.startswith("Tỷ lệ")
    created = CatalogueChange.objects.filter(target__plan=plan, action=ChangeAction.CREATED)
    assert created.count() == 12 and set(created.values_list("user", flat=True)) == {
        plan_editor.pk}
    ids = sorted(plan.targets.values_list("pk", flat=True))
    assert (ids, "official") in recomputes and (ids, "demo") in recomputes


def test_the_imported_plan_shows_in_the_api_and_on_the_dashboard(editor_client, plan_editor):
    _upload(editor_client, workbook())
    editor_client.post(reverse("targets:plan_import_confirm"))

    plans = editor_client.get(reverse("api:plan-list"), {"city": "CT"}).json()["results"]
    assert PLAN_CODE in {p["code"] for p in plans}
    targets = editor_client.get(reverse("api:target-list"), {"plan": PLAN_CODE}).json()
    assert targets["count"] == 12
    MembershipFactory(user=plan_editor, unit=Unit.objects.get(code="CT-SKHCN"),
                      role=Role.VIEWER)
    html = editor_client.get(reverse("dashboards:city", args=["CT"])).content.decode()
    assert PLAN["title_vi"] in html


def test_round_trip_changes_only_what_changed(editor_client, recomputes,
                                              django_capture_on_commit_callbacks):
    _upload(editor_client, workbook())
    editor_client.post(reverse("targets:plan_import_confirm"))
    exported = editor_client.get(reverse("targets:plan_export", args=[PLAN_CODE]))
    assert exported.status_code == 200

    again = _upload(editor_client, SimpleUploadedFile("ke-hoach.xlsx", exported.content))
    assert again.status_code == 200, [p.message for p in again.context["preview"].problems]
    recomputes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(reverse("targets:plan_import_confirm"))
    assert CatalogueChange.objects.filter(action=ChangeAction.UPDATED).count() == 0
    assert all(ids == [] for ids, _d in recomputes)

    wb = load_workbook(BytesIO(exported.content))
    codes = [c.value for c in wb["MucTieu"]["A"]]
    wb["MucTieu"][f"{COLUMN_OF['value']}{codes.index('dvc-l4-2026') + 1}"] = 95
    out = BytesIO()
    wb.save(out)
    _upload(editor_client, SimpleUploadedFile("ke-hoach.xlsx", out.getvalue()))
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(reverse("targets:plan_import_confirm"))

    change = CatalogueChange.objects.get(action=ChangeAction.UPDATED)
    target = Target.objects.get(plan__code=PLAN_CODE, code="dvc-l4-2026")
    assert change.target == target and change.changes == {"value": ["90", "95"]}
    assert ([target.pk], "official") in recomputes


# --------------------------------------------------------------------- who may do it


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.REPORTER, Role.VIEWER])
def test_only_plan_editors_may_open_the_import(client, seeded, role):
    user = UserFactory(username=f"not-editor-{role}")
    MembershipFactory(user=user, unit=Unit.objects.get(code="CT-SKHCN"), role=role)
    client.force_login(user)

    assert client.get(reverse("targets:plan_import")).status_code == 403
    assert client.get(reverse("targets:plan_template")).status_code == 403
    assert _upload(client, workbook()).status_code == 403
    assert client.post(reverse("targets:plan_import_confirm")).status_code == 403
    assert not Plan.objects.filter(code=PLAN_CODE).exists()


def test_a_plan_editor_of_another_city_is_refused_this_citys_plan(client, seeded):
    user = UserFactory(username="hp-editor")
    MembershipFactory(user=user, unit=Unit.objects.get(code="HP-SKHCN"), role=Role.PLAN_EDITOR)
    client.force_login(user)

    assert client.get(reverse("targets:plan_import")).status_code == 200
    assert _upload(client, workbook()).status_code == 403
    assert client.get(reverse("targets:plan_export", args=["ct-dx-2025-2030"])).status_code == 403
    assert not Plan.objects.filter(code=PLAN_CODE).exists()


def test_the_editor_may_export_own_citys_plan(editor_client):
    response = editor_client.get(reverse("targets:plan_export", args=["ct-dx-2025-2030"]))

    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    assert wb["KeHoach"]["B1"].value == "ct-dx-2025-2030"
    assert wb["MucTieu"].max_row == 1 + Target.objects.filter(plan__code="ct-dx-2025-2030").count()


def test_anonymous_users_are_sent_to_log_in(client, seeded):
    assert client.get(reverse("targets:plan_import")).status_code == 302


# --------------------------------------------------------------------- hostile files


def test_a_file_that_is_not_xlsx_is_refused(editor_client):
    response = _upload(editor_client, SimpleUploadedFile("ke-hoach.xlsx", b"code,value\n"))

    assert response.status_code == 400
    assert "file-error" in response.content.decode()
    assert not Plan.objects.filter(code=PLAN_CODE).exists()


def test_a_file_over_the_limit_is_refused(editor_client, settings):
    settings.EXCEL_UPLOAD_MAX_BYTES = 1024

    response = _upload(editor_client, workbook())

    assert response.status_code == 400
    assert response.context["file_error"]
    assert not Plan.objects.filter(code=PLAN_CODE).exists()


def test_a_workbook_without_the_plan_sheets_is_refused(editor_client):
    from openpyxl import Workbook

    out = BytesIO()
    Workbook().save(out)
    response = _upload(editor_client, SimpleUploadedFile("ke-hoach.xlsx", out.getvalue()))

    assert response.status_code == 400
    assert "KeHoach" in response.context["file_error"]


@pytest.mark.parametrize("build, message", [
    (hostile.billion_laughs, "Tệp bị hỏng"),
    (hostile.external_entity, "Tệp bị hỏng"),
    (lambda u, p: hostile.zip_bomb(u, p, inflated_mb=20), "lớn hơn hoặc phức tạp hơn"),
    (lambda u, p: hostile.many_styles(u, p, formats=20_000), "lớn hơn hoặc phức tạp hơn"),
], ids=["billion-laughs", "xxe", "zip-bomb", "styles"])
def test_hostile_workbooks_are_refused_as_the_report_upload_refuses_them(editor_client, build,
                                                                         message):
    response = _upload(editor_client,
                       SimpleUploadedFile("ke-hoach.xlsx", build("CT-SKHCN", "2026-Q1")))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Plan.objects.filter(code=PLAN_CODE).exists()
    assert "plan-import" not in editor_client.session


def test_a_source_sentence_typed_as_a_formula_is_exported_as_text(editor_client):
    target = Target.objects.filter(plan__code="ct-dx-2025-2030").order_by("year", "code").first()
    Target.objects.filter(pk=target.pk).update(source_sentence='=HYPERLINK("http://x","y")')

    response = editor_client.get(reverse("targets:plan_export", args=["ct-dx-2025-2030"]))

    sheet = load_workbook(BytesIO(response.content))["MucTieu"]
    column = COLUMN_OF["source_sentence"]
    [cell] = [c for c in sheet[column] if c.value == '=HYPERLINK("http://x","y")']
    assert cell.data_type == "s"
