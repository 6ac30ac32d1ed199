"""The reporting pages on the demo world itself, as the demo logins see them after `make run`."""

import pytest
from django.urls import reverse

from reporting.models import Report, ReportState

pytestmark = pytest.mark.django_db


def _history_url(report: Report) -> str:
    return reverse("report_history", args=[report.unit_id, report.period.code])


def test_history_of_every_kind_of_demo_report_opens(client, demo):
    # Demo reports have events without an actor; the page answered 500 for all of them.
    doit = demo("doit.cantho")
    client.force_login(doit)
    approved = Report.objects.filter(is_demo=True, unit__city__code="CT",
                                     state=ReportState.APPROVED).select_related("period")
    draft = Report.objects.get(is_demo=True, unit__code="CT-SNV", state=ReportState.DRAFT)
    for report in (approved.first(), approved.last(), draft):
        response = client.get(_history_url(report))
        assert response.status_code == 200, report
        page = response.content.decode()
        assert 'data-testid="history"' in page
        assert "Lịch sử" in page and "Bản ghi nhớ" not in page
        assert 'data-testid="demo-banner"' in page


def test_reporter_follows_recent_report_links_from_the_start_page(client, demo):
    client.force_login(demo("sonoivu.cantho"))
    home = client.get(reverse("home")).content.decode()
    links = [r for r in Report.objects.filter(unit__code="CT-SNV").select_related("period")
             if _history_url(r) in home]
    assert links, "the start page lists recent reports"
    for report in links:
        assert client.get(_history_url(report)).status_code == 200


def test_demo_draft_form_says_it_is_demo_data_that_clean_demo_deletes(client, demo):
    client.force_login(demo("sonoivu.cantho"))
    draft = Report.objects.get(is_demo=True, unit__code="CT-SNV", state=ReportState.DRAFT)
    page = client.get(reverse("report_edit", args=[draft.unit_id, draft.period.code]))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="demo-banner"' in text
    assert "make clean-demo" in text and "Dữ liệu mẫu" in text


def test_an_official_report_form_has_no_demo_banner(client, demo):
    from reporting.services import report_open
    from tests.factories import MembershipFactory, UserFactory
    from units.models import Role

    # A real reporter of the demo login's unit: their report is official, beside the demo
    # draft, which stays where it is (issue 12 item 10).
    draft = Report.objects.get(is_demo=True, unit__code="CT-SNV", state=ReportState.DRAFT)
    reporter = UserFactory(username="real.reporter")
    MembershipFactory(user=reporter, unit=draft.unit, role=Role.REPORTER)
    report = report_open(user=reporter, unit=draft.unit, period=draft.period)
    assert not report.is_demo and Report.objects.filter(pk=draft.pk).exists()
    client.force_login(reporter)
    page = client.get(reverse("report_edit", args=[report.unit_id, report.period.code]))
    assert page.status_code == 200
    assert 'data-testid="demo-banner"' not in page.content.decode()


def test_demo_names_read_in_vietnamese_order(client, demo):
    client.force_login(demo("doit.cantho"))
    page = client.get(reverse("home")).content.decode()
    assert "Nguyễn Văn Hùng" in page and "Hùng Nguyễn Văn" not in page
    admin = demo("admin")
    assert (admin.last_name, admin.first_name) == ("", "Quản trị hệ thống")
    assert (demo("xem.cantho").last_name, demo("xem.cantho").first_name) == ("Đỗ Thu", "Hà")
