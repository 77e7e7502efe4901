"""A paperwork document as an XLSX workbook (openpyxl): header block, facts, one sheet per table."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from district.paperwork.build import Document, Table

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")


def _header(ws: Worksheet, doc: Document, columns: int) -> int:
    half = max(columns // 2, 1)
    ws.cell(row=1, column=1, value=doc.office.upper()).font = Font(bold=False)
    ws.cell(row=2, column=1, value=doc.school.upper()).font = Font(bold=True)
    ws.cell(row=1, column=half + 1, value="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").font = Font(bold=True)
    ws.cell(row=2, column=half + 1, value="Độc lập - Tự do - Hạnh phúc").font = Font(bold=True, underline="single")
    ws.cell(row=4, column=1, value=doc.title).font = Font(bold=True, size=14)
    ws.cell(row=5, column=1, value=doc.subtitle).font = Font(italic=True)
    return 7


def _table(ws: Worksheet, table: Table, row: int) -> int:
    ws.cell(row=row, column=1, value=table.title).font = Font(bold=True)
    row += 1
    for col, text in enumerate(table.header, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for values in table.rows:
        row += 1
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.border = BOX
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in enumerate(table.widths, start=1):
        current = ws.column_dimensions[get_column_letter(col)].width or 0
        ws.column_dimensions[get_column_letter(col)].width = max(current, width * 1.3)
    return row + 2


def _sheet_name(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31]


def render_xlsx(doc: Document) -> bytes:
    """The workbook's bytes: a summary sheet (header, facts) and one sheet per table."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _sheet_name(doc.title.title())
    columns = max((len(t.header) for t in doc.tables), default=4)
    row = _header(ws, doc, columns)
    for key, value in doc.facts:
        ws.cell(row=row, column=1, value=key).font = Font(bold=True)
        ws.cell(row=row, column=3, value=value)
        row += 1
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 20
    row += 1
    ws.cell(row=row, column=columns - 1 if columns > 2 else 1, value=doc.place_date).font = Font(italic=True)
    ws.cell(row=row + 1, column=columns - 1 if columns > 2 else 1, value=doc.signer).font = Font(bold=True)
    for table in doc.tables:
        sheet = wb.create_sheet(_sheet_name(table.title))
        start = _header(sheet, doc, len(table.header))
        _table(sheet, table, start)
        sheet.freeze_panes = sheet.cell(row=start + 2, column=1)
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToHeight = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
