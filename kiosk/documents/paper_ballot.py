"""Paper ballots for a poll that takes them beside tablets: a PDF, A4 or A5.

Every copy is the same ballot: the poll's title, the instructions, and its parts in the shape of
the poll's kind (tally.paper.SHAPES): for a recommendation each contest's title, how many names
may be ticked and a box before each candidate; for the standing committee and the survey a row
per candidate with a box under each answer (同意 / 不同意 / 弃权; 满意 / 基本满意 / 不满意); for the
character test the items listed once, then per candidate a grid of a box per item and answer.
Nothing on it tells one copy from another: no serial number, no date, no code (a number would
let a ballot be matched to whoever was handed it). A ballot longer than a page runs on to more
pages, each saying "第 n 页，共 m 页": the same on every copy. The copies are printed from one
layout, so the printer's output is identical too.

Nothing here touches the database: the ballot's text in, PDF bytes out. The words come from the
caller in the ballot's language (Chinese, as the slips are printed).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from kiosk.documents.slips import cjk_font
from tally import paper as tp

SIZES = {"A4": A4, "A5": A5}
MAX_COPIES = 2000
MAX_PAGES = 2000  # copies × pages of one ballot, so that one download stays a print job


@dataclass(frozen=True)
class BallotContest:
    """One part of the printed ballot: a contest (``names``, a box before each), or, with
    ``columns``, a grid of a box per row and column: per candidate its answers (rows: names),
    or for the character test one candidate (rows: the answer words, columns: item numbers)."""

    title: str
    limit: str  # "限选 2 人", or how to tick the grid, in words
    names: tuple[str, ...]
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class PaperBallotText:
    title: str  # the poll's title
    heading: str  # e.g. "选票"
    instructions: tuple[str, ...]
    contests: tuple[BallotContest, ...]
    legend: tuple[str, ...] = ()  # the character items, numbered, printed once before the grids


class BallotTooLong(ValueError):
    """The ballot needs more pages than one download may hold (MAX_PAGES with its copies)."""


Draw = Callable[[Canvas], None]


def render(text: PaperBallotText, copies: int, size: str = "A4") -> bytes:
    """``copies`` identical copies of the ballot, each on as many pages as it needs."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    if not 1 <= copies <= MAX_COPIES:
        raise ValueError(f"copies must be from 1 to {MAX_COPIES}")
    font = cjk_font()
    width, height = SIZES[size]
    pages = _Layout(font, width, height, 1.0 if size == "A4" else 0.8).ballot(text)
    if len(pages) * copies > MAX_PAGES:
        raise BallotTooLong(text.title)
    buf = io.BytesIO()
    # invariant: no creation date or random document id, so every printing is the same file.
    canvas = Canvas(buf, pagesize=(width, height), invariant=1)
    canvas.setTitle(text.title)
    for _ in range(copies):
        for page in pages:
            for draw in page:
                draw(canvas)
            canvas.showPage()
    canvas.save()
    return buf.getvalue()


