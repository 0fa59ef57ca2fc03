"""The score sheet laid out for people: per level, by rank, with every part and every reason;
and the same as CSV and PDF for printing and signing.

Nothing is decided here: totals, ranks, eligibility, the shortlist and ties at the cut come from
the score document (tally.score). The wording (translated labels) is the caller's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kiosk.documents.slips import _register_cjk_font, find_cjk_font
from kiosk.domain.rounds import level_name
from kiosk.errors import listed
from tally.display import fixed
from tally.evaluations import rate, satisfaction
from tally.ratios import initial_places
from tally.rules import Rules
from tally.score import SHEET_PARTS


@dataclass(frozen=True)
class SheetRow:
    id: str
    name: str
    unit: str
    rank: int | None
    total: str | None
    parts: dict[str, str | None]
    eligible: bool
    reasons: tuple[str, ...]
    shortlisted: bool
    tied: bool
    # The three rates behind the public appraisal, as percentages ("37.50%"), None if absent.
    rates: dict[str, str | None]


@dataclass(frozen=True)
class SheetLevel:
    id: str
    name: str
    posts: int
    places: int  # ceil(posts × the initial ratio)
    rows: tuple[SheetRow, ...]  # eligible by rank, then the ineligible in input order
    shortlist: tuple[str, ...]
    ties: tuple[str, ...]


def _percent(value: Fraction) -> str:
    return fixed(value * 100, 2) + "%"


def _rates(candidate: dict, rules: Rules) -> dict[str, str | None]:
    out: dict[str, str | None] = dict.fromkeys(("democratic", "interview", "survey"))
    if candidate.get("democratic"):
        out["democratic"] = _percent(rate(candidate["democratic"]["votes"], candidate["democratic"]["cast"]))
    if candidate.get("interview"):
        out["interview"] = _percent(rate(candidate["interview"]["named"], candidate["interview"]["interviewed"]))
    if candidate.get("survey"):
        s = candidate["survey"]
        out["survey"] = _percent(satisfaction(s["satisfied"], s["basically_satisfied"], s["respondents"], rules))
    return out


def levels_of(round_doc: dict, sheet: dict, rules: Rules) -> list[SheetLevel]:
    by_id = {c["id"]: c for c in round_doc["candidates"]}
    out = []
    for level in round_doc["levels"]:
        lid = level["id"]
        shortlist = tuple(sheet["shortlist"].get(lid, ()))
        ties = tuple(sheet["ties_at_cut"].get(lid, ()))
        scores = [s for s in sheet["candidates"] if by_id[s["id"]]["level"] == lid]
        ranked = sorted((s for s in scores if s["rank"] is not None), key=lambda s: s["rank"])
        rows = tuple(
            SheetRow(
                id=s["id"], name=by_id[s["id"]]["name"], unit=by_id[s["id"]].get("unit") or "",
                rank=s["rank"], total=s["total"], parts=dict(s["parts"]), eligible=s["eligible"],
                reasons=tuple(s["reasons"]), shortlisted=s["id"] in shortlist, tied=s["id"] in ties,
                rates=_rates(by_id[s["id"]], rules))
            for s in ranked + [s for s in scores if s["rank"] is None]
        )
        out.append(SheetLevel(id=lid, name=level_name(level), posts=level["posts"],
                              places=initial_places(level["posts"], rules), rows=rows,
                              shortlist=shortlist, ties=ties))
    return out


# --- CSV --------------------------------------------------------------------------------------

CSV_COLUMNS = ("level", "rank", "id", "name", "unit", *SHEET_PARTS, "total", "eligible", "shortlist",
               "tied_at_cut", "reasons", "reason_codes")


def to_csv(levels: Sequence[SheetLevel], headers: Mapping[str, str],
           describe: Callable[[str], str], yes_no: tuple[str, str]) -> bytes:
    """UTF-8 with a byte-order mark, so that a spreadsheet opened by double-click reads Chinese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([headers.get(col, col) for col in CSV_COLUMNS])
    yes, no = yes_no
    for level in levels:
        for row in level.rows:
            writer.writerow([
                level.name, row.rank or "", row.id, row.name, row.unit,
                *[row.parts.get(part) or "" for part in SHEET_PARTS], row.total or "",
                yes if row.eligible else no, yes if row.shortlisted else "", yes if row.tied else "",
                listed(describe(code) for code in row.reasons), " ".join(row.reasons),
            ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- PDF --------------------------------------------------------------------------------------

def to_pdf(title: str, levels: Sequence[SheetLevel], headers: Mapping[str, str],
           describe: Callable[[str], str], texts: Mapping[str, str]) -> bytes:
    """A landscape A4 score sheet: one table per level, a line for the signatures at the end."""

    # The slips' font finder and registration: one place knows which CJK fonts reportlab can embed.

    font, _ = _register_cjk_font(find_cjk_font())
    body = ParagraphStyle("body", fontName=font, fontSize=8, leading=10)
    small = ParagraphStyle("small", fontName=font, fontSize=7, leading=9)
    number = ParagraphStyle("number", parent=body, alignment=2)  # 2: right-aligned
    heading = ParagraphStyle("heading", fontName=font, fontSize=15, leading=19, spaceAfter=4 * mm)
    level_heading = ParagraphStyle("level", fontName=font, fontSize=11, leading=14, spaceBefore=3 * mm,
                                   spaceAfter=2 * mm)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), style)

    columns = ("rank", "id", "name", "unit", *SHEET_PARTS, "total", "status")
    widths = [12 * mm, 18 * mm, 22 * mm, 30 * mm] + [17 * mm] * len(SHEET_PARTS) + [17 * mm, 75 * mm]
    story: list = [p(title, heading)]
    for level in levels:
        story.append(p(texts["level_line"].format(name=level.name, posts=level.posts, places=level.places,
                                                  shortlisted=len(level.shortlist)), level_heading))
        data = [[p(headers.get(col, col), small) for col in columns]]
        marks = []
        for index, row in enumerate(level.rows, start=1):
            if row.eligible:
                status = texts["shortlisted"] if row.shortlisted else ""
                if row.tied:
                    status = (status + " · " if status else "") + texts["tied"]
            else:
                status = texts["not_eligible"] % {"reasons": listed(describe(code) for code in row.reasons)}
            data.append([p(str(row.rank or "–"), number), p(row.id), p(row.name), p(row.unit),
                         *[p(row.parts.get(part) or "–", number) for part in SHEET_PARTS],
                         p(row.total or "–", number), p(status, small)])
            if row.shortlisted:
                marks.append(("BACKGROUND", (0, index), (-1, index), colors.HexColor("#e8f5ec")))
            if row.tied:
                marks.append(("BACKGROUND", (0, index), (-1, index), colors.HexColor("#fff4e0")))
        if not level.rows:
            data.append([p(texts["no_candidates"])] + [""] * (len(columns) - 1))
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa3b2")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eceff4")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            *marks,
        ]))
        story.append(table)
    story += [Spacer(1, 8 * mm), p(texts["legend"], small), Spacer(1, 10 * mm), p(texts["signatures"])]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=title)
    doc.build(story)
    return buffer.getvalue()
