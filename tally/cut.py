"""Cutting an ordered field at a number of places, without ever breaking a tie silently.

One implementation serves the plenary vote, the standing committee and the score sheet's
shortlist, so the three can never disagree about what a tie at the cut line is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

Score = int | Fraction


@dataclass(frozen=True)
class Cut:
    """``above``: certainly within the places. ``tied``: a group that straddles the cut line."""

    above: tuple[str, ...]
    tied: tuple[str, ...]


def cut_at(field: Sequence[tuple[str, Score]], places: int) -> Cut:
    """Best ``places`` of ``field`` ((id, score) pairs), highest score first.

    If the last place and the first place outside have equal scores, nobody with that score is
    put above the line; all of them are ``tied`` and someone else (a runoff, a person) decides.
    Ids come back in the field's order, not by score: the order carries no meaning.
    """
    if places < 0:
        raise ValueError(f"places must be 0 or more, not {places}")
    order = sorted(range(len(field)), key=lambda i: field[i][1], reverse=True)
    if len(field) <= places:
        return Cut(above=tuple(cid for cid, _ in field), tied=())
    if places == 0:
        return Cut(above=(), tied=())
    line = field[order[places - 1]][1]
    if field[order[places]][1] != line:
        inside = set(order[:places])
        return Cut(above=tuple(cid for i, (cid, _) in enumerate(field) if i in inside), tied=())
    return Cut(
        above=tuple(cid for cid, score in field if score > line),
        tied=tuple(cid for cid, score in field if score == line),
    )


def competition_ranks(scores: Sequence[Score]) -> list[int]:
    """Standard competition ranking: equal scores share a rank, the next rank skips (1, 2, 2, 4)."""
    return [1 + sum(1 for other in scores if other > score) for score in scores]
