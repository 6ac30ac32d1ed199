"""The text of a plan's document, from the file DOIT has: .txt, .docx or a .pdf with a text layer.

The text is what every target's source sentence is checked against (targets/validation.py).
An upload is bounded before any parser sees it: size, and for .docx the zip directory (the
same check as the report upload's workbooks), so a hostile file is refused, not parsed.
"""

from __future__ import annotations

import logging
import zipfile
from io import BytesIO

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_DOCX_ENTRIES = 300
MAX_DOCX_UNCOMPRESSED = 30 * 1024 * 1024
MAX_PDF_PAGES = 300
MAX_TEXT_CHARS = 2_000_000
ZIP_SIGNATURE = b"PK\x03\x04"
PDF_SIGNATURE = b"%PDF-"


class DocumentError(Exception):
    """The document file is refused; .message says why in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def document_text_from_upload(upload) -> str:
    """The text of an uploaded plan document, or DocumentError."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise DocumentError(_("The document is too large; the limit is %(limit)s MB.")
                            % {"limit": MAX_DOCUMENT_BYTES // 1048576})
    upload.seek(0)
    data = upload.read(MAX_DOCUMENT_BYTES + 1)
    name = (upload.name or "").lower()
    if name.endswith(".txt"):
        text = _txt(data)
    elif name.endswith(".docx") and data.startswith(ZIP_SIGNATURE):
        text = _docx(data)
    elif name.endswith(".pdf") and data.startswith(PDF_SIGNATURE):
        text = _pdf(data)
    else:
        raise DocumentError(_("The document must be a .txt, .docx or .pdf file (an old .doc "
                              "file: save it again as .docx)."))
    text = text.strip()
    if not text:
        raise DocumentError(_("No text could be read from the document (a scanned PDF has only "
                              "images): upload the .docx, or paste the text as a .txt file."))
    if len(text) > MAX_TEXT_CHARS:
        raise DocumentError(_("The document's text is far longer than a plan."))
    return text


def _txt(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(_("The .txt file is not UTF-8 text: save it again as UTF-8 "
                              "(Unicode).")) from exc


def _damaged() -> DocumentError:
    return DocumentError(_("The document is damaged and could not be read; open it, save it "
                           "again and upload it."))


def _docx(data: bytes) -> str:
    import docx  # python-docx, already used by the leaders' report

    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            entries = archive.infolist()
            if (len(entries) > MAX_DOCX_ENTRIES
                    or sum(e.file_size for e in entries) > MAX_DOCX_UNCOMPRESSED):
                raise DocumentError(_("The document is far larger or more complex than a "
                                      "plan."))
            for entry in entries:
                if entry.filename.endswith(".xml"):
                    with archive.open(entry) as part:
                        head = part.read(4096)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise _damaged()
        document = docx.Document(BytesIO(data))
    except DocumentError:
        raise
    except Exception as exc:
        logger.info("Plan document refused as damaged: %s: %s", type(exc).__name__, exc)
        raise _damaged() from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(BytesIO(data))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise DocumentError(_("The document is far larger or more complex than a plan."))
        parts = []
        total = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            total += len(text)
            if total > MAX_TEXT_CHARS:
                raise DocumentError(_("The document's text is far longer than a plan."))
            parts.append(text)
    except DocumentError:
        raise
    except Exception as exc:
        logger.info("Plan document refused as damaged: %s: %s", type(exc).__name__, exc)
        raise _damaged() from exc
    return "\n".join(parts)
