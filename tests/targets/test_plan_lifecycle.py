"""Issue 14's "done when", end to end through the HTTP client, as a DOIT official would do it.

Cần Thơ's plan editor downloads the template, fills the merged province's 2026–2030 plan (a
dozen targets, a split by level and a milestone) with openpyxl, uploads a bad file and reads
the row errors in Vietnamese with nothing saved, fixes it, confirms, finds the plan on the
city overview, the target page and the API; a reporter and DOIT take figures through the
real entry, submission and approval; the editor amends one target from a later date, and the
earlier period stays judged against the old value, on the target page and in the API.
"""

import re
from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from attainment.models import Status
from reporting.models import PeriodKind, Report, ReportState
from reporting.periods import period_ensure
from targets.models import Plan, Target, TargetAmendment
from targets.plan_workbook import COLUMN_OF, PLAN_ROW, TARGET_COLUMNS
from tests.factories import MembershipFactory, UserFactory
from tests.targets.test_plan_import import PLAN, PLAN_CODE, ROWS
from units.models import Role, Unit

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 20)  # Q3 2026 is reported; the plan was issued on 10/2/2026
CODE = "dvc-l4-2026"  # ≥ 90 % by 2026, consolidated by Sở KH&CN


def _user(name: str, unit: str, role: str):
    user = UserFactory(username=name)
    MembershipFactory(user=user, unit=Unit.objects.get(code=unit), role=role)
    return user


def _filled(template: bytes, rows, *, tweak=None) -> SimpleUploadedFile:
    """The downloaded template, filled in as an official would (plan sheet, one row per target)."""
    wb = load_workbook(BytesIO(template))
    for key, value in PLAN.items():
        wb["KeHoach"].cell(row=PLAN_ROW[key], column=2, value=value)
    keys = [k for k, _h, _w in TARGET_COLUMNS]
    for r, row in enumerate(rows, start=2):
        for key, value in row.items():
            wb["MucTieu"].cell(row=r, column=keys.index(key) + 1, value=value)
    if tweak:
        tweak(wb)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile("ke-hoach-2026-2030.xlsx", out.getvalue())


