"""A plan carries its document's text, and every source sentence must occur in it.

The same rule (targets/validation.sentence_problems) refuses a quote in load_seed, the plan
import and the admin; a plan with no text attached is imported with a warning instead.
"""

import unicodedata
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from targets.documents import DocumentError, document_text_from_upload
from targets.models import CatalogueChange, ChangeSource, Plan, Target
from targets.plan_workbook import COLUMN_OF
from targets.validation import sentence_in_document, text_normalized
from tests.targets.test_plan_import import (
    PLAN_CODE,
    ROWS,
    SENTENCE,
    workbook,
)
from units.models import Unit

DOCUMENT = (
    "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ\n\n"
    "Kế hoạch chuyển đổi số thành phố Cần Thơ\ngiai đoạn 2026-2030\n\n"
    "Mục tiêu: 90% dịch vụ công trực tuyến toàn trình.\n"
)


def _txt(text: str, name: str = "ke-hoach.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"))


def _docx(text: str) -> SimpleUploadedFile:
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    out = BytesIO()
    document.save(out)
    return SimpleUploadedFile("ke-hoach.docx", out.getvalue())


def _upload(client, upload, document=None):
    data = {"file": upload}
    if document is not None:
        data["document"] = document
    return client.post(reverse("targets:plan_import"), data)


# --------------------------------------------------------------------- the comparison


def test_quotes_compare_after_nfc_spacing_and_quote_marks():
    document = "Đạt “100%” hồ sơ\ncông việc – cấp xã"
    decomposed = unicodedata.normalize("NFD", 'Đạt "100%" hồ sơ công việc - cấp xã')

    assert text_normalized(decomposed) == text_normalized(document)
    assert sentence_in_document(decomposed, document)
    assert not sentence_in_document("Đạt 90% hồ sơ", document)


# --------------------------------------------------------------------- the import


def test_a_plan_imported_with_its_document_keeps_the_text(editor_client, plan_editor):
    preview = _upload(editor_client, workbook(), _docx(DOCUMENT))

    assert preview.status_code == 200, [p.message for p in preview.context["preview"].problems]
    assert preview.context["preview"].warnings == []
    assert 'data-testid="document-checked"' in preview.content.decode()
    editor_client.post(reverse("targets:plan_import_confirm"))

    plan = Plan.objects.get(code=PLAN_CODE)
    assert sentence_in_document(SENTENCE, plan.document_text)
    created = CatalogueChange.objects.get(plan=plan, target=None)
    assert created.changes["document_text"][1].startswith(f"{len(plan.document_text)} ký tự")


def test_a_sentence_not_in_the_document_is_refused_by_row_and_column(editor_client):
    rows = [dict(r) for r in ROWS]
    rows[4]["source_sentence"] = "100% xã có cáp quang"   # row 6: not in the document

    response = _upload(editor_client, workbook(rows=rows), _txt(DOCUMENT))

    assert response.status_code == 400
    [problem] = response.context["preview"].problems
    assert (problem.row, problem.column) == (6, COLUMN_OF["source_sentence"])
    assert "không có trong văn bản của kế hoạch" in response.content.decode()
    assert not Plan.objects.filter(code=PLAN_CODE).exists()
    assert "plan-import" not in editor_client.session


def test_a_new_plan_without_a_document_is_previewed_with_a_warning(editor_client):
    response = _upload(editor_client, workbook())

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="document-warning"' in html
    assert "chưa được đối chiếu" in html
    editor_client.post(reverse("targets:plan_import_confirm"))
    assert Plan.objects.get(code=PLAN_CODE).document_text == ""


def test_a_reimported_export_is_checked_against_the_stored_text(editor_client, seeds_dir):
    exported = editor_client.get(reverse("targets:plan_export", args=["ct-dx-2025-2030"]))
    wb = load_workbook(BytesIO(exported.content))
    sheet = wb["MucTieu"]
    sheet[f"{COLUMN_OF['source_sentence']}2"] = "Một câu không có trong văn bản."
    out = BytesIO()
    wb.save(out)

    response = _upload(editor_client, SimpleUploadedFile("ke-hoach.xlsx", out.getvalue()))

    assert response.status_code == 400
    assert [(p.row, p.column) for p in response.context["preview"].problems] == [
        (2, COLUMN_OF["source_sentence"])]


