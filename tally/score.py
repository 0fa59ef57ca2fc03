"""The five evaluations' score sheet of a round (docs/round-file.md, ``ballotroom score``).

Input: a round document (tally.roundfile); output: the ``--json`` document, every candidate in
input order with parts, total, eligibility and the reasons against it, rank within the level,
and the shortlist of each level at the initial ratio. Pure: the CLI does the reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from tally.cut import competition_ranks, cut_at
from tally.display import points_text
from tally.evaluations import (
    character_complete,
    character_score,
    character_veto,
    democratic_passes,
    grades_below_competent,
    interview_passes,
    leaders_group_points,
    performance_points,
    public_points,
    rate,
    satisfaction,
    survey_complete,
    survey_passes,
)
from tally.ratios import initial_places
from tally.roundfile import decimal_value, validate_round
from tally.rules import Rules
from tally.table import render_table

# Parts of the score sheet, in the order of docs/rules.md.
SHEET_PARTS: tuple[str, ...] = ("character", "public", "performance", "leaders", "organisation")


@dataclass(frozen=True)
class CandidateScore:
    """One candidate's exact figures; ``None`` marks a part that cannot be computed."""

    id: str
    level: str
    parts: dict[str, Fraction | None]
    reasons: tuple[str, ...]

    @property
    def total(self) -> Fraction | None:
        if any(value is None for value in self.parts.values()):
            return None
        return sum((value for value in self.parts.values() if value is not None), Fraction(0))

    @property
    def eligible(self) -> bool:
        return not self.reasons


def score_candidate(candidate: dict[str, Any], rules: Rules) -> CandidateScore:
    """Parts and reasons of one (already checked) round-file candidate."""
    reasons: list[str] = []
    parts: dict[str, Fraction | None] = dict.fromkeys(SHEET_PARTS)

    character = candidate.get("character")
    if character is None:
        reasons.append("character_missing")
    else:
        raters, frequent = character["raters"], character["frequent"]
        parts["character"] = character_score(raters, character["occasional"], frequent, rules)
        if character_veto(raters, frequent, rules):
            reasons.append("character_veto")
        if not character_complete(raters, rules):
            reasons.append("character_incomplete")

    # Public appraisal is one part made of three polls. A missing poll is reported by its own
    # round-file key (democratic_missing, ...), which says what to enter; the public part is then
    # missing as a whole, since a weighted mean of two rates would be a different rule.
    rates: dict[str, Fraction] = {}
    democratic = candidate.get("democratic")
    if democratic is None:
        reasons.append("democratic_missing")
    else:
        rates["democratic"] = rate(democratic["votes"], democratic["cast"])
        if not democratic_passes(democratic["votes"], democratic["cast"], rules):
            reasons.append("democratic_below_bar")
    interview = candidate.get("interview")
    if interview is None:
        reasons.append("interview_missing")
    else:
        rates["interview"] = rate(interview["named"], interview["interviewed"])
        if not interview_passes(interview["named"], interview["interviewed"], rules):
            reasons.append("interview_below_bar")
    survey = candidate.get("survey")
    if survey is None:
        reasons.append("survey_missing")
    else:
        respondents = survey["respondents"]
        rates["survey"] = satisfaction(
            survey["satisfied"], survey["basically_satisfied"], respondents, rules
        )
        if not survey_passes(rates["survey"], respondents, rules):
            reasons.append("survey_below_bar")
        if not survey_complete(respondents, rules):
            reasons.append("survey_incomplete")
    if len(rates) == 3:
        parts["public"] = public_points(
            rates["democratic"], rates["interview"], rates["survey"], rules
        )

    performance = candidate.get("performance")
    if performance is None:
        reasons.append("performance_missing")
    else:
        base, bonus = decimal_value(performance["base"]), decimal_value(performance["bonus"])
        assert base is not None and bonus is not None  # checked by validate_round
        parts["performance"] = performance_points(base, bonus, rules)

    leaders = candidate.get("leaders")
    unit = (
        leaders_group_points(leaders["unit"], rules.leaders_unit_points, rules) if leaders else None
    )
    city = (
        leaders_group_points(leaders["city"], rules.leaders_city_points, rules) if leaders else None
    )
    if unit is None or city is None:
        # Both groups must have graded: half an evaluation would understate the candidate.
        reasons.append("leaders_missing")
    else:
        parts["leaders"] = unit + city

    organisation = candidate.get("organisation")
    if organisation is None:
        reasons.append("organisation_missing")
    else:
        parts["organisation"] = decimal_value(organisation["score"])
        if grades_below_competent(organisation["grades"], rules):
            reasons.append("grades_below_competent")

    return CandidateScore(
        id=candidate["id"], level=candidate["level"], parts=parts, reasons=tuple(reasons)
    )


def score_round(round_doc: dict, rules: Rules) -> dict:
    """The ``ballotroom score --json`` document of a round (RoundFileError if it is invalid)."""
    validate_round(round_doc, rules)
    scores = [score_candidate(candidate, rules) for candidate in round_doc["candidates"]]

    ranks: dict[str, int] = {}
    shortlist: dict[str, list[str]] = {}
    ties_at_cut: dict[str, list[str]] = {}
    for level in round_doc["levels"]:
        eligible = [s for s in scores if s.level == level["id"] and s.eligible]
        totals = [s.total for s in eligible]
        assert all(total is not None for total in totals)  # a missing part is a reason
        # Ranks compare exact totals: 87.254 and 87.249 both print "87.25" but are not tied.
        level_ranks = competition_ranks([t for t in totals if t is not None])
        ranks.update({s.id: r for s, r in zip(eligible, level_ranks, strict=True)})
        field = [(s.id, s.total) for s in eligible if s.total is not None]
        cut = cut_at(field, initial_places(level["posts"], rules))
        # Ties at the cut line all go through, flagged for the people who decide (docs/rules.md).
        through = set(cut.above) | set(cut.tied)
        shortlist[level["id"]] = [
            s.id for s in sorted(eligible, key=lambda s: ranks[s.id]) if s.id in through
        ]
        ties_at_cut[level["id"]] = list(cut.tied)

    return {
        "candidates": [
            {
                "id": s.id,
                "total": points_text(s.total) if s.total is not None else None,
                "parts": {
                    part: points_text(value) if value is not None else None
                    for part, value in s.parts.items()
                },
                "eligible": s.eligible,
                "reasons": list(s.reasons),
                "rank": ranks.get(s.id),
            }
            for s in scores
        ],
        "shortlist": shortlist,
        "ties_at_cut": ties_at_cut,
    }


__all__ = ["SHEET_PARTS", "CandidateScore", "render_table", "score_candidate", "score_round"]
