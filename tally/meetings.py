"""Whether a meeting or a standing-committee vote counts, and the committee's pass mark.

Each comparison is made here once; the pages are told the outcome and the figures they print
(how many must attend, how many agreeing votes pass), never the share to compare against.
"""

from __future__ import annotations

import math
from fractions import Fraction

from tally.rules import Rules


def _reaches(present: int, expected: int, share: Fraction) -> bool:
    if expected < 0 or present < 0:
        raise ValueError(f"expected and present must be 0 or more, not {expected} and {present}")
    return present >= share * expected


def needed_for(share: Fraction, expected: int) -> int:
    """The fewest members present that reach ``share`` of ``expected``: 2/3 of 18 needs 12."""
    return math.ceil(share * expected)


def meeting_quorum_met(present: int, expected: int, rules: Rules) -> bool:
    """A recommendation meeting is valid when present >= 2/3 of expected (12 of 18 is enough)."""
    return _reaches(present, expected, rules.meeting_quorum)


def committee_quorum_met(present: int, expected: int, rules: Rules) -> bool:
    """A standing-committee vote is void unless present >= 2/3 of expected (7 of 11 is void)."""
    return _reaches(present, expected, rules.committee_quorum)


def committee_passes(agree: int, expected: int, rules: Rules) -> bool:
    """Agreeing votes must be MORE than half of all members expected, not of those present.

    11 expected: 6 agree passes, 5 does not, even when only 8 attend.
    """
    return agree > rules.committee_pass_share * expected


def committee_votes_needed(expected: int, rules: Rules) -> int:
    """The fewest agreeing votes that pass: the smallest whole number above 1/2 of expected
    (11 expected: 6; 12 expected: 7)."""
    return math.floor(rules.committee_pass_share * expected) + 1


def slips_beyond(issued: int, present: int | None, expected: int) -> str | None:
    """Which head count the slips issued exceed: "present" (attendance is recorded and more slips
    than members present), else "expected", else None. One slip per member present is the rule of
    a secret ballot; extra slips are kept apart."""
    if present is not None and issued > present:
        return "present"
    if issued > expected:
        return "expected"
    return None
