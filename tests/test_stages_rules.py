"""The stages' pure rules (tally/competitive.py): a vote and its runoffs, slates, the pooled
satisfaction. Tables of cases; each states the arithmetic it pins down."""

from __future__ import annotations

from fractions import Fraction
from importlib import resources

import pytest

from tally.competitive import (
    PollStep,
    SurveyCounts,
    final_slate_size,
    missing_roles,
    pooled_satisfaction,
    progress,
    secretaries_slate_size,
    slate_problems,
)
from tally.rules import load_rules

RULES = load_rules(resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8"))


def step(poll, main, contests, state="closed", quorum=True):
    return PollStep(poll=poll, main=main, state=state, quorum_met=quorum,
                    contests={lv: (tuple(c), tuple(r), tuple(k)) for lv, (c, r, k) in contests.items()})


def test_a_tie_at_the_cut_then_runoffs_until_filled():
    """3 places: a and b chosen, c and d tied for the third; runoff 1 ties again; runoff 2 picks d."""
    steps = [step("p1", True, {"L": ("ab", "cd", "abcde")}),
             step("r1", False, {"L": ("", "cd", "cd")}),
             step("r2", False, {"L": ("d", "", "cd")})]
    after = [progress({"L": 3}, steps[:n])["L"] for n in range(4)]
    assert [p.status for p in after] == ["needs_vote", "runoff", "runoff", "settled"]
    assert after[1].remaining == 1 and after[1].runoff == ("c", "d")
    assert after[3].chosen == ("a", "b", "d") and after[3].unfilled == 0


@pytest.mark.parametrize("steps, status, chosen, runoff", [
    # A draft or open poll keeps the level waiting.
    ([step("p1", True, {"L": ("ab", "", "abc")}, state="open")], "waiting", (), ()),
    # Below the quorum the vote is void: nothing chosen, the vote is held again whole.
    ([step("p1", True, {"L": ("ab", "", "abc")}, quorum=False)], "needs_vote", (), ()),
    # A void runoff leaves the same runoff pending.
    ([step("p1", True, {"L": ("a", "bc", "abc")}), step("r1", False, {"L": ("b", "", "bc")}, quorum=False)],
     "runoff", ("a",), ("b", "c")),
    # A vote held again whole starts afresh: the earlier count does not add up.
    ([step("p1", True, {"L": ("ab", "", "abc")}), step("p2", True, {"L": ("c", "", "abc")})],
     "settled", ("c",), ()),
    # A main vote that chose fewer names than places: settled, with a place unfilled.
    ([step("p1", True, {"L": ("a", "", "abc")})], "settled", ("a",), ()),
    # A runoff that chose nobody for its 1 place is held again among its candidates.
    ([step("p1", True, {"L": ("a", "bc", "abc")}), step("r1", False, {"L": ("", "", "bc")})],
     "runoff", ("a",), ("b", "c")),
])
def test_progress_cases(steps, status, chosen, runoff):
    p = progress({"L": 2}, steps)["L"]
    assert (p.status, p.chosen, p.runoff) == (status, chosen, runoff)


def test_levels_are_counted_apart():
    """A runoff for one level leaves the other level's result alone."""
    steps = [step("p1", True, {"A": ("x", "yz", "xyz"), "B": ("uv", "", "uvw")}),
             step("r1", False, {"A": ("y", "", "yz")})]
    prog = progress({"A": 2, "B": 2}, steps)
    assert prog["A"].chosen == ("x", "y") and prog["B"].chosen == ("u", "v")
    assert {p.status for p in prog.values()} == {"settled"}


@pytest.mark.parametrize("posts, pool, size", [(1, 5, 2), (2, 5, 3), (3, 9, 5), (4, 9, 6), (2, 2, 2)])
def test_secretaries_slate_size(posts, pool, size):
    """ceil(posts × 1.5): 1 -> 2, 2 -> 3, 3 -> 5 (4.5 up), 4 -> 6; never more than the pool."""
    assert secretaries_slate_size(posts, pool, RULES) == size


def test_final_slate_is_posts_plus_one_or_two():
    assert final_slate_size(2, RULES) == (3, 4) and final_slate_size(5, RULES) == (6, 7)


@pytest.mark.parametrize("ids, size, problems", [
    (["a", "b", "c"], 3, []),
    (["a", "b"], 3, ["too_few:2:3"]),
    (["a", "b", "c", "d"], 3, ["too_many:4:3"]),
    (["a", "a", "b"], 3, ["duplicate"]),
    (["a", "b", "z"], 3, ["not_in_pool:z"]),
    (["a", "b", "c", "d"], (3, 4), []),
    (["a", "b", "c", "d", "e"], (3, 4), ["too_many:5:4"]),
])
def test_slate_problems(ids, size, problems):
    assert slate_problems(ids, ["a", "b", "c", "d", "e"], size) == problems


def test_missing_roles_of_five_plus_x():
    assert missing_roles(["mayor", "department_head", "other"]) == [
        "deputy_secretary", "discipline_secretary", "organisation_head", "leader_in_charge"]
    assert missing_roles(["mayor", "deputy_secretary", "discipline_secretary", "organisation_head",
                          "leader_in_charge"]) == []


def test_pooled_satisfaction():
    """(50 + 5) / 60 and (8 + 1) / 10 pooled: (58 + 6) / 70 = 64/70, not the mean of 55/60 and 9/10."""
    total, value = pooled_satisfaction([SurveyCounts(60, 50, 5, 5), SurveyCounts(10, 8, 1, 1)], RULES)
    assert total == SurveyCounts(70, 58, 6, 6) and value == Fraction(64, 70)
    assert pooled_satisfaction([], RULES) == (SurveyCounts(), None)
