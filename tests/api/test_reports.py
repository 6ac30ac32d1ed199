"""Reports through the API: open, save (If-Match), submit, approve, return, reopen, and every
refusal. The services decide; the API must carry their answers faithfully."""

import csv
import io
from decimal import Decimal

import pytest

from reporting.models import ApprovedFigure, Channel, Report, ReportEvent, ReportState
from tests.factories import PeriodFactory, ReportFactory, UnitFactory

V1 = "/api/v1"
LINES = [
    {"indicator": "online-services", "value": "85,5", "comment": "Theo số liệu cổng DVC"},
    {"indicator": "digital-gdp", "value": 12},
]


@pytest.fixture
def reporter(token_client, department_reporter, catalogue):
    return token_client(department_reporter, can_write=True)


@pytest.fixture
def reviewer(token_client, doit_reviewer, catalogue):
    return token_client(doit_reviewer, can_write=True)


def _open(client, unit="TC-SNV", period="2025-Q1"):
    return client.post(f"{V1}/reports/", {"unit": unit, "period": period}, format="json")


def _save(client, report_id, lines, etag, **headers):
    if etag is not None:
        headers["HTTP_IF_MATCH"] = etag
    return client.patch(f"{V1}/reports/{report_id}/", {"lines": lines}, format="json", **headers)


def _filled(reporter):
    opened = _open(reporter)
    saved = _save(reporter, opened.json()["id"], LINES, opened["ETag"])
    assert saved.status_code == 200, saved.json()
    return saved


def _submitted(reporter):
    saved = _filled(reporter)
    report_id = saved.json()["id"]
    response = reporter.post(f"{V1}/reports/{report_id}/submit/", HTTP_IF_MATCH=saved["ETag"])
    assert response.status_code == 200, response.json()
    return Report.objects.get(pk=report_id)


def test_reporter_opens_the_draft_of_a_quarter(reporter):
    response = _open(reporter)

    assert response.status_code == 201
    body = response.json()
    assert (body["unit"], body["period"], body["state"]) == ("TC-SNV", "2025-Q1", "draft")
    assert response["ETag"] == '"1"' == body["etag"]
    report = Report.objects.get(pk=body["id"])
    assert report.events.get().channel == Channel.API
    # Opening again returns the same draft.
    again = _open(reporter)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert Report.objects.count() == 1


def test_reporter_cannot_open_another_units_report(token_client, commune_clerk, catalogue):
    client = token_client(commune_clerk, can_write=True)

    response = _open(client, unit="TC-SNV")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Bạn chỉ được nhập số liệu cho các đơn vị mình phụ trách báo cáo."
    )
    assert not Report.objects.exists()


def test_opening_refuses_unknown_unit_and_period_per_field(reporter):
    response = _open(reporter, unit="NOPE", period="2025-Q7")

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["unit"] == ["Không tồn tại đối tượng có code=NOPE."]
    assert fields["period"] == ["Nhập kỳ báo cáo dạng 2024-Q1 (một quý) hoặc 2024 (một năm)."]


def test_opening_a_unit_with_nothing_due_is_a_state_refusal(token_client, commune_clerk,
                                                             catalogue):
    response = _open(token_client(commune_clerk, can_write=True), unit="TC-Q1-P1")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_state"


def test_reporter_saves_figures_with_if_match_and_gets_the_new_etag(reporter):
    opened = _open(reporter)

    response = _save(reporter, opened.json()["id"], LINES, opened["ETag"])

    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    lines = {line["indicator"]: line for line in response.json()["lines"]}
    assert lines["online-services"]["value"] == 85.5  # Vietnamese decimal comma understood
    assert lines["digital-gdp"]["value"] == 12
    report = Report.objects.get()
    assert report.version == 2
    assert report.lines.get(indicator__code="online-services").value == Decimal("85.5")
    assert report.events.last().changes[0]["new"] in {"85.5", "12"}


def test_save_without_if_match_is_428_and_saves_nothing(reporter):
    opened = _open(reporter)

    response = _save(reporter, opened.json()["id"], LINES, None)

    assert response.status_code == 428
    assert response.json()["error"]["code"] == "precondition_required"
    assert not Report.objects.get().lines.exists()


def test_save_with_a_stale_etag_is_412_and_keeps_the_newer_figures(reporter):
    opened = _open(reporter)
    report_id, first_etag = opened.json()["id"], opened["ETag"]
    _save(reporter, report_id, [{"indicator": "online-services", "value": "70"}], first_etag)

    response = _save(reporter, report_id, [{"indicator": "online-services", "value": "99"}],
                     first_etag)

    assert response.status_code == 412
    assert response.json()["error"]["code"] == "precondition_failed"
    line = Report.objects.get().lines.get()
    assert line.value == Decimal("70")


