"""Live updates over Socket.IO (docs/api.md, "Live events"; SECURITY.md, "Secrecy").

A chair's client sees turnout move one by one but the tally only in batches of at least k
ballots; a client without a key (a tablet) learns only that a poll opened or closed.
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import pytest
from conftest import new_instance

from kiosk.app import create_app
from kiosk.domain import accounts
from kiosk.web.extensions import socketio

NS = "/live"
PASSWORD = "live updates password"
VENDOR = Path(__file__).resolve().parent.parent / "kiosk" / "static" / "vendor"


@pytest.fixture
def live_app(tmp_path):
    path = tmp_path / "instance"
    new_instance(path, PASSWORD)
    app = create_app(str(path), {"WTF_CSRF_ENABLED": False, "TESTING": True})
    # Coalescing stays on; a short interval only makes the test quicker.
    app.extensions["ballotroom_publisher"].interval = 0.05
    return app


@pytest.fixture
def web(live_app):
    return live_app.test_client()


@pytest.fixture
def admin_key(live_app):
    return accounts.create_api_key(live_app.extensions["ballotroom_db"], "admin")


@pytest.fixture
def chair_key(live_app):
    return accounts.create_api_key(live_app.extensions["ballotroom_db"], "chair")


class Api:
    def __init__(self, client, key):
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def post(self, path, body=None, status=200):
        r = self.client.post(f"/api/v1{path}", json=body, headers=self.headers)
        assert r.status_code == status, (path, r.status_code, r.get_json())
        return r.get_json()

    def democratic_poll(self, expected=20, present=20, tokens=20):
        meeting = self.post("/meetings", {"title": "全委会", "expected": expected}, 201)["id"]
        self.post(f"/meetings/{meeting}/attendance", {"present": present})
        poll = self.post(f"/meetings/{meeting}/polls", {
            "title": "民主推荐", "kind": "democratic_recommendation",
            "contests": [{"id": "c1", "title": "正科级", "max_choices": 1, "places": 1,
                          "candidates": [{"id": "k1", "name": "甲"}, {"id": "k2", "name": "乙"}]}],
        }, 201)["id"]
        toks = self.post(f"/polls/{poll}/tokens", {"count": tokens}, 201)["tokens"]
        return poll, toks

    def vote(self, token, answers):
        r = self.client.post("/api/v1/ballots", json={"token": token, "answers": answers})
        assert r.status_code == 201, r.get_json()


def _events(received, name):
    return [e["args"][0] for e in received if e["name"] == name]


def wait_for(client, received, done, timeout=60.0):
    """Collect events into `received` until done(received) or the timeout (a generous bound for a
    loaded machine, never a speed requirement: it returns as soon as done); return done's value."""
    deadline = time.monotonic() + timeout
    while True:
        received.extend(client.get_received(NS))
        if done(received) or time.monotonic() > deadline:
            return done(received)
        time.sleep(0.02)


def _answers(i: int) -> dict:
    # Every third ballot is blank, so the blank count has something to give away.
    return {"c1": [] if i % 3 == 2 else ["k1" if i % 2 else "k2"]}


def test_vendored_socketio_client_is_the_recorded_file():
    served = (VENDOR / "socket.io.min.js").read_bytes()
    record = (VENDOR / "SOCKETIO.md").read_text(encoding="utf-8")
    recorded = re.search(r"^\| sha256 \| `([0-9a-f]{64})`", record, re.MULTILINE)
    assert recorded and hashlib.sha256(served).hexdigest() == recorded.group(1)
    assert b"sourceMappingURL" not in served
    version = re.search(r"^\| version \| (4\.\d+\.\d+) \|", record, re.MULTILINE)
    assert version, "the client must stay on major version 4 (protocol v5, python-socketio 5)"
    assert f"Socket.IO v{version.group(1)}".encode() in served[:200]
    assert "MIT" in (VENDOR / "socket.io.LICENSE").read_text(encoding="utf-8")


