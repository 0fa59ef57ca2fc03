"""The counts that reconcile (应到 / 实到 / 发出 / 收回 / 未投 / 空白 / 废票 / 作废): one object, decided
by tally.counts, in the results document and the live turnout, for every kind; after the close
发出 = 收回 + 作废 (a table per kind, and a property over random issue / void / vote sequences)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.app import create_app
from kiosk.domain import accounts, counting
from tally import counts as tc
from tally.kinds import KINDS, NAMED_KINDS
from tests.conftest import Api, contest, new_instance


def _spec(kind: str) -> list[dict]:
    if kind == "plenary_recommendation":
        return [contest("c1", max_choices=2, places=2)]
    return [contest("c1")]


def _answers(kind: str, blank: bool, items: int) -> dict:
    """A valid ballot of ``kind``; blank when the kind has blank ballots and ``blank`` asks."""
    people = ("k1", "k2", "k3")
    if kind in ("democratic_recommendation", "interview_recommendation", "plenary_recommendation"):
        return {"c1": [] if blank else ["k1"]}
    if kind == "standing_committee":
        return {k: "abstain" if blank else "agree" for k in people}
    if kind == "character":
        return {k: ["none"] * items for k in people}
    if kind == "survey":
        return {k: "satisfied" for k in people}
    return {k: "good" for k in people}  # leaders


def _blank_possible(kind: str) -> bool:
    return kind in ("democratic_recommendation", "interview_recommendation", "plenary_recommendation",
                    "standing_committee")


class Room:
    """One poll of a kind, driven through the API, with its slips kept by batch."""

    def __init__(self, app, kind: str, expected: int = 20, present: int | None = 15):
        self.app = app
        self.kind = kind
        self.api = Api(app.test_client(), accounts.create_api_key(app.extensions["ballotroom_db"], "admin"))
        self.meeting = self.api.meeting(expected, present)
        self.poll = self.api.poll(self.meeting, kind, _spec(kind))
        self.items = len(app.config["RULES"].character_items)
        self.batches: list[tuple[str, list[str]]] = []

    def issue(self, n: int) -> None:
        if self.kind in NAMED_KINDS:
            group = {"group": "unit"} if self.kind == "leaders" else {}
            body = {"voters": [{"name": f"v{len(self.batches)}-{i}", **group} for i in range(n)]}
        else:
            body = {"count": n}
        got = self.api.post(f"/polls/{self.poll}/tokens", body, 201).get_json()
        self.batches.append((got["batch"], got["tokens"]))

    def void(self, index: int) -> int:
        batch, _ = self.batches[index]
        r = self.api.post(f"/polls/{self.poll}/batches/{batch}/void", {"reason": "遗失"}, 200)
        return r.get_json()["voided"]

    def vote(self, token: str, blank: bool = False) -> None:
        r = self.api.vote(token, _answers(self.kind, blank, self.items))
        assert r.status_code == 201, r.get_json()

    def turnout(self) -> dict:
        with self.app.app_context():
            return counting.turnout(self.app.extensions["ballotroom_db"], self.poll, self.app.config["RULES"])

    def results(self) -> dict:
        return self.api.results(self.poll)


@pytest.mark.parametrize("kind", KINDS)
def test_counts_reconcile_for_each_kind(app, kind):
    """Issue 5 and 2, lose the 2, vote 3 (one blank where the kind has blanks), close: 发出 7 =
    收回 3 + 作废 4 (2 lost + 2 unused at the close), 未投 2; the same object everywhere."""
    room = Room(app, kind)
    room.issue(5)
    room.issue(2)
    room.api.open(room.poll)
    assert room.void(1) == 2
    tokens = room.batches[0][1]
    room.vote(tokens[0], blank=True)
    room.vote(tokens[1])
    room.vote(tokens[2])
    # Open: the unused are 未投, the lost batch is already 作废; blank waits for a batch (3 < k).
    open_counts = {"expected": 20, "present": 15, "issued": 7, "returned": 3, "not_voted": 2,
                   "blank": 0, "spoiled": 0, "voided": 2}
    assert room.turnout()["counts"] == open_counts
    assert room.results()["counts"] == open_counts
    assert tc.balanced(open_counts, closed=False)
    room.api.close(room.poll)
    blank = 1 if _blank_possible(kind) else 0
    closed = {"expected": 20, "present": 15, "issued": 7, "returned": 3, "not_voted": 2,
              "blank": blank, "spoiled": 0, "voided": 4}
    doc = room.results()
    assert doc["counts"] == closed
    assert room.turnout()["counts"] == closed
    assert tc.balanced(closed, closed=True)
    assert closed["issued"] == closed["returned"] + closed["voided"]
    # The figures the certificate signs agree with the counts: ballots, blanks, attendance.
    assert (doc["cast"], doc["blank"], doc["expected"], doc["present"]) == (3, blank, 20, 15)
    # Each batch now accounts for all its slips: used + unused + voided = count.
    batches = room.api.get(f"/polls/{room.poll}/batches")["batches"]
    assert sorted((b["count"], b["used"], b["unused"], b["voided"]) for b in batches) == [(2, 0, 0, 2), (5, 3, 0, 2)]


def test_unused_slips_do_not_vanish_at_the_close(api, app):
    """The case of the issue: 5 issued, 3 used; after the close 未投 2 and 作废 2, not 0."""
    room = Room(app, "democratic_recommendation", expected=5, present=5)
    room.issue(5)
    room.api.open(room.poll)
    for token in room.batches[0][1][:3]:
        room.vote(token)
    room.api.close(room.poll)
    counts = room.results()["counts"]
    assert (counts["issued"], counts["returned"], counts["not_voted"], counts["voided"]) == (5, 3, 2, 2)


def test_blank_does_not_move_one_by_one_while_open(app):
    """A blank ballot shows in the counts only with a published batch (SECURITY.md, Secrecy)."""
    room = Room(app, "democratic_recommendation")
    room.issue(12)
    room.api.open(room.poll)
    room.vote(room.batches[0][1][0], blank=True)
    assert room.turnout()["counts"]["blank"] == 0
    assert room.results()["counts"]["blank"] == 0
    assert room.turnout()["counts"]["returned"] == 1  # turnout itself moves one by one


def test_draft_counts_before_anything():
    counts = tc.reconcile(closed=False, expected=18, present=None, slips=tc.Slips(0, 0, 0, 0),
                          returned=0, blank=0, spoiled=0)
    assert counts == {"expected": 18, "present": None, "issued": 0, "returned": 0, "not_voted": 0,
                      "blank": 0, "spoiled": 0, "voided": 0}
    assert tuple(counts) == tc.FIELDS


@pytest.mark.parametrize(("closed", "used", "unused", "void", "lost", "returned", "want"), [
    # open: 未投 is the unused, 作废 the lost batches so far
    (False, 3, 2, 0, 0, 3, (5, 3, 2, 0, True)),
    (False, 3, 2, 3, 3, 3, (8, 3, 2, 3, True)),
    # closed: 未投 is what the close voided, 作废 every void slip
    (True, 3, 0, 2, 0, 3, (5, 3, 2, 2, True)),
    (True, 3, 0, 5, 3, 3, (8, 3, 2, 5, True)),
    (True, 0, 0, 4, 0, 0, (4, 0, 4, 4, True)),
    # a slip used without a ballot in the box, or left unused after a close: they disagree
    (True, 3, 0, 2, 0, 2, (5, 2, 2, 2, False)),
    (True, 3, 1, 1, 0, 3, (5, 3, 1, 1, False)),
])
def test_reconcile_table(closed, used, unused, void, lost, returned, want):
    counts = tc.reconcile(closed=closed, expected=10, present=9, slips=tc.Slips(used, unused, void, lost),
                          returned=returned, blank=0, spoiled=0)
    got = (counts["issued"], counts["returned"], counts["not_voted"], counts["voided"],
           tc.balanced(counts, closed=closed))
    assert got == want


def test_slips_refuse_impossible_figures():
    with pytest.raises(ValueError):
        tc.Slips(used=1, unused=0, void=1, lost=2)
    with pytest.raises(ValueError):
        tc.Slips(used=-1, unused=0, void=0, lost=0)


OPS = st.lists(st.one_of(
    st.tuples(st.just("issue"), st.integers(1, 4)),
    st.tuples(st.just("void"), st.integers(0, 5)),
    st.tuples(st.just("vote"), st.booleans()),
), max_size=14)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(KINDS), before=st.integers(0, 3), ops=OPS)
def test_counts_property_over_random_sequences(kind, before, ops):
    """Any sequence of issuing, losing batches and voting, then the close: at every step the open
    identity holds and each figure is the model's; after the close 发出 = 收回 + 作废, with
    未投 the slips unused at the close and 作废 those plus the lost ones."""
    root = Path(tempfile.mkdtemp(prefix="ballotroom-counts-"))
    try:
        app = create_app(str(new_instance(root / "instance")), {"TESTING": True})
        room = Room(app, kind)
        unused: dict[int, list[str]] = {}
        made = lost = votes = blanks = 0

        def issue(n: int) -> None:
            nonlocal made
            room.issue(n)
            unused[len(room.batches) - 1] = list(room.batches[-1][1])
            made += n

        if before:
            issue(before)
        room.api.open(room.poll)
        for op, arg in ops:
            if op == "issue":
                issue(arg)
            elif op == "void" and arg < len(room.batches):
                assert room.void(arg) == len(unused[arg])
                lost += len(unused[arg])
                unused[arg] = []
            elif op == "vote" and any(unused.values()):
                batch = next(i for i, left in unused.items() if left)
                blank = arg and _blank_possible(kind)
                room.vote(unused[batch].pop(), blank=blank)
                votes += 1
                blanks += blank
            counts = room.turnout()["counts"]
            left = sum(len(v) for v in unused.values())
            assert (counts["issued"], counts["returned"], counts["not_voted"], counts["voided"]) == (made, votes, left, lost)
            assert tc.balanced(counts, closed=False)
        left = sum(len(v) for v in unused.values())
        room.api.close(room.poll)
        counts = room.results()["counts"]
        assert counts["issued"] == counts["returned"] + counts["voided"]
        assert counts == {"expected": 20, "present": 15, "issued": made, "returned": votes, "not_voted": left,
                          "blank": blanks, "spoiled": 0, "voided": lost + left}
        assert room.turnout()["counts"] == counts
    finally:
        shutil.rmtree(root, ignore_errors=True)