def test_bad_values_are_400_per_line_field_in_vietnamese(reporter):
    opened = _open(reporter)

    response = _save(reporter, opened.json()["id"], [
        {"indicator": "online-services", "value": "120"},
        {"indicator": "digital-gdp", "value": "mười"},
        {"indicator": "not-mine", "value": "1"},
    ], opened["ETag"])

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"].startswith("Một số số liệu không hợp lệ")
    assert error["fields"]["lines.online-services.value"] == ["Tỷ lệ phần trăm phải từ 0 đến 100."]
    assert error["fields"]["lines.digital-gdp.value"] == ["“mười” không phải là số."]
    assert "lines.not-mine.indicator" in error["fields"]
    report = Report.objects.get()
    assert not report.lines.exists()
    assert report.version == 1


def test_bad_values_in_english_with_accept_language(reporter):
    opened = _open(reporter)

    response = _save(reporter, opened.json()["id"],
                     [{"indicator": "online-services", "value": "120"}], opened["ETag"],
                     HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["error"]["fields"]["lines.online-services.value"] == [
        "A percentage must be between 0 and 100."
    ]


def test_malformed_body_is_400_per_field(reporter):
    opened = _open(reporter)
    report_id, etag = opened.json()["id"], opened["ETag"]

    no_lines = reporter.patch(f"{V1}/reports/{report_id}/", {}, format="json",
                              HTTP_IF_MATCH=etag)
    wrong_type = _save(reporter, report_id, [{"indicator": "online-services", "value": [1]}],
                       etag)
    repeated = _save(reporter, report_id, [{"indicator": "digital-gdp", "value": 1}] * 2, etag)
    not_json = reporter.patch(f"{V1}/reports/{report_id}/", "{oops",
                              content_type="application/json", HTTP_IF_MATCH=etag)

    assert no_lines.json()["error"]["fields"] == {"lines": ["Trường này là bắt buộc."]}
    assert wrong_type.json()["error"]["fields"] == {
        "lines.0.value": ["Hãy gửi một số, một chuỗi như “85,5”, hoặc null."]
    }
    assert repeated.json()["error"]["fields"]["lines"] == [
        "Mỗi chỉ tiêu chỉ được xuất hiện một lần; bị lặp: digital-gdp."
    ]
    assert not_json.status_code == 400
    assert not_json.json()["error"]["code"] == "parse_error"
    assert Report.objects.get().version == 1


def test_put_is_not_offered(reporter):
    opened = _open(reporter)

    response = reporter.put(f"{V1}/reports/{opened.json()['id']}/", {"lines": LINES},
                            format="json", HTTP_IF_MATCH=opened["ETag"])

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_submit_needs_if_match(reporter):
    saved = _filled(reporter)
    report_id = saved.json()["id"]

    missing = reporter.post(f"{V1}/reports/{report_id}/submit/")
    stale = reporter.post(f"{V1}/reports/{report_id}/submit/", HTTP_IF_MATCH='"1"')

    assert missing.status_code == 428
    assert stale.status_code == 412
    assert Report.objects.get().state == ReportState.DRAFT


def test_submit_with_missing_figures_names_them(reporter):
    opened = _open(reporter)
    saved = _save(reporter, opened.json()["id"], LINES[:1], opened["ETag"])

    response = reporter.post(f"{V1}/reports/{opened.json()['id']}/submit/",
                             HTTP_IF_MATCH=saved["ETag"])

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "lines.digital-gdp.value": ["Cần nhập số liệu trước khi gửi."]
    }


def _etag(pk: int) -> str:
    """The report's current ETag, as a client that has just read it would send it."""
    return f'"{Report.objects.get(pk=pk).version}"'


def test_reporter_cannot_approve_own_report(reporter):
    report = _submitted(reporter)

    response = reporter.post(f"{V1}/reports/{report.pk}/approve/",
                             HTTP_IF_MATCH=_etag(report.pk))

    assert response.status_code == 403
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert not ApprovedFigure.objects.exists()


def test_read_only_token_of_a_reviewer_cannot_approve(reporter, token_client, doit_reviewer):
    report = _submitted(reporter)

    response = token_client(doit_reviewer).post(f"{V1}/reports/{report.pk}/approve/",
                                                HTTP_IF_MATCH=_etag(report.pk))

    assert response.status_code == 403
    assert Report.objects.get().state == ReportState.SUBMITTED


