"""Hostile .xlsx files, built on the fly for `manage.py benchmark_uploads` and the tests.

Each builder returns the file's bytes, under the 5 MB upload limit. They start from a real
template layout (sheet "BaoCao", the row-4 headers, the unit and period codes in B1/B2), so a
reader that does not defend itself gets past the layout checks and into the expensive part.
"""

import re
import zipfile
from io import BytesIO

from openpyxl import Workbook

from reporting.excel import COLUMNS, HEADER_ROW, MAX_STYLE_TAGS, MAX_XML_TAGS, SHEET

SHEET_PART = "xl/worksheets/sheet1.xml"
STRINGS_PART = "xl/sharedStrings.xml"
TYPES_PART = "[Content_Types].xml"
STYLES_PART = "xl/styles.xml"
# Cells and strings are four tags each; 2,000 tags are left for the template's own parts.
AT_THE_LIMIT = (MAX_XML_TAGS - 2_000) // 4
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _base(unit_code: str, period_code: str, *, far_cell: bool = False) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"], ws["B1"] = "Mã đơn vị", unit_code
    ws["A2"], ws["B2"] = "Kỳ báo cáo", period_code
    for index, (_key, header, _width) in enumerate(COLUMNS, start=1):
        ws.cell(row=HEADER_ROW, column=index, value=header)
    if far_cell:
        ws["K1048576"] = "x"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _replace_part(data: bytes, name: str, content: bytes | None = None, *, writer=None) -> bytes:
    """A copy of the archive with one part replaced (by bytes, or streamed by writer(fh))."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(
        out, "w", zipfile.ZIP_DEFLATED
    ) as dst:
        for entry in src.infolist():
            if entry.filename == name:
                continue
            dst.writestr(entry, src.read(entry.filename))
        if writer is None:
            dst.writestr(name, content)
        else:
            with dst.open(name, "w", force_zip64=True) as fh:
                writer(fh)
    return out.getvalue()


def _header_rows_xml(unit_code: str, period_code: str) -> str:
    def inline(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    headers = "".join(
        inline(f"{chr(65 + i)}{HEADER_ROW}", header) for i, (_k, header, _w) in enumerate(COLUMNS)
    )
    return (
        f'<row r="1">{inline("A1", "Mã đơn vị")}{inline("B1", unit_code)}</row>'
        f'<row r="2">{inline("A2", "Kỳ báo cáo")}{inline("B2", period_code)}</row>'
        f'<row r="{HEADER_ROW}">{headers}</row>'
    )


def far_cell(unit_code: str, period_code: str) -> bytes:
    """The template with one cell typed at K1048576 (the issue's 7 KB, one-minute file)."""
    return _base(unit_code, period_code, far_cell=True)


def many_rows(unit_code: str, period_code: str, *, rows: int = 1_000_000) -> bytes:
    """The template followed by `rows` filled rows, streamed into the sheet part."""

    def write(fh):
        fh.write(
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN_NS}">'
            f'<dimension ref="A1:F{rows + HEADER_ROW}"/><sheetData>'
            f"{_header_rows_xml(unit_code, period_code)}".encode()
        )
        batch = []
        for r in range(HEADER_ROW + 1, HEADER_ROW + 1 + rows):
            batch.append(f'<row r="{r}"><c r="F{r}"><v>1</v></c></row>')
            if len(batch) == 10_000:
                fh.write("".join(batch).encode())
                batch.clear()
        fh.write(("".join(batch) + "</sheetData></worksheet>").encode())

    return _replace_part(_base(unit_code, period_code), SHEET_PART, writer=write)


def zip_bomb(unit_code: str, period_code: str, *, inflated_mb: int = 400) -> bytes:
    """A sheet part that inflates to `inflated_mb` MB of blanks inside a valid worksheet."""
    chunk = b" " * (1024 * 1024)

    def write(fh):
        fh.write(
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN_NS}"><sheetData>'
            f"{_header_rows_xml(unit_code, period_code)}".encode()
        )
        for _ in range(inflated_mb):
            fh.write(chunk)
        fh.write(b"</sheetData></worksheet>")

    return _replace_part(_base(unit_code, period_code), SHEET_PART, writer=write)


