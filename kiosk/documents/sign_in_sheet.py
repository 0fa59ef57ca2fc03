"""The printable sign-in sheet (签到表) of a meeting's roster: an A4 PDF the members sign at the door.

Members are grouped by unit, in the roster's order, each with a line to sign on; the header row
repeats on every page and each page says which it is of how many. Text comes from the caller in
the reader's language (``labels``); names come from the roster exactly as imported. The sheet
carries nothing of a slip or a ballot: it is the paper twin of the roster.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kiosk.documents.pages import numbered
from kiosk.documents.slips import cjk_font

# Keys ``labels`` is asked for: sheet, expected (with %(expected)s), date, number, name, post,
# signature, note, no_unit, page (with %(page)s and %(pages)s).
WIDTHS = (12 * mm, 34 * mm, 50 * mm, 56 * mm, 18 * mm)  # No., name, post, signature, note: 170 mm
ROW_HEIGHT = 11 * mm  # room for a handwritten signature


def _escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(meeting_title: str, expected: int, groups: list[tuple[str, list[dict]]],
           labels: Callable[[str], str]) -> bytes:
    """``groups``: [(unit, [member with name and post])], as kiosk.domain.roster.by_unit gives."""
    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=13)
    head = ParagraphStyle("head", fontName=font, fontSize=10, leading=13)
    unit_style = ParagraphStyle("unit", fontName=font, fontSize=10.5, leading=14)
    title = ParagraphStyle("title", fontName=font, fontSize=17, leading=22, alignment=1, spaceAfter=1.5 * mm)
    subtitle = ParagraphStyle("subtitle", fontName=font, fontSize=12, leading=16, alignment=1, spaceAfter=3 * mm)

    def p(text: object, style=body) -> Paragraph:
        return Paragraph(_escape(text), style)

    # How many should attend on the left, the date to fill in on the right on a line of its own:
    # cells, not spaces in one sentence (a paragraph folds any run of spaces into one).
    date_label = ParagraphStyle("date", parent=body, alignment=2)
    heading = Table([[p(labels("expected") % {"expected": expected}), p(labels("date"), date_label), ""]],
                    colWidths=[100 * mm, 22 * mm, 48 * mm])
    heading.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (0, 0), 0),
                                 ("LINEBELOW", (2, 0), (2, 0), 0.6, colors.black)]))
    story = [p(meeting_title, title), p(labels("sheet"), subtitle), heading, Spacer(1, 3 * mm)]
    rows = [[p(labels(k), head) for k in ("number", "name", "post", "signature", "note")]]
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#666666")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    heights = [8 * mm]
    number = 0
    for unit, members in groups:
        rows.append([p(unit or labels("no_unit"), unit_style), "", "", "", ""])
        index = len(rows) - 1
        style += [("SPAN", (0, index), (-1, index)),
                  ("BACKGROUND", (0, index), (-1, index), colors.HexColor("#f4f4f4"))]
        heights.append(8 * mm)
        for member in members:
            number += 1
            rows.append([p(number), p(member["name"]), p(member["post"] or ""), "", ""])
            heights.append(ROW_HEIGHT)
    table = Table(rows, colWidths=list(WIDTHS), rowHeights=heights, repeatRows=1)
    table.setStyle(TableStyle(style))
    story.append(table)

    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=16 * mm,
                      bottomMargin=18 * mm, title=f"{meeting_title} {labels('sheet')}").build(
        story, canvasmaker=numbered(_page_footer(font, labels)))
    return buf.getvalue()


def _page_footer(font: str, labels: Callable[[str], str]):
    def footer(canvas: Canvas, page: int, pages: int) -> None:
        canvas.setFont(font, 8.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawCentredString(A4[0] / 2, 10 * mm, labels("page") % {"page": page, "pages": pages})
    return footer
