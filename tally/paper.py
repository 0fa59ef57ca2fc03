"""Paper ballots beside tablets (docs/rules.md, "Paper ballots"), pure.

- ``read_entry``: one scrutineer's reading of one paper ballot, the names ticked per contest as
  read (more than allowed included: an over-vote is a fact of the paper, not a typing error), or
  the reason it is spoiled whole;
- ``differences``: where two entries of one ballot disagree (double entry: none, or both enter
  it again);
- ``accept``: what an agreed entry stores and counts as: its answers (a spoiled contest gives no
  votes) and its marks (the contests spoiled, or the whole ballot);
- ``box_figures``: blank, spoiled and the spoiled parts per contest of a box holding such ballots;
- ``invalid`` and ``voided_result``: returned ballots exceeding issued make the poll invalid.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tally import kinds as tk
from tally.poll import AnswerError, Contest
from tally.rules import Rules

# Why two scrutineers may spoil a whole ballot: it cannot be read, or it bears marks that could
# identify the voter. Both entries must give the same reason.
WHOLE_REASONS = ("unreadable", "marked")


@dataclass(frozen=True)
class Entry:
    """One scrutineer's reading: ``ticks`` per contest id, sorted candidate ids (every contest of
    the poll present, () for none ticked); ``whole`` a reason of WHOLE_REASONS or None."""

    ticks: tuple[tuple[str, tuple[str, ...]], ...]
    whole: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"choices": {cid: list(names) for cid, names in self.ticks}, "spoiled": self.whole}


@dataclass(frozen=True)
class PaperBallot:
    """An accepted paper ballot: ``answers`` in the canonical form of the kind (a spoiled contest
    answers []), ``spoiled_contests`` the contests whose part is spoiled, ``spoiled_whole`` True
    when the ballot gives no vote anywhere because it is spoiled (废票)."""

    answers: dict[str, list[str]]
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


def read_entry(contests: Sequence[Contest], raw: object) -> Entry:
    """``raw`` is ``{"choices": {contest id: [candidate id, ...]}, "spoiled": null | reason}``.
    Unknown contests or candidates and a name ticked twice are typing errors (AnswerError);
    more names than allowed are not. A ballot spoiled whole carries no ticks."""
    if not isinstance(raw, dict):
        raise AnswerError("bad_shape", "an entry must be an object with choices and spoiled")
    whole = raw.get("spoiled")
    if whole is not None and whole not in WHOLE_REASONS:
        raise AnswerError("bad_value", f"spoiled must be null or one of {', '.join(WHOLE_REASONS)}",
                          allowed=list(WHOLE_REASONS))
    choices = raw.get("choices", {})
    if not isinstance(choices, dict):
        raise AnswerError("bad_shape", "choices must be an object keyed by contest id")
    if whole is not None:
        if any(choices.values()):
            raise AnswerError("bad_shape", "a ballot spoiled whole is entered without its ticks")
        return Entry(tuple((c.id, ()) for c in contests), whole)
    known = {c.id for c in contests}
    for key in sorted(choices):
        if key not in known:
            raise AnswerError("unknown_contest", f"there is no contest {key!r} in this poll", contest=key)
    ticks = []
    for contest in contests:
        chosen = choices.get(contest.id, [])
        if not isinstance(chosen, list) or not all(isinstance(x, str) for x in chosen):
            raise AnswerError("bad_shape", f"the ticks of contest {contest.id!r} must be a list of candidate ids",
                              contest=contest.id)
        ids = {k.id for k in contest.candidates}
        for cid in chosen:
            if cid not in ids:
                raise AnswerError("unknown_candidate", f"{cid!r} is not a candidate of contest {contest.id!r}",
                                  contest=contest.id, candidate=cid)
        if len(set(chosen)) != len(chosen):
            raise AnswerError("duplicate_choice", f"a name is entered twice in contest {contest.id!r}",
                              contest=contest.id)
        ticks.append((contest.id, tuple(sorted(chosen))))
    return Entry(tuple(ticks), None)


def differences(first: Entry, second: Entry) -> list[str]:
    """The contest ids whose ticks differ, and "spoiled" when the two disagree on spoiling the
    whole ballot; [] when the entries agree and the ballot is accepted."""
    out = ["spoiled"] if first.whole != second.whole else []
    other = dict(second.ticks)
    out.extend(cid for cid, names in first.ticks if other.get(cid) != names)
    return out


def accept(contests: Sequence[Contest], entry: Entry, rules: Rules) -> PaperBallot:
    """The ballot an agreed entry stands for. An over-vote spoils that contest's part (rules
    ``paper.over_vote_spoils = "contest"``) or the whole ballot ("ballot"); a ballot whose every
    contest is spoiled gives no vote anywhere and is spoiled whole (废票)."""
    empty = {c.id: [] for c in contests}
    if entry.whole is not None:
        return PaperBallot(empty, (), True)
    ticks = dict(entry.ticks)
    over = tuple(c.id for c in contests if len(ticks[c.id]) > c.max_choices)
    if over and (rules.paper.over_vote_spoils == "ballot" or len(over) == len(contests)):
        return PaperBallot(empty, (), True)
    answers = {c.id: ([] if c.id in over else list(ticks[c.id])) for c in contests}
    return PaperBallot(answers, over, False)


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
    and nothing chosen; spoiled (废票): spoiled whole; ``spoiled_parts``: per contest, the
    ballots whose part there is spoiled (a ballot spoiled whole in every contest). Spoiled
    ballots count as cast, as blank ones do."""
    blank = spoiled = 0
    parts: dict[str, int] = {}
    for answers, raw, n in ballots:
        contests, whole = marks_of(raw)
        if whole:
            spoiled += n
            for cid in answers:
                parts[cid] = parts.get(cid, 0) + n
            continue
        for cid in contests:
            parts[cid] = parts.get(cid, 0) + n
        if not contests and tk.is_blank(kind, answers):
            blank += n
    return {"blank": blank, "spoiled": spoiled, "spoiled_parts": dict(sorted(parts.items()))}


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
