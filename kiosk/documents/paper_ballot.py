"""Paper ballots for a poll that takes them beside tablets: a PDF, A4 or A5, one ballot a page.

Every page is the same ballot: the poll's title, the instructions, and for each contest its
title, how many names may be ticked and a box beside each candidate. Nothing on it tells one
copy from another: no serial number, no date, no code, no page number (a number would let a
ballot be matched to whoever was handed it). The copies are printed from one page, so the
printer's output is identical too.

Nothing here touches the database: the ballot's text in, PDF bytes out. The words come from the
caller in the ballot's language (Chinese, as the slips are printed).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from kiosk.documents.slips import cjk_font

SIZES = {"A4": A4, "A5": A5}
MAX_COPIES = 2000


@dataclass(frozen=True)
class BallotContest:
    title: str
    limit: str  # "限选 2 人": how many names may be ticked, in words
    names: tuple[str, ...]


@dataclass(frozen=True)
class PaperBallotText:
    title: str  # the poll's title
    heading: str  # e.g. "选票"
    instructions: tuple[str, ...]
    contests: tuple[BallotContest, ...]


class BallotTooLong(ValueError):
    """The ballot does not fit one page of the chosen size (a larger page may hold it)."""


def render(text: PaperBallotText, copies: int, size: str = "A4") -> bytes:
    """``copies`` identical pages of the ballot. BallotTooLong if it does not fit one page."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    if not 1 <= copies <= MAX_COPIES:
        raise ValueError(f"copies must be from 1 to {MAX_COPIES}")
    font = cjk_font()
    width, height = SIZES[size]
    scale = 1.0 if size == "A4" else 0.8
    buf = io.BytesIO()
    # invariant: no creation date or random document id, so every printing is the same file.
    canvas = Canvas(buf, pagesize=(width, height), invariant=1)
    canvas.setTitle(text.title)
    for _ in range(copies):
        _page(canvas, text, font, width, height, scale)
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def _lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text to ``width``, character by character (Chinese has no spaces)."""
    out, line = [], ""
    for ch in text:
        if line and stringWidth(line + ch, font, size) > width:
            out.append(line)
            line = ""
        line += ch
    return out + [line] if line else out


def _page(canvas: Canvas, text: PaperBallotText, font: str, width: float, height: float, scale: float) -> None:
    margin = 15 * mm * scale
    usable = width - 2 * margin
    y = height - margin
    canvas.setFont(font, 20 * scale)
    canvas.drawCentredString(width / 2, y - 20 * scale, text.heading)
    y -= 32 * scale
    canvas.setFont(font, 13 * scale)
    for line in _lines(text.title, font, 13 * scale, usable):
        canvas.drawCentredString(width / 2, y - 13 * scale, line)
        y -= 18 * scale
    y -= 4 * scale
    canvas.setFont(font, 10.5 * scale)
    for instruction in text.instructions:
        for line in _lines(instruction, font, 10.5 * scale, usable):
            canvas.drawString(margin, y - 10 * scale, line)
            y -= 13 * scale
    y -= 6 * scale
    box = 6 * mm * scale
    row = box + 4 * mm * scale
    columns = 2 if usable > 110 * mm else 1  # A4 and A5 both take two names a row
    col_width = usable / columns
    for contest in text.contests:
        canvas.setFont(font, 12 * scale)
        y -= 16 * scale
        if y < margin:
            raise BallotTooLong(contest.title)
        canvas.drawString(margin, y, f"{contest.title}（{contest.limit}）")
        y -= 4 * mm * scale
        canvas.setFont(font, 12 * scale)
        for index, name in enumerate(contest.names):
            column = index % columns
            if column == 0:
                y -= row
                if y < margin:
                    raise BallotTooLong(contest.title)
            x = margin + column * col_width
            canvas.setLineWidth(0.8)
            canvas.rect(x, y, box, box)
            canvas.drawString(x + box + 3 * mm * scale, y + box / 2 - 4 * scale, name)
        y -= 3 * mm * scale


# Printed in Chinese, as the slips are (kiosk.documents.slips.INSTRUCTIONS). In English:
#   1. "Tick (✓) the box before each name you choose; leave the others empty."
#   2. "Tick no more names in a contest than it allows: more spoil that contest's part of the
#      ballot; fewer, or none, are valid."
#   3. "Make no other mark on the ballot: a ballot with a mark that could identify you is spoiled whole."
#   4. "Fold the ballot and put it into the paper ballot box."
HEADING = "选票"
INSTRUCTIONS = (
    "一、请在您选择的候选人姓名前的方框内划“✓”，不选的不划。",
    "二、每个职位所选人数不得多于限选人数，多选的该职位部分无效；少选或不选有效。",
    "三、请勿在选票上作任何其他记号，有可辨认投票人记号的整张选票作废。",
    "四、填写完毕后，请将选票折叠投入纸质票箱。",
)
LIMIT = "限选 {n} 人"


def ballot_text(poll: dict) -> PaperBallotText:
    """The ballot of ``poll`` (as kiosk.domain.polls.get returns it)."""
    return PaperBallotText(
        title=poll["title"], heading=HEADING, instructions=INSTRUCTIONS,
        contests=tuple(BallotContest(c.get("title") or c["id"], LIMIT.format(n=c["max_choices"]),
                                     tuple(k["name"] for k in c["candidates"])) for c in poll["contests"]))


def sheet_media(doc: dict, labels) -> dict | None:
    """The result sheet's table of tablet, paper and total for issued (发出) and returned (收回),
    from the counts object (tally.counts); None for a poll that took no paper. ``labels`` gives
    the reader's words (kiosk.documents.result_sheet)."""
    paper = doc.get("counts", {}).get("paper")
    if not paper:
        return None
    counts = doc["counts"]
    return {
        "columns": [labels("media_heading"), labels("medium_tablet"), labels("medium_paper"), labels("medium_total")],
        "rows": [[labels("media_issued"), str(paper["tablet_issued"]), str(paper["issued"]), str(counts["issued"])],
                 [labels("media_returned"), str(paper["tablet_returned"]), str(paper["returned"]),
                  str(counts["returned"])]],
        "note": labels("media_exchanged") % {"n": paper["exchanged"]},
    }


def sheet_invalid(doc: dict, labels) -> str:
    """The sentence an invalid poll's sheet says first (tally.paper.invalid decided it), or ""."""
    if not doc.get("invalid"):
        return ""
    paper = doc.get("paper") or {"issued": 0, "returned": 0}
    return labels("invalid_poll") % {"returned": doc["cast"], "issued": doc["issued"],
                                     "paper_returned": paper["returned"], "paper_issued": paper["issued"]}


def sheet_spoiled_parts(doc: dict, contest_id: str, labels) -> str:
    """A contest's note: how many ballots had its part spoiled by an over-vote, or ""."""
    n = (doc.get("spoiled_parts") or {}).get(contest_id)
    return labels("spoiled_parts") % {"n": n} if n else ""
