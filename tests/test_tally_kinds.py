"""Boundary cases of each poll kind, and the answer checks others rely on."""

from __future__ import annotations

import pytest

from tally.kinds import (
    KINDS,
    SECRET_KINDS,
    AnswerError,
    Ballot,
    Candidate,
    Contest,
    SpecError,
    contests_from_dicts,
    count_poll,
    is_blank,
    validate_answers,
    validate_spec,
)
from tally.rules import default_rules

RULES = default_rules()
NONE10 = ["none"] * 10


def contest(n: int = 3, *, max_choices: int = 1, places: int = 1, cid: str = "c1") -> Contest:
    people = tuple(Candidate(id=f"{cid}-p{i}", name=f"Person {i}") for i in range(1, n + 1))
    return Contest(id=cid, title="Post", max_choices=max_choices, places=places, candidates=people)


def rows(result: dict, index: int = 0) -> dict[str, dict]:
    return {row["id"]: row for row in result["contests"][index]["candidates"]}


def recommendation_ballots(spec: Contest, votes: list[int], cast: int) -> list[Ballot]:
    """``cast`` ballots; candidate i is chosen on the first votes[i] of them (max_choices allows)."""
    ballots = []
    for b in range(cast):
        chosen = [c.id for c, v in zip(spec.candidates, votes, strict=False) if b < v]
        ballots.append(Ballot({spec.id: chosen}))
    return ballots


def test_kind_names_and_secrecy():
    assert KINDS == (
        "democratic_recommendation",
        "plenary_recommendation",
        "interview_recommendation",
        "standing_committee",
        "character",
        "survey",
        "leaders",
    )
    assert SECRET_KINDS == set(KINDS) - {"interview_recommendation", "leaders"}


# --- democratic and interview recommendation -------------------------------------------------


@pytest.mark.parametrize(
    ("votes", "cast", "rate", "passes"),
    [
        (24, 80, "0.3000", True),  # exactly 30% passes
        (23, 80, "0.2875", False),  # 28.75% fails
        (80, 80, "1.0000", True),
        (0, 80, "0.0000", False),
        (0, 0, "0.0000", False),  # nobody voted: no rate, nothing passes
    ],
)
def test_democratic_bar(votes, cast, rate, passes):
    """rate = votes / cast compared exactly with 30%: 24/80 = 0.3 passes, 23/80 = 0.2875 fails."""
    spec = contest(2, max_choices=2)
    result = count_poll(
        "democratic_recommendation",
        [spec],
        recommendation_ballots(spec, [votes], cast),
        expected=cast,
        present=None,
        rules=RULES,
    )
    row = rows(result)["c1-p1"]
    assert (row["votes"], row["rate"], row["passes"]) == (votes, rate, passes)


def test_democratic_blank_ballots_count_in_cast():
    """8 ballots choose p1, 2 are blank: rate 8/10 = 0.8, blank 2, cast 10."""
    spec = contest(2)
    ballots = [Ballot({"c1": ["c1-p1"]})] * 8 + [Ballot({"c1": []}), Ballot({})]
    result = count_poll(
        "democratic_recommendation", [spec], ballots, expected=10, present=10, rules=RULES
    )
    assert result["cast"] == 10 and result["blank"] == 2
    assert rows(result)["c1-p1"]["rate"] == "0.8000"


@pytest.mark.parametrize(
    ("expected", "present", "quorum_met"),
    [(18, 12, True), (18, 11, False), (10, 7, True), (10, 6, False), (9, 6, True)],
)
def test_democratic_meeting_quorum(expected, present, quorum_met):
    """Valid when present >= 2/3 expected: 12 of 18 (= 12) yes, 11 no; 7 of 10 (>= 6.67) yes, 6 no."""
    spec = contest(1)
    ballots = [Ballot({"c1": ["c1-p1"]})] * present
    result = count_poll(
        "democratic_recommendation",
        [spec],
        ballots,
        expected=expected,
        present=present,
        rules=RULES,
    )
    assert result["quorum_met"] is quorum_met
    assert rows(result)["c1-p1"]["passes"] is quorum_met


