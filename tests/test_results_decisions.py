"""The decisions a results document and the turnout carry for pages to draw (tally.kinds.decisions):
through the API, for a result fixed before they existed, and kept out of the certificate."""

from __future__ import annotations

import json

from conftest import contest

from kiosk.domain import counting


def _committee(api, present, agree):
    meeting = api.meeting(11, present=present)
    poll = api.poll(meeting, "standing_committee", [contest("c1", places=1, names=("甲", "乙"))])
    toks = api.tokens(poll, present)
    api.open(poll)
    for i, token in enumerate(toks):
        assert api.vote(token, {"k1": "agree" if i < agree else "disagree", "k2": "abstain"}).status_code == 201
    return meeting, poll


def test_committee_result_states_quorum_and_votes_needed(api):
    _, poll = _committee(api, 7, 7)
    api.close(poll)
    doc = api.results(poll)
    assert doc["quorum"] == {"met": False, "present": 7, "recorded": True, "expected": 11, "needed": 8}
    assert doc["quorum_met"] is False and doc["votes_needed"] == 6


def test_turnout_states_the_live_quorum(app, api, database):
    meeting, poll = _committee(api, 8, 3)
    t = counting.turnout(database, poll, app.config["RULES"])
    assert t["quorum"] == {"met": True, "present": 8, "recorded": True, "expected": 11, "needed": 8}
    assert t["issued_beyond"] is None


def test_a_result_fixed_before_decisions_gets_them_on_reading(api, app, database):
    _, poll = _committee(api, 8, 6)
    api.close(poll)
    with database.write() as conn:
        stored = json.loads(conn.execute("SELECT result FROM polls WHERE id = ?", (poll,)).fetchone()[0])
        for key in ("quorum", "votes_needed"):
            del stored[key]
        conn.execute("UPDATE polls SET result = ? WHERE id = ?", (json.dumps(stored), poll))
    doc = api.results(poll)
    assert doc["quorum"]["met"] is True and doc["votes_needed"] == 6


def test_the_certificate_keeps_its_format(api, database):
    """The decisions sit beside count_poll's contests, so a certificate's recount still matches."""
    _, poll = _committee(api, 8, 6)
    api.close(poll)
    row = database.one("SELECT certificate FROM polls WHERE id = ?", (poll,))
    cert = json.loads(row["certificate"])
    assert "quorum" not in cert and "votes_needed" not in cert
    assert all("item_veto" not in c for c in cert["result"])


def test_character_result_states_the_items_over_the_line(api, app):
    items = len(app.config["RULES"].character_items)
    meeting = api.meeting(10, present=10)
    poll = api.poll(meeting, "character", [contest("c1", names=("甲",))])
    toks = api.tokens(poll, 3)
    api.open(poll)
    frequent = ["frequent"] + ["none"] * (items - 1)
    for i, token in enumerate(toks):
        assert api.vote(token, {"k1": frequent if i == 0 else ["none"] * items}).status_code == 201
    api.close(poll)
    doc = api.results(poll)
    assert doc["item_veto"] == {"k1": [True] + [False] * (items - 1)}  # 1 of 3 > 30%
    assert doc["contests"][0]["candidates"][0]["veto"] is True