def test_reviewer_of_another_city_does_not_see_the_report(reporter, token_client, other_city):
    from tests.factories import MembershipFactory, UserFactory
    from units.models import Role

    stranger = UserFactory(username="oc_reviewer")
    MembershipFactory(user=stranger, unit=other_city, role=Role.REVIEWER)
    report = _submitted(reporter)

    response = token_client(stranger, can_write=True).post(
        f"{V1}/reports/{report.pk}/approve/", HTTP_IF_MATCH=_etag(report.pk))

    assert response.status_code == 404
    assert Report.objects.get().state == ReportState.SUBMITTED


def test_approving_a_draft_is_a_409(reporter, reviewer):
    opened = _open(reporter)

    response = reviewer.post(f"{V1}/reports/{opened.json()['id']}/approve/",
                             HTTP_IF_MATCH=opened["ETag"])

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_state"


def test_approve_with_a_stale_etag_is_412(reporter, reviewer):
    report = _submitted(reporter)

    response = reviewer.post(f"{V1}/reports/{report.pk}/approve/", HTTP_IF_MATCH='"2"')

    assert response.status_code == 412
    assert Report.objects.get().state == ReportState.SUBMITTED


def test_reporter_submits_reviewer_approves_and_attainment_follows(
    reporter, reviewer, django_capture_on_commit_callbacks
):
    report = _submitted(reporter)
    current = reviewer.get(f"{V1}/reports/{report.pk}/")
    assert current.json()["state"] == "submitted"

    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(f"{V1}/reports/{report.pk}/approve/",
                                 HTTP_IF_MATCH=current["ETag"])

    assert response.status_code == 200
    assert response.json()["state"] == "approved"
    assert response["ETag"] == f'"{report.version + 1}"'
    figures = ApprovedFigure.objects.filter(report=report)
    assert {f.indicator.code: f.value for f in figures} == {
        "online-services": Decimal("85.5"), "digital-gdp": Decimal("12"),
    }
    attainment = reviewer.get(
        f"{V1}/attainment/", {"city": "TC", "indicator": "online-services", "year": 2025}
    ).json()
    [row] = attainment["results"]
    assert row["actual_value"] == 85.5
    assert row["period"] == "2025-Q1"
    assert row["status"] == "achieved"
    assert row["is_demo"] is False


def test_reviewer_returns_with_a_reason_and_the_reporter_corrects(reporter, reviewer):
    report = _submitted(reporter)

    no_reason = reviewer.post(f"{V1}/reports/{report.pk}/return/", {}, format="json",
                              HTTP_IF_MATCH=_etag(report.pk))
    returned = reviewer.post(f"{V1}/reports/{report.pk}/return/",
                             {"reason": "Thiếu minh chứng"}, format="json",
                             HTTP_IF_MATCH=_etag(report.pk))

    assert no_reason.status_code == 400
    assert no_reason.json()["error"]["fields"] == {"reason": ["Trường này là bắt buộc."]}
    assert returned.status_code == 200
    assert returned.json()["return_reason"] == "Thiếu minh chứng"
    corrected = _save(reporter, report.pk, [{"indicator": "digital-gdp", "value": "13"}],
                      returned["ETag"])
    assert corrected.status_code == 200
    assert Report.objects.get().state == ReportState.RETURNED


def test_blank_reason_is_refused_by_the_service_rules(reporter, reviewer):
    report = _submitted(reporter)

    response = reviewer.post(f"{V1}/reports/{report.pk}/return/", {"reason": "  "},
                             format="json", HTTP_IF_MATCH=_etag(report.pk))

    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_reporter_cannot_return(reporter):
    report = _submitted(reporter)

    response = reporter.post(f"{V1}/reports/{report.pk}/return/", {"reason": "x"},
                             format="json", HTTP_IF_MATCH=_etag(report.pk))

    assert response.status_code == 403


def test_reviewer_reopens_an_approved_report(
    reporter, reviewer, django_capture_on_commit_callbacks
):
    report = _submitted(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        reviewer.post(f"{V1}/reports/{report.pk}/approve/", HTTP_IF_MATCH=_etag(report.pk))

    response = reviewer.post(f"{V1}/reports/{report.pk}/reopen/",
                             {"reason": "Sai số liệu quý 1"}, format="json",
                             HTTP_IF_MATCH=_etag(report.pk))

    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["revision"]) == ("draft", 2)
    assert [e["action"] for e in body["events"]][-1] == "reopened"