def test_quorum_uses_cast_when_attendance_not_recorded():
    """present None: 12 ballots stand for 12 members present; 12 >= 2/3 × 18."""
    spec = contest(1)
    ballots = [Ballot({"c1": []})] * 12
    assert count_poll(
        "democratic_recommendation", [spec], ballots, expected=18, present=None, rules=RULES
    )["quorum_met"]
    assert not count_poll(
        "democratic_recommendation", [spec], ballots[:11], expected=18, present=None, rules=RULES
    )["quorum_met"]


@pytest.mark.parametrize(
    ("named", "interviewed", "passes"),
    [(10, 20, True), (9, 20, False), (1, 2, True), (0, 0, False)],
)
def test_interview_bar(named, interviewed, passes):
    """rate = named / interviewed >= 50%: 10/20 passes, 9/20 = 45% fails. No meeting quorum."""
    spec = contest(2)
    result = count_poll(
        "interview_recommendation",
        [spec],
        recommendation_ballots(spec, [named], interviewed),
        expected=100,
        present=None,
        rules=RULES,
    )
    assert result["quorum_met"] is True
    assert rows(result)["c1-p1"]["passes"] is passes


# --- plenary -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("votes", "places", "chosen", "runoff"),
    [
        ([5, 4, 3, 2], 2, ["p1", "p2"], []),
        ([5, 4, 4, 2], 2, ["p1"], ["p2", "p3"]),  # tie straddles the cut
        ([4, 4, 4, 2], 2, [], ["p1", "p2", "p3"]),  # everyone at the cut is tied
        ([5, 4, 4, 2], 3, ["p1", "p2", "p3"], []),  # the tie is inside the places
        ([5, 0, 0, 0], 2, ["p1"], []),  # nobody chose the others: never chosen
        ([3, 3, 0, 0], 2, ["p1", "p2"], []),
        ([0, 0, 0, 0], 1, [], []),
    ],
)
def test_plenary_places_and_runoff(votes, places, chosen, runoff):
    """The `places` most-voted are chosen; a tie across the cut: those above chosen, tied to runoff."""
    spec = contest(4, max_choices=4, places=places)
    result = count_poll(
        "plenary_recommendation",
        [spec],
        recommendation_ballots(spec, votes, 6),
        expected=6,
        present=6,
        rules=RULES,
    )
    out = result["contests"][0]
    assert out["chosen"] == [f"c1-{p}" for p in chosen]
    assert out["runoff"] == [f"c1-{p}" for p in runoff]
    assert [row["passes"] for row in out["candidates"]] == [f"p{i}" in chosen for i in range(1, 5)]


def test_plenary_without_quorum_chooses_nobody():
    """5 present of 9 expected < 2/3 × 9 = 6: void, nothing chosen, no runoff."""
    spec = contest(3, places=1)
    result = count_poll(
        "plenary_recommendation",
        [spec],
        [Ballot({"c1": ["c1-p1"]})] * 5,
        expected=9,
        present=5,
        rules=RULES,
    )
    assert result["quorum_met"] is False
    assert result["contests"][0]["chosen"] == [] and result["contests"][0]["runoff"] == []


# --- standing committee ----------------------------------------------------------------------


def committee_ballots(agree: list[int], cast: int) -> list[Ballot]:
    ids = [f"c1-p{i}" for i in range(1, len(agree) + 1)]
    return [
        Ballot({cid: ("agree" if b < n else "disagree") for cid, n in zip(ids, agree, strict=True)})
        for b in range(cast)
    ]


@pytest.mark.parametrize(
    ("present", "agree", "quorum_met", "passes"),
    [
        (8, 6, True, True),  # 6 > 11/2 = 5.5, although only 8 attend
        (8, 5, True, False),  # 5 agree of 8 present is a majority of those present, not of 11
        (11, 6, True, True),
        (7, 7, False, False),  # 7 < 2/3 × 11 = 7.33: void
    ],
)
def test_standing_committee_of_eleven(present, agree, quorum_met, passes):
    """11 expected: quorum 8 (>= 7.33); pass with agree > 5.5, i.e. 6."""
    spec = contest(1, places=1)
    result = count_poll(
        "standing_committee",
        [spec],
        committee_ballots([agree], present),
        expected=11,
        present=present,
        rules=RULES,
    )
    row = rows(result)["c1-p1"]
    assert result["quorum_met"] is quorum_met
    assert row["agree"] == agree and row["passes"] is passes and row["chosen"] is passes


