"""Percentages beside outcomes (tally/percent.py): the exact rule decides, the shown figure never
contradicts it: 29.99% is "29.9%" beside 未达 30%, never "30.0%"."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tally.evaluations import democratic_passes, interview_passes, item_vetoes, survey_passes
from tally.percent import candidate_percent, line_text, percent_text
from tally.rules import default_rules

RULES = default_rules()


@pytest.mark.parametrize(("value", "line", "shown"), [
    (F(2999, 10000), F(3, 10), "29.9%"),   # just below the bar: cut off, never 30.0%
    (F(29999, 100000), F(3, 10), "29.9%"),
    (F(3, 10), F(3, 10), "30.0%"),         # exactly the bar: reaches it
    (F(3001, 10000), F(3, 10), "30.1%"),   # just over: rounded up, never on the line
    (F(24, 80), F(3, 10), "30.0%"),        # 24 of 80 passes
    (F(23, 80), F(3, 10), "28.7%"),        # 28.75% cut off
    (F(1, 3), None, "33.3%"),
    (F(2, 3), None, "66.6%"),              # no line: cut off
    (F(2, 3), F(2, 3), "66.7%"),           # at a line that is no whole tenth: rounded up
    (F(6665, 10000), F(2, 3), "66.6%"),
    (F(0), F(3, 10), "0.0%"),
    (F(1), F(4, 5), "100.0%"),
    (F(7999, 10000), F(4, 5), "79.9%"),
    (F(4, 5), F(4, 5), "80.0%"),
])
def test_boundaries(value, line, shown):
    assert percent_text(value, line) == shown


@pytest.mark.parametrize(("line", "text"), [(F(3, 10), "30%"), (F(1, 2), "50%"), (F(4, 5), "80%"),
                                            (F(2, 3), "66.7%"), (F(1, 3), "33.4%")])
def test_line_text(line, text):
    assert line_text(line) == text


def _number(text: str) -> Decimal:
    return Decimal(text.rstrip("%"))


LINES = st.sampled_from([F(3, 10), F(1, 2), F(4, 5), F(2, 3), F(1, 3), F(1, 7)])


@given(value=st.fractions(min_value=0, max_value=1, max_denominator=100000), line=LINES)
def test_shown_never_contradicts_the_line(value, line):
    shown = _number(percent_text(value, line))
    line_shown = _number(line_text(line))
    # reaching the line and showing a figure at or above the line's own figure go together
    assert (shown >= line_shown) == (value >= line)
    # over the line shows over it (the character veto is "more than 30%")
    if value > line:
        assert F(shown) / 100 > line
    # and the figure stays within a tenth of a percent of the exact value
    assert abs(F(shown) / 100 - value) < F(1, 1000)


@given(votes=st.integers(0, 400), extra=st.integers(0, 400))
def test_recommendation_sheet_matches_the_decision(votes, extra):
    """Beside the decision of tally's own rule, the shown rate reads the same way."""
    cast = votes + extra
    for kind, passes, line in (("democratic_recommendation", democratic_passes, RULES.democratic_bar),
                               ("interview_recommendation", interview_passes, RULES.interview_bar)):
        shown = _number(candidate_percent(kind, {"votes": votes}, cast, RULES))
        assert (shown >= _number(line_text(line))) == passes(votes, cast, RULES) or cast == 0


@given(satisfied=st.integers(0, 120), basically=st.integers(0, 120), dissatisfied=st.integers(0, 120))
def test_survey_sheet_matches_the_decision(satisfied, basically, dissatisfied):
    respondents = satisfied + basically + dissatisfied
    candidate = {"satisfied": satisfied, "basically_satisfied": basically, "respondents": respondents}
    shown = _number(candidate_percent("survey", candidate, 0, RULES))
    value = F(satisfied) + RULES.basically_satisfied_weight * basically
    passes = survey_passes(value / respondents if respondents else F(0), respondents, RULES)
    assert (shown >= _number(line_text(RULES.survey_bar))) == passes or respondents == 0


@given(raters=st.integers(1, 200), data=st.data())
def test_veto_share_over_the_line_shows_over_it(raters, data):
    frequent = data.draw(st.integers(0, raters))
    veto = item_vetoes(raters, [frequent], RULES)[0]
    shown = _number(percent_text(F(frequent, raters), RULES.character_veto_share))
    assert (shown > _number(line_text(RULES.character_veto_share))) == veto


def test_kinds_without_a_share():
    assert candidate_percent("standing_committee", {"agree": 3}, 5, RULES) is None
    assert candidate_percent("plenary_recommendation", {"votes": 2}, 3, RULES) == "66.6%"
    with pytest.raises(ValueError):
        percent_text(F(-1, 2))