def _report(client, reporter, reviewer, unit, code, value, capture):
    """Enter every figure due, submit, and have DOIT approve (the recompute runs on commit)."""
    period_ensure(kind=PeriodKind.QUARTER, year=int(code[:4]), quarter=int(code[-1]))
    edit = reverse("report_edit", args=[unit.pk, code])
    client.force_login(reporter)
    form = client.get(edit).context["form"]
    data = {"version": "0", "action": "save"}
    for row in form.rows:
        name = row["inputs"]
        if row["is_milestone"]:
            data[name["milestone_state"]["name"]] = "in_progress"
        elif row["is_fraction"]:
            data[name["numerator"]["name"]], data[name["denominator"]["name"]] = "50", "100"
        else:
            data[name["value"]["name"]] = str(value) if row["code"] == "dvc-online-level4" else "50"
    assert "dvc-online-level4" in {row["code"] for row in form.rows}
    response = client.post(edit, data)
    assert response.status_code == 302, response.context and response.context.get("error")
    report = Report.objects.get(unit=unit, period__starts_on__year=int(code[:4]),
                                period__quarter=int(code[-1]), is_demo=False)
    response = client.post(edit, {"version": str(report.version), "action": "submit"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED

    client.force_login(reviewer)
    with capture(execute=True):
        response = client.post(reverse("report_approve", args=[report.pk]),
                               {"version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED


def _api_row(reviewer, target, period: str | None = None) -> dict:
    """The target's combined result through the API: the latest, or as of a period."""
    api = APIClient()
    api.force_login(reviewer)
    query = {"city": "CT", "dataset": "official", "plan": PLAN_CODE}
    if period:
        query["period"] = period
    body = api.get("/api/v1/attainment/", query).json()
    [row] = [r for r in body["results"] if r["target"] == target.pk]
    return row


def test_a_doit_official_imports_reports_amends_and_reads_both_versions(
    client, seeded, monkeypatch, django_capture_on_commit_callbacks,
):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    editor = _user("ct_plan_editor", "CT-SKHCN", Role.PLAN_EDITOR)
    reporter = _user("ct_skhcn_reporter", "CT-SKHCN", Role.REPORTER)
    reviewer = _user("ct_doit_reviewer", "CT-SKHCN", Role.REVIEWER)
    client.force_login(editor)

    # 1. The template.
    response = client.get(reverse("targets:plan_template"))
    assert response.status_code == 200
    template = response.content

    # 2. A bad file: every problem by row and column, in Vietnamese; nothing saved.
    bad = [dict(r) for r in ROWS]
    bad[3]["aggregation"] = "sum"            # row 5: a sum at commune level
    bad[11]["responsible"] = "CT-KHONGCO"    # row 13: no such unit

    def formula(wb):
        wb["MucTieu"][f"{COLUMN_OF['value']}2"] = "=80+10"  # row 2: a formula

    response = client.post(reverse("targets:plan_import"),
                           {"file": _filled(template, bad, tweak=formula)})
    assert response.status_code == 400
    problems = {(p.row, p.column) for p in response.context["preview"].problems}
    assert problems >= {(2, COLUMN_OF["value"]), (5, COLUMN_OF["aggregation"]),
                        (13, COLUMN_OF["responsible"])}
    html = response.content.decode()
    assert "công thức" in html
    assert "“CT-KHONGCO” không phải là đơn vị của thành phố này." in html
    assert "Chưa có gì được lưu" in html
    assert not Plan.objects.filter(code=PLAN_CODE).exists()

    # 3. Fixed: the preview, then confirm.
    response = client.post(reverse("targets:plan_import"), {"file": _filled(template, ROWS)})
    assert response.status_code == 200, [p.message for p in response.context["preview"].problems]
    assert not Plan.objects.filter(code=PLAN_CODE).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("targets:plan_import_confirm"))
    assert response.status_code == 302
    plan = Plan.objects.get(code=PLAN_CODE)
    assert plan.targets.count() == 12
    assert {t.level for t in plan.targets.filter(indicator__code="work-records-online")} == {
        "city", "commune"}
    assert plan.targets.filter(comparator="milestone").count() == 1
    target = plan.targets.get(code=CODE)

    # 4. On the dashboards and in the API.
    html = client.get(reverse("dashboards:city", args=["CT"]), {"plan": PLAN_CODE}).content
    assert PLAN["title_vi"] in html.decode()
    page = client.get(reverse("dashboards:target", args=[target.pk]))
    assert page.status_code == 200 and "≥ 90 %" in page.content.decode()
    api = APIClient()
    api.force_login(editor)
    assert api.get("/api/v1/targets/", {"plan": PLAN_CODE}).json()["count"] == 12

    # 5. Figures through the real reporting flow: 70 % in Q1, 85 % in Q3.
    skhcn = Unit.objects.get(code="CT-SKHCN")
    _report(client, reporter, reviewer, skhcn, "2026-Q1", 70, django_capture_on_commit_callbacks)
    _report(client, reporter, reviewer, skhcn, "2026-Q3", 85, django_capture_on_commit_callbacks)
    before = _api_row(reviewer, target)
    assert (before["period"], before["effective_target"]) == ("2026-Q3", 90)
    assert before["status"] != Status.ACHIEVED

    # 6. Amended from 1 July 2026 by a later document: ≥ 80 %.
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("targets:target_amend", args=[target.pk]), {
            "document_number": "88/KH-UBND", "document_title": "Điều chỉnh kế hoạch",
            "effective_from": "2026-07-01", "comparator": "at_least", "value": "80",
            "year": "2026", "note": ""})
    assert response.status_code == 302
    assert TargetAmendment.objects.filter(target=target).count() == 1

    # 7. Both versions; Q1 still judged against 90, Q3 and today against 80.
    html = client.get(reverse("dashboards:target", args=[target.pk])).content.decode()
    versions = html.split('data-testid="target-versions"')[1].split("</dd>")[0]
    assert "như khi ban hành: ≥ 90 %" in versions
    assert "điều chỉnh theo 88/KH-UBND từ 1/7/2026: ≥ 80 %" in versions
    # The chart's table: the target line steps from 90 (judging Q1) to 80 (Q3 and after).
    table = html.split('data-testid="table-series"')[1].split("</table>")[0]
    cells = re.findall(r"<tr><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>",
                       table)
    assert [(d, v) for name, d, v in cells if name == "Mục tiêu"] == [
        ("31/03/2026", "90"), ("30/09/2026", "80"), ("31/12/2026", "80")]
    status = html.split('data-testid="target-status"')[1].split("</dd>")[0]
    assert "Đã đạt" in status
    q1 = _api_row(reviewer, target, "2026-Q1")
    assert (q1["actual_value"], q1["effective_target"]) == (70, 90)
    assert q1["status"] != Status.ACHIEVED
    latest = _api_row(reviewer, target)
    assert (latest["period"], latest["actual_value"]) == ("2026-Q3", 85)
    assert (latest["effective_target"], latest["status"]) == (80, Status.ACHIEVED)
    body = api.get(f"/api/v1/targets/{target.pk}/").json()
    assert [a["effective_from"] for a in body["amendments"]] == ["2026-07-01"]
    assert body["value"] == 90.0  # the plan's own version is kept as issued


@pytest.mark.parametrize(("unit", "role"), [
    ("CT-SKHCN", Role.REVIEWER),       # DOIT reviewer of Cần Thơ, not a plan editor
    ("HP-SKHCN", Role.PLAN_EDITOR),    # plan editor of another city
])
def test_others_may_neither_import_nor_amend_the_new_plan(client, seeded, unit, role):
    editor = _user("ct_plan_editor", "CT-SKHCN", Role.PLAN_EDITOR)
    client.force_login(editor)
    template = client.get(reverse("targets:plan_template")).content
    client.post(reverse("targets:plan_import"), {"file": _filled(template, ROWS)})
    client.post(reverse("targets:plan_import_confirm"))
    target = Target.objects.get(plan__code=PLAN_CODE, code=CODE)

    client.force_login(_user("someone", unit, role))
    upload = client.post(reverse("targets:plan_import"), {"file": _filled(template, ROWS)})
    amend = client.post(reverse("targets:target_amend", args=[target.pk]), {
        "document_number": "88/KH-UBND", "effective_from": "2026-07-01",
        "comparator": "at_least", "value": "80", "year": "2026"})

    assert upload.status_code == 403 and amend.status_code == 403
    assert not TargetAmendment.objects.exists()
