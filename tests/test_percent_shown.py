"""The percentages a results document carries for pages (tally.percent.shown): the one display
rule, beside the outcome each page draws next to it."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tally.evaluations import item_vetoes
from tally.percent import shown
from tally.rules import default_rules

RULES = default_rules()


def _choice_counted(votes: list[int], cast: int) -> dict:
    return {"cast": cast, "contests": [{"id": "c1", "candidates": [
        {"id": f"k{i}", "votes": v} for i, v in enumerate(votes)]}]}


@pytest.mark.parametrize("votes,cast,text", [
    (0, 0, "0.0%"), (1, 3, "33.3%"), (2, 3, "66.6%"), (3, 10, "30.0%"), (2999, 10000, "29.9%"),
    (3001, 10000, "30.1%"), (1, 1, "100.0%")])
def test_recommendation_rates_cut_off_and_just_over_the_bar_rounded_up(votes, cast, text):
    assert shown("democratic_recommendation", _choice_counted([votes], cast), RULES)["candidates"]["k0"] == text


@given(st.integers(0, 500), st.integers(1, 500))
def test_a_rate_below_the_bar_never_shows_as_reaching_it(votes, cast):
    votes = min(votes, cast)
    text = shown("democratic_recommendation", _choice_counted([votes], cast), RULES)["candidates"]["k0"]
    below = Fraction(votes, cast) < RULES.democratic_bar
    assert (Fraction(text.rstrip("%")) < RULES.democratic_bar * 100) == below


@given(st.integers(1, 200), st.data())
def test_a_character_item_over_the_veto_line_shows_over_it(raters, data):
    frequent = data.draw(st.lists(st.integers(0, raters), min_size=10, max_size=10))
    counted = {"cast": raters, "contests": [{"id": "c", "candidates": [
        {"id": "p", "raters": raters, "frequent": frequent}]}]}
    items = shown("character", counted, RULES)["items"]["p"]
    vetoed = item_vetoes(raters, frequent, RULES)
    line = RULES.character_veto_share * 100
    for n, text in zip(frequent, items, strict=True):
        over = Fraction(n, raters) > RULES.character_veto_share
        assert (Fraction(text.rstrip("%")) > line) == over
    assert [Fraction(t.rstrip("%")) > line for t in items] == list(vetoed)
