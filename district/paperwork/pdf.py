"""A paperwork document as a printable A4 PDF (reportlab) in DejaVu, which has every Vietnamese diacritic.

The header is the administrative one Vietnamese schools print: the office and the school
on the left, the national motto on the right, then the title.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from district.paperwork.build import Document

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]


class FontMissing(RuntimeError, FileNotFoundError):
    """DejaVu fonts are not installed (apt package ``fonts-dejavu-core``)."""


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register DejaVu Sans (regular, bold, oblique) once; returns the family name."""
    for folder in FONT_DIRS:
        regular, bold, oblique = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf", folder / "DejaVuSans-Oblique.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("DejaVu", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(bold)))
            pdfmetrics.registerFont(TTFont("DejaVu-Oblique", str(oblique if oblique.exists() else regular)))
            pdfmetrics.registerFontFamily("DejaVu", normal="DejaVu", bold="DejaVu-Bold", italic="DejaVu-Oblique", boldItalic="DejaVu-Bold")
            return "DejaVu"
    raise FontMissing("DejaVu Sans not found in /usr/share/fonts/truetype/dejavu; install the apt package fonts-dejavu-core")


def _styles() -> dict[str, ParagraphStyle]:
    font = register_fonts()
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=11.5)
    return {
        "base": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "head": ParagraphStyle("head", parent=base, fontName="DejaVu-Bold", fontSize=8, leading=10),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER, fontSize=10, leading=13),
        "centerb": ParagraphStyle("centerb", parent=base, alignment=TA_CENTER, fontName="DejaVu-Bold", fontSize=10, leading=13),
        "title": ParagraphStyle("title", parent=base, alignment=TA_CENTER, fontName="DejaVu-Bold", fontSize=14, leading=18, spaceBefore=8),
        "subtitle": ParagraphStyle("subtitle", parent=base, alignment=TA_CENTER, fontName="DejaVu-Oblique", fontSize=10, leading=13, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontName="DejaVu-Bold", fontSize=10.5, leading=14, spaceBefore=8, spaceAfter=4),
    }


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape("" if text is None else str(text)), style)


def render_pdf(doc: Document, *, is_landscape: bool = True) -> bytes:
    """The document as A4 PDF bytes (landscape by default: the usage log is wide)."""
    st = _styles()
    page = landscape(A4) if is_landscape else A4
    out = io.BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=page, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=12 * mm, bottomMargin=14 * mm,
                            title=doc.title, author=doc.school)
    width = page[0] - 28 * mm
    header = Table(
        [[_p(doc.office.upper(), st["center"]), _p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st["centerb"])],
         [_p(doc.school.upper(), st["centerb"]), Paragraph("<u>Độc lập - Tự do - Hạnh phúc</u>", st["centerb"])]],
        colWidths=[width * 0.45, width * 0.55],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    story: list = [header, Spacer(1, 6 * mm), _p(doc.title, st["title"]), _p(doc.subtitle, st["subtitle"])]
    facts = Table([[_p(k, st["head"]), _p(v, st["cell"])] for k, v in doc.facts], colWidths=[width * 0.3, width * 0.2], hAlign="LEFT")
    facts.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story.append(facts)
    for table in doc.tables:
        total = sum(table.widths) or len(table.header)
        col_widths = [width * w / total for w in (table.widths or [1] * len(table.header))]
        rows = [[_p(h, st["head"]) for h in table.header]] + [[_p(v, st["cell"]) for v in row] for row in table.rows]
        if len(rows) == 1:
            rows.append([_p("–", st["cell"])] + [_p("", st["cell"]) for _ in table.header[1:]])
        t = Table(rows, colWidths=col_widths, repeatRows=1)
        t.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9D9D9")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F2F2F2")]),
        ]))
        story += [CondPageBreak(35 * mm), _p(table.title, st["h2"]), t]
    sign = Table([["", _p(doc.place_date, st["center"])], ["", _p(doc.signer, st["centerb"])],
                  ["", _p("(Ký, ghi rõ họ tên)", st["center"])]], colWidths=[width * 0.55, width * 0.45])
    story += [Spacer(1, 6 * mm), KeepTogether(sign)]

    def _footer(canvas, document) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont("DejaVu", 7.5)
        canvas.drawRightString(page[0] - 14 * mm, 8 * mm, f"{doc.school} · {doc.title} · {document.page}")
        canvas.restoreState()

    pdf.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()