@pytest.mark.parametrize(
    ("agree", "places", "chosen", "runoff"),
    [
        ([9, 8, 7], 2, ["p1", "p2"], []),  # most agreeing votes win
        ([9, 8, 8], 2, ["p1"], ["p2", "p3"]),  # tie for the last post: revote among the tied
        ([9, 2, 3], 2, ["p1"], ["p2", "p3"]),  # too few passing: the rest are voted again
        ([1, 2, 3], 1, [], ["p1", "p2", "p3"]),  # nobody passing: revote among all
        ([9, 9, 1], 2, ["p1", "p2"], []),
    ],
)
def test_standing_committee_places(agree, places, chosen, runoff):
    """9 members expected and present: pass with agree > 4.5, i.e. 5."""
    spec = contest(3, places=places)
    result = count_poll(
        "standing_committee",
        [spec],
        committee_ballots(agree, 9),
        expected=9,
        present=9,
        rules=RULES,
    )
    out = result["contests"][0]
    assert out["chosen"] == [f"c1-{p}" for p in chosen]
    assert out["runoff"] == [f"c1-{p}" for p in runoff]


def test_standing_committee_void_has_no_runoff():
    """6 present of 11 (< 7.33): void; nothing passes, nothing chosen, runoff []."""
    spec = contest(2, places=1)
    result = count_poll(
        "standing_committee",
        [spec],
        committee_ballots([6, 0], 6),
        expected=11,
        present=6,
        rules=RULES,
    )
    out = result["contests"][0]
    assert (out["chosen"], out["runoff"]) == ([], [])
    assert not any(row["passes"] for row in out["candidates"])


def test_standing_committee_blank_is_all_abstain():
    spec = contest(2)
    ballots = [
        Ballot({"c1-p1": "abstain", "c1-p2": "abstain"}),
        Ballot({"c1-p1": "agree", "c1-p2": "abstain"}),
    ]
    assert (
        count_poll("standing_committee", [spec], ballots, expected=3, present=3, rules=RULES)[
            "blank"
        ]
        == 1
    )


# --- character -------------------------------------------------------------------------------


def character_ballots(raters: int, frequent_item0: int, occasional_item0: int = 0) -> list[Ballot]:
    ballots = []
    for b in range(raters):
        answers = list(NONE10)
        if b < frequent_item0:
            answers[0] = "frequent"
        elif b < frequent_item0 + occasional_item0:
            answers[0] = "occasional"
        ballots.append(Ballot({"c1-p1": answers}))
    return ballots


@pytest.mark.parametrize(
    ("raters", "frequent", "veto", "complete", "score"),
    [
        (50, 15, False, True, "19.40"),  # 15/50 = 30% exactly: not a veto; 9×2 + 2×35/50 = 19.40
        (50, 16, True, True, "19.36"),  # 16/50 = 32% > 30%: veto; 18 + 2×34/50 = 19.36
        (49, 0, False, False, "20.00"),  # 49 raters: scored, but incomplete
        (50, 0, False, True, "20.00"),
        (10, 3, False, False, "19.40"),  # 3/10 = 30% exactly
        (10, 4, True, False, "19.20"),
    ],
)
def test_character_veto_and_completeness(raters, frequent, veto, complete, score):
    """score = Σ items (2·none + 1·occasional)/raters; veto iff some frequent/raters > 30%."""
    spec = contest(1)
    result = count_poll(
        "character",
        [spec],
        character_ballots(raters, frequent),
        expected=0,
        present=None,
        rules=RULES,
    )
    row = rows(result)["c1-p1"]
    assert (row["raters"], row["veto"], row["complete"], row["score"]) == (
        raters,
        veto,
        complete,
        score,
    )
    assert row["frequent"][0] == frequent and row["frequent"][1:] == [0] * 9


def test_character_occasional_is_worth_one():
    """50 raters, item 1: 10 occasional, 40 none -> (2×40 + 10)/50 = 1.8; 9 clean items 18: 19.80."""
    spec = contest(1)
    result = count_poll(
        "character", [spec], character_ballots(50, 0, 10), expected=0, present=None, rules=RULES
    )
    row = rows(result)["c1-p1"]
    assert row["score"] == "19.80" and row["occasional"][0] == 10
    assert row["frequent_share"] == ["0.0000"] * 10


