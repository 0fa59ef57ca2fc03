"""Places given by a competitive ratio (四差额): a ratio r gives ceil(posts × r) places."""

from __future__ import annotations

from fractions import Fraction
from math import ceil

from tally.rules import Rules


def ratio_places(posts: int, ratio: Fraction) -> int:
    """ceil(posts × ratio), exact: 2 posts at 1:1.5 give 3 places, 3 posts give 5 (4.5 up)."""
    if posts < 0:
        raise ValueError(f"posts must be 0 or more, not {posts}")
    return ceil(Fraction(posts) * ratio)


def initial_places(posts: int, rules: Rules) -> int:
    """Size of a level's initial list, ranked by total score (1:3 by default)."""
    return ratio_places(posts, rules.ratio_initial)


def plenary_places(posts: int, rules: Rules) -> int:
    """Names each plenary member may choose, and inspection candidates chosen (1:1.5)."""
    return ratio_places(posts, rules.ratio_plenary)


def deliberation_places(posts: int, rules: Rules) -> int:
    """Candidates the secretaries' meeting deliberates (1:1.5)."""
    return ratio_places(posts, rules.ratio_deliberation)


def final_slate_range(posts: int, rules: Rules) -> tuple[int, int]:
    """Fewest and most candidates sent to the standing committee (posts + 1 .. posts + 2)."""
    return posts + rules.final_extra_min, posts + rules.final_extra_max
