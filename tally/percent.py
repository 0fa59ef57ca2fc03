"""Percentages for people, beside the outcome they decided, never contradicting it.

The exact rule decides (a fraction against the line, in the kind's module); the shown figure is
only rounded for reading. Rounding half-up would show 29.99% as "30.0%" beside 未达 30%, so:

- a figure is shown to one decimal, **cut off, not rounded**: 29.99% shows as "29.9%", so a
  figure below its line never shows as reaching it;
- a figure at or above its line that cutting off would pull below it, or onto a line it must be
  more than (the character veto: more than 30%), is **rounded up** instead: 30.01% shows as
  "30.1%" beside 一票否决, never "30.0%".

So beside a line L shown as a percentage: shown >= L exactly when value >= L, and shown > L
whenever value > L, for any L (tests/test_percent.py checks both at the boundaries).
"""

from __future__ import annotations

import math
from fractions import Fraction

from tally.evaluations import rate, satisfaction
from tally.kinds import line_share
from tally.rules import Rules

PLACES = 1  # decimals of a percentage


def _text(tenths: int) -> str:
    whole, tenth = divmod(tenths, 10 ** PLACES)
    return f"{whole}.{tenth:0{PLACES}d}%"


def percent_text(value: Fraction, line: Fraction | None = None) -> str:
    """``value`` (a share, 0..1) as a percentage with one decimal, cut off or, beside ``line``
    when cutting off would contradict it, rounded up (module docstring)."""
    if value < 0:
        raise ValueError(f"a share is 0 or more, not {value}")
    scaled = value * 100 * 10 ** PLACES
    shown = math.floor(scaled)
    if line is not None and value >= line:
        line_scaled = line * 100 * 10 ** PLACES
        if shown < line_scaled or (shown == line_scaled and value > line):
            shown = math.ceil(scaled)
    return _text(shown)


def line_text(line: Fraction) -> str:
    """The line itself: "30%", "66.7%" for 2/3 (rounded up to one decimal, so that a figure
    below the line, cut off, never shows as reaching it; a trailing ".0" dropped)."""
    text = _text(math.ceil(line * 100 * 10 ** PLACES))
    return text.replace(".0%", "%")


def candidate_share(kind: str, candidate: dict, cast: int, rules: Rules) -> Fraction | None:
    """The exact share a result sheet shows beside a candidate's outcome, from the whole numbers
    of the results document: votes / ballots for the recommendation kinds, the weighted
    satisfaction for the survey; None for the kinds judged on other figures."""
    if kind in ("democratic_recommendation", "interview_recommendation", "plenary_recommendation"):
        return rate(candidate["votes"], cast)
    if kind == "survey":
        return satisfaction(candidate["satisfied"], candidate["basically_satisfied"], candidate["respondents"], rules)
    return None


def candidate_percent(kind: str, candidate: dict, cast: int, rules: Rules) -> str | None:
    """``candidate_share`` as shown beside its outcome and the kind's line (None: no share)."""
    share = candidate_share(kind, candidate, cast, rules)
    if share is None:
        return None
    # The plenary has no line: its places go to the most voted, not to a share.
    return percent_text(share, None if kind == "plenary_recommendation" else line_share(kind, rules))


def shown(kind: str, counted: dict, rules: Rules) -> dict:
    """Every percentage a page shows of a results document, as text, decided here once:
    ``candidates`` per candidate id (``candidate_percent``), and for the character test ``items``
    per candidate id, each item's share of frequent answers beside the veto line."""
    out: dict = {"candidates": {}, "items": {}}
    for contest in counted["contests"]:
        for c in contest["candidates"]:
            text = candidate_percent(kind, c, counted["cast"], rules)
            if text is not None:
                out["candidates"][c["id"]] = text
            if kind == "character":
                raters = c.get("raters") or 0
                out["items"][c["id"]] = [
                    percent_text(Fraction(n, raters) if raters else Fraction(0), rules.character_veto_share)
                    for n in c["frequent"]]
    return out
