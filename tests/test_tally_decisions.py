"""What a results document states so that no page decides it (tally.kinds.decisions), the pass
mark and quorum figures of tally.meetings, and a round file's parts from results (tally.parts)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tally import kinds as tk
from tally.evaluations import character_veto, item_vetoes
from tally.meetings import (
    committee_passes,
    committee_quorum_met,
    committee_votes_needed,
    meeting_quorum_met,
    needed_for,
    slips_beyond,
)
from tally.parts import part_from_result
from tally.rules import default_rules

RULES = default_rules()


@pytest.mark.parametrize(("expected", "needed"), [(11, 6), (12, 7), (1, 1), (0, 1), (18, 10)])
def test_committee_votes_needed(expected, needed):
    assert committee_votes_needed(expected, RULES) == needed


@given(st.integers(0, 1000))
def test_votes_needed_is_the_pass_mark(expected):
    needed = committee_votes_needed(expected, RULES)
    assert committee_passes(needed, expected, RULES)
    assert needed == 0 or not committee_passes(needed - 1, expected, RULES)


@given(st.integers(0, 1000))
def test_quorum_needed_is_the_fewest_that_reach_it(expected):
    for share, met in ((RULES.meeting_quorum, meeting_quorum_met),
                       (RULES.committee_quorum, committee_quorum_met)):
        needed = needed_for(share, expected)
        assert met(needed, expected, RULES)
        assert needed == 0 or not met(needed - 1, expected, RULES)


@pytest.mark.parametrize(
    ("kind", "present", "cast", "met", "needed", "recorded"),
    [
        ("democratic_recommendation", 12, 3, True, 12, True),   # 12 of 18 is enough
        ("democratic_recommendation", 11, 18, False, 12, True),  # attendance, not ballots
        ("democratic_recommendation", None, 12, True, 12, False),  # ballots stand for attendance
        ("plenary_recommendation", None, 11, False, 12, False),
        ("standing_committee", 12, 0, True, 12, True),
    ],
)
def test_quorum_state(kind, present, cast, met, needed, recorded):
    q = tk.quorum_state(kind, expected=18, present=present, cast=cast, rules=RULES)
    assert q == {"met": met, "present": cast if present is None else present,
                 "recorded": recorded, "expected": 18, "needed": needed}


@pytest.mark.parametrize("kind", ["interview_recommendation", "survey", "character", "leaders"])
def test_kinds_without_quorum(kind):
    assert tk.quorum_share(kind, RULES) is None
    assert tk.quorum_state(kind, expected=18, present=1, cast=1, rules=RULES) is None


def test_item_vetoes_at_the_line():
    """15 of 50 frequent is not a veto (exactly 30%), 16 of 50 is."""
    assert item_vetoes(50, [15, 16, 0], RULES) == [False, True, False]
    assert character_veto(50, [15, 16, 0], RULES) and not character_veto(50, [15, 0, 0], RULES)
    assert item_vetoes(0, [0, 0], RULES) == [False, False]


def test_decisions_of_a_counted_character_poll_agree_with_its_veto():
    items = len(RULES.character_items)
    contests = [tk.Contest("c", "C", 1, 1, (tk.Candidate("a", "A"), tk.Candidate("b", "B")))]
    answer_a = ["frequent"] + ["none"] * (items - 1)
    ballots = [tk.Ballot({"a": answer_a, "b": ["none"] * items})] * 3
    ballots += [tk.Ballot({"a": ["none"] * items, "b": ["none"] * items})] * 7
    counted = tk.count_poll("character", contests, ballots, expected=10, present=None, rules=RULES)
    extra = tk.decisions("character", counted, expected=10, present=None, rules=RULES)
    assert extra["quorum"] is None
    assert extra["item_veto"]["a"] == [False] * items  # 3 of 10 is exactly 30%: no veto
    rows = {c["id"]: c for c in counted["contests"][0]["candidates"]}
    assert all(any(extra["item_veto"][cid]) == rows[cid]["veto"] for cid in rows)


def test_decisions_of_a_committee_vote():
    contests = [tk.Contest("c", "C", 1, 1, (tk.Candidate("a", "A"),))]
    counted = tk.count_poll("standing_committee", contests, [tk.Ballot({"a": "agree"})] * 6,
                            expected=11, present=8, rules=RULES)
    extra = tk.decisions("standing_committee", counted, expected=11, present=8, rules=RULES)
    assert extra["votes_needed"] == 6 and extra["quorum"]["met"] is True
    assert counted["contests"][0]["candidates"][0]["passes"] is True


@pytest.mark.parametrize(
    ("issued", "present", "expected", "beyond"),
    [(10, 10, 12, None), (11, 10, 12, "present"), (13, None, 12, "expected"),
     (12, None, 12, None), (13, 13, 12, "expected")],
)
def test_slips_beyond(issued, present, expected, beyond):
    assert slips_beyond(issued, present, expected) == beyond


def test_answer_words_come_from_the_kinds():
    assert tk.answers_of("standing_committee") == ("agree", "disagree", "abstain")
    assert tk.answers_of("survey") == ("satisfied", "basically_satisfied", "dissatisfied")
    assert tk.answers_of("leaders") == ("good", "fairly_good", "average", "poor")
    assert tk.answers_of("character") == ("none", "occasional", "frequent")
    assert tk.answers_of("democratic_recommendation") == ()
    assert tk.voter_groups("leaders") == ("unit", "city") and tk.voter_groups("survey") == ()


def test_blank_ballots_count_as_cast():
    """A democratic part's cast is the poll's ballots cast, blank ones included."""
    result = {"cast": 80, "blank": 5}
    assert part_from_result("democratic", {"votes": 24}, result) == {"votes": 24, "cast": 80}
    assert part_from_result("interview", {"votes": 9}, {"cast": 20}) == {"named": 9, "interviewed": 20}
    grades = {"good": 2, "poor": 1}
    assert part_from_result("leaders", {"unit_grades": grades, "city_grades": {}}, result) == {
        "unit": ["good", "good", "poor"], "city": []}
    with pytest.raises(ValueError):
        part_from_result("performance", {}, result)
