"""Ballot intake through POST /api/v1/ballots: status codes, one token one ballot."""

from __future__ import annotations

import json
import threading
import urllib.request

import pytest
from conftest import contest

from kiosk.domain import tokens

REC = "democratic_recommendation"


@pytest.fixture
def open_poll(api):
    meeting = api.meeting(80, present=80)
    poll = api.poll(meeting, REC, [contest("c1", max_choices=2)])
    toks = api.tokens(poll, 10)
    api.open(poll)
    return poll, toks


def test_a_ballot_is_stored_and_acknowledged_with_a_tracking_code(api, open_poll, database):
    poll, toks = open_poll
    r = api.vote(toks[0], {"c1": ["k1"]})
    assert r.status_code == 201
    code = r.get_json()["tracking_code"]
    assert database.one("SELECT 1 FROM receipts WHERE poll_id = ? AND code = ?", (poll, code))
    assert database.one("SELECT cast_count FROM polls WHERE id = ?", (poll,))[0] == 1


@pytest.mark.parametrize(
    "mutate, status, error",
    [
        (lambda t: t, 201, None),
        (lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"), 400, "token_typo"),  # check fails
        (lambda t: t[:10], 400, "token_typo"),  # too short
        (lambda t: "*" * len(t), 400, "token_typo"),  # not base32
        (lambda t: tokens.display(tokens.generate()), 404, "token_unknown"),  # well formed, never issued
        (lambda t: t.lower(), 201, None),  # case does not matter
    ],
)
def test_token_status_codes(api, open_poll, mutate, status, error):
    _, toks = open_poll
    r = api.vote(mutate(toks[0]), {"c1": ["k1"]})
    assert r.status_code == status, r.get_json()
    if error:
        assert r.get_json()["error"] == error
        assert r.get_json()["message"]


def test_a_used_token_is_409_and_tells_the_tracking_code_again(api, open_poll):
    _, toks = open_poll
    first = api.vote(toks[0], {"c1": ["k1"]})
    again = api.vote(toks[0], {"c1": ["k2"]})
    assert again.status_code == 409
    assert again.get_json()["error"] == "token_used"
    assert again.get_json()["detail"]["tracking_code"] == first.get_json()["tracking_code"]


@pytest.mark.parametrize(
    "answers, reason",
    [
        ({"c1": ["k1", "k2", "k3"]}, "too_many_choices"),
        ({"c1": ["k9"]}, "unknown_candidate"),
        ({"zz": ["k1"]}, "unknown_contest"),
        ({"c1": ["k1", "k1"]}, "duplicate_choice"),
        ({"c1": "k1"}, None),
        (["k1"], None),
    ],
)
def test_answers_that_do_not_fit_are_422_and_burn_nothing(api, open_poll, database, answers, reason):
    poll, toks = open_poll
    r = api.vote(toks[0], answers)
    assert r.status_code == 422, r.get_json()
    body = r.get_json()
    assert body["error"] == "bad_answers"
    if reason:
        assert body["detail"]["reason"] == reason
    assert database.one("SELECT count(*) FROM ballots WHERE poll_id = ?", (poll,))[0] == 0
    # The token still works afterwards.
    assert api.vote(toks[0], {"c1": ["k1"]}).status_code == 201


def test_blank_ballots_count_as_cast(api, open_poll):
    poll, toks = open_poll
    assert api.vote(toks[0], {}).status_code == 201
    assert api.vote(toks[1], {"c1": []}).status_code == 201
    t = api.get(f"/polls/{poll}/results")
    assert t["cast_live"] == 2


def test_malformed_bodies_are_400(api, client, open_poll):
    _, toks = open_poll
    assert client.post("/api/v1/ballots", data="not json", content_type="application/json").status_code == 400
    assert client.post("/api/v1/ballots", json={"token": toks[0]}).status_code == 400
    assert client.post("/api/v1/ballots", json=[1, 2]).status_code == 400
    assert client.post("/api/v1/ballots", json={"token": 5, "answers": {}}).status_code == 400


def test_poll_not_open_is_423_before_and_after(api):
    meeting = api.meeting(10, present=10)
    poll = api.poll(meeting, REC, [contest()])
    toks = api.tokens(poll, 3)
    r = api.vote(toks[0], {"c1": ["k1"]})
    assert (r.status_code, r.get_json()["error"]) == (423, "poll_not_open")
    api.open(poll)
    assert api.vote(toks[0], {"c1": ["k1"]}).status_code == 201
    api.close(poll)
    r = api.vote(toks[1], {"c1": ["k1"]})
    assert (r.status_code, r.get_json()["error"]) == (423, "poll_closed")
    # A used token stays 409, with its tracking code, even after close.
    assert api.vote(toks[0], {"c1": ["k1"]}).status_code == 409


def test_unused_tokens_are_void_at_close(api, database):
    meeting = api.meeting(10, present=10)
    poll = api.poll(meeting, REC, [contest()])
    toks = api.tokens(poll, 3)
    api.open(poll)
    api.vote(toks[0], {"c1": ["k1"]})
    api.close(poll)
    states = dict(database.query("SELECT state, count(*) FROM tokens WHERE poll_id = ? GROUP BY state", (poll,)))
    assert states == {"used": 1, "void": 2}


def test_fifty_concurrent_submissions_of_one_token_one_succeeds(api, open_poll, live_server, database):
    """50 threads over real HTTP, released together: exactly one 201, 49 409s."""
    poll, toks = open_poll
    barrier = threading.Barrier(50)
    statuses = []
    lock = threading.Lock()

    def submit(i):
        body = json.dumps({"token": toks[0], "answers": {"c1": [f"k{1 + i % 3}"]}}).encode()
        req = urllib.request.Request(f"{live_server.url}/api/v1/ballots", data=body,
                                     headers={"Content-Type": "application/json"})
        barrier.wait()
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status = resp.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] + [409] * 49
    assert database.one("SELECT count(*) FROM ballots WHERE poll_id = ?", (poll,))[0] == 1