def test_the_seeded_plans_carry_their_documents(seeded, seeds_dir):
    for plan in Plan.objects.all():
        assert plan.document_text, plan.code
        for target in plan.targets.all():
            assert sentence_in_document(target.source_sentence, plan.document_text), target.code


# --------------------------------------------------------------------- document files


def test_text_is_read_from_txt_docx_and_pdf():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Digital transformation plan: 90 percent online")
    assert "90 percent online" in document_text_from_upload(
        SimpleUploadedFile("plan.pdf", bytes(pdf.output())))
    assert "giai đoạn 2026-2030" in document_text_from_upload(_docx(DOCUMENT))
    assert document_text_from_upload(_txt("\ufeffKế hoạch")) == "Kế hoạch"


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("ke-hoach.doc", b"\xd0\xcf\x11\xe0old word"), ".docx"),
    (SimpleUploadedFile("ke-hoach.txt", "Kế hoạch".encode("utf-16")), "UTF-8"),
    (SimpleUploadedFile("ke-hoach.docx", b"PK\x03\x04 not a zip"), "hỏng"),
    (SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4\n garbage"), "hỏng"),
], ids=["old-doc", "not-utf8", "broken-docx", "broken-pdf"])
def test_a_bad_document_is_refused_in_vietnamese_with_nothing_saved(editor_client, upload,
                                                                    message):
    response = _upload(editor_client, workbook(), upload)

    assert response.status_code == 400
    assert message in response.context["file_error"]
    assert not Plan.objects.filter(code=PLAN_CODE).exists()


def test_a_docx_zip_bomb_is_refused_before_parsing():
    import zipfile

    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b"a" * (40 * 1024 * 1024))
    with pytest.raises(DocumentError) as excinfo:
        document_text_from_upload(SimpleUploadedFile("bomb.docx", out.getvalue()))
    assert "lớn hơn hoặc phức tạp hơn" in excinfo.value.message


def test_a_scanned_pdf_without_text_is_refused():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    with pytest.raises(DocumentError) as excinfo:
        document_text_from_upload(SimpleUploadedFile("scan.pdf", bytes(pdf.output())))
    assert "ảnh" in excinfo.value.message


# --------------------------------------------------------------------- the admin


@pytest.fixture
def admin_client_seeded(client, seeded, seeds_dir, django_user_model):
    # The seeded plans carry their documents' text only where the documents are found.
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    return client


def test_the_admin_refuses_a_new_target_whose_quote_is_not_in_the_document(
        admin_client_seeded):
    plan = Plan.objects.get(code="ct-dx-2025-2030")
    data = {
        "plan": plan.pk, "code": "new-target", "indicator": "open-datasets", "year": 2025,
        "level": "city", "comparator": "at_least", "value": "10",
        "responsible_units": [Unit.objects.get(code="CT-STTTT").pk],
        "source_file": plan.source_file, "source_sentence": "Câu này không có trong văn bản.",
        "responsible_kinds": "[]",
    }
    from targets.models import Indicator

    data["indicator"] = Indicator.objects.get(code="open-datasets").pk
    response = admin_client_seeded.post(reverse("admin:targets_target_add"), data)

    assert response.status_code == 200
    assert "không có trong văn bản của kế hoạch" in response.content.decode()
    assert not Target.objects.filter(code="new-target").exists()


def test_the_admin_refuses_a_document_text_that_lacks_the_plans_quotes(admin_client_seeded):
    plan = Plan.objects.get(code="ct-dg-2021")
    before = plan.document_text
    url = reverse("admin:targets_plan_change", args=[plan.pk])
    form = admin_client_seeded.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"city": plan.city_id, "legal_basis": '["x"]', "horizon_years": "[2021]",
                 "document_text": "Một văn bản khác.", "targets-TOTAL_FORMS": "0",
                 "targets-INITIAL_FORMS": "0", "issued_on": ""})

    response = admin_client_seeded.post(url, data)

    assert response.status_code == 200
    assert "không có trong văn bản này" in response.content.decode()
    plan.refresh_from_db()
    assert plan.document_text == before
    assert not CatalogueChange.objects.filter(plan=plan, source=ChangeSource.ADMIN).exists()
