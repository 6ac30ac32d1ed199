"""axe-core on every app page as the demo logins see them after `make run`: no serious or
critical violation (Swagger UI and ReDoc, third-party pages, are left out).

axe-core is vendored (tests/browser/vendor/axe-core, MPL-2.0) and injected by Playwright as an
init script, which the site's Content-Security-Policy (script-src 'self') does not govern.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from reporting.models import Report, ReportState
from targets.models import Target
from units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " " +
                                                   (n.failureSummary || "").slice(0, 160))}));
}"""


@pytest.fixture
def demo_world(transactional_db):
    quiet = {"stdout": StringIO(), "stderr": StringIO()}
    call_command("load_seed", **quiet)
    call_command("open_periods", **quiet)
    call_command("create_demo_accounts", force=True, **quiet)
    call_command("load_demo", **quiet)  # queues the recompute, which runs in-process


def _pages_by_login() -> dict[str, list[str]]:
    draft = Report.objects.filter(is_demo=True, unit__code="CT-SNV",
                                  state=ReportState.DRAFT).select_related("period").first()
    approved = Report.objects.filter(is_demo=True, unit__code="CT-SNV",
                                     state=ReportState.APPROVED).select_related("period").last()
    target = Target.objects.filter(plan__city__code="CT").order_by("pk").first()
    unit = Unit.objects.get(code="CT-SKHCN")
    history = reverse("report_history", args=[approved.unit_id, approved.period.code])
    return {
        "doit.cantho": [
            reverse("home"), reverse("review_queue"), history,
            reverse("dashboards:index"), reverse("dashboards:city", args=["CT"]),
            reverse("dashboards:target", args=[target.pk]),
            reverse("dashboards:unit", args=[unit.code]), reverse("dashboards:compare"),
            reverse("dashboards:compliance", args=["CT"]), reverse("attainment:method"),
        ],
        "sonoivu.cantho": [
            reverse("home"), reverse("report_edit", args=[draft.unit_id, draft.period.code]),
            reverse("report_excel_upload", args=[draft.unit_id, draft.period.code]), history,
        ],
        "xem.cantho": [reverse("home")],
        "admin": [reverse("home")],
    }


def test_no_serious_or_critical_violation_on_any_app_page(open_session, demo_world):
    pages = _pages_by_login()
    anonymous = open_session()
    anonymous.context.add_init_script(path=str(AXE))
    anonymous.goto(reverse("login"))
    found = {("anonymous", reverse("login")): anonymous.page.evaluate(RUN_AXE)}
    for username, paths in pages.items():
        session = open_session()
        session.context.add_init_script(path=str(AXE))
        session.login(username, "demo1234")
        for path in paths:
            response = session.goto(path)
            assert response.status == 200, (username, path)
            if session.page.locator(".chart[data-figure]").count():
                session.page.wait_for_selector(".chart .main-svg")
            found[(username, path)] = session.page.evaluate(RUN_AXE)
    failures = [
        f"{username} {path}: {v['impact']} {v['id']} ({v['help']}): {'; '.join(v['nodes'])}"
        for (username, path), violations in found.items() for v in violations
    ]
    assert not failures, "\n".join(failures)