def test_reporter_cannot_reopen(reporter, reviewer, django_capture_on_commit_callbacks):
    report = _submitted(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        reviewer.post(f"{V1}/reports/{report.pk}/approve/", HTTP_IF_MATCH=_etag(report.pk))

    response = reporter.post(f"{V1}/reports/{report.pk}/reopen/", {"reason": "x"},
                             format="json", HTTP_IF_MATCH=_etag(report.pk))

    assert response.status_code == 403
    assert Report.objects.get().state == ReportState.APPROVED


def test_lists_show_what_each_user_may_see(reporter, reviewer, token_client, commune_clerk,
                                           other_unit, catalogue):
    _open(reporter)
    ReportFactory(unit=other_unit, period=catalogue["periods"]["2025-Q1"])

    mine = reporter.get(f"{V1}/reports/").json()
    city = reviewer.get(f"{V1}/reports/", {"state": "draft"}).json()
    clerk = token_client(commune_clerk).get(f"{V1}/reports/").json()

    assert [r["unit"] for r in mine["results"]] == ["TC-SNV"]
    assert [r["unit"] for r in city["results"]] == ["TC-SNV"]
    assert clerk["count"] == 0


def test_report_lists_are_official_unless_demo_is_asked_for(reviewer, department, catalogue):
    real = ReportFactory(unit=department, period=catalogue["periods"]["2025-Q1"])
    demo = ReportFactory(unit=department, period=catalogue["periods"]["2025-Q2"], is_demo=True)

    default = reviewer.get(f"{V1}/reports/").json()
    demo_list = reviewer.get(f"{V1}/reports/", {"dataset": "demo"}).json()

    assert [r["id"] for r in default["results"]] == [real.pk]
    assert [r["id"] for r in demo_list["results"]] == [demo.pk]
    assert reviewer.get(f"{V1}/reports/{demo.pk}/").status_code == 200


def test_outsider_cannot_read_a_report(reporter, token_client, outsider):
    report_id = _open(reporter).json()["id"]

    response = token_client(outsider).get(f"{V1}/reports/{report_id}/")

    assert response.status_code == 404


def test_reports_need_authentication(anon_client, catalogue):
    assert anon_client.get(f"{V1}/reports/").status_code == 401
    assert _open(anon_client).status_code == 401


def test_reports_list_as_csv(reporter, reviewer):
    _filled(reporter)

    response = reviewer.get(f"{V1}/reports/", {"format": "csv", "period": "2025-Q1"})

    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert (row["unit"], row["period"], row["state"], row["etag"]) == (
        "TC-SNV", "2025-Q1", "draft", '"2"'
    )


@pytest.mark.parametrize("extra", [0, 30])
def test_reports_list_query_count_does_not_grow(
    reviewer, city, catalogue, django_assert_max_num_queries, extra
):
    period = catalogue["periods"]["2025-Q1"]
    for i in range(extra):
        ReportFactory(unit=UnitFactory(code=f"TC-U{i}", parent=city), period=period)
    ReportFactory(unit=UnitFactory(code="TC-LAST", parent=city),
                  period=PeriodFactory(year=2024, quarter=4))
    reviewer.get(f"{V1}/reports/")

    # token, the reviewer's memberships, their city's units, the city filter, count, page
    with django_assert_max_num_queries(6):
        response = reviewer.get(f"{V1}/reports/", {"city": "TC"})

    assert response.json()["count"] == extra + 1


def test_a_comment_typed_as_a_formula_is_inert_in_the_csv(reporter):
    opened = _open(reporter)
    formula = '=HYPERLINK("http://evil.example","Xem")'
    saved = _save(reporter, opened.json()["id"],
                  [{"indicator": "online-services", "value": 80, "comment": formula}],
                  opened["ETag"])
    assert saved.status_code == 200, saved.json()

    response = reporter.get(f"{V1}/reports/{opened.json()['id']}/", {"format": "csv"})

    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    comments = [v for k, v in row.items() if k.endswith(".comment") and v]
    assert comments == ["'" + formula]


def test_an_empty_csv_list_has_its_content_type_and_header(reviewer):
    response = reviewer.get(f"{V1}/reports/", {"format": "csv", "period": "2025-Q1"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header = response.content.decode().splitlines()[0].split(",")
    assert {"id", "unit", "period", "state"} <= set(header)


def test_report_detail_carries_the_latest_20_events_and_their_total(reporter):
    opened = _open(reporter)
    report_id, etag = opened.json()["id"], opened["ETag"]
    for i in range(25):
        saved = _save(reporter, report_id, [{"indicator": "digital-gdp", "value": i}], etag)
        assert saved.status_code == 200, saved.json()
        etag = saved["ETag"]
    total = ReportEvent.objects.filter(report_id=report_id).count()
    assert total >= 25

    body = reporter.get(f"{V1}/reports/{report_id}/").json()
    assert body["events_total"] == total and len(body["events"]) == 20
    ats = [e["at"] for e in body["events"]]
    assert ats == sorted(ats)  # oldest first, ending with the latest
    everything = reporter.get(f"{V1}/reports/{report_id}/", {"events": 1000}).json()
    assert len(everything["events"]) == total
    assert everything["events"][-20:] == body["events"]
