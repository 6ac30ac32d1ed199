"""The entry form through the HTTP client: rows, drafts, submit, bad numbers, conflicts."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reporting.models import ApprovedFigure, Report, ReportLine, ReportState
from reporting.services import report_open, report_save
from tests.factories import ApprovedFigureFactory
from tests.reporting.conftest import form_data

pytestmark = pytest.mark.django_db


def _url(unit, period, name="report_edit"):
    return reverse(name, args=[unit.pk, period.code])


def test_form_lists_due_indicators_with_targets_and_previous_value(
    login, department_reporter, department, period, previous_period, targets, indicators
):
    ApprovedFigureFactory(indicator=indicators["pct"], unit=department, period=previous_period,
                          value=Decimal("72.5"))
    response = login(department_reporter).get(_url(department, period))
    assert response.status_code == 200
    page = response.content.decode()
    for code in ("dvc-online", "open-datasets", "key-tasks", "dti-rank", "ioc"):
        assert f'data-testid="row-{code}"' in page
    assert 'name="value_dvc-online" id="id_value_dvc-online"' in page
    assert 'name="numerator_key-tasks"' in page and 'name="denominator_key-tasks"' in page
    assert 'name="milestone_state_ioc"' in page
    assert "2030: ≥ 90 %, 2035: ≥ 100 %" in page
    assert "72,5" in page
    assert 'name="version" id="id_version" value="0"' in page
    assert 'data-testid="save-draft"' in page and 'data-testid="submit-report"' in page
    assert "Lưu nháp" in page and "Giá trị kỳ trước" in page
    assert not Report.objects.exists()  # looking at the form creates nothing


def test_save_draft_from_the_form(login, department_reporter, department, period, targets,
                                  full_values):
    client = login(department_reporter)
    response = client.post(_url(department, period), form_data(full_values, 0))
    assert response.status_code == 302
    report = Report.objects.get(unit=department, period=period)
    assert report.state == ReportState.DRAFT
    values = {line.indicator.code: line for line in report.lines.select_related("indicator")}
    assert values["dvc-online"].value == Decimal("85.5")
    assert values["dvc-online"].comment == "Theo báo cáo tháng"
    assert values["open-datasets"].value == 1000
    assert values["key-tasks"].value == Decimal("27.2727")
    assert values["ioc"].milestone_state == "in_progress"
    page = client.get(_url(department, period)).content.decode()
    assert "Đã lưu nháp." in page
    assert 'value="85,5"' in page and 'value="1.000"' in page


def test_bad_numbers_are_refused_in_vietnamese_and_nothing_is_saved(
    login, department_reporter, department, period, targets, full_values
):
    client = login(department_reporter)
    client.post(_url(department, period), form_data(full_values, 0))
    report = Report.objects.get()
    before = list(ReportLine.objects.order_by("pk").values())
    bad = dict(full_values)
    bad["dvc-online"] = {"value": "120"}
    bad["open-datasets"] = {"value": "mười"}
    bad["key-tasks"] = {"numerator": "34", "denominator": "33"}
    bad["dti-rank"] = {"value": "70"}
    response = client.post(_url(department, period), form_data(bad, report.version))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Một số số liệu không hợp lệ. Chưa có gì được lưu" in page
    assert "Tỷ lệ phần trăm phải từ 0 đến 100." in page
    assert "“mười” không phải là số." in page
    assert "Tử số không được lớn hơn mẫu số." in page
    assert "Thứ hạng phải là số nguyên từ 1 đến 63." in page
    assert 'value="mười"' in page  # what the user typed stays in the form
    assert list(ReportLine.objects.order_by("pk").values()) == before
    report.refresh_from_db()
    assert report.version == 2


def test_submit_from_the_form(login, department_reporter, department, period, targets,
                              full_values):
    client = login(department_reporter)
    response = client.post(_url(department, period), form_data(full_values, 0, "submit"))
    assert response.status_code == 302
    assert response.url == _url(department, period, "report_history")
    report = Report.objects.get()
    assert report.state == ReportState.SUBMITTED
    # a submitted report is read-only: the form now redirects to the history page
    assert client.get(_url(department, period)).status_code == 302


def test_incomplete_submit_keeps_the_draft_and_says_what_is_missing(
    login, department_reporter, department, period, targets
):
    client = login(department_reporter)
    response = client.post(_url(department, period),
                           form_data({"dvc-online": {"value": "80"}}, 0, "submit"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Số liệu đã được lưu nháp nhưng báo cáo chưa được gửi" in page
    assert page.count("Cần nhập số liệu trước khi gửi.") == 4
    report = Report.objects.get()
    assert report.state == ReportState.DRAFT
    assert report.lines.get().value == 80


def test_second_save_on_a_stale_version_is_a_conflict_and_keeps_what_was_typed(
    login, department_reporter, department, period, targets, django_user_model
):
    client = login(department_reporter)
    client.post(_url(department, period), form_data({"dvc-online": {"value": "80"}}, 0))
    report = Report.objects.get()
    seen = report.version
    # a colleague saves in between
    report_save(user=department_reporter, report=report, values={"dvc-online": {"value": "81"}},
                expected_version=seen, channel="web")
    response = client.post(_url(department, period),
                           form_data({"dvc-online": {"value": "95"}}, seen))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Người khác đã lưu báo cáo này sau khi bạn mở nó." in page
    assert 'value="95"' in page
    assert f'name="version" id="id_version" value="{seen + 1}"' in page
    assert report.lines.get().value == 81
    # saving again deliberately, on the version now shown, works
    response = client.post(_url(department, period),
                           form_data({"dvc-online": {"value": "95"}}, seen + 1))
    assert response.status_code == 302
    assert report.lines.get().value == 95


def test_two_people_creating_the_same_report_conflict(
    login, department_reporter, department, period, targets
):
    report = report_open(user=department_reporter, unit=department, period=period)
    report_save(user=department_reporter, report=report, values={"dvc-online": {"value": "70"}},
                expected_version=report.version, channel="web")
    # this user loaded the form before any report existed (version 0)
    response = login(department_reporter).post(
        _url(department, period), form_data({"dvc-online": {"value": "99"}}, 0))
    assert response.status_code == 409
    assert ReportLine.objects.get().value == 70


def test_evidence_file_and_link(login, department_reporter, department, period, targets):
    client = login(department_reporter)
    data = form_data({"dvc-online": {"value": "80", "evidence_url": "https://sotttt.gov.vn/bc"}},
                     0)
    data["evidence_file_dvc-online"] = SimpleUploadedFile(
        "bien-ban.pdf", b"%PDF-1.4 minh chung", content_type="application/pdf")
    assert client.post(_url(department, period), data).status_code == 302
    line = ReportLine.objects.get()
    assert line.evidence_url == "https://sotttt.gov.vn/bc"
    assert line.evidence_file.name.endswith(".pdf")
    download = client.get(reverse("report_evidence", args=[line.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 minh chung"


def test_evidence_whose_file_left_storage_is_a_404_not_a_crash(
    login, department_reporter, department, period, targets
):
    client = login(department_reporter)
    data = form_data({"dvc-online": {"value": "80"}}, 0)
    data["evidence_file_dvc-online"] = SimpleUploadedFile(
        "bien-ban.pdf", b"%PDF-1.4 minh chung", content_type="application/pdf")
    client.post(_url(department, period), data)
    line = ReportLine.objects.get()
    line.evidence_file.storage.delete(line.evidence_file.name)
    assert client.get(reverse("report_evidence", args=[line.pk])).status_code == 404


def test_bad_evidence_file_is_refused_and_nothing_saved(
    login, department_reporter, department, period, targets
):
    data = form_data({"dvc-online": {"value": "80"}}, 0)
    data["evidence_file_dvc-online"] = SimpleUploadedFile("anh.png", b"not really a png")
    response = login(department_reporter).post(_url(department, period), data)
    assert response.status_code == 400
    assert "Nội dung tệp không khớp với phần mở rộng .png." in response.content.decode()
    assert not ReportLine.objects.exists()


def test_outlier_is_a_warning_not_a_refusal(
    login, department_reporter, department, period, previous_period, targets, indicators
):
    ApprovedFigureFactory(indicator=indicators["cnt"], unit=department, period=previous_period,
                          value=Decimal("10"))
    client = login(department_reporter)
    response = client.post(_url(department, period), form_data({"open-datasets": {"value": "90"}},
                                                               0))
    assert response.status_code == 302
    line = ReportLine.objects.get()
    assert line.value == 90
    assert line.warning.startswith("90 khác xa các số liệu đã phê duyệt trước đây")
    assert 'data-testid="warning-open-datasets"' in client.get(
        _url(department, period)).content.decode()
    assert not ApprovedFigure.objects.filter(value=90).exists()


def test_locked_period_stops_new_figures(login, department_reporter, department, period,
                                         targets):
    client = login(department_reporter)
    client.post(_url(department, period), form_data({"dvc-online": {"value": "80"}}, 0))
    period.is_locked = True
    period.save()
    response = client.post(_url(department, period), form_data({"dvc-online": {"value": "1"}}, 2))
    assert response.status_code == 302  # read-only now: sent to the history page
    assert ReportLine.objects.get().value == 80


def test_entry_form_query_count(login, department_reporter, department, period, targets,
                                full_values, django_assert_max_num_queries):
    client = login(department_reporter)
    client.post(_url(department, period), form_data(full_values, 0))
    with django_assert_max_num_queries(16):
        response = client.get(_url(department, period))
    assert response.status_code == 200


def test_english_is_available(login, department_reporter, department, period, targets):
    client = login(department_reporter)
    client.cookies["django_language"] = "en"
    page = client.get(_url(department, period)).content.decode()
    assert "Save draft" in page and "Previous value" in page


def test_first_save_refused_for_a_bad_number_can_be_corrected_without_a_false_conflict(
    login, department_reporter, department, period, targets
):
    client = login(department_reporter)
    # the form was opened before any report existed (version 0); the first save is refused
    response = client.post(_url(department, period),
                           form_data({"dvc-online": {"value": "120"}}, 0))
    assert response.status_code == 400
    report = Report.objects.get()
    assert f'name="version" id="id_version" value="{report.version}"' in response.content.decode()
    # the corrected form, posted with the version the page now carries, is saved
    response = client.post(_url(department, period),
                           form_data({"dvc-online": {"value": "95"}}, report.version))
    assert response.status_code == 302
    assert ReportLine.objects.get().value == 95


def test_a_count_reported_as_a_fraction_must_be_whole(
    login, department_reporter, department, period, plan, targets
):
    from targets.models import Measure
    from tests.factories import IndicatorFactory, TargetFactory

    tasks = IndicatorFactory(code="key-tasks-done", measure=Measure.COUNT, fraction=True,
                             name_vi="Số nhiệm vụ trọng tâm đã hoàn thành")
    TargetFactory(plan=plan, indicator=tasks, year=2030, value=Decimal("33"),
                  responsible=[department])
    client = login(department_reporter)
    response = client.post(_url(department, period),
                           form_data({"key-tasks-done": {"numerator": "9,5",
                                                         "denominator": "33"}}, 0))
    assert response.status_code == 400
    assert "Số lượng phải là số nguyên." in response.content.decode()
    assert not ReportLine.objects.exists()
    response = client.post(_url(department, period),
                           form_data({"key-tasks-done": {"numerator": "9",
                                                         "denominator": "33"}},
                                     Report.objects.get().version))
    assert response.status_code == 302
    assert ReportLine.objects.get().value == 9


@pytest.mark.parametrize(("text", "message"), [
    ("9.999.999.999.999.999,99999", "Số này quá lớn."),
    ("100.000.000.000.000.000.000", "Số này quá lớn."),
    ("1e20", "“1e20” không phải là số."),
])
def test_a_count_too_large_to_store_is_refused_with_a_message(
    login, department_reporter, department, period, targets, text, message
):
    # the first rounds up to 10^16 at four decimals: one digit more than a figure can hold
    response = login(department_reporter).post(
        _url(department, period), form_data({"open-datasets": {"value": text}}, 0))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert not ReportLine.objects.exists()
