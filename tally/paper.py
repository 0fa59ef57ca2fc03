"""Paper ballots beside tablets (docs/rules.md, "Paper ballots"), pure.

- ``shape_of``: the shape of a kind's printed ballot (names per contest, an answer per
  candidate, an answer per item per candidate), and ``parts``, the parts an entry reads;
- ``read_entry``: one scrutineer's reading of one paper ballot, the boxes ticked per part as
  read (more than allowed included: an over-vote is a fact of the paper, not a typing error), or
  the reason it is spoiled whole;
- ``differences``: where two entries of one ballot disagree (double entry: none, or both enter
  it again);
- ``accept``: what an agreed entry stores and counts as: its answers (a spoiled part gives no
  votes) and its marks (the parts spoiled, or the whole ballot);
- ``box_figures``: blank, spoiled and the spoiled parts per contest of a box holding such ballots;
- ``invalid`` and ``voided_result``: returned ballots exceeding issued make the poll invalid;
- ``hand_out``, ``take_back_room``: how many paper ballots may be recorded as handed out, or
  taken back; ``next_number``: the number a first entry is given (never given twice).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tally import kinds as tk
from tally.messages import N_, explain
from tally.poll import AnswerError, Contest, all_candidates
from tally.rules import Rules

# Why two scrutineers may spoil a whole ballot: it cannot be read, or it bears marks that could
# identify the voter. Both entries must give the same reason.
WHOLE_REASONS = ("unreadable", "marked")

# The three shapes of a printed ballot, and so of an entry (docs/rules.md, "Paper ballots"):
# - "names": per contest, a box before each name, at most max_choices ticked (recommendations);
#   a part is a contest;
# - "answers": per candidate, one box per answer word (agree / disagree / abstain; satisfied …),
#   exactly one ticked; a part is a candidate;
# - "items": per candidate, per item of the reverse test, one box per answer word; a part is a
#   candidate (its score and veto are over the rater's answers to every item).
SHAPES = ("names", "answers", "items")
_SHAPE_OF = {"democratic_recommendation": "names", "plenary_recommendation": "names",
             "standing_committee": "answers", "survey": "answers", "character": "items"}
# The body key an entry of each shape carries its ticks under.
ENTRY_KEYS = {"names": "choices", "answers": "answers", "items": "items"}


def shape_of(kind: str) -> str:
    """The shape of ``kind``'s paper ballot; ValueError for a kind that takes no paper (the named
    kinds: a paper ballot never says who answered)."""
    try:
        return _SHAPE_OF[kind]
    except KeyError:
        raise ValueError(f"polls of kind {kind!r} take no paper ballots") from None


def words_of(kind: str) -> tuple[str, ...]:
    """The answer words a per-candidate shape's boxes stand for, in print order; () for names."""
    return tk.answers_of(kind)


@dataclass(frozen=True)
class Entry:
    """One scrutineer's reading. ``ticks`` per part id (every part of the poll, in its order):
    names: the sorted candidate ids ticked; answers: the sorted words ticked; items: per item the
    sorted words ticked. ``whole`` a reason of WHOLE_REASONS or None."""

    shape: str
    ticks: tuple[tuple[str, tuple], ...]
    whole: str | None = None

    def as_json(self) -> dict[str, Any]:
        def plain(value: tuple) -> list:
            return [plain(v) if isinstance(v, tuple) else v for v in value]

        return {ENTRY_KEYS[self.shape]: {pid: plain(t) for pid, t in self.ticks}, "spoiled": self.whole}


@dataclass(frozen=True)
class PaperBallot:
    """An accepted paper ballot: ``answers`` in the canonical form of the kind (a spoiled or
    unmarked part gives no answer: [] for a contest, None for a candidate), ``spoiled_contests``
    the parts (contest ids, or candidate ids for the per-candidate shapes) spoiled by an
    over-vote, ``spoiled_whole`` True when the ballot gives no vote anywhere because it is
    spoiled (废票)."""

    answers: dict[str, Any]
    spoiled_contests: tuple[str, ...] = ()
    spoiled_whole: bool = False

    def marks(self) -> dict[str, Any] | None:
        """What a ballot box keeps beside the answers (None for a ballot like a tablet's): the
        digest's line and the bundle's ballot carry exactly these keys."""
        if self.spoiled_whole:
            return {"spoiled_whole": True}
        if self.spoiled_contests:
            return {"spoiled_contests": list(self.spoiled_contests)}
        return None


