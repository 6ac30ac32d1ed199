"""Every permission rule of the services and pages: allowed beside refused."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reporting.errors import ReportPermissionError, ReportStateError
from reporting.models import Report, ReportState
from reporting.selectors import reports_visible_to, review_queue
from reporting.services import (
    report_approve,
    report_open,
    report_reopen,
    report_return,
    report_save,
    report_submit,
)
from tests.factories import MembershipFactory, UserFactory
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(department_reporter, department, period, targets):
    return report_open(user=department_reporter, unit=department, period=period)


@pytest.fixture
def submitted(department_reporter, draft, full_values):
    report = report_save(user=department_reporter, report=draft, values=full_values,
                         expected_version=draft.version, channel="web")
    return report_submit(user=department_reporter, report=report, channel="web")


@pytest.fixture
def viewer(city):
    user = UserFactory(username="city_viewer")
    MembershipFactory(user=user, unit=city, role=Role.VIEWER)
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


def test_reporter_opens_own_unit(department_reporter, department, period, targets):
    assert report_open(user=department_reporter, unit=department, period=period).pk


def test_reporter_cannot_open_another_unit(department_reporter, commune, period, targets):
    with pytest.raises(ReportPermissionError) as exc:
        report_open(user=department_reporter, unit=commune, period=period)
    assert exc.value.message == "Bạn chỉ được nhập số liệu cho các đơn vị mình phụ trách báo cáo."


def test_reporter_saves_own_draft(department_reporter, draft):
    version = draft.version
    saved = report_save(user=department_reporter, report=draft,
                        values={"dvc-online": {"value": "1,5"}},
                        expected_version=draft.version, channel="web")
    line = draft.lines.get(indicator__code="dvc-online")
    assert line.value == Decimal("1.5")
    assert Report.objects.get(pk=draft.pk).version == saved.version == version + 1
    event = saved.events.get(action="saved")
    assert event.actor == department_reporter
    assert event.changes == [{"indicator": "dvc-online", "field": "value", "old": None,
                              "new": "1.5"}]


def test_other_reporter_cannot_save(commune_clerk, draft):
    with pytest.raises(ReportPermissionError):
        report_save(user=commune_clerk, report=draft, values={"dvc-online": {"value": "1"}},
                    expected_version=draft.version, channel="web")
    assert not draft.lines.exists()


def test_reviewer_cannot_enter_figures(doit_reviewer, draft):
    with pytest.raises(ReportPermissionError):
        report_save(user=doit_reviewer, report=draft, values={"dvc-online": {"value": "1"}},
                    expected_version=draft.version, channel="web")


def test_reporter_cannot_edit_a_submitted_report(department_reporter, submitted):
    with pytest.raises(ReportStateError):
        report_save(user=department_reporter, report=submitted,
                    values={"dvc-online": {"value": "1"}}, expected_version=submitted.version,
                    channel="web")


def test_reporter_edits_a_returned_report(department_reporter, doit_reviewer, submitted):
    report = report_return(user=doit_reviewer, report=submitted, reason="r",
                           expected_version=submitted.version, channel="web")
    report_save(user=department_reporter, report=report, values={"dvc-online": {"value": "2"}},
                expected_version=report.version, channel="web")


def test_reviewer_approves_and_returns_in_their_city(doit_reviewer, submitted, recompute):
    assert report_approve(user=doit_reviewer, report=submitted,
                          expected_version=submitted.version, channel="web").state == "approved"


def test_reviewer_who_submitted_cannot_approve_their_own_figures(
    doit_reviewer, department, period, targets, full_values
):
    # A DOIT official who also reports for a department: another reviewer must approve.
    MembershipFactory(user=doit_reviewer, unit=department, role=Role.REPORTER)
    report = report_open(user=doit_reviewer, unit=department, period=period)
    report = report_save(user=doit_reviewer, report=report, values=full_values,
                         expected_version=report.version, channel="web")
    report = report_submit(user=doit_reviewer, report=report, channel="web")
    with pytest.raises(ReportPermissionError, match="một cán bộ thẩm định khác"):
        report_approve(user=doit_reviewer, report=report,
                       expected_version=report.version, channel="web")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_reviewer_of_another_city_is_refused(submitted, other_unit):
    foreign_reviewer = UserFactory(username="oc_reviewer")
    MembershipFactory(user=foreign_reviewer, unit=other_unit, role=Role.REVIEWER)
    for service, kwargs in ((report_approve, {}), (report_return, {"reason": "x"})):
        with pytest.raises(ReportPermissionError):
            service(user=foreign_reviewer, report=submitted, channel="web",
                    expected_version=submitted.version, **kwargs)
    submitted.refresh_from_db()
    assert submitted.state == ReportState.SUBMITTED


def test_reporter_cannot_approve_or_reopen(department_reporter, doit_reviewer, submitted,
                                           recompute):
    with pytest.raises(ReportPermissionError):
        report_approve(user=department_reporter, report=submitted,
                       expected_version=submitted.version, channel="web")
    report = report_approve(user=doit_reviewer, report=submitted,
                            expected_version=submitted.version, channel="web")
    with pytest.raises(ReportPermissionError):
        report_reopen(user=department_reporter, report=report, reason="x",
                      expected_version=report.version, channel="web")
    assert report_reopen(user=doit_reviewer, report=report, reason="x",
                         expected_version=report.version, channel="web").revision == 2


def test_viewer_reads_but_cannot_write(viewer, draft, submitted, login, department, period):
    assert submitted in reports_visible_to(user=viewer)
    assert login(viewer).get(
        reverse("report_history", args=[department.pk, period.code])).status_code == 200
    with pytest.raises(ReportPermissionError):
        report_approve(user=viewer, report=submitted,
                       expected_version=submitted.version, channel="web")
    with pytest.raises(ReportPermissionError):
        report_open(user=viewer, unit=department, period=period)
    assert list(review_queue(user=viewer)) == []


def test_superuser_may_do_everything(superuser, department, period, targets, full_values,
                                     recompute):
    report = report_open(user=superuser, unit=department, period=period)
    report = report_save(user=superuser, report=report, values=full_values,
                         expected_version=report.version, channel="web")
    report = report_submit(user=superuser, report=report, channel="web")
    assert report_approve(user=superuser, report=report,
                          expected_version=report.version, channel="web").state == "approved"


def test_outsider_sees_nothing(login, outsider, submitted, department, period):
    assert submitted not in reports_visible_to(user=outsider)
    client = login(outsider)
    assert client.get(reverse("report_history", args=[department.pk, period.code])
                      ).status_code == 403
    assert client.get(reverse("report_edit", args=[department.pk, period.code])).status_code == 403
    assert client.get(reverse("report_excel_template", args=[department.pk, period.code])
                      ).status_code == 403
    assert client.post(reverse("report_approve", args=[submitted.pk])).status_code == 403


def test_page_refusals_change_nothing(login, commune_clerk, department_reporter, submitted,
                                      department, period):
    client = login(department_reporter)
    # the reporter posting an approval gets the service's refusal, the report stays submitted
    response = client.post(reverse("report_approve", args=[submitted.pk]), follow=True)
    assert "Chỉ cán bộ thẩm định" in response.content.decode()
    assert Report.objects.get().state == ReportState.SUBMITTED


def test_anonymous_is_sent_to_login(client, department, period):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and "/accounts/login/" in response.url