def test_chair_sees_turnout_one_by_one_and_the_tally_in_batches_of_k(live_app, web, admin_key, chair_key):
    """k = 5, 12 ballots: tallies at 0 (on watch), 5 and 10 while open, then the final 12.

    Each ballot waits for its turnout event, so the publisher sees every count and publishes
    exactly when the fifth new ballot has arrived; turnout shows 1, 2, ... 12.
    """
    k = live_app.config["RULES"].live_batch_size
    assert k == 5
    api = Api(web, admin_key)
    poll, toks = api.democratic_poll()
    chair = socketio.test_client(live_app, namespace=NS, auth={"key": chair_key}, flask_test_client=web)
    assert chair.is_connected(NS)
    api.post(f"/polls/{poll}/open")
    assert chair.emit("watch", {"poll": poll}, namespace=NS, callback=True) == {"ok": True}
    received: list[dict] = []
    assert wait_for(chair, received, lambda r: _events(r, "tally"))
    for i, token in enumerate(toks[:12]):
        api.vote(token, _answers(i))
        assert wait_for(chair, received, lambda r, n=i + 1: any(
            t["cast"] == n for t in _events(r, "turnout"))), f"no turnout event for ballot {i + 1}"
    api.post(f"/polls/{poll}/close")
    assert wait_for(chair, received, lambda r: any(d["state"] == "closed" for d in _events(r, "tally")))

    tallies = _events(received, "tally")
    assert [d["cast"] for d in tallies] == [0, 5, 10, 12]
    assert [d["state"] for d in tallies] == ["open", "open", "open", "closed"]
    open_counts = [d["cast"] for d in tallies if d["state"] == "open"]
    assert all(b - a >= k for a, b in zip(open_counts, open_counts[1:], strict=False))
    assert "digest" in tallies[-1] and "digest" not in tallies[1]
    # The tally moved by whole batches: 5 ballots, 1 of them blank (ballot 3), then 10 with 3 blank.
    assert [d["blank"] for d in tallies] == [0, 1, 3, 4]

    turnouts = [t for t in _events(received, "turnout") if t["state"] == "open"]
    counts = [t["cast"] for t in turnouts]
    assert counts == sorted(counts) and set(range(1, 13)) <= set(counts)
    assert _events(received, "turnout")[-1]["cast"] == 12
    # Turnout moves one by one, but whether a ballot was blank is content: while open the blank
    # count is the last published batch's, so it never moves with a single ballot.
    # (The turnout of the fifth ballot may go out just before its batch is published.)
    published_blank = {0: 0, 5: 1, 10: 3}
    for t in turnouts:
        assert t["blank"] in {b for c, b in published_blank.items() if c <= t["cast"]}, t
    assert [t["blank"] for t in turnouts if t["cast"] in (3, 4)] == [0, 0]
    states = [e["state"] for e in _events(received, "state") if e["poll"] == poll]
    assert states[-1] == "closed"
    chair.disconnect(NS)


def test_coalesced_arrivals_still_publish_only_whole_batches(live_app, web, admin_key, chair_key):
    """Ballots sent as fast as possible: turnout may be coalesced, tallies still differ by >= k."""
    k = live_app.config["RULES"].live_batch_size
    api = Api(web, admin_key)
    poll, toks = api.democratic_poll()
    chair = socketio.test_client(live_app, namespace=NS, auth={"key": chair_key}, flask_test_client=web)
    api.post(f"/polls/{poll}/open")
    chair.emit("watch", {"poll": poll}, namespace=NS)
    for i, token in enumerate(toks[:12]):
        api.vote(token, _answers(i))
    received: list[dict] = []
    assert wait_for(chair, received, lambda r: any(t["cast"] == 12 for t in _events(r, "turnout")))
    assert wait_for(chair, received, lambda r: any(d["cast"] >= 10 for d in _events(r, "tally")))
    api.post(f"/polls/{poll}/close")
    assert wait_for(chair, received, lambda r: any(d["state"] == "closed" for d in _events(r, "tally")))
    tallies = _events(received, "tally")
    open_counts = [d["cast"] for d in tallies if d["state"] == "open"]
    assert open_counts[0] == 0
    assert all(b - a >= k for a, b in zip(open_counts, open_counts[1:], strict=False)), open_counts
    assert tallies[-1]["cast"] == 12 and tallies[-1]["state"] == "closed"
    assert _events(received, "turnout")[-1]["cast"] == 12