def test_results_need_a_key(client, api, open_poll):
    poll, _ = open_poll
    assert client.get(f"/api/v1/polls/{poll}/results").status_code == 401
    r = client.get(f"/api/v1/polls/{poll}/results", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.get_json()["error"] == "unauthorized"


def test_a_chair_key_cannot_create(client, chair_key):
    r = client.post("/api/v1/meetings", json={"title": "x", "expected": 3},
                    headers={"Authorization": f"Bearer {chair_key}"})
    assert r.status_code == 403


def test_a_lost_batch_can_be_voided_and_its_slips_stop_voting(api, database):
    meeting = api.meeting(20, present=10)
    poll = api.poll(meeting, REC, [contest()])
    first = api.post(f"/polls/{poll}/tokens", {"count": 4}, 201).get_json()
    second = api.tokens(poll, 3)
    api.open(poll)
    assert api.vote(first["tokens"][0], {"c1": ["k1"]}).status_code == 201
    r = api.post(f"/polls/{poll}/batches/{first['batch']}/void", {"reason": "信封遗失"}, 200).get_json()
    assert r["voided"] == 3
    # The used slip keeps its ballot; the others are refused as void; the other batch still votes.
    assert api.vote(first["tokens"][1], {"c1": ["k1"]}).status_code == 423
    assert api.vote(first["tokens"][0], {"c1": ["k1"]}).status_code == 409
    assert api.vote(second[0], {"c1": ["k2"]}).status_code == 201
    batches = {b["id"]: b for b in api.get(f"/polls/{poll}/batches")["batches"]}
    # While open, a batch does not tell how many of its slips were used (a batch may be one person).
    assert (batches[first["batch"]]["used"], batches[first["batch"]]["voided"]) == (None, 3)
    assert api.results(poll)["issued"] == 4  # 7 issued, 3 voided
    api.close(poll)
    batches = {b["id"]: b for b in api.get(f"/polls/{poll}/batches")["batches"]}
    assert (batches[first["batch"]]["used"], batches[first["batch"]]["voided"]) == (1, 3)
    log = [r[0] for r in database.query("SELECT payload FROM events WHERE type = 'tokens.voided'")]
    assert len(log) == 1 and "信封遗失" in log[0]
    assert api.post(f"/polls/{poll}/batches/{first['batch']}/void", {"reason": ""}, 400)
    assert api.post(f"/polls/{poll}/batches/nope/void", {"reason": "x"}, 404)
    assert api.post(f"/polls/{poll}/batches/{first['batch']}/void", {"reason": "late"}, 409)  # closed
