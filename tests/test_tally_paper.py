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


def _entry(c1=(), c2=(), spoiled=None):
    return tp.read_entry(TWO, {"choices": {"c1": list(c1), "c2": list(c2)}, "spoiled": spoiled})


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
    ballot = tp.accept(TWO, _entry(ticked, ("d1",)), RULES)
    assert ballot.spoiled_contests == spoiled_contests and not ballot.spoiled_whole
    assert ballot.answers == {"c1": votes_c1, "c2": ["d1"]}


@pytest.mark.parametrize(("c1", "c2", "whole", "blank"), [
    ((), (), False, True),  # nothing ticked anywhere: blank
    (("k1", "k2", "k3"), (), False, False),  # one part spoiled, the other empty: neither blank nor 废票
    (("k1", "k2", "k3"), ("d1", "d2"), True, False),  # every contest over: spoiled whole
])
def test_blank_and_spoiled_whole_by_the_rules(c1, c2, whole, blank):
    ballot = tp.accept(TWO, _entry(c1, c2), RULES)
    assert ballot.spoiled_whole is whole
    figures = tp.box_figures("democratic_recommendation", [(ballot.answers, ballot.marks(), 1)])
    assert figures["blank"] == int(blank) and figures["spoiled"] == int(whole)


@pytest.mark.parametrize("reason", tp.WHOLE_REASONS)
def test_an_unreadable_or_marked_ballot_is_spoiled_whole(reason):
    ballot = tp.accept(TWO, _entry(spoiled=reason), RULES)
    assert ballot.spoiled_whole and ballot.answers == {"c1": [], "c2": []}
    assert ballot.marks() == {"spoiled_whole": True}
    figures = tp.box_figures("democratic_recommendation", [(ballot.answers, ballot.marks(), 3)])
    assert figures == {"blank": 0, "spoiled": 3, "spoiled_parts": {"c1": 3, "c2": 3}}


def test_the_rules_file_may_spoil_the_whole_ballot_on_an_over_vote():
    text = open("tally/rules.toml", encoding="utf-8").read().replace(
        'over_vote_spoils = "contest"', 'over_vote_spoils = "ballot"')
    strict = load_rules(text)
    assert tp.accept(TWO, _entry(("k1", "k2", "k3"), ("d1",)), strict).spoiled_whole
    assert not tp.accept(TWO, _entry(("k1", "k2"), ("d1",)), strict).spoiled_whole


@pytest.mark.parametrize(("change", "key"), [
    ('over_vote_spoils = "contest"', "paper.over_vote_spoils"),
    ('kinds = ["democratic_recommendation", "plenary_recommendation"]', "paper.kinds"),
])
def test_a_wrong_paper_rule_is_refused_with_its_key(change, key):
    text = open("tally/rules.toml", encoding="utf-8").read()
    bad = text.replace(change, change.split("=")[0] + '= ["survey"]' if "kinds" in change else
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
    {"choices": {"c1": ["k1"]}, "spoiled": "unreadable"}, {"spoiled": "torn"}, {"choices": []}, [],
])
def test_typing_errors_are_refused(raw):
    with pytest.raises(AnswerError):
        tp.read_entry(TWO, raw)


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
    ballots = [tp.accept(TWO, e, RULES) for e in readings]
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
