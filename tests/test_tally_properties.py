"""Laws that hold for all inputs (hypothesis)."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tally.cut import competition_ranks, cut_at
from tally.display import fixed
from tally.evaluations import character_score, democratic_passes, rate
from tally.kinds import AnswerError, Ballot, Candidate, Contest, count_poll, validate_answers
from tally.rules import default_rules
from tally.score import score_round

RULES = default_rules()
ITEMS = len(RULES.character_items)
CONTESTS = [
    Contest("c1", "Chief", 2, 1, tuple(Candidate(f"a{i}", f"A{i}") for i in range(4))),
    Contest("c2", "Deputy", 1, 1, tuple(Candidate(f"b{i}", f"B{i}") for i in range(2))),
]
IDS = [c.id for contest in CONTESTS for c in contest.candidates]
ANSWER_WORDS = {
    "standing_committee": ["agree", "disagree", "abstain"],
    "survey": ["satisfied", "basically_satisfied", "dissatisfied"],
    "leaders": ["good", "fairly_good", "average", "poor"],
}

# --- score sheet ---------------------------------------------------------------------------


@st.composite
def candidates(draw, cid: str) -> dict:
    raters = draw(st.integers(0, 80))
    occasional, frequent = [], []
    for _ in range(ITEMS):
        freq = draw(st.integers(0, raters))
        occasional.append(draw(st.integers(0, raters - freq)))
        frequent.append(freq)
    cast = draw(st.integers(0, 100))
    interviewed = draw(st.integers(0, 30))
    satisfied, basically, dissatisfied = (draw(st.integers(0, 40)) for _ in range(3))
    decimals = st.decimals(min_value=0, max_value=60, places=2).map(str)
    grades = st.sampled_from(["good", "fairly_good", "average", "poor"])
    candidate = {
        "id": cid,
        "name": cid,
        "level": "chief",
        "character": {"raters": raters, "occasional": occasional, "frequent": frequent},
        "democratic": {"votes": draw(st.integers(0, cast)), "cast": cast},
        "interview": {"named": draw(st.integers(0, interviewed)), "interviewed": interviewed},
        "survey": {
            "respondents": satisfied + basically + dissatisfied,
            "satisfied": satisfied,
            "basically_satisfied": basically,
            "dissatisfied": dissatisfied,
        },
        "performance": {"base": draw(decimals), "bonus": draw(decimals)},
        "leaders": {
            "unit": draw(st.lists(grades, max_size=4)),
            "city": draw(st.lists(grades, max_size=4)),
        },
        "organisation": {
            "score": str(draw(st.decimals(min_value=0, max_value=10, places=1))),
            "grades": draw(
                st.lists(
                    st.sampled_from(["outstanding", "competent", "basically_competent"]), max_size=3
                )
            ),
        },
    }
    for part in draw(st.sets(st.sampled_from(list(candidate)[4:]), max_size=2)):
        del candidate[part]
    return candidate


@st.composite
def rounds(draw) -> dict:
    n = draw(st.integers(1, 6))
    return {
        "format": "ballotroom-round/1",
        "title": "property round",
        "levels": [{"id": "chief", "posts": draw(st.integers(1, 3))}],
        "candidates": [draw(candidates(f"c{i}")) for i in range(n)],
    }


MAX_PART = {"character": 20, "public": 20, "performance": 40, "leaders": 10, "organisation": 10}


@settings(max_examples=150, deadline=None)
@given(rounds())
def test_totals_and_parts_within_bounds(doc):
    sheet = score_round(doc, RULES)
    for row in sheet["candidates"]:
        for part, value in row["parts"].items():
            assert value is None or 0 <= Decimal(value) <= MAX_PART[part]
        assert row["total"] is None or 0 <= Decimal(row["total"]) <= 100
        assert row["eligible"] == (row["reasons"] == []) == (row["rank"] is not None)
    # Scoring is a function of the document: same input, same output, through JSON too.
    assert score_round(json.loads(json.dumps(doc)), RULES) == sheet
    assert set(sheet["ties_at_cut"]["chief"]) <= set(sheet["shortlist"]["chief"])


# --- character -----------------------------------------------------------------------------


character_ballot = st.lists(
    st.sampled_from(["none", "occasional", "frequent"]), min_size=ITEMS, max_size=ITEMS
)


@settings(max_examples=150, deadline=None)
@given(st.lists(character_ballot, max_size=30))
def test_an_all_none_rater_never_lowers_a_character_score(answers):
    ballots = [Ballot({"a0": a}) for a in answers]
    contests = [Contest("c1", "t", 1, 1, (Candidate("a0", "A"),))]

    def exact(bs):
        occ = [sum(b.answers["a0"][i] == "occasional" for b in bs) for i in range(ITEMS)]
        freq = [sum(b.answers["a0"][i] == "frequent" for b in bs) for i in range(ITEMS)]
        return character_score(len(bs), occ, freq, RULES)

    more = [*ballots, Ballot({"a0": ["none"] * ITEMS})]
    assert exact(more) >= exact(ballots)
    before = count_poll("character", contests, ballots, expected=0, present=None, rules=RULES)
    after = count_poll("character", contests, more, expected=0, present=None, rules=RULES)
    row_before, row_after = (
        before["contests"][0]["candidates"][0],
        after["contests"][0]["candidates"][0],
    )
    assert Decimal(row_after["score"]) >= Decimal(row_before["score"])
    assert not (row_after["veto"] and not row_before["veto"])  # a clean rater never causes a veto


# --- rates -----------------------------------------------------------------------------------


@given(st.integers(0, 200), st.integers(0, 200), st.integers(0, 200))
def test_rates_monotone_in_votes(a, b, cast):
    low, high = sorted((min(a, cast), min(b, cast)))
    assert rate(low, cast) <= rate(high, cast)
    assert democratic_passes(high, cast, RULES) or not democratic_passes(low, cast, RULES)


# --- answers and counting ----------------------------------------------------------------------


def recommendation_answers():
    ids = st.sampled_from(IDS + ["zz"])
    return st.dictionaries(
        st.sampled_from(["c1", "c2", "c3"]), st.lists(ids, max_size=3), max_size=2
    )


def per_candidate_answers(kind):
    words = st.sampled_from(ANSWER_WORDS[kind] + ["bogus"])
    return st.dictionaries(st.sampled_from(IDS + ["zz"]), words, max_size=len(IDS) + 1)


junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)

any_answers = st.one_of(
    st.tuples(
        st.sampled_from(
            ["democratic_recommendation", "plenary_recommendation", "interview_recommendation"]
        ),
        recommendation_answers(),
    ),
    *[st.tuples(st.just(kind), per_candidate_answers(kind)) for kind in ANSWER_WORDS],
    st.tuples(
        st.just("character"),
        st.dictionaries(st.sampled_from(IDS), character_ballot, min_size=len(IDS)),
    ),
    st.tuples(st.sampled_from(["democratic_recommendation", "survey", "character"]), junk),
)


@settings(max_examples=300, deadline=None)
@given(any_answers)
def test_validate_answers_is_idempotent(kind_and_answers):
    kind, answers = kind_and_answers
    try:
        canonical = validate_answers(kind, CONTESTS, answers, RULES)
    except AnswerError as err:
        assert err.code in {
            "too_many_choices",
            "unknown_candidate",
            "unknown_contest",
            "missing_answer",
            "bad_value",
            "duplicate_choice",
            "bad_shape",
        }
        assert str(err)
        return
    assert validate_answers(kind, CONTESTS, canonical, RULES) == canonical
    assert json.loads(json.dumps(canonical)) == canonical


@st.composite
def valid_recommendation_ballots(draw):
    ballots = []
    for _ in range(draw(st.integers(0, 25))):
        answers = {}
        for contest in CONTESTS:
            ids = [c.id for c in contest.candidates]
            answers[contest.id] = draw(
                st.lists(st.sampled_from(ids), unique=True, max_size=contest.max_choices)
            )
        ballots.append(Ballot(answers))
    return ballots


@settings(max_examples=150, deadline=None)
@given(
    valid_recommendation_ballots(),
    st.sampled_from(
        ["democratic_recommendation", "plenary_recommendation", "interview_recommendation"]
    ),
)
def test_votes_sum_to_choices(ballots, kind):
    result = count_poll(kind, CONTESTS, ballots, expected=len(ballots), present=None, rules=RULES)
    for contest, out in zip(CONTESTS, result["contests"], strict=True):
        choices = sum(len(b.answers.get(contest.id, [])) for b in ballots)
        assert sum(row["votes"] for row in out["candidates"]) == choices
        if "chosen" in out:
            assert len(out["chosen"]) <= contest.places and not set(out["chosen"]) & set(
                out["runoff"]
            )
    assert result["blank"] == sum(1 for b in ballots if not any(b.answers.values()))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(*[st.sampled_from(ANSWER_WORDS["standing_committee"])] * 4), max_size=15),
    st.integers(1, 4),
    st.integers(0, 20),
)
def test_committee_chosen_are_passing_and_within_places(votes, places, expected):
    contest = Contest("c1", "t", 4, places, tuple(Candidate(f"p{i}", f"P{i}") for i in range(4)))
    ballots = [Ballot({f"p{i}": v for i, v in enumerate(vote)}) for vote in votes]
    result = count_poll(
        "standing_committee", [contest], ballots, expected=expected, present=None, rules=RULES
    )
    out = result["contests"][0]
    passing = {row["id"] for row in out["candidates"] if row["passes"]}
    assert set(out["chosen"]) <= passing and len(out["chosen"]) <= places
    assert not set(out["chosen"]) & set(out["runoff"])
    if not result["quorum_met"]:
        assert out["chosen"] == out["runoff"] == []


# --- cut, ranks, display ---------------------------------------------------------------------


@given(st.lists(st.integers(0, 5), max_size=8), st.integers(0, 9))
def test_cut_never_breaks_a_tie(scores, places):
    field = [(f"id{i}", s) for i, s in enumerate(scores)]
    cut = cut_at(field, places)
    score = dict(field)
    assert len(cut.above) <= places and not set(cut.above) & set(cut.tied)
    outside = [cid for cid, _ in field if cid not in cut.above]
    assert all(score[a] > score[o] for a in cut.above for o in outside)
    assert len({score[t] for t in cut.tied}) <= 1
    if not cut.tied:
        assert len(cut.above) == min(places, len(field))
    ranks = competition_ranks(scores)
    assert all(
        (ranks[i] < ranks[j]) == (scores[i] > scores[j])
        for i in range(len(scores))
        for j in range(len(scores))
    )


@given(st.fractions(min_value=0, max_value=1000), st.sampled_from([2, 4]))
def test_display_rounds_half_up_like_decimal(value, places):
    with localcontext() as ctx:
        ctx.prec = 200
        expected = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
        )
    assert fixed(value, places) == format(expected, "f")


def test_display_half_cases():
    """0.125 -> 0.13 and 0.00005 -> 0.0001 (half-up, not banker's rounding)."""
    assert fixed(Fraction(1, 8), 2) == "0.13" and fixed(Fraction(5, 100000), 4) == "0.0001"
    assert fixed(Fraction(5, 1000), 2) == "0.01" and fixed(Fraction(0), 4) == "0.0000"