def takes_paper(kind: str, rules: Rules) -> bool:
    return kind in rules.paper.kinds


def parts(kind: str, contests: Sequence[Contest]) -> list[tuple[str, tuple[str, ...]]]:
    """Each part of the poll and what may be ticked in it: a contest and its candidate ids, or a
    candidate and the kind's answer words."""
    if shape_of(kind) == "names":
        return [(c.id, tuple(k.id for k in c.candidates)) for c in contests]
    return [(k.id, words_of(kind)) for _, k in all_candidates(contests)]


def _where(shape: str, contests: Sequence[Contest], pid: str) -> str:
    """A part as the person entering knows it: the contest's title, or the candidate's name."""
    if shape == "names":
        return next((c.title or c.id for c in contests if c.id == pid), pid)
    return next((k.name for _, k in all_candidates(contests) if k.id == pid), pid)


def _refuse(code: str, template: str, **params: Any) -> AnswerError:
    """An AnswerError whose sentence the server says in the reader's language (tally.messages)."""
    error = AnswerError(code, "")
    error.args = (explain(error, template, **params),)
    return error


def _ticked(value: object, allowed: tuple[str, ...], where: str, item: int | None = None) -> tuple[str, ...]:
    """The boxes ticked in one part (one item of it for the character test), checked: a list of
    boxes that are on the ballot, none twice. ``where`` names the part in the sentences."""
    at = {"where": where} if item is None else {"where": where, "n": item + 1}
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise _refuse("bad_shape", N_("give a list of the boxes ticked for %(where)s") if item is None
                      else N_("give a list of the boxes ticked for %(where)s, item %(n)s"), **at)
    for x in value:
        if x not in allowed:
            raise _refuse("bad_value", N_("hold a box “%(box)s” that is not on the ballot for %(where)s")
                          if item is None else N_("hold a box “%(box)s” that is not on the ballot for %(where)s, "
                                                  "item %(n)s"), box=x, **at)
    if len(set(value)) != len(value):
        raise _refuse("duplicate_choice", N_("hold the same box twice for %(where)s") if item is None
                      else N_("hold the same box twice for %(where)s, item %(n)s"), **at)
    return tuple(sorted(value))


def read_entry(kind: str, contests: Sequence[Contest], raw: object, rules: Rules) -> Entry:
    """``raw`` is ``{KEY: {part id: ticks}, "spoiled": null | reason}`` with KEY ``choices``,
    ``answers`` or ``items`` by the kind's shape (ENTRY_KEYS). Unknown parts, boxes that are not
    on the ballot and a box ticked twice are typing errors (AnswerError, its sentence in the
    reader's language); more boxes ticked than a part allows are not (an over-vote is a fact of
    the paper). A part left out has nothing ticked. A ballot spoiled whole gives no vote anywhere,
    so its ticks, checked like any, are then set aside: the scrutineer enters the paper as it is
    and the two entries agree when they give the same reason."""
    shape = shape_of(kind)
    key = ENTRY_KEYS[shape]
    unreadable = N_("cannot be read: an entry gives the boxes ticked in each part and whether the whole "
                    "ballot is spoiled")
    if not isinstance(raw, dict) or set(raw) - {key, "spoiled"} or not isinstance(raw.get(key, {}), dict):
        raise _refuse("bad_shape", unreadable)
    whole = raw.get("spoiled")
    if whole is not None and whole not in WHOLE_REASONS:
        raise _refuse("bad_value", N_("cannot be read: a whole ballot is spoiled because it cannot be read or "
                                      "because it bears a mark that could identify the voter, or not at all"))
    given = raw.get(key, {})
    known = parts(kind, contests)
    ids = {pid for pid, _ in known}
    for pid in sorted(given):
        if pid not in ids:
            if shape == "names":
                raise _refuse("unknown_contest", N_("name a contest “%(part)s” that is not in this poll"), part=pid)
            raise _refuse("unknown_candidate", N_("name a candidate “%(part)s” who is not in this poll"), part=pid)
    items = len(rules.character_items)
    ticks: list[tuple[str, tuple]] = []
    for pid, allowed in known:
        value = given.get(pid, [] if shape != "items" else [[]] * items)
        where = _where(shape, contests, pid)
        if shape != "items":
            ticks.append((pid, _ticked(value, allowed, where)))
            continue
        if not isinstance(value, list) or len(value) != items:
            raise _refuse("bad_shape", N_("give %(items)s lists for %(where)s, one for each item"),
                          items=items, where=where)
        ticks.append((pid, tuple(_ticked(v, allowed, where, i) for i, v in enumerate(value))))
    if whole is not None:
        ticks = [(pid, () if shape != "items" else ((),) * items) for pid, _ in known]
    return Entry(shape, tuple(ticks), whole)