def test_character_no_raters():
    result = count_poll("character", [contest(1)], [], expected=0, present=None, rules=RULES)
    row = rows(result)["c1-p1"]
    assert (row["raters"], row["score"], row["veto"], row["complete"]) == (0, "0.00", False, False)


# --- survey ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("satisfied", "basically", "dissatisfied", "satisfaction", "passes", "complete"),
    [
        (30, 10, 10, "0.8000", True, True),  # (30 + 10)/50 = 80% passes
        (30, 9, 11, "0.7800", False, True),  # 39/50 fails
        (40, 0, 9, "0.8163", True, False),  # 49 respondents: incomplete
        (0, 0, 0, "0.0000", False, False),
    ],
)
def test_survey_bar(satisfied, basically, dissatisfied, satisfaction, passes, complete):
    """satisfaction = (satisfied + 1 × basically satisfied) / respondents >= 80%; >= 50 respondents."""
    spec = contest(1)
    ballots = (
        [Ballot({"c1-p1": "satisfied"})] * satisfied
        + [Ballot({"c1-p1": "basically_satisfied"})] * basically
        + [Ballot({"c1-p1": "dissatisfied"})] * dissatisfied
    )
    row = rows(count_poll("survey", [spec], ballots, expected=0, present=None, rules=RULES))[
        "c1-p1"
    ]
    assert row["respondents"] == satisfied + basically + dissatisfied
    assert (row["satisfaction"], row["passes"], row["complete"]) == (satisfaction, passes, complete)
    assert (row["satisfied"], row["basically_satisfied"], row["dissatisfied"]) == (
        satisfied,
        basically,
        dissatisfied,
    )


# --- leaders -----------------------------------------------------------------------------------


def test_leaders_parts():
    """unit: good + average = (1 + 0.6)/2 × 5 = 4.00; city: fairly_good = 0.8 × 5 = 4.00; 8.00."""
    spec = contest(1)
    ballots = [
        Ballot({"c1-p1": "good"}, group="unit"),
        Ballot({"c1-p1": "average"}, group="unit"),
        Ballot({"c1-p1": "fairly_good"}, group="city"),
    ]
    row = rows(count_poll("leaders", [spec], ballots, expected=0, present=None, rules=RULES))[
        "c1-p1"
    ]
    assert (row["unit"], row["city"], row["score"]) == ("4.00", "4.00", "8.00")
    assert (row["unit_count"], row["city_count"], row["missing"]) == (2, 1, [])
    assert row["unit_grades"] == {"good": 1, "fairly_good": 0, "average": 1, "poor": 0}


def test_leaders_missing_group_counts_zero():
    """No city grades: city 0 and reported missing; unit poor = 0 × 5."""
    ballots = [Ballot({"c1-p1": "poor"}, group="unit")]
    row = rows(count_poll("leaders", [contest(1)], ballots, expected=0, present=None, rules=RULES))[
        "c1-p1"
    ]
    assert (row["score"], row["missing"]) == ("0.00", ["city"])


def test_leaders_ballot_needs_a_group():
    with pytest.raises(AnswerError) as err:
        count_poll(
            "leaders",
            [contest(1)],
            [Ballot({"c1-p1": "good"})],
            expected=0,
            present=None,
            rules=RULES,
        )
    assert err.value.code == "bad_value"