def wide_row(unit_code: str, period_code: str, *, cells: int = AT_THE_LIMIT) -> bytes:
    """Row 5 with `cells` cells: openpyxl parses every one even when only A..K are asked for."""

    def write(fh):
        fh.write(
            f'<worksheet xmlns="{_MAIN_NS}"><sheetData>'
            f'{_header_rows_xml(unit_code, period_code)}<row r="5">'.encode()
        )
        fh.write(b"<c><v>1</v></c>" * cells)
        fh.write(b"</row></sheetData></worksheet>")

    return _replace_part(_base(unit_code, period_code), SHEET_PART, writer=write)


def many_styles(unit_code: str, period_code: str, *, formats: int = MAX_STYLE_TAGS - 300) -> bytes:
    """A styles part with `formats` cell formats, each one an object openpyxl builds."""
    base = _base(unit_code, period_code)
    with zipfile.ZipFile(BytesIO(base)) as archive:
        styles = archive.read(STYLES_PART)
    xf = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    styles = re.sub(rb'<cellXfs count="\d+">', b'<cellXfs count="%d">' % formats + xf * formats,
                    styles)
    return _replace_part(base, STYLES_PART, styles)


def many_strings(unit_code: str, period_code: str, *, count: int = AT_THE_LIMIT) -> bytes:
    """A shared-strings part of `count` one-letter strings, all loaded before any cell."""
    item = b"<si><t>a</t></si>"

    def write(fh):
        fh.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN_NS}" '
                 f'count="{count}" uniqueCount="{count}">'.encode())
        fh.write(item * count)
        fh.write(b"</sst>")

    # openpyxl writes inline strings, so the part must also be declared to be read at all.
    base = _base(unit_code, period_code)
    with zipfile.ZipFile(BytesIO(base)) as archive:
        types = archive.read(TYPES_PART).replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
    return _replace_part(_replace_part(base, TYPES_PART, types), STRINGS_PART, writer=write)


def billion_laughs(unit_code: str, period_code: str) -> bytes:
    """Nested entities in the sheet part: 10^9 "lol"s if a parser expands them."""
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    ]
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<!DOCTYPE worksheet [{"".join(entities)}]>'
        f'<worksheet xmlns="{_MAIN_NS}"><sheetData>{_header_rows_xml(unit_code, period_code)}'
        '<row r="5"><c r="J5" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return _replace_part(_base(unit_code, period_code), SHEET_PART, sheet.encode())


def external_entity(unit_code: str, period_code: str) -> bytes:
    """XXE: an entity that would read /etc/passwd into a comment cell."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f'<worksheet xmlns="{_MAIN_NS}"><sheetData>{_header_rows_xml(unit_code, period_code)}'
        '<row r="5"><c r="J5" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return _replace_part(_base(unit_code, period_code), SHEET_PART, sheet.encode())


def not_utf8(unit_code: str, period_code: str) -> bytes:
    """The sheet part in Windows-1258 bytes under no declaration, as a hand-edited file may be."""
    sheet = (
        f'<worksheet xmlns="{_MAIN_NS}"><sheetData>{_header_rows_xml(unit_code, period_code)}'
        "</sheetData></worksheet>"
    )
    return _replace_part(_base(unit_code, period_code), SHEET_PART,
                         sheet.encode("cp1258", errors="replace"))


def malformed(unit_code: str, period_code: str) -> bytes:
    """The sheet part cut off in the middle of a tag."""
    return _replace_part(_base(unit_code, period_code), SHEET_PART,
                         f'<worksheet xmlns="{_MAIN_NS}"><sheetData><row r='.encode())


# name -> builder(unit_code, period_code); the "at the limit" files are the dearest ones the
# reader still parses, just under reporting.excel's MAX_XML_TAGS and MAX_STYLE_TAGS.
BUILDERS = {
    "one cell at K1048576": far_cell,
    "1,000,000 rows": many_rows,
    "100,000 rows": lambda u, p: many_rows(u, p, rows=100_000),
    "600 rows": lambda u, p: many_rows(u, p, rows=600),
    "zip bomb (400 MB inflated)": zip_bomb,
    "wide row at the element limit": wide_row,
    "shared strings at the element limit": many_strings,
    "styles at the style limit": many_styles,
    "9,000,000 cells in one row": lambda u, p: wide_row(u, p, cells=9_000_000),
    "billion laughs": billion_laughs,
    "external entity (XXE)": external_entity,
    "not UTF-8": not_utf8,
    "malformed XML": malformed,
}
