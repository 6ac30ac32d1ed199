"""What the reporting pages say, in Vietnamese first: names, labels, numbers, messages."""

import pytest
from django.urls import reverse

from dxtracker.names import full_name
from reporting.models import Report
from reporting.services import report_open, report_save, report_submit
from tests.factories import UserFactory
from tests.reporting.conftest import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def named_reporter(department_reporter):
    department_reporter.last_name, department_reporter.first_name = "Phạm Thị", "Minh"
    department_reporter.save()
    return department_reporter


@pytest.fixture
def submitted(named_reporter, department, period, targets, full_values):
    report = report_open(user=named_reporter, unit=department, period=period)
    report = report_save(user=named_reporter, report=report, values=full_values,
                         expected_version=report.version, channel="web")
    report = report_save(user=named_reporter, report=report,
                         values={"dvc-online": {"value": "91,5"},
                                 "open-datasets": {"value": "1.234"}},
                         expected_version=report.version, channel="web")
    return report_submit(user=named_reporter, report=report, channel="web")


def test_full_name_is_family_name_first():
    assert full_name(UserFactory.build(last_name="Nguyễn Văn", first_name="Hùng")) == \
        "Nguyễn Văn Hùng"
    assert full_name(UserFactory.build(last_name="", first_name="Lan")) == "Lan"
    assert full_name(UserFactory.build(username="x1", last_name="", first_name="")) == "x1"


def test_header_queue_and_history_show_the_vietnamese_order(login, submitted, doit_reviewer,
                                                            department, period):
    client = login(doit_reviewer)
    queue = client.get(reverse("review_queue")).content.decode()
    assert "Phạm Thị Minh" in queue and "Minh Phạm Thị" not in queue
    history = client.get(reverse("report_history", args=[department.pk, period.code]))
    assert "Phạm Thị Minh" in history.content.decode()
    own = login(submitted.submitted_by).get(reverse("home")).content.decode()
    assert '<span class="who">Phạm Thị Minh</span>' in own


def test_admin_greets_in_vietnamese_order(client, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "b@x.vn", "pw",
                                                       last_name="Lê Văn", first_name="Nam")
    client.force_login(admin)
    page = client.get(reverse("admin:index")).content.decode()
    assert "<strong>Lê Văn Nam</strong>" in page


def test_history_shows_field_labels_vietnamese_numbers_and_lich_su(login, submitted,
                                                                    doit_reviewer, department,
                                                                    period):
    page = login(doit_reviewer).get(
        reverse("report_history", args=[department.pk, period.code])).content.decode()
    assert "<h2>Lịch sử</h2>" in page and "Bản ghi nhớ" not in page
    assert "<td>Giá trị</td><td>85,5</td><td>91,5</td>" in page
    assert "<td>—</td><td>1.000</td>" in page and "<td>1.000</td><td>1.234</td>" in page
    assert "<td>Trạng thái mốc</td><td>—</td><td>Đang thực hiện</td>" in page
    assert "<td>value</td>" not in page and "in_progress" not in page


def test_history_in_english_uses_english_numbers(login, submitted, doit_reviewer, department,
                                                 period):
    client = login(doit_reviewer)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("report_history", args=[department.pk, period.code]))
    page = page.content.decode()
    assert "<td>Value</td><td>85.5</td><td>91.5</td>" in page
    assert "<td>1,000</td><td>1,234</td>" in page


def test_approval_and_return_messages_name_the_unit_and_period(login, submitted, doit_reviewer,
                                                               recompute):
    client = login(doit_reviewer)
    response = client.post(reverse("report_return", args=[submitted.pk]),
                           {"reason": "Thiếu minh chứng", "next": "queue",
                            "version": submitted.version}, follow=True)
    page = response.content.decode()
    period = submitted.period
    assert f"Đã trả lại báo cáo Quý {period.quarter}/{period.year} cho Sở Nội vụ." in page
    assert str(submitted) not in page  # no "TC-SNV · 2026-Q4" codes

    reporter = submitted.submitted_by
    login(reporter).post(reverse("report_edit", args=[submitted.unit_id, period.code]),
                         form_data({}, Report.objects.get().version, "submit"))
    response = login(doit_reviewer).post(reverse("report_approve", args=[submitted.pk]),
                                         {"version": Report.objects.get().version}, follow=True)
    assert f"Đã phê duyệt báo cáo Quý {period.quarter}/{period.year} của Sở Nội vụ." in \
        response.content.decode()


def test_role_labels_have_one_pair_of_parentheses(login, doit_reviewer):
    page = login(doit_reviewer).get(reverse("home")).content.decode()
    assert "Người duyệt (Sở KH&amp;CN: xem xét và phê duyệt cho thành phố)" in page
    assert "))" not in page


def test_method_page_names_the_science_department_as_reviewer(client):
    page = client.get(reverse("attainment:method")).content.decode()
    assert "Sở Khoa học và Công nghệ" in page
    assert "được Sở Thông tin và Truyền thông phê duyệt" not in page