def _marked(ticks: tuple) -> bool:
    return any(_marked(t) if isinstance(t, tuple) else True for t in ticks)


def differences(first: Entry, second: Entry) -> list[str]:
    """The part ids whose ticks differ, and "spoiled" when the two disagree on spoiling the
    whole ballot; [] when the entries agree and the ballot is accepted."""
    out = ["spoiled"] if first.whole != second.whole else []
    other = dict(second.ticks)
    out.extend(pid for pid, ticked in first.ticks if other.get(pid) != ticked)
    return out


def _part(shape: str, contest: Contest | None, ticks: tuple) -> tuple[bool, Any]:
    """(spoiled, answer) of one part: an over-vote spoils it; nothing ticked is no answer ([] or
    None); items answered in part (some ticked, some not) spoil the candidate's part too, since
    their score is over every item."""
    if shape == "names":
        assert contest is not None
        over = len(ticks) > contest.max_choices
        return over, [] if over else list(ticks)
    if shape == "answers":
        return len(ticks) > 1, ticks[0] if len(ticks) == 1 else None
    if not _marked(ticks):
        return False, None
    if any(len(t) != 1 for t in ticks):
        return True, None
    return False, [t[0] for t in ticks]


def accept(kind: str, contests: Sequence[Contest], entry: Entry, rules: Rules) -> PaperBallot:
    """The ballot an agreed entry stands for. An over-vote spoils that part of the ballot (rules
    ``paper.over_vote_spoils = "contest"``) or the whole ballot ("ballot"); a ballot whose every
    part is spoiled gives no vote anywhere and is spoiled whole (废票)."""
    shape = shape_of(kind)
    by_contest = {c.id: c for c in contests}
    empty = {pid: ([] if shape == "names" else None) for pid, _ in parts(kind, contests)}
    if entry.whole is not None:
        return PaperBallot(empty, (), True)
    answers: dict[str, Any] = {}
    over = []
    for pid, ticks in entry.ticks:
        spoiled, answers[pid] = _part(shape, by_contest.get(pid), ticks)
        if spoiled:
            over.append(pid)
    if over and (rules.paper.over_vote_spoils == "ballot" or len(over) == len(answers)):
        return PaperBallot(empty, (), True)
    return PaperBallot(answers, tuple(over), False)


def marks_of(raw: object) -> tuple[tuple[str, ...], bool]:
    """(spoiled contests, spoiled whole) from stored or bundled marks (None: a plain ballot)."""
    if not raw:
        return (), False
    if not isinstance(raw, dict) or not set(raw) <= {"spoiled_contests", "spoiled_whole"}:
        raise ValueError(f"unknown ballot marks {raw!r}")
    whole = raw.get("spoiled_whole", False)
    contests = raw.get("spoiled_contests", [])
    if whole is not True and whole is not False or not isinstance(contests, list) \
            or not all(isinstance(c, str) for c in contests) or (whole and contests):
        raise ValueError(f"malformed ballot marks {raw!r}")
    return tuple(contests), whole


