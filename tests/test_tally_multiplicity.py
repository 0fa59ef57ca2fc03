"""Passing one Ballot object for identical ballots counts exactly like distinct copies."""

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from tally.kinds import Ballot, Candidate, Contest, count_poll
from tally.rules import default_rules

R = default_rules()
CONTEST = Contest("c1", "c1", 2, 2, tuple(Candidate(f"k{i}", f"K{i}") for i in range(1, 5)))
choices = st.lists(st.sampled_from(["k1", "k2", "k3", "k4"]), max_size=2, unique=True)


@given(st.lists(st.tuples(choices, st.integers(min_value=1, max_value=30)), max_size=8))
@settings(max_examples=80, deadline=None)
def test_shared_objects_count_like_copies(groups):
    shared, copies = [], []
    for chosen, n in groups:
        ballot = Ballot(answers={"c1": chosen})
        shared.extend([ballot] * n)
        copies.extend(copy.deepcopy(ballot) for _ in range(n))
    args = dict(expected=300, present=None, rules=R)
    assert count_poll("plenary_recommendation", [CONTEST], shared, **args) == \
        count_poll("plenary_recommendation", [CONTEST], copies, **args)


def test_a_generator_of_fresh_objects_is_counted_correctly():
    """Objects made and dropped one by one may share an id(); the memo keeps them alive."""
    def fresh():
        for i in range(200):
            yield Ballot(answers={"c1": ["k1"] if i % 2 else ["k2"]})
    doc = count_poll("democratic_recommendation", [CONTEST], fresh(), expected=200, present=None, rules=R)
    votes = {c["id"]: c["votes"] for c in doc["contests"][0]["candidates"]}
    assert votes == {"k1": 100, "k2": 100, "k3": 0, "k4": 0}
