"""The counts of a poll that must reconcile, decided once for every kind: 应到 / 实到 / 发出 /
收回 / 未投 / 空白 / 废票 / 作废 (docs/api.md, "Results", the `counts` object).

Every slip the server made is accounted for: a slip is used (its ballot is in the box), unused,
or void, and a void slip was voided either with a lost batch or, unused, at the close. So

- while open:       issued = returned + not_voted + voided   (voided: the lost batches so far)
- after the close:  issued = returned + voided               (voided: lost + unused at close)

``issued`` counts every slip made, a lost batch's included: a lost slip left the printer and must
be accounted for as void, not vanish. (The results document's top-level ``issued`` keeps its older
meaning, the slips that can still vote or have voted, net of lost batches.)

Paper ballots handed out count as issued too, and those entered as returned (docs/rules.md, "Paper
ballots"): while open the ones not yet entered are not voted; once the paper box is closed, those
never returned are void, as an unused slip is at the close. A slip exchanged for a paper ballot is
void (作废) and never "not voted": its holder voted on paper.
"""

from __future__ import annotations

from dataclasses import dataclass

# The keys of the counts object, in the order a sheet or a screen shows them.
FIELDS = ("expected", "present", "issued", "returned", "not_voted", "blank", "spoiled", "voided")


@dataclass(frozen=True)
class Slips:
    """A poll's slips as stored: how many are used, unused and void, and how many of the void
    ones were voided with a lost batch (the rest were voided, unused, at the close)."""

    used: int
    unused: int
    void: int
    lost: int

    def __post_init__(self) -> None:
        for name in ("used", "unused", "void", "lost"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number, 0 or more, not {value!r}")
        if self.lost > self.void:
            raise ValueError(f"{self.lost} slips voided with lost batches but only {self.void} void")


@dataclass(frozen=True)
class Paper:
    """A poll's paper ballots: handed out (发出), entered and accepted (returned), the slips
    exchanged for one (each void), and whether the paper box is closed."""

    handed_out: int = 0
    returned: int = 0
    exchanged: int = 0
    closed: bool = False

    def __post_init__(self) -> None:
        for name in ("handed_out", "returned", "exchanged"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number, 0 or more, not {value!r}")

    @property
    def unreturned(self) -> int:
        """Handed out and not entered; never below 0 (more entered than handed out is shown by
        counts that do not balance and by the poll's invalidity, not hidden here)."""
        return max(self.handed_out - self.returned, 0)


NO_PAPER = Paper()


def reconcile(*, closed: bool, expected: int, present: int | None, slips: Slips, returned: int,
              blank: int, spoiled: int, paper: Paper = NO_PAPER) -> dict:
    """The counts object. ``returned`` is the tablet ballots in the box (收回; the paper ones
    are ``paper.returned``); ``blank`` the blank ballots the caller may show (while open only the published batch's: a blank count moving one
    by one would single out the ballot just cast); ``spoiled`` 0 for tablets, which refuse a
    ballot that does not fit before anything is stored.

    未投 is the unused slips while the poll is open, and after the close the slips voided then
    (every slip unused at the close becomes void); 作废 is every void slip. With paper, issued adds
    the paper ballots handed out and returned the ones entered; the rest are not voted, and void
    too once the poll is closed. ``paper`` (its figures and the tablets') is there when the poll
    took paper."""
    at_close = slips.void - slips.lost - paper.exchanged if closed else 0
    unreturned = paper.unreturned
    out = {
        "expected": expected,
        "present": present,
        "issued": slips.used + slips.unused + slips.void + paper.handed_out,
        "returned": returned + paper.returned,
        "not_voted": at_close + unreturned if closed else slips.unused + unreturned,
        "blank": blank,
        "spoiled": spoiled,
        "voided": slips.void + (unreturned if closed else 0),
    }
    if paper != NO_PAPER:
        out["paper"] = {"issued": paper.handed_out, "returned": paper.returned, "exchanged": paper.exchanged,
                        "tablet_issued": out["issued"] - paper.handed_out, "tablet_returned": returned}
    return out


def balanced(counts: dict, *, closed: bool) -> bool:
    """Whether the counts add up: after the close issued = returned + voided; while open
    issued = returned + not_voted + voided. False means the slips and the box disagree."""
    if closed:
        return counts["issued"] == counts["returned"] + counts["voided"]
    return counts["issued"] == counts["returned"] + counts["not_voted"] + counts["voided"]


def shown_fields(*, closed: bool) -> tuple[str, ...]:
    """The boxes a screen or a paper shows, in order, so that the boxes shown add up: while open
    all of FIELDS (发出 = 收回 + 未投 + 作废); after the close 未投 is no box of its own, since every
    slip unused at the close is void and counted in 作废 (发出 = 收回 + 作废). Its figure, the
    counts object's ``not_voted`` after the close, is shown as a part of 作废 (其中结束时未用)."""
    return FIELDS if not closed else tuple(k for k in FIELDS if k != "not_voted")


def unused_at_close(counts: dict, *, closed: bool) -> int:
    """After the close, how many of the void slips (and paper ballots never returned) were unused
    at the close: the part of 作废 a page names; 0 while open (then they are 未投)."""
    return (counts.get("not_voted") or 0) if closed else 0


def agrees(reconciled: object, certified: dict, *, invalid: bool = False) -> bool:
    """Whether a signed result's counts object (its ``reconciled``) adds up after the close,
    发出 = 收回 + 作废 (unless the result says the poll is invalid: more paper ballots returned than
    handed out, which cannot add up), and says the same as its certified counts: the ballots
    (收回 = cast), blank and spoiled ballots, 应到 and 实到. False for a malformed object."""
    try:
        return (invalid or balanced(reconciled, closed=True)) and all(
            reconciled[key] == certified.get(said) for key, said in
            (("returned", "cast"), ("blank", "blank"), ("spoiled", "spoiled"), ("expected", "expected"),
             ("present", "present")))
    except (KeyError, TypeError):
        return False