def box_figures(kind: str, ballots: Iterable[tuple[dict, object, int]]) -> dict[str, Any]:
    """``ballots``: (canonical answers, marks, how many such ballots). Blank: no mark anywhere
    and nothing chosen (the kind's blank); spoiled (废票): spoiled whole; ``spoiled_parts``: per
    part (contest, or candidate for the per-candidate kinds), the ballots whose part there is
    spoiled by an over-vote (该职位作废), the words the result sheet prints beside it. A ballot
    spoiled whole is 废票 only, never counted again as partly spoiled in each part. Spoiled
    ballots count as cast, as blank ones do."""
    blank = spoiled = 0
    parts: dict[str, int] = {}
    for answers, raw, n in ballots:
        contests, whole = marks_of(raw)
        if whole:
            spoiled += n
            continue
        for cid in contests:
            parts[cid] = parts.get(cid, 0) + n
        if not contests and tk.is_blank(kind, answers):
            blank += n
    return {"blank": blank, "spoiled": spoiled, "spoiled_parts": dict(sorted(parts.items()))}


@dataclass(frozen=True)
class HandOut:
    """What a record of ``count`` paper ballots handed out may do. ``room``: the most that may
    be recorded now, members expected (应到) less the slips and paper ballots already out, since
    each member gets one ballot, a slip or a paper one (a failed slip is exchanged, not added
    to); ``beyond_present``: the record would put out more ballots than members present (实到,
    when recorded), which the page asks to confirm."""

    room: int
    beyond_present: bool

    def allows(self, count: int) -> bool:
        return count <= self.room


def hand_out(count: int, *, expected: int, present: int | None, slips: int, handed_out: int) -> HandOut:
    """``slips``: the slips that can still vote or have voted (net of lost batches and of slips
    exchanged for paper); ``handed_out``: the paper ballots recorded so far."""
    out = slips + handed_out
    return HandOut(room=max(expected - out, 0), beyond_present=present is not None and out + count > present)


def take_back_room(*, handed_out: int, exchanged: int, entered: int) -> int:
    """How many paper ballots handed out may be taken back unused (a mistaken number corrected,
    ballots brought back before any was entered): none once a ballot is entered (a first entry
    waiting counts), since from then on the ballots never returned are void at the close
    (发出 = 收回 + 作废); never those given for a failed slip, whose holder votes on paper."""
    return 0 if entered else handed_out - exchanged


def next_number(*, returned: int, numbers: Iterable[int]) -> int:
    """The number of a new first entry. ``numbers``: those of the first entries waiting and of
    the ballots to be entered again after a mismatch (each keeps its number). Every number given
    so far is one of those or an accepted ballot's, so the next one follows all of them: a number
    once given is never given to another ballot of the poll."""
    taken = list(numbers)
    return max(returned + len(taken), max(taken, default=0)) + 1


def invalid(returned: int, issued: int, paper_returned: int = 0, paper_issued: int = 0) -> bool:
    """Returned ballots (收回) exceeding those issued (发出): the poll is invalid and is voted again.
    Checked for the whole poll (``returned`` and ``issued``: tablet and paper) and for its paper
    box alone: a tablet ballot always uses a slip, so the box that can hold more than went out is
    the paper box, and slips left unused must not cover for it."""
    return returned > issued or paper_returned > paper_issued


def voided_result(contests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An invalid poll's contests: the votes as counted, but nobody passes, is chosen or goes to
    a runoff (the poll is voted again whole)."""
    out = []
    for contest in contests:
        c = {**contest, "candidates": [{**k, "passes": False, **({"chosen": False} if "chosen" in k else {})}
                                        for k in contest["candidates"]]}
        if "chosen" in contest:
            c["chosen"] = []
        if "runoff" in contest:
            c["runoff"] = []
        out.append(c)
    return out
