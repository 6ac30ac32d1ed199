"""Demo never captures real work: demo reports live beside real ones, never instead of them.

department_reporter is a real login; `demo_reporter` is made as create_demo_accounts makes
the demo login sonoivu.cantho (its name and its demo e-mail), reporting for the same unit.
"""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.services import api_token_issue
from dashboards.demo import demo_remove
from dxtracker.demo_accounts import DEMO_EMAIL_DOMAIN, is_demo_login
from reporting.models import (
    ComplianceRecord,
    Dataset,
    Report,
    ReportEvent,
    ReportLine,
    ReportState,
    Timeliness,
)
from reporting.services import report_open
from tests.factories import MembershipFactory, ReportFactory, UserFactory
from tests.reporting.conftest import form_data
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_draft(department, period, targets):
    """What load_demo leaves in the last demo quarter: an empty demo draft."""
    return ReportFactory(unit=department, period=period, is_demo=True, state=ReportState.DRAFT)


@pytest.fixture
def demo_reporter(department):
    user = UserFactory(username="sonoivu.cantho", email=f"sonoivu.cantho@{DEMO_EMAIL_DOMAIN}")
    MembershipFactory(user=user, unit=department, role=Role.REPORTER)
    return user


def test_only_the_demo_logins_are_demo(demo_reporter, department_reporter):
    impostor = UserFactory(username="doit.cantho", email="hung@cantho.gov.vn")

    assert is_demo_login(demo_reporter)
    assert not is_demo_login(department_reporter)
    assert not is_demo_login(impostor)  # a real account that happens to bear a demo name


def test_a_real_reporter_enters_a_real_report_beside_the_demo_draft(
    client, department_reporter, department, period, demo_draft, full_values
):
    client.force_login(department_reporter)
    url = reverse("report_edit", args=[department.pk, period.code])

    page = client.get(url)
    response = client.post(url, form_data(full_values, 0, "save"))

    assert 'data-testid="demo-banner"' not in page.content.decode()
    assert response.status_code == 302
    real = Report.objects.get(unit=department, period=period, is_demo=False)
    assert real.lines.count() == 5
    demo_draft.refresh_from_db()
    assert demo_draft.version == 1 and not demo_draft.lines.exists()


def test_remove_demo_deletes_the_demo_draft_and_never_the_real_report(
    client, department_reporter, department, period, demo_draft, full_values
):
    client.force_login(department_reporter)
    client.post(reverse("report_edit", args=[department.pk, period.code]),
                form_data(full_values, 0, "submit"))
    real = Report.objects.get(unit=department, period=period, is_demo=False)

    demo_remove()

    assert not Report.objects.filter(pk=demo_draft.pk).exists()
    real.refresh_from_db()
    assert real.state == ReportState.SUBMITTED
    assert ReportLine.objects.filter(report=real).count() == 5
    assert list(ReportEvent.objects.filter(report=real).values_list("action", flat=True)) == [
        "created", "saved", "submitted"
    ]


def test_remove_demo_deletes_and_counts_demo_compliance_only(department, period):
    for dataset in (Dataset.DEMO, Dataset.OFFICIAL):
        ComplianceRecord.objects.create(dataset=dataset, unit=department, period=period,
                                        timeliness=Timeliness.PENDING, computed_at=timezone.now())

    counts = demo_remove()

    assert counts["compliance"] == 1
    assert list(ComplianceRecord.objects.values_list("dataset", flat=True)) == [Dataset.OFFICIAL]


def test_the_start_page_owes_the_real_report_while_a_demo_one_exists(
    client, department_reporter, department, period, targets
):
    ReportFactory(unit=department, period=period, is_demo=True, state=ReportState.APPROVED)
    client.force_login(department_reporter)

    home = client.get(reverse("home"))

    due = home.context["due"] + home.context["overdue"]
    assert [(i.unit, i.period, i.report) for i in due] == [(department, period, None)]


def test_the_api_opens_a_real_report_beside_a_demo_one(department_reporter, department, period,
                                                        demo_draft):
    _, key = api_token_issue(user=department_reporter, name="LGSP", can_write=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.post("/api/v1/reports/", {"unit": department.code,
                                                "period": period.code}, format="json")

    assert response.status_code == 201
    assert response.json()["is_demo"] is False
    assert Report.objects.filter(unit=department, period=period).count() == 2


def test_the_demo_login_works_on_the_demo_draft(client, demo_reporter, department, period,
                                                demo_draft, full_values):
    assert report_open(user=demo_reporter, unit=department, period=period) == demo_draft
    client.force_login(demo_reporter)

    page = client.get(reverse("report_edit", args=[department.pk, period.code]))
    client.post(reverse("report_edit", args=[department.pk, period.code]),
                form_data(full_values, demo_draft.version, "save"))

    assert 'data-testid="demo-banner"' in page.content.decode()
    assert not Report.objects.filter(unit=department, period=period, is_demo=False).exists()
    assert demo_draft.lines.count() == 5


def test_history_shows_the_readers_own_dataset_first_and_the_other_when_asked(
    client, doit_reviewer, department_reporter, department, period, demo_draft, full_values
):
    client.force_login(department_reporter)
    client.post(reverse("report_edit", args=[department.pk, period.code]),
                form_data(full_values, 0, "save"))
    client.force_login(doit_reviewer)
    url = reverse("report_history", args=[department.pk, period.code])

    own = client.get(url)
    demo = client.get(url, {"dataset": "demo"})

    assert own.context["report"].is_demo is False
    assert demo.context["report"] == demo_draft
