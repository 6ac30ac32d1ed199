"""Hostile workbooks through the upload page: each is refused in Vietnamese, or read within
the template's bounds, and nothing is saved. Their time and memory are measured by
`manage.py benchmark_uploads`, not asserted here."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from reporting import hostile_workbooks as hostile
from reporting.models import Report, ReportLine

pytestmark = pytest.mark.django_db

DAMAGED = "Tệp bị hỏng"
TOO_BIG = "lớn hơn hoặc phức tạp hơn nhiều so với một mẫu báo cáo"


@pytest.fixture
def client_(login, department_reporter, targets):
    return login(department_reporter)


def _upload(client, unit, period, content: bytes):
    return client.post(reverse("report_excel_upload", args=[unit.pk, period.code]),
                       {"file": SimpleUploadedFile("bao-cao.xlsx", content)})


def _assert_refused(response, message: str):
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Report.objects.exists() and not ReportLine.objects.exists()
    stored = list(response.wsgi_request.session.keys())  # SessionBase is not iterable
    assert not any(key.startswith("excel-upload-") for key in stored)


@pytest.mark.parametrize("build, message", [
    (hostile.billion_laughs, DAMAGED),
    (hostile.external_entity, DAMAGED),
    (hostile.not_utf8, DAMAGED),
    (hostile.malformed, DAMAGED),
    (lambda u, p: hostile.zip_bomb(u, p, inflated_mb=20), TOO_BIG),
    (lambda u, p: hostile.many_rows(u, p, rows=100_000), TOO_BIG),
    (lambda u, p: hostile.wide_row(u, p, cells=100_000), TOO_BIG),
    (lambda u, p: hostile.many_styles(u, p, formats=20_000), TOO_BIG),
    (lambda u, p: hostile.many_rows(u, p, rows=600), "có số liệu dưới dòng 504"),
], ids=["billion-laughs", "xxe", "not-utf8", "malformed", "zip-bomb", "100k-rows",
        "wide-row", "styles", "600-rows"])
def test_hostile_workbook_is_refused_in_vietnamese_and_saves_nothing(
    client_, department, period, build, message
):
    _assert_refused(_upload(client_, department, period, build(department.code, period.code)),
                    message)


def test_xxe_never_reads_the_file_it_names(client_, department, period):
    response = _upload(client_, department, period,
                       hostile.external_entity(department.code, period.code))
    assert "root:" not in response.content.decode()


def test_a_cell_at_k1048576_does_not_stop_the_real_rows_being_read(client_, department, period):
    template = client_.get(reverse("report_excel_template", args=[department.pk, period.code]))
    wb = load_workbook(BytesIO(template.content))
    ws = wb["BaoCao"]
    for row in range(5, ws.max_row + 1):
        if ws[f"A{row}"].value == "open-datasets":
            ws[f"F{row}"] = 1000
    ws["K1048576"] = "x"
    out = BytesIO()
    wb.save(out)
    response = _upload(client_, department, period, out.getvalue())
    assert response.status_code == 200
    session = client_.session[f"excel-upload-{department.pk}-{period.code}"]
    assert Decimal(session["values"]["open-datasets"]["value"]) == 1000
    assert not ReportLine.objects.exists()  # a preview saves nothing until confirmed


def test_benchmark_command_prints_time_and_memory_of_each_file(capsys):
    call_command("benchmark_uploads", "--only", "laughs")
    out = capsys.readouterr().out
    assert "billion laughs" in out and "MiB" in out and "refused" in out
