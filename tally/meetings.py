"""Whether a meeting or a standing-committee vote counts, and the committee's pass mark."""

from __future__ import annotations

from fractions import Fraction

from tally.rules import Rules


def _reaches(present: int, expected: int, share: Fraction) -> bool:
    if expected < 0 or present < 0:
        raise ValueError(f"expected and present must be 0 or more, not {expected} and {present}")
    return present >= share * expected


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