# --- answers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "answers", "code", "detail"),
    [
        (
            "democratic_recommendation",
            {"c1": ["c1-p1", "c1-p2", "c1-p3"]},
            "too_many_choices",
            {"contest": "c1", "max": 2, "given": 3},
        ),
        (
            "democratic_recommendation",
            {"c1": ["zz"]},
            "unknown_candidate",
            {"contest": "c1", "candidate": "zz"},
        ),
        ("democratic_recommendation", {"c9": []}, "unknown_contest", {"contest": "c9"}),
        (
            "democratic_recommendation",
            {"c1": ["c1-p1", "c1-p1"]},
            "duplicate_choice",
            {"contest": "c1", "candidate": "c1-p1"},
        ),
        ("democratic_recommendation", {"c1": "c1-p1"}, "bad_shape", {"contest": "c1"}),
        ("democratic_recommendation", ["c1-p1"], "bad_shape", {}),
        (
            "standing_committee",
            {"c1-p1": "agree", "c1-p2": "agree"},
            "missing_answer",
            {"candidate": "c1-p3"},
        ),
        (
            "standing_committee",
            {"c1-p1": "yes", "c1-p2": "agree", "c1-p3": "agree"},
            "bad_value",
            {"candidate": "c1-p1"},
        ),
        (
            "survey",
            {"c1-p1": "satisfied", "c1-p2": "satisfied", "c1-p3": "satisfied", "x": "satisfied"},
            "unknown_candidate",
            {"candidate": "x"},
        ),
        (
            "character",
            {"c1-p1": NONE10, "c1-p2": NONE10, "c1-p3": NONE10[:9]},
            "bad_shape",
            {"candidate": "c1-p3", "expected": 10, "given": 9},
        ),
        (
            "character",
            {"c1-p1": NONE10, "c1-p2": NONE10, "c1-p3": ["never"] * 10},
            "bad_value",
            {"candidate": "c1-p3", "item": 0},
        ),
        (
            "leaders",
            {"c1-p1": "good", "c1-p2": "good", "c1-p3": "excellent"},
            "bad_value",
            {"candidate": "c1-p3"},
        ),
    ],
)
def test_answer_errors(kind, answers, code, detail):
    with pytest.raises(AnswerError) as err:
        validate_answers(kind, [contest(3, max_choices=2)], answers, RULES)
    assert err.value.code == code
    assert detail.items() <= err.value.detail.items()
    assert str(err.value)  # a sentence for a person


def test_canonical_answers():
    """Lists sorted, every contest present, [] for a blank or missing contest."""
    contests = [contest(3, max_choices=2), contest(2, cid="c2")]
    out = validate_answers("plenary_recommendation", contests, {"c1": ["c1-p3", "c1-p1"]}, RULES)
    assert out == {"c1": ["c1-p1", "c1-p3"], "c2": []}
    assert not is_blank("plenary_recommendation", out)
    assert is_blank(
        "plenary_recommendation", validate_answers("plenary_recommendation", contests, {}, RULES)
    )
    assert not is_blank("survey", {"c1-p1": "dissatisfied"})


def test_candidate_ids_across_contests_in_per_candidate_kinds():
    """Per-candidate kinds are keyed by candidate id over all contests."""
    contests = [contest(1), contest(1, cid="c2")]
    out = validate_answers(
        "survey", contests, {"c2-p1": "satisfied", "c1-p1": "dissatisfied"}, RULES
    )
    assert list(out) == ["c1-p1", "c2-p1"]


# --- poll specs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "contests", "words"),
    [
        ("referendum", [contest(2)], "unknown poll kind"),
        ("survey", [], "at least one contest"),
        ("survey", [Contest("c1", "t", 1, 1, ())], "no candidates"),
        ("survey", [contest(2), contest(2)], "is c1, a number another contest already has"),
        (
            "survey",
            [contest(2), Contest("c2", "t", 1, 1, (Candidate("c1-p1", "x"),))],
            "already used in this poll",
        ),
        ("democratic_recommendation", [contest(2, max_choices=0)], "max_choices"),
        ("democratic_recommendation", [contest(2, max_choices=3)], "max_choices"),
        ("plenary_recommendation", [contest(2, places=0)], "places"),
        ("plenary_recommendation", [contest(2, places=3)], "places"),
    ],
)
def test_spec_errors(kind, contests, words):
    with pytest.raises(SpecError, match=words):
        validate_spec(kind, contests, RULES)


def test_contests_from_dicts():
    raw = [
        {
            "id": "c1",
            "title": "Chief",
            "max_choices": 2,
            "places": 1,
            "candidates": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
        }
    ]
    assert contests_from_dicts(raw) == [
        Contest("c1", "Chief", 2, 1, (Candidate("a", "A"), Candidate("b", "B")))
    ]
    with pytest.raises(SpecError, match="max_choices is missing"):
        contests_from_dicts([{"id": "c1", "places": 1, "candidates": []}])


def test_every_candidate_pre_zeroed():
    """With no ballots every candidate is still listed, at zero."""
    result = count_poll(
        "democratic_recommendation", [contest(3)], [], expected=10, present=0, rules=RULES
    )
    assert [row["votes"] for row in result["contests"][0]["candidates"]] == [0, 0, 0]
    assert result["contests"][0]["title"] == "Post"