def test_client_without_a_key_gets_state_but_never_tally_or_turnout(live_app, web, admin_key, chair_key):
    api = Api(web, admin_key)
    poll, toks = api.democratic_poll()
    tablet = socketio.test_client(live_app, namespace=NS)
    chair = socketio.test_client(live_app, namespace=NS, auth={"key": chair_key})
    assert tablet.is_connected(NS)
    assert tablet.emit("watch", {"poll": poll}, namespace=NS, callback=True) == {"error": "unauthorized"}
    chair.emit("watch", {"poll": poll}, namespace=NS)
    api.post(f"/polls/{poll}/open")
    for i, token in enumerate(toks[:11]):
        api.vote(token, _answers(i))
    watched: list[dict] = []
    # The chair's client is the witness that publications did happen meanwhile.
    assert wait_for(chair, watched, lambda r: any(d["cast"] >= 10 for d in _events(r, "tally")))
    api.post(f"/polls/{poll}/close")
    assert wait_for(chair, watched, lambda r: any(d["state"] == "closed" for d in _events(r, "tally")))
    seen: list[dict] = []
    assert wait_for(tablet, seen, lambda r: [e["state"] for e in _events(r, "state")] == ["open", "closed"])
    time.sleep(0.3)  # anything late would arrive now
    seen.extend(tablet.get_received(NS))
    assert {e["name"] for e in seen} == {"state"}
    assert all(set(e["args"][0]) == {"poll", "state"} for e in seen)


def test_browser_pages_authenticate_with_their_login_session(live_app, admin_key):
    api = Api(live_app.test_client(), admin_key)
    poll, _ = api.democratic_poll()
    accounts.add_user(live_app.extensions["ballotroom_db"], "chair", "chair", PASSWORD)
    logged_in = live_app.test_client()
    assert logged_in.post("/login", data={"name": "chair", "password": PASSWORD}).status_code == 302
    page = socketio.test_client(live_app, namespace=NS, flask_test_client=logged_in)
    assert page.emit("watch", {"poll": poll}, namespace=NS, callback=True) == {"ok": True}
    names = {e["name"] for e in page.get_received(NS)}
    assert {"turnout", "tally"} <= names
    stranger = socketio.test_client(live_app, namespace=NS, flask_test_client=live_app.test_client())
    assert stranger.emit("watch", {"poll": poll}, namespace=NS, callback=True) == {"error": "unauthorized"}
    assert page.emit("watch", {"poll": "nope"}, namespace=NS, callback=True) == {"error": "not_found"}


def test_opening_and_closing_on_the_chairs_page_is_announced_live(live_app, admin_key, chair_key):
    api = Api(live_app.test_client(), admin_key)
    poll, toks = api.democratic_poll()
    accounts.add_user(live_app.extensions["ballotroom_db"], "chair", "chair", PASSWORD)
    page = live_app.test_client()
    page.post("/login", data={"name": "chair", "password": PASSWORD})
    watcher = socketio.test_client(live_app, namespace=NS, auth={"key": chair_key})
    tablet = socketio.test_client(live_app, namespace=NS)
    watcher.emit("watch", {"poll": poll}, namespace=NS)
    assert page.post(f"/chair/polls/{poll}/open").status_code == 302
    for i, token in enumerate(toks[:3]):
        api.vote(token, _answers(i))
    assert page.post(f"/chair/polls/{poll}/close", data={"confirm": "yes"}).status_code == 302
    received: list[dict] = []
    assert wait_for(watcher, received, lambda r: any(d["state"] == "closed" for d in _events(r, "tally")))
    final = [d for d in _events(received, "tally") if d["state"] == "closed"][-1]
    assert final["cast"] == 3 and len(final["digest"]) == 64
    assert [e["state"] for e in _events(received, "state")] == ["open", "closed"]
    assert [e["state"] for e in _events(tablet.get_received(NS), "state")] == ["open", "closed"]


def test_watchers_get_the_log_head_at_each_change_of_state(live_app, web, admin_key, chair_key):
    """The projector shows the log's head for the room to read out (kiosk/domain/witness.py): on
    watching, at the opening and at the close, always the log's newest entry at that moment."""
    from kiosk.store import eventlog

    api = Api(web, admin_key)
    poll, _ = api.democratic_poll()
    chair = socketio.test_client(live_app, namespace=NS, auth={"key": chair_key})
    chair.emit("watch", {"poll": poll}, namespace=NS)
    heads = [e["args"][0] for e in chair.get_received(NS) if e["name"] == "log_head"]
    database = live_app.extensions["ballotroom_db"]

    def now():
        with database.read() as conn:
            return eventlog.head(conn)

    assert [h["code"] for h in heads] == [now()["code"]]
    for act in ("open", "close"):
        api.post(f"/polls/{poll}/{act}")
        received = [e["args"][0] for e in chair.get_received(NS) if e["name"] == "log_head"]
        assert [(h["poll"], h["seq"], h["code"]) for h in received] == [(poll, now()["seq"], now()["code"])]
