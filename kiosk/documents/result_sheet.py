"""The printable result sheet of a closed poll (PDF), for the chair and scrutineers to sign.

Text comes from the caller in the page's language; figures come from the
fixed result document, exactly as certified.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kiosk.documents.slips import cjk_font

# The figures each kind's candidates carry (docs/api.md, "Results"), in display order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "democratic_recommendation": ("votes", "rate", "passes"),
    "interview_recommendation": ("votes", "rate", "passes"),
    "plenary_recommendation": ("votes", "rate", "passes"),
    "standing_committee": ("agree", "disagree", "abstain", "passes", "chosen"),
    "character": ("raters", "score", "veto", "complete"),
    "survey": ("respondents", "satisfaction", "passes", "complete"),
    "leaders": ("score",),
}


def _escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(doc: dict, meeting_title: str, labels: Callable[[str], str], certified: str | None = None) -> bytes:
    """`labels(key)` translates a column or caption key into the reader's language."""
    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13)
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=21, spaceAfter=2 * mm)
    heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=16, spaceBefore=4 * mm, spaceAfter=2 * mm)
    small = ParagraphStyle("small", fontName=font, fontSize=7.5, leading=10, textColor=colors.HexColor("#555555"))

    def p(text: object, style=body) -> Paragraph:
        return Paragraph(_escape(text), style)

    def value(v: object) -> str:
        if v is True:
            return labels("yes")
        if v is False:
            return labels("no")
        return "—" if v is None else str(v)

    story = [p(doc["title"], title), p(f"{meeting_title} · {labels(doc['kind'])}", body), Spacer(1, 3 * mm)]
    counts = ("expected", "present", "issued", "cast", "blank", "spoiled")
    grid = Table([[p(labels(k)) for k in counts], [p(value(doc.get(k))) for k in counts]],
                 colWidths=[28 * mm] * len(counts))
    grid.setStyle(_table_style(font))
    story += [grid, Spacer(1, 2 * mm),
              p(labels("quorum_met") if doc.get("quorum_met") else labels("quorum_not_met"), body)]
    columns = COLUMNS[doc["kind"]]
    for contest in doc["contests"]:
        story.append(p(contest.get("title") or contest["id"], heading))
        rows = [[p(labels("candidate"))] + [p(labels(c)) for c in columns]]
        for cand in contest["candidates"]:
            rows.append([p(cand.get("name", cand["id"]))] + [p(value(cand.get(c))) for c in columns])
        width = (170 * mm - 45 * mm) / max(1, len(columns))
        table = Table(rows, colWidths=[45 * mm] + [width] * len(columns), repeatRows=1)
        table.setStyle(_table_style(font))
        story.append(table)
        if "chosen" in contest:
            names = {c["id"]: c.get("name", c["id"]) for c in contest["candidates"]}
            chosen = "、".join(names[i] for i in contest["chosen"]) or "—"
            runoff = "、".join(names[i] for i in contest.get("runoff", [])) or "—"
            story += [Spacer(1, 1.5 * mm), p(f"{labels('chosen')}: {chosen}"), p(f"{labels('runoff')}: {runoff}")]
    story += [Spacer(1, 4 * mm), p(f"{labels('digest')}: {doc.get('digest', '—')}", small)]
    if certified:
        story.append(p(f"{labels('signing_key')}: {certified}", small))
    story += [Spacer(1, 12 * mm)]
    signatures = Table([[p(labels("sign_chair")), p(labels("sign_scrutineer")), p(labels("sign_teller"))],
                        ["", "", ""]], colWidths=[56 * mm] * 3, rowHeights=[8 * mm, 14 * mm])
    signatures.setStyle(TableStyle([("LINEBELOW", (0, 1), (-1, 1), 0.6, colors.black),
                                    ("FONTNAME", (0, 0), (-1, -1), font)]))
    story.append(signatures)
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                      bottomMargin=18 * mm, title=doc["title"]).build(story)
    return buf.getvalue()


def _table_style(font: str) -> TableStyle:
    return TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ])
