"""tally.paper and the paper side of tally.counts: boundary tables and properties (docs/rules.md,
"Paper ballots")."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tally import counts as tc
from tally import kinds as tk
from tally import paper as tp
from tally.poll import AnswerError, Candidate, Contest
from tally.rules import RulesError, default_rules, load_rules

RULES = default_rules()
NAMES = tuple(Candidate(f"k{i}", f"候选人{i}") for i in range(1, 6))
POST = Contest("c1", "局长", 2, 2, NAMES[:4])
DEPUTY = Contest("c2", "副局长", 1, 1, (Candidate("d1", "甲"), Candidate("d2", "乙")))
TWO = (POST, DEPUTY)


DEMOCRATIC = "democratic_recommendation"


def _entry(c1=(), c2=(), spoiled=None):
    return tp.read_entry(DEMOCRATIC, TWO, {"choices": {"c1": list(c1), "c2": list(c2)}, "spoiled": spoiled}, RULES)


# In a contest allowing 2 of 4, with the other contest answered validly: the number of names
# ticked decides whether that part is blank, valid or spoiled.
@pytest.mark.parametrize(("ticked", "spoiled_contests", "votes_c1"), [
    ((), (), []),
    (("k1",), (), ["k1"]),
    (("k1", "k2"), (), ["k1", "k2"]),  # at the limit: valid
    (("k1", "k2", "k3"), ("c1",), []),  # one over: that contest's part is spoiled
    (("k1", "k2", "k3", "k4"), ("c1",), []),
])
def test_an_over_vote_spoils_only_that_contests_part(ticked, spoiled_contests, votes_c1):
    ballot = tp.accept(DEMOCRATIC, TWO, _entry(ticked, ("d1",)), RULES)
    assert ballot.spoiled_contests == spoiled_contests and not ballot.spoiled_whole
    assert ballot.answers == {"c1": votes_c1, "c2": ["d1"]}


@pytest.mark.parametrize(("c1", "c2", "whole", "blank"), [
    ((), (), False, True),  # nothing ticked anywhere: blank
    (("k1", "k2", "k3"), (), False, False),  # one part spoiled, the other empty: neither blank nor 废票
    (("k1", "k2", "k3"), ("d1", "d2"), True, False),  # every contest over: spoiled whole
])
def test_blank_and_spoiled_whole_by_the_rules(c1, c2, whole, blank):
    ballot = tp.accept(DEMOCRATIC, TWO, _entry(c1, c2), RULES)
    assert ballot.spoiled_whole is whole
    figures = tp.box_figures("democratic_recommendation", [(ballot.answers, ballot.marks(), 1)])
    assert figures["blank"] == int(blank) and figures["spoiled"] == int(whole)


@pytest.mark.parametrize("reason", tp.WHOLE_REASONS)
def test_an_unreadable_or_marked_ballot_is_spoiled_whole(reason):
    ballot = tp.accept(DEMOCRATIC, TWO, _entry(spoiled=reason), RULES)
    assert ballot.spoiled_whole and ballot.answers == {"c1": [], "c2": []}
    assert ballot.marks() == {"spoiled_whole": True}
    figures = tp.box_figures("democratic_recommendation", [(ballot.answers, ballot.marks(), 3)])
    assert figures == {"blank": 0, "spoiled": 3, "spoiled_parts": {}}  # 废票 only, never partly spoiled too


def test_the_rules_file_may_spoil_the_whole_ballot_on_an_over_vote():
    text = open("tally/rules.toml", encoding="utf-8").read().replace(
        'over_vote_spoils = "contest"', 'over_vote_spoils = "ballot"')
    strict = load_rules(text)
    assert tp.accept(DEMOCRATIC, TWO, _entry(("k1", "k2", "k3"), ("d1",)), strict).spoiled_whole
    assert not tp.accept(DEMOCRATIC, TWO, _entry(("k1", "k2"), ("d1",)), strict).spoiled_whole


@pytest.mark.parametrize(("change", "key"), [
    ('over_vote_spoils = "contest"', "paper.over_vote_spoils"),
    ('kinds = ["democratic_recommendation", "plenary_recommendation", "standing_committee", "survey", "character"]',
     "paper.kinds"),
])
def test_a_wrong_paper_rule_is_refused_with_its_key(change, key):
    text = open("tally/rules.toml", encoding="utf-8").read()
    bad = text.replace(change, change.split("=")[0] + '= ["leaders"]' if "kinds" in change else
                       change.split("=")[0] + '= "half"')
    with pytest.raises(RulesError) as caught:
        load_rules(bad)
    assert caught.value.key == key


def test_a_rules_file_without_the_paper_table_reads_with_the_shipped_values():
    text = open("tally/rules.toml", encoding="utf-8").read()
    old = text[:text.index("[paper]")]
    assert load_rules(old).paper == RULES.paper


@pytest.mark.parametrize("raw", [
    {"choices": {"c9": []}}, {"choices": {"c1": ["k9"]}}, {"choices": {"c1": ["k1", "k1"]}},
    {"choices": {"c1": ["k9"]}, "spoiled": "unreadable"}, {"spoiled": "torn"}, {"choices": []}, [],
    {"choices": {}, "items": {}}, {"choices": {"c1": "k1"}},
])
def test_typing_errors_are_refused(raw):
    with pytest.raises(AnswerError) as caught:
        tp.read_entry(DEMOCRATIC, TWO, raw, RULES)
    # Each keeps its sentence's template apart, so the server says it in the reader's language.
    assert caught.value.template and str(caught.value) == caught.value.template % caught.value.params


def test_a_ballot_spoiled_whole_is_entered_as_the_paper_shows_and_its_ticks_are_set_aside():
    """The page says to enter every mark as made: a ballot spoiled whole with names ticked is
    entered with them, and two entries agree on the reason whatever ticks either gave."""
    ticked = _entry(("k1", "k2", "k3"), ("d1",), spoiled="marked")
    bare = _entry(spoiled="marked")
    assert ticked == bare and tp.differences(ticked, bare) == []
    assert tp.accept(DEMOCRATIC, TWO, ticked, RULES) == tp.PaperBallot({"c1": [], "c2": []}, (), True)
    assert tp.differences(ticked, _entry(("k1",), spoiled="unreadable")) == ["spoiled"]
    character = tp.read_entry("character", (POST,), {"items": {"k1": [["none"]] * len(RULES.character_items)},
                                                   "spoiled": "unreadable"}, RULES)
    assert all(t == ((),) * len(RULES.character_items) for _, t in character.ticks)


# How many paper ballots may be recorded as handed out: members expected less the slips and paper
# ballots out (one ballot per member); beyond members present asks to confirm.
@pytest.mark.parametrize(("count", "expected", "present", "slips", "handed_out", "allowed", "beyond"), [
    (10, 10, None, 0, 0, True, False),    # a paper-only poll: one per member expected
    (11, 10, None, 0, 0, False, False),   # one more than members expected
    (1000, 10, 10, 0, 0, False, True),    # the reviewer's 1000 for a meeting of 10
    (1, 10, 10, 0, 1000, False, True),    # and its 1 after: room is never below 0
    (4, 10, 10, 6, 0, True, False),       # slips and paper together reach members expected
    (5, 10, 10, 6, 0, False, True),
    (1, 10, 8, 8, 0, True, True),         # within members expected, beyond members present: confirm
    (1, 10, 8, 7, 0, True, False),
    (1, 10, None, 12, 0, False, False),   # spare slips beyond members expected: exchange one instead
])
def test_paper_ballots_handed_out_are_bounded_by_members_without_a_ballot(count, expected, present, slips,
                                                                          handed_out, allowed, beyond):
    decision = tp.hand_out(count, expected=expected, present=present, slips=slips, handed_out=handed_out)
    assert decision.allows(count) is allowed and decision.beyond_present is beyond


@given(expected=st.integers(0, 500), slips=st.integers(0, 600), handed=st.integers(0, 600),
       counts=st.lists(st.integers(1, 700), max_size=8))
def test_recorded_paper_ballots_never_make_more_ballots_than_members_expected(expected, slips, handed, counts):
    """Whatever numbers are typed one after another, the records allowed never take slips and paper
    past members expected (nor further past it, when slips alone already were)."""
    out = handed
    for count in counts:
        if tp.hand_out(count, expected=expected, present=None, slips=slips, handed_out=out).allows(count):
            out += count
    assert slips + out <= max(expected, slips + handed)


@pytest.mark.parametrize(("handed_out", "exchanged", "entered", "room"), [
    (10, 0, 0, 10), (10, 3, 0, 7), (10, 10, 0, 0), (10, 0, 1, 0), (0, 0, 0, 0),
])
def test_paper_ballots_are_taken_back_only_before_any_is_entered(handed_out, exchanged, entered, room):
    assert tp.take_back_room(handed_out=handed_out, exchanged=exchanged, entered=entered) == room


@given(st.lists(st.sampled_from(["first", "agree", "differ", "again"]), max_size=40), st.randoms())
def test_a_number_once_given_is_never_given_to_another_ballot(acts, rnd):
    """Entries in any order: a first entry takes tally.paper.next_number; a second agreeing
    accepts its ballot (the number leaves the waiting ones, returned grows); differing keeps
    the number for the ballot's entries again; a first entry again fills it. No number is given to
    two ballots."""
    waiting: set[int] = set()
    again: set[int] = set()
    given_out: list[int] = []
    returned = 0
    for act in acts:
        if act == "first":
            number = tp.next_number(returned=returned, numbers=waiting | again)
            given_out.append(number)
            waiting.add(number)
        elif act in ("agree", "differ") and waiting:
            number = rnd.choice(sorted(waiting))
            waiting.discard(number)
            if act == "agree":
                returned += 1
            else:
                again.add(number)
        elif act == "again" and again:
            number = rnd.choice(sorted(again))
            again.discard(number)
            waiting.add(number)
    assert len(given_out) == len(set(given_out))


@pytest.mark.parametrize(("returned", "issued", "paper_returned", "paper_issued", "invalid"), [
    (10, 10, 0, 0, False),
    (11, 10, 0, 0, True),  # one more returned than issued
    (10, 12, 3, 3, False),
    (10, 12, 4, 3, True),  # the paper box holds one more than went out, though slips were left unused
    (0, 0, 0, 0, False),
])
def test_returned_exceeding_issued_makes_the_poll_invalid(returned, issued, paper_returned, paper_issued, invalid):
    assert tp.invalid(returned, issued, paper_returned, paper_issued) is invalid


def test_an_invalid_polls_result_chooses_nobody():
    counted = tk.count_poll("plenary_recommendation", [POST], [tk.Ballot({"c1": ["k1"]})] * 3,
                            expected=3, present=3, rules=RULES)
    voided = tp.voided_result(counted["contests"])
    assert voided[0]["chosen"] == [] and voided[0]["runoff"] == []
    assert [c["votes"] for c in voided[0]["candidates"]] == [c["votes"] for c in counted["contests"][0]["candidates"]]
    assert not any(c["passes"] for c in voided[0]["candidates"])


ticks = st.lists(st.sampled_from([n.id for n in NAMES[:4]]), unique=True, max_size=4)
entries = st.builds(lambda a, b, whole: _entry(() if whole else a, () if whole else b, whole),
                    ticks, st.lists(st.sampled_from(["d1", "d2"]), unique=True, max_size=2),
                    st.sampled_from([None, None, None, *tp.WHOLE_REASONS]))


@given(entries, entries)
def test_two_entries_agree_exactly_when_they_read_the_same(first, second):
    assert (tp.differences(first, second) == []) == (first == second)
    assert tp.differences(first, first) == []


@given(st.lists(entries, max_size=30))
def test_paper_ballots_count_as_cast_and_give_votes_only_where_valid(readings):
    ballots = [tp.accept(DEMOCRATIC, TWO, e, RULES) for e in readings]
    counted = tk.count_poll("democratic_recommendation", list(TWO), [tk.Ballot(b.answers) for b in ballots],
                            expected=30, present=30, rules=RULES)
    assert counted["cast"] == len(readings)  # spoiled and blank ones included, for every rate
    figures = tp.box_figures("democratic_recommendation", [(b.answers, b.marks(), 1) for b in ballots])
    assert figures["blank"] + figures["spoiled"] <= len(readings)
    for contest in TWO:
        valid = [dict(e.ticks)[contest.id] for e in readings
                 if e.whole is None and len(dict(e.ticks)[contest.id]) <= contest.max_choices
                 and not all(len(dict(e.ticks)[c.id]) > c.max_choices for c in TWO)]
        votes = {c["id"]: c["votes"] for k in counted["contests"] if k["id"] == contest.id for c in k["candidates"]}
        for candidate in contest.candidates:
            assert votes[candidate.id] == sum(candidate.id in v for v in valid)


counts_ = st.integers(0, 50)


@given(counts_, counts_, counts_, counts_, counts_, counts_, st.booleans())
def test_counts_with_paper_reconcile_while_open_and_after_the_close(used, unused, void, handed, returned, exchanged,
                                                                   closed):
    returned, exchanged = min(returned, handed), min(exchanged, handed, void)
    slips = tc.Slips(used=used, unused=0 if closed else unused, void=void, lost=0)
    paper = tc.Paper(handed_out=handed, returned=returned, exchanged=exchanged, closed=closed)
    counts = tc.reconcile(closed=closed, expected=100, present=None, slips=slips, returned=used, blank=0,
                          spoiled=0, paper=paper)
    assert tc.balanced(counts, closed=closed)
    assert counts["issued"] == used + slips.unused + void + handed and counts["returned"] == used + returned
    assert counts["not_voted"] >= 0 and counts["voided"] >= void
    if handed or returned or exchanged:
        assert counts["paper"]["issued"] == handed and counts["paper"]["tablet_returned"] == used


@given(counts_, counts_, st.integers(1, 10))
def test_more_paper_returned_than_handed_out_never_balances_after_the_close(used, handed, extra):
    slips = tc.Slips(used=used, unused=0, void=0, lost=0)
    paper = tc.Paper(handed_out=handed, returned=handed + extra, closed=True)
    counts = tc.reconcile(closed=True, expected=100, present=None, slips=slips, returned=used, blank=0, spoiled=0,
                          paper=paper)
    assert not tc.balanced(counts, closed=True)
    assert tp.invalid(counts["returned"], counts["issued"], paper.returned, paper.handed_out)


def test_no_paper_keeps_the_counts_object_as_it_was():
    counts = tc.reconcile(closed=True, expected=5, present=5, slips=tc.Slips(3, 0, 2, 0), returned=3, blank=1,
                          spoiled=0)
    assert set(counts) == set(tc.FIELDS)
    assert dataclasses.asdict(tc.NO_PAPER) == {"handed_out": 0, "returned": 0, "exchanged": 0, "closed": False}


# The per-candidate shapes: the standing committee's and the survey's one answer per candidate,
# the character test's one answer per item per candidate. A part is a candidate.
COMMITTEE = (Contest("c1", "局长", 1, 1, NAMES[:2]),)
ITEMS = len(RULES.character_items)


def _answers(kind, contests=COMMITTEE, spoiled=None, **ticked):
    entry = tp.read_entry(kind, contests, {"answers": {k: list(v) for k, v in ticked.items()}, "spoiled": spoiled},
                          RULES)
    return tp.accept(kind, contests, entry, RULES)


# One candidate's boxes, the other answered validly: how many are ticked decides whether the
# candidate's part is unmarked (no answer), valid or spoiled (an over-vote spoils that item).
@pytest.mark.parametrize("kind", ["standing_committee", "survey"])
@pytest.mark.parametrize(("ticks", "answer", "spoiled"), [
    (0, None, ()),
    (1, "first", ()),
    (2, None, ("k1",)),
    (3, None, ("k1",)),
])
def test_an_over_vote_spoils_only_that_candidates_item(kind, ticks, answer, spoiled):
    words = tk.answers_of(kind)
    ballot = _answers(kind, k1=words[:ticks], k2=words[1:2])
    assert ballot.spoiled_contests == spoiled and not ballot.spoiled_whole
    assert ballot.answers == {"k1": words[0] if answer else None, "k2": words[1]}


@pytest.mark.parametrize(("k1", "k2", "whole", "blank"), [
    ((), (), False, True),  # nothing ticked: blank
    (("abstain",), (), False, True),  # abstaining and unmarked: no agreeing vote anywhere, blank
    (("abstain",), ("abstain",), False, True),
    (("agree", "disagree"), (), False, False),  # one item spoiled, the other unmarked
    (("agree", "disagree"), ("agree", "abstain"), True, False),  # every item over: spoiled whole
])
def test_committee_blank_and_spoiled_whole_by_the_rules(k1, k2, whole, blank):
    ballot = _answers("standing_committee", k1=k1, k2=k2)
    assert ballot.spoiled_whole is whole
    figures = tp.box_figures("standing_committee", [(ballot.answers, ballot.marks(), 1)])
    assert (figures["blank"], figures["spoiled"]) == (int(blank), int(whole))


def test_committee_paper_ballots_count_only_their_valid_items():
    ballots = [_answers("standing_committee", k1=("agree",), k2=("disagree",)),
               _answers("standing_committee", k1=("agree", "disagree"), k2=("agree",)),  # k1 spoiled
               _answers("standing_committee", k1=(), k2=("abstain",)),  # k1 unmarked
               _answers("standing_committee", spoiled="marked")]
    counted = tk.count_poll("standing_committee", list(COMMITTEE), [tk.Ballot(b.answers) for b in ballots],
                            expected=4, present=4, rules=RULES)
    rows = {c["id"]: (c["agree"], c["disagree"], c["abstain"]) for c in counted["contests"][0]["candidates"]}
    assert counted["cast"] == 4 and rows == {"k1": (1, 0, 0), "k2": (1, 1, 1)}
    figures = tp.box_figures("standing_committee", [(b.answers, b.marks(), 1) for b in ballots])
    # The third abstains and leaves one unmarked: blank (no agreeing vote anywhere).
    assert figures == {"blank": 1, "spoiled": 1, "spoiled_parts": {"k1": 1}}  # the over-vote only


def test_survey_spoiled_and_unmarked_items_count_as_returned_for_the_rate():
    """Every ballot is a respondent for every candidate: a part left unmarked or spoiled counts
    as returned, as a blank ballot counts as cast for every rate (docs/rules.md)."""
    ballots = [_answers("survey", k1=("satisfied",), k2=("satisfied",)),
               _answers("survey", k1=("satisfied", "dissatisfied"), k2=("basically_satisfied",)),
               _answers("survey", k1=(), k2=("dissatisfied",))]
    counted = tk.count_poll("survey", list(COMMITTEE), [tk.Ballot(b.answers) for b in ballots],
                            expected=3, present=3, rules=RULES)
    k1, k2 = counted["contests"][0]["candidates"]
    assert (k1["respondents"], k1["satisfied"], k1["dissatisfied"]) == (3, 1, 0)
    assert (k2["respondents"], k2["satisfied"], k2["basically_satisfied"], k2["dissatisfied"]) == (3, 1, 1, 1)


def _items(**per_candidate):
    raw = {"items": {k: [list(t) for t in v] for k, v in per_candidate.items()}, "spoiled": None}
    return tp.accept("character", COMMITTEE, tp.read_entry("character", COMMITTEE, raw, RULES), RULES)


CLEAN = [("none",)] * ITEMS


@pytest.mark.parametrize(("k1", "answer", "spoiled"), [
    ([()] * ITEMS, None, ()),  # nothing ticked for the candidate: not rated
    (CLEAN, ["none"] * ITEMS, ()),
    ([("occasional",)] + CLEAN[1:], ["occasional"] + ["none"] * (ITEMS - 1), ()),
    ([("none", "frequent")] + CLEAN[1:], None, ("k1",)),  # two boxes on one item
    ([()] + CLEAN[1:], None, ("k1",)),  # one item left out of ten: the score is over every item
    ([("none", "occasional", "frequent")] * ITEMS, None, ("k1",)),
])
def test_character_an_item_over_voted_or_left_out_spoils_that_candidates_part(k1, answer, spoiled):
    ballot = _items(k1=k1, k2=CLEAN)
    assert ballot.answers == {"k1": answer, "k2": ["none"] * ITEMS}
    assert ballot.spoiled_contests == spoiled and not ballot.spoiled_whole


def test_character_a_spoiled_or_empty_part_is_no_rating():
    ballots = [_items(k1=CLEAN, k2=CLEAN), _items(k1=[("frequent", "none")] + CLEAN[1:], k2=CLEAN),
               _items(k1=[()] * ITEMS, k2=[("frequent",)] * ITEMS)]
    counted = tk.count_poll("character", list(COMMITTEE), [tk.Ballot(b.answers) for b in ballots],
                            expected=3, present=3, rules=RULES)
    k1, k2 = counted["contests"][0]["candidates"]
    assert k1["raters"] == 1 and k1["frequent"] == [0] * ITEMS and k1["score"] == "20.00"
    assert k2["raters"] == 3 and k2["frequent"] == [1] * ITEMS
    assert tp.box_figures("character", [(ballots[2].answers, ballots[2].marks(), 1)])["blank"] == 0
    assert tp.box_figures("character", [(_items().answers, None, 1)])["blank"] == 1  # nothing ticked


@pytest.mark.parametrize(("kind", "raw"), [
    ("standing_committee", {"answers": {"k9": ["agree"]}}),  # no such candidate
    ("standing_committee", {"answers": {"k1": ["satisfied"]}}),  # not a box of this ballot
    ("standing_committee", {"answers": {"k1": ["agree", "agree"]}}),  # one box entered twice
    ("standing_committee", {"choices": {"c1": ["k1"]}}),  # another shape's key
    ("standing_committee", {"answers": {"k1": ["yes"]}, "spoiled": "marked"}),  # spoiled whole, a box not on it
    ("survey", {"answers": {"k1": "satisfied"}}),
    ("character", {"items": {"k1": [["none"]] * (ITEMS - 1)}}),  # one item short
    ("character", {"items": {"k1": [["agree"]] * ITEMS}}),
    ("character", {"items": {"k1": ["none"] * ITEMS}}),
])
def test_typing_errors_of_every_shape_are_refused(kind, raw):
    with pytest.raises(AnswerError):
        tp.read_entry(kind, COMMITTEE, raw, RULES)


@pytest.mark.parametrize("kind", ["interview_recommendation", "leaders"])
def test_the_named_kinds_take_no_paper(kind):
    assert not tp.takes_paper(kind, RULES)
    with pytest.raises(ValueError):
        tp.shape_of(kind)


committee_ticks = st.lists(st.sampled_from(tk.answers_of("standing_committee")), unique=True, max_size=3)


@given(st.lists(st.tuples(committee_ticks, committee_ticks, st.sampled_from([None, None, "unreadable"])), max_size=25))
def test_committee_paper_ballots_give_exactly_the_single_ticks(readings):
    ballots = [_answers("standing_committee", k1=() if w else a, k2=() if w else b, spoiled=w) for a, b, w in readings]
    counted = tk.count_poll("standing_committee", list(COMMITTEE), [tk.Ballot(b.answers) for b in ballots],
                            expected=25, present=25, rules=RULES)
    assert counted["cast"] == len(readings)
    for row, index in zip(counted["contests"][0]["candidates"], (0, 1), strict=True):
        for word in tk.answers_of("standing_committee"):
            # A single tick is that answer, unless every item of the ballot is over-voted (spoiled whole).
            expected = sum(1 for r in readings if r[2] is None and list(r[index]) == [word]
                           and not (len(r[0]) > 1 and len(r[1]) > 1))
            assert row[word] == expected


@given(st.lists(st.tuples(committee_ticks, committee_ticks), max_size=2), st.booleans())
def test_two_committee_entries_agree_exactly_when_they_read_the_same(pairs, same):
    def read(a, b):
        return tp.read_entry("standing_committee", COMMITTEE, {"answers": {"k1": a, "k2": b}}, RULES)

    for a, b in pairs:
        first, second = read(a, b), read(a if same else b, b)
        assert (tp.differences(first, second) == []) == (first == second)
        assert set(tp.differences(first, second)) <= {"k1"}
