"""Lay a report Document out as .docx (python-docx) or .pdf (fpdf2).

The PDF embeds DejaVu Sans, which matplotlib ships in its data directory: a font with every
Vietnamese letter, present wherever the app is installed, so no system font is needed.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import matplotlib
from docx import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor
from fpdf import FPDF
from fpdf.fonts import FontFace

from leaders.document import Document, Heading, Image, Paragraph, Table, text

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
RED = (183, 28, 28)

# fpdf2 subsets the font with fontTools, which logs every glyph at INFO level.
logging.getLogger("fontTools").setLevel(logging.WARNING)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
CONTENT_TYPES = {"docx": DOCX, "pdf": PDF}


# ---------------------------------------------------------------- Word


def to_docx(doc: Document) -> bytes:
    word = DocxDocument()
    section = word.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    style = word.styles["Normal"]
    style.font.name = "Times New Roman"  # what Vietnamese administrative documents use
    style.font.size = Pt(11)
    _docx_margin_text(section.header.paragraphs[0], doc.banner or doc.subtitle,
                      red=bool(doc.banner))
    _docx_margin_text(section.footer.paragraphs[0], doc.footer)
    title = word.add_heading(text(doc.title), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = word.add_paragraph(text(doc.subtitle))
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    width = section.page_width - section.left_margin - section.right_margin
    for block in doc.blocks:
        if isinstance(block, Heading):
            word.add_heading(text(block.text), level=block.level)
        elif isinstance(block, Paragraph):
            run = word.add_paragraph().add_run(text(block.text))
            run.bold = block.bold
            if block.bold and doc.banner and block.text == doc.banner:
                run.font.color.rgb = RGBColor(*RED)
        elif isinstance(block, Table):
            _docx_table(word, block, width)
        elif isinstance(block, Image):
            word.add_picture(io.BytesIO(block.png), width=int(min(width, Cm(22)) * block.width))
            word.add_paragraph(text(block.caption)).alignment = WD_ALIGN_PARAGRAPH.CENTER
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _docx_margin_text(paragraph, value: str, *, red: bool = False) -> None:
    run = paragraph.add_run(text(value))
    run.font.size = Pt(9)
    if red:
        run.bold = True
        run.font.color.rgb = RGBColor(*RED)


def _docx_table(word, block: Table, width) -> None:
    table = word.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(block.widths)
    widths = [int(width * w / total) for w in block.widths]
    for i, label in enumerate(block.header):
        cell = table.rows[0].cells[i]
        cell.text = ""
        run = cell.paragraphs[0].add_run(text(label))
        run.bold = True
    for n, row in enumerate(block.rows):
        cells = table.add_row().cells
        for i, value in enumerate(row):
            cells[i].text = ""
            cells[i].paragraphs[0].add_run(text(value)).bold = n in block.bold
            if i in block.numeric:
                cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = widths[i]
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    word.add_paragraph()


# ---------------------------------------------------------------- PDF


class _Pdf(FPDF):
    def __init__(self, doc: Document):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.doc = doc
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(15, 18, 15)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_title(text(f"{doc.title}: {doc.subtitle}"))
        self.set_creator("DX Tracker")

    def header(self):
        self.set_font(FONT, "B" if self.doc.banner else "", 8)
        if self.doc.banner:
            self.set_text_color(*RED)
        self.set_y(8)
        self.cell(0, 5, text(self.doc.banner or self.doc.subtitle), align="C")
        self.set_text_color(0, 0, 0)
        self.set_y(18)

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, "", 7)
        self.cell(0, 5, text(f"{self.doc.footer} · {self.page_no()}/{{nb}}"), align="C")


def to_pdf(doc: Document) -> bytes:
    pdf = _Pdf(doc)
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 9, text(doc.title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 12)
    pdf.multi_cell(0, 7, text(doc.subtitle), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for block in doc.blocks:
        if isinstance(block, Heading):
            pdf.ln(2)
            pdf.set_font(FONT, "B", 13 if block.level == 1 else 11)
            pdf.multi_cell(0, 7, text(block.text), new_x="LMARGIN", new_y="NEXT")
        elif isinstance(block, Paragraph):
            pdf.set_font(FONT, "B" if block.bold else "", 10)
            if block.bold and doc.banner and block.text == doc.banner:
                pdf.set_text_color(*RED)
            pdf.multi_cell(0, 5.5, text(block.text), new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
        elif isinstance(block, Table):
            _pdf_table(pdf, block)
        elif isinstance(block, Image):
            pdf.image(io.BytesIO(block.png), w=min(pdf.epw, 200) * block.width, x="C")
            pdf.set_font(FONT, "", 8)
            pdf.multi_cell(0, 5, text(block.caption), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    return bytes(pdf.output())


def _pdf_table(pdf: FPDF, block: Table) -> None:
    pdf.set_font(FONT, "", 7.5)
    align = tuple("RIGHT" if i in block.numeric else "LEFT" for i in range(len(block.header)))
    with pdf.table(
        col_widths=tuple(block.widths), text_align=align, line_height=4,
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 234, 238)),
        first_row_as_headings=True,
    ) as table:
        bold = FontFace(emphasis="BOLD")
        for n, values in enumerate([block.header, *block.rows]):
            row = table.row(style=bold if n - 1 in block.bold else None)
            for value in values:
                row.cell(text(value))
    pdf.ln(2)
