"""The formulas and bars of the five evaluations, on plain counts.

Both the live count of a poll (tally.kinds) and the score sheet of a round (tally.score) call
these, so a rate is computed and compared against its bar in exactly one place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction

from tally.rules import YEAR_END_GRADES, Rules


def rate(count: int, total: int) -> Fraction:
    """count / total, exactly; 0 when nobody answered (there is no rate to speak of)."""
    return Fraction(count, total) if total else Fraction(0)


def _meets(count: int, total: int, bar: Fraction) -> bool:
    # With nobody answering there is no support to measure, whatever the bar.
    return total > 0 and rate(count, total) >= bar


def democratic_passes(votes: int, cast: int, rules: Rules) -> bool:
    """votes / cast >= 30%: 24 of 80 passes (exactly 30%), 23 of 80 (28.75%) fails."""
    return _meets(votes, cast, rules.democratic_bar)


def interview_passes(named: int, interviewed: int, rules: Rules) -> bool:
    """named / interviewed >= 50%: 10 of 20 passes, 9 of 20 fails."""
    return _meets(named, interviewed, rules.interview_bar)


def satisfaction(
    satisfied: int, basically_satisfied: int, respondents: int, rules: Rules
) -> Fraction:
    """(satisfied + w × basically_satisfied) / respondents, w from the rules (1 by default)."""
    if not respondents:
        return Fraction(0)
    weighted = satisfied + rules.basically_satisfied_weight * basically_satisfied
    return weighted / respondents


def survey_passes(value: Fraction, respondents: int, rules: Rules) -> bool:
    """satisfaction >= 80%: 40 of 50 passes, 39 of 50 fails."""
    return respondents > 0 and value >= rules.survey_bar


def survey_complete(respondents: int, rules: Rules) -> bool:
    """At least 50 respondents; 49 is incomplete."""
    return respondents >= rules.survey_min_respondents


def character_score(
    raters: int, occasional: Sequence[int], frequent: Sequence[int], rules: Rules
) -> Fraction:
    """Σ over items of (2·none + 1·occasional + 0·frequent) / raters, at most 20.

    ``none`` is what is left of the raters after the occasional and frequent answers.
    """
    if not raters:
        return Fraction(0)
    weights = rules.character_answer_weights
    # Σ (a/raters) = (Σ a)/raters exactly; one division instead of one per item (score sheets
    # of 1,000 candidates, bench/bench_score.py).
    none = sum(raters - occ - freq for occ, freq in zip(occasional, frequent, strict=True))
    total = weights.none * none + weights.occasional * sum(occasional) + weights.frequent * sum(frequent)
    return Fraction(total) / raters


def frequent_shares(raters: int, frequent: Sequence[int]) -> list[Fraction]:
    """Per item, frequent answers / raters."""
    return [rate(freq, raters) for freq in frequent]


def item_vetoes(raters: int, frequent: Sequence[int], rules: Rules) -> list[bool]:
    """Per item, whether its frequent share is MORE than 30%: 15 of 50 is not, 16 of 50 is."""
    return [share > rules.character_veto_share for share in frequent_shares(raters, frequent)]


def character_veto(raters: int, frequent: Sequence[int], rules: Rules) -> bool:
    """Veto (一票否决) if any item is over the line (``item_vetoes``)."""
    return any(item_vetoes(raters, frequent, rules))


def character_complete(raters: int, rules: Rules) -> bool:
    """At least 50 raters; 49 is incomplete."""
    return raters >= rules.character_min_raters


def public_points(
    democratic: Fraction, interview: Fraction, survey: Fraction, rules: Rules
) -> Fraction:
    """points.public × the weighted mean of the three rates (plain mean by default)."""
    w = rules.public_weights
    weighted = w.democratic * democratic + w.interview * interview + w.survey * survey
    return rules.points.public * weighted / (w.democratic + w.interview + w.survey)


def performance_points(base: Fraction, bonus: Fraction, rules: Rules) -> Fraction:
    """base + bonus, capped at points.performance: 38 + 5 gives 40."""
    return min(base + bonus, rules.points.performance)


def leaders_group_points(
    grades: Sequence[str], group_points: Fraction, rules: Rules
) -> Fraction | None:
    """group_points × the mean grade value; None when the group gave no grade (missing)."""
    if not grades:
        return None
    # Each distinct grade's value times its count: the same exact sum as adding every grade's
    # value, without a Fraction addition per rater (200 raters x 1,000 candidates).
    counts = Counter(grades)
    total = sum((rules.grade_values.of(grade) * n for grade, n in counts.items()), Fraction(0))
    return group_points * total / len(grades)


def grades_below_competent(grades: Sequence[str], rules: Rules) -> bool:
    """Any of the last three year-end grades below 称职 (competent) excludes the candidate."""
    bar = YEAR_END_GRADES.index(rules.organisation_lowest_eligible_grade)
    recent = list(grades)[-rules.organisation_grades_considered :]
    return any(YEAR_END_GRADES.index(grade) > bar for grade in recent)
