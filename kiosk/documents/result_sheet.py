"""The result sheet of a closed poll, the official record the chair, the scrutineers and the
tellers sign: as a PDF (A4) and as the model its print view (templates/chair/result_sheet.html)
draws, so that both say the same.

Figures come from the fixed results document exactly as certified; outcomes (passes, chosen,
runoff, veto, quorum) are the document's decisions, never recomputed here; percentages are shown
by tally.percent's rule, which never contradicts them; whether the counts add up is
tally.counts'. Text comes from the caller in the reader's language (``labels``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kiosk.documents import paper_ballot
from kiosk.documents.pages import numbered
from kiosk.documents.slips import cjk_font
from tally import counts as tc
from tally.kinds import line_share
from tally.percent import candidate_percent, line_text
from tally.rules import Rules

# The columns of each kind's table (docs/api.md, "Results"), in display order; "percent" is the
# share tally.percent shows, "outcome" the decision in words.
COLUMNS: dict[str, tuple[str, ...]] = {
    "democratic_recommendation": ("votes", "percent", "outcome"),
    "interview_recommendation": ("votes", "percent", "outcome"),
    "plenary_recommendation": ("votes", "percent", "outcome"),
    "standing_committee": ("agree", "disagree", "abstain", "outcome"),
    "character": ("raters", "score", "complete", "outcome"),
    "survey": ("respondents", "satisfaction", "complete", "outcome"),
    "leaders": ("score",),
}


@dataclass(frozen=True)
class Record:
    """What the sheet says beside the figures: the meeting, where and when, who signs."""

    meeting_title: str
    place: str
    date: str  # the local date voting opened
    opened: str  # local times
    closed: str
    timezone: str
    chair: list[str] = field(default_factory=list)
    scrutineers: list[str] = field(default_factory=list)
    tellers: list[str] = field(default_factory=list)
    fingerprint: str | None = None
    zero_report: dict | None = None  # what the room was shown at opening (polls.zero_report)
    close_head: str | None = None  # the log head at the close, the short form read out
    rehearsal: bool = False


def _outcome(kind: str, doc: dict, contest: dict, cand: dict, line: str, L: Callable[[str], str]) -> str:
    """The decision in words, read from the results document."""
    quorum = doc.get("quorum_met", True)
    if kind == "leaders":
        return ""
    if kind == "character":
        return L("outcome_veto") if cand.get("veto") else L("outcome_no_veto")
    if not quorum and kind != "interview_recommendation":
        return L("outcome_void")
    if kind == "plenary_recommendation":
        if cand["id"] in contest.get("chosen", []):
            return L("outcome_chosen")
        return L("outcome_runoff") if cand["id"] in contest.get("runoff", []) else L("outcome_not_chosen")
    if kind == "standing_committee":
        if cand["id"] in contest.get("runoff", []):
            return L("outcome_runoff")
        if cand.get("passes"):
            return L("outcome_passes") if cand.get("chosen") else L("outcome_passes_no_place")
        return L("outcome_fails")
    return (L("outcome_reached") if cand.get("passes") else L("outcome_below")) % {"line": line}


def _cell(kind: str, column: str, doc: dict, cand: dict, rules: Rules, L: Callable[[str], str]) -> str:
    if column == "percent":
        return candidate_percent(kind, cand, doc["cast"], rules) or "—"
    if column == "satisfaction":
        return candidate_percent(kind, cand, doc["cast"], rules) or "—"
    value = cand.get(column)
    if value is True:
        return L("yes")
    if value is False:
        return L("no")
    return "—" if value is None else str(value)


def model(doc: dict, record: Record, rules: Rules, labels: Callable[[str], str]) -> dict:
    """Everything the sheet shows, as text, in order: the PDF and the print view draw this."""
    L = labels
    kind = doc["kind"]
    share = line_share(kind, rules)
    line = line_text(share) if share is not None else ""
    counts = doc["counts"]
    closed = doc.get("state") == "closed"
    balanced = tc.balanced(counts, closed=closed)
    unused = tc.unused_at_close(counts, closed=closed)  # named inside 作废, which holds them
    equation = (L("counts_balance") if balanced else L("counts_imbalance")) % {
        "issued": counts["issued"], "returned": counts["returned"], "voided": counts["voided"],
        "unused": L("count_voided_unused") % {"n": unused} if unused else ""}
    columns = COLUMNS[kind]
    contests = []
    for contest in doc["contests"]:
        rows = [[cand.get("name", cand["id"])] + [
            _outcome(kind, doc, contest, cand, line, L) if c == "outcome" else _cell(kind, c, doc, cand, rules, L)
            for c in columns] for cand in contest["candidates"]]
        notes = []
        if "chosen" in contest:
            names = {c["id"]: c.get("name", c["id"]) for c in contest["candidates"]}
            notes.append(f"{L('chosen')}{L('colon')}{'、'.join(names[i] for i in contest['chosen']) or '—'}")
            if contest.get("runoff"):
                notes.append(f"{L('runoff')}{L('colon')}{'、'.join(names[i] for i in contest['runoff'])}")
        notes += [n for n in [paper_ballot.sheet_spoiled_parts(doc, contest["id"], L)] if n]
        contests.append({"title": contest.get("title") or contest["id"], "rows": rows, "notes": notes})
    rule = ""
    if kind == "standing_committee" and doc.get("votes_needed") is not None:
        rule = L("rule_committee") % {"needed": doc["votes_needed"], "expected": doc["expected"]}
    elif share is not None and kind != "character":
        rule = L("rule_line") % {"line": line}
    elif kind == "character":
        rule = L("rule_veto") % {"line": line}
    signers = ([(L("role_chair"), n) for n in record.chair or [""]]
               + [(L("role_scrutineer"), n) for n in record.scrutineers or [""]]
               + [(L("role_teller"), n) for n in record.tellers or [""]])
    return {
        "title": doc["title"],
        "heading": L("sheet_heading"),
        "kind": L(kind),
        "facts": [(L("meeting"), record.meeting_title), (L("place"), record.place or "—"),
                  (L("date"), record.date or "—"),
                  (L("opened"), record.opened or "—"), (L("closed_at"), record.closed or "—")],
        "times_note": L("times_local") % {"zone": record.timezone},
        # The boxes every page shows (tally.counts.shown_fields): after the close 未投 is inside 作废.
        "counts": [(L("count_" + k), "—" if counts[k] is None else str(counts[k])) for k in tc.shown_fields(closed=closed)],
        "equation": equation,
        "media": paper_ballot.sheet_media(doc, L),  # tablet, paper and total, when the poll took paper
        "invalid": paper_ballot.sheet_invalid(doc, L),
        "balanced": balanced,
        "quorum": L("quorum_met") if doc.get("quorum_met") else L("quorum_not_met"),
        "rule": rule,
        "percent_note": L("percent_note") if "percent" in columns or "satisfaction" in columns else "",
        "columns": [L("candidate")] + [L(c) for c in columns],
        "contests": contests,
        "signers": signers,
        "sign": L("signature"), "sign_date": L("sign_date"),
        "digest": (L("digest"), doc.get("digest", "—")),
        "fingerprint": (L("signing_key"), record.fingerprint or "—"),
        "close_head": (L("close_head"), record.close_head or "—"),
        "zero": _zero(record.zero_report, L),
        "rehearsal": L("rehearsal") if record.rehearsal else "",
        "evidence_note": L("evidence_note"),
        "page": L("page"),
    }


def _zero(report: dict | None, L: Callable[[str], str]) -> dict:
    """The zero report as the sheet prints it: a heading and its lines."""
    if not report:
        return {"heading": L("zero_heading"), "lines": [L("zero_missing")]}
    return {"heading": L("zero_heading"), "lines": [
        L("zero_text") % {"ballots": report["ballots"], "issued": report["issued"]},
        f"{L('zero_digest')}{report['digest']}",
        f"{L('zero_head')}{report['log_head']['code']}"]}


# A contest of at most KEPT_ROWS candidates (about half a page) moves whole to the next page rather
# than split; the last one goes with the signatures. A longer last one keeps its last TAIL_ROWS
# rows with them.
KEPT_ROWS = 20
TAIL_ROWS = 3


def render(sheet: dict) -> bytes:
    """The model as an A4 PDF: page n of N, and on every page the footer with the digest, the
    key fingerprint and what they are for."""
    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13)
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=21, alignment=1)
    sub = ParagraphStyle("sub", fontName=font, fontSize=10.5, leading=14, alignment=1, spaceAfter=3 * mm)
    heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=16, spaceBefore=4 * mm, spaceAfter=2 * mm)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=11, textColor=colors.HexColor("#444444"))

    def p(text: object, style=body) -> Paragraph:
        return Paragraph(_escape(text), style)

    story = [p(sheet["title"], title), p(f"{sheet['heading']} · {sheet['kind']}", sub)]
    if sheet["rehearsal"]:
        story.append(p(sheet["rehearsal"], ParagraphStyle("rehearsal", parent=title, textColor=colors.HexColor("#b00000"))))
    # The first fact (the meeting) on a line of its own, the others two a line: a short table
    # leaves room for the results and their signatures on one page.
    first, *rest = sheet["facts"]
    fact_rows = [[p(first[0]), p(first[1]), "", ""]] + [
        [cell for k, v in rest[i:i + 2] for cell in (p(k), p(v))] + [""] * (4 - 2 * len(rest[i:i + 2]))
        for i in range(0, len(rest), 2)]
    facts = Table(fact_rows, colWidths=[24 * mm, 61 * mm, 24 * mm, 61 * mm])
    facts.setStyle(TableStyle([*_grid(font, header=False).getCommands(), ("SPAN", (1, 0), (3, 0))]))
    story += [facts, p(sheet["times_note"], small), Spacer(1, 3 * mm)]
    counts = Table([[p(k) for k, _ in sheet["counts"]], [p(v) for _, v in sheet["counts"]]],
                   colWidths=[170 * mm / len(sheet["counts"])] * len(sheet["counts"]))
    counts.setStyle(_grid(font))
    story += [counts, Spacer(1, 1.5 * mm)]
    if sheet["media"]:
        media = Table([[p(c) for c in sheet["media"]["columns"]]] + [[p(v) for v in r] for r in sheet["media"]["rows"]],
                      colWidths=[50 * mm] + [40 * mm] * 3)
        media.setStyle(_grid(font))
        story += [media, p(sheet["media"]["note"], small), Spacer(1, 1.5 * mm)]
    if sheet["invalid"]:
        story.append(p(sheet["invalid"], ParagraphStyle("invalid", parent=body, textColor=colors.HexColor("#b00000"))))
    story += [p(sheet["equation"]), p(sheet["quorum"])]
    if sheet["rule"]:
        story.append(p(sheet["rule"]))
    if sheet["percent_note"]:
        story.append(p(sheet["percent_note"], small))
    story += [p(sheet["zero"]["heading"], heading)] + [p(line, small) for line in sheet["zero"]["lines"]]
    widths = [45 * mm] + [(170 * mm - 45 * mm) / max(1, len(sheet["columns"]) - 1)] * (len(sheet["columns"]) - 1)

    def table(rows: list[list[str]], header: bool = True) -> Table:
        made = Table(([[p(c) for c in sheet["columns"]]] if header else []) + [[p(v) for v in row] for row in rows],
                     colWidths=widths, repeatRows=1 if header else 0)
        made.setStyle(_grid(font, header=header))
        return made

    lines = [[p(role), p(name or ""), p(sheet["sign"]), "", p(sheet["sign_date"]), ""]
             for role, name in sheet["signers"]]
    signatures = Table(lines, colWidths=[20 * mm, 28 * mm, 19 * mm, 47 * mm, 19 * mm, 37 * mm],
                       rowHeights=[10 * mm] * len(lines))
    signatures.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (3, 0), (3, -1), 0.6, colors.black), ("LINEBELOW", (5, 0), (5, -1), 0.6, colors.black),
    ]))
    signed = [Spacer(1, 4 * mm), signatures]
    *before, last = sheet["contests"]
    for contest in before:  # a contest that fits on a page is not split, nor its heading left behind
        part = [p(contest["title"], heading), table(contest["rows"]), *[p(note) for note in contest["notes"]]]
        story += [KeepTogether(part)] if len(contest["rows"]) <= KEPT_ROWS else part
    # The signatures certify the figures: they never stand alone on a page. The last contest goes
    # with them whole when it fits on a page; a longer one (a survey of many names) keeps its last
    # rows with them, the rest of its table running on before.
    notes = [p(note) for note in last["notes"]]
    if len(last["rows"]) <= KEPT_ROWS:
        story.append(KeepTogether([p(last["title"], heading), table(last["rows"]), *notes, *signed]))
    else:
        story += [p(last["title"], heading), table(last["rows"][:-TAIL_ROWS])]
        story.append(KeepTogether([table(last["rows"][-TAIL_ROWS:], header=False), *notes, *signed]))

    # The footer: the three codes and the note that says what they are for, its last line 8 mm
    # above the bottom edge; the page's text stops above its first line, however long the note is
    # in the reader's language.
    footer_lines = [f"{sheet['digest'][0]}{sheet['digest'][1]}", f"{sheet['fingerprint'][0]}{sheet['fingerprint'][1]}",
                    f"{sheet['close_head'][0]}{sheet['close_head'][1]}",
                    *_wrap(sheet["evidence_note"], font, 7, 150 * mm)]
    footer_top = 8 * mm + (len(footer_lines) - 1) * 3.6 * mm

    def footer(canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.setFillGray(0.25)
        for number, text in enumerate(footer_lines):
            canvas.drawString(20 * mm, footer_top - number * 3.6 * mm, text)
        canvas.drawRightString(190 * mm, 17 * mm, sheet["page"] % {"page": page, "pages": pages})
        canvas.restoreState()

    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                      bottomMargin=footer_top + 5 * mm, title=sheet["title"], invariant=True).build(
        story, canvasmaker=numbered(footer))
    return buf.getvalue()


# A word of Latin text (with the punctuation written against it) stays on one line; a Chinese
# character may end a line anywhere; a closing mark never starts one (". Anyone", "。任何人").
_WORD = re.compile(r"[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+|\s+|.", re.S)
_NO_LINE_START = set(".,;:!?)]}%。，、；：？！）」』》”’")


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break the footer's note into lines that fit ``width``: between words in English, between
    characters in Chinese, and never before a closing punctuation mark."""
    tokens: list[str] = []
    for token in _WORD.findall(text):
        if tokens and token[0] in _NO_LINE_START:
            tokens[-1] += token
        else:
            tokens.append(token)
    lines, line = [], ""
    for token in tokens:
        if stringWidth(line + token, font, size) > width and line.strip():
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
        while stringWidth(line, font, size) > width and len(line) > 1:  # a word longer than the line
            cut = max([i for i in range(1, len(line)) if stringWidth(line[:i], font, size) <= width] or [1])
            lines.append(line[:cut])
            line = line[cut:]
    return lines + [line.rstrip()] if line.strip() else lines


def _escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _grid(font: str, header: bool = True) -> TableStyle:
    style = [("FONTNAME", (0, 0), (-1, -1), font), ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    return TableStyle(style)
