"""The counts of a poll that must reconcile, decided once for every kind: 应到 / 实到 / 发出 /
收回 / 未投 / 空白 / 废票 / 作废 (docs/api.md, "Results", the `counts` object).

Every slip the server made is accounted for: a slip is used (its ballot is in the box), unused,
or void, and a void slip was voided either with a lost batch or, unused, at the close. So

- while open:       issued = returned + not_voted + voided   (voided: the lost batches so far)
- after the close:  issued = returned + voided               (voided: lost + unused at close)

``issued`` counts every slip made, a lost batch's included: a lost slip left the printer and must
be accounted for as void, not vanish. (The results document's top-level ``issued`` keeps its older
meaning, the slips that can still vote or have voted, net of lost batches.)
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


def reconcile(*, closed: bool, expected: int, present: int | None, slips: Slips, returned: int,
              blank: int, spoiled: int) -> dict:
    """The counts object. ``returned`` is the ballots in the box (收回); ``blank`` the blank
    ballots the caller may show (while open only the published batch's: a blank count moving one
    by one would single out the ballot just cast); ``spoiled`` 0 for tablets, which refuse a
    ballot that does not fit before anything is stored.

    未投 is the unused slips while the poll is open, and after the close the slips voided then
    (every slip unused at the close becomes void); 作废 is every void slip."""
    at_close = slips.void - slips.lost if closed else 0
    return {
        "expected": expected,
        "present": present,
        "issued": slips.used + slips.unused + slips.void,
        "returned": returned,
        "not_voted": at_close if closed else slips.unused,
        "blank": blank,
        "spoiled": spoiled,
        "voided": slips.void,
    }


def balanced(counts: dict, *, closed: bool) -> bool:
    """Whether the counts add up: after the close issued = returned + voided; while open
    issued = returned + not_voted + voided. False means the slips and the box disagree."""
    if closed:
        return counts["issued"] == counts["returned"] + counts["voided"]
    return counts["issued"] == counts["returned"] + counts["not_voted"] + counts["voided"]