def _lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text to ``width``, character by character (Chinese has no spaces)."""
    out, line = [], ""
    for ch in text:
        # Closing punctuation never starts a line (it stays, a little over, on the one before).
        if line and stringWidth(line + ch, font, size) > width and ch not in "，。、；：？！）”』」":
            out.append(line)
            line = ""
        line += ch
    return out + [line] if line else out


def _text(font: str, x: float, y: float, s: str, size: float, how: str) -> Draw:
    def draw(c: Canvas) -> None:
        c.setFont(font, size)
        {"left": c.drawString, "centre": c.drawCentredString}[how](x, y, s)

    return draw


class _Layout:
    """Lays the ballot out into pages of drawing steps, breaking before what would not fit."""

    def __init__(self, font: str, width: float, height: float, scale: float) -> None:
        self.font, self.width, self.height, self.scale = font, width, height, scale
        self.margin = 15 * mm * scale
        self.usable = width - 2 * self.margin
        self.pages: list[list[Draw]] = [[]]
        self.y = height - self.margin

    def text(self, x: float, y: float, s: str, size: float, how: str = "left") -> None:
        self.pages[-1].append(_text(self.font, x, y, s, size, how))

    def box(self, x: float, y: float, side: float) -> None:
        self.pages[-1].append(lambda c: (c.setLineWidth(0.8), c.rect(x, y, side, side)))

    def room(self, needed: float) -> None:
        """A new page unless ``needed`` points fit above the bottom margin (the footer's line)."""
        if self.y - needed < self.margin + 8 * self.scale and self.pages[-1]:
            self.pages.append([])
            self.y = self.height - self.margin

    def ballot(self, text: PaperBallotText) -> list[list[Draw]]:
        s = self.scale
        self.text(self.width / 2, self.y - 20 * s, text.heading, 20 * s, "centre")
        self.y -= 32 * s
        for line in _lines(text.title, self.font, 13 * s, self.usable):
            self.text(self.width / 2, self.y - 13 * s, line, 13 * s, "centre")
            self.y -= 18 * s
        self.y -= 4 * s
        for paragraph in (*text.instructions, *text.legend):
            for line in _lines(paragraph, self.font, 10.5 * s, self.usable):
                self.room(13 * s)
                self.text(self.margin, self.y - 10 * s, line, 10.5 * s)
                self.y -= 13 * s
        self.y -= 6 * s
        for contest in text.contests:
            (self._grid if contest.columns else self._names)(contest)
        total = len(self.pages)
        if total > 1:  # "page n of m": the same on every copy, so it tells no copy apart
            for n, page in enumerate(self.pages, 1):
                page.append(_text(self.font, self.width / 2, self.margin / 2, f"第 {n} 页，共 {total} 页", 9 * s,
                                  "centre"))
        return self.pages

    def _heading(self, contest: BallotContest, first_row: float) -> None:
        s = self.scale
        self.room(16 * s + 4 * mm * s + first_row)
        self.y -= 16 * s
        self.text(self.margin, self.y, f"{contest.title}（{contest.limit}）", 12 * s)
        self.y -= 4 * mm * s

    def _names(self, contest: BallotContest) -> None:
        s = self.scale
        side = 6 * mm * s
        row = side + 4 * mm * s
        columns = 2 if self.usable > 110 * mm else 1  # A4 and A5 both take two names a row
        col_width = self.usable / columns
        self._heading(contest, row)
        for index, name in enumerate(contest.names):
            column = index % columns
            if column == 0:
                self.room(row)
                self.y -= row
            x = self.margin + column * col_width
            self.box(x, self.y, side)
            self.text(x + side + 3 * mm * s, self.y + side / 2 - 4 * s, name, 12 * s)
        self.y -= 3 * mm * s

    def _grid(self, contest: BallotContest) -> None:
        """A row per name, a box per column; the header row again on every page it runs onto."""
        s = self.scale
        side = 5 * mm * s
        row = side + 3 * mm * s
        label = max([stringWidth(n, self.font, 11 * s) for n in contest.names] + [30 * mm * s]) + 4 * mm * s
        cell = min((self.usable - label) / len(contest.columns), 30 * mm * s)
        size = min(10 * s, 10 * s * cell / max(stringWidth(c, self.font, 10 * s) + 2 * mm for c in contest.columns))

        def header() -> None:
            self.y -= 12 * s
            for i, word in enumerate(contest.columns):
                self.text(self.margin + label + (i + 0.5) * cell, self.y, word, size, "centre")

        self._heading(contest, 12 * s + row)
        header()
        for name in contest.names:
            if self.y - row < self.margin + 8 * s:
                self.room(row + 12 * s)
                header()
            self.y -= row
            self.text(self.margin, self.y + side / 2 - 4 * s, name, 11 * s)
            for i in range(len(contest.columns)):
                self.box(self.margin + label + (i + 0.5) * cell - side / 2, self.y, side)
        self.y -= 3 * mm * s


# Printed in Chinese, as the slips are (kiosk.documents.slips.INSTRUCTIONS). In English:
#   names: 1. "Tick (✓) the box before each name you choose; leave the others empty."
#     2. "Tick no more names in a contest than it allows: more spoil that contest's part of the
#        ballot; fewer, or none, are valid."
#   answers: 1. "For each candidate tick (✓) one box, under your answer."
#     2. "Two or more boxes ticked for one candidate spoil the answer for that candidate; a
#        candidate left unticked gets no answer (for the committee: no agreeing vote)."
#   items: 1. "For each candidate and each item (numbered as listed below) tick one box: none,
#        occasional, frequent." 2. "Two boxes on one item, or items left empty, spoil the answers
#        for that candidate; a candidate left wholly empty is not rated."
#   all: "Make no other mark on the ballot: a ballot with a mark that could identify you is
#        spoiled whole." "Fold the ballot and put it into the paper ballot box."
HEADING = "选票"
_NOT_MARKED = "三、请勿在选票上作任何其他记号，有可辨认投票人记号的整张选票作废。"
_FOLD = "四、填写完毕后，请将选票折叠投入纸质票箱。"
INSTRUCTIONS = {
    "names": ("一、请在您选择的候选人姓名前的方框内划“✓”，不选的不划。",
              "二、每个职位所选人数不得多于限选人数，多选的该职位部分无效；少选或不选有效。", _NOT_MARKED, _FOLD),
    "answers": ("一、请对每位候选人只选一项，在相应方框内划“✓”。",
                "二、对同一候选人划两个以上“✓”的，对该候选人的选择无效；不划的，视为未作选择（表决票不计同意票）。",
                _NOT_MARKED, _FOLD),
    "items": ("一、请对每位候选人的每个测评项目（序号见下表）只选一项，在相应方框内划“✓”。",
              "二、同一项目划两个以上“✓”或漏划项目的，对该候选人的测评无效；对某候选人全部不划的，视为未测评。",
              _NOT_MARKED, _FOLD),
}
LIMIT = "限选 {n} 人"
GRID_LIMIT = "每人选一项"
ITEMS_LIMIT = "每项选一项"
WORDS = {"agree": "同意", "disagree": "不同意", "abstain": "弃权",
         "satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意",
         "none": "没反映", "occasional": "偶尔有反映", "frequent": "反映较多"}
NUMERALS = "一二三四五六七八九十"


def ballot_text(poll: dict, items: tuple[str, ...] = ()) -> PaperBallotText:
    """The ballot of ``poll`` (as kiosk.domain.polls.get returns it); ``items`` the character
    test's items in Chinese (the rules the poll is counted under)."""
    shape = tp.shape_of(poll["kind"])
    title = poll["title"]
    if shape == "names":
        return PaperBallotText(
            title=title, heading=HEADING, instructions=INSTRUCTIONS[shape],
            contests=tuple(BallotContest(c.get("title") or c["id"], LIMIT.format(n=c["max_choices"]),
                                         tuple(k["name"] for k in c["candidates"])) for c in poll["contests"]))
    words = tuple(WORDS[w] for w in tp.words_of(poll["kind"]))
    if shape == "answers":
        return PaperBallotText(
            title=title, heading=HEADING, instructions=INSTRUCTIONS[shape],
            contests=tuple(BallotContest(c.get("title") or c["id"], GRID_LIMIT,
                                         tuple(k["name"] for k in c["candidates"]), words) for c in poll["contests"]))
    numbers = tuple(str(n) for n in range(1, len(items) + 1))
    return PaperBallotText(
        title=title, heading=HEADING, instructions=INSTRUCTIONS[shape],
        legend=tuple(f"{n}. {text}" for n, text in zip(numbers, items, strict=True)),
        contests=tuple(BallotContest(k["name"], ITEMS_LIMIT, words, numbers)
                       for c in poll["contests"] for k in c["candidates"]))


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
