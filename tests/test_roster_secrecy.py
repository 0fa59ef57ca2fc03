"""The roster never touches a slip or a ballot (SECURITY.md, "Secrecy").

Who signed in is known; which slip, tracking code or ballot went to whom must never be. Three
ways a link could creep in, and a check for each:

- the schema: no column or foreign key of the roster names a poll, token, batch, ballot, receipt
  or code, no table on the ballot's side names a member, and no view or trigger joins the two;
- the database file, page by page: after members sign in and vote with secret slips, no page
  holds a member's name or id beside a slip's code, its hash, its batch, a tracking code or a
  ballot's id (a row that joined them would sit on one page), and no row of any table holds both
  (the event log's pages hold entries in turn, so there each entry is checked on its own);
- what leaves the server: the event log's entries and the poll's evidence bundle (the log slice
  included) never put a member beside a code, and the bundle names no member at all.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import Api

from kiosk.domain import bundles, evidence

ROSTER_TABLES = ("roster_members",)
BALLOT_SIDE = ("tokens", "ballots", "receipts", "token_batches")
BALLOT_WORDS = re.compile(r"poll|token|batch|ballot|receipt|code|hash|answer|slip", re.IGNORECASE)
MEMBER_WORDS = re.compile(r"member|roster|signed_in|sign_in|attendee", re.IGNORECASE)
NAMES = [f"签到成员{i:02d}" for i in range(12)]


def _tables(conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                       " AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations'")]


def test_the_schema_keeps_the_roster_and_the_ballot_apart(database):
    conn = database.conn
    tables = _tables(conn)
    assert set(ROSTER_TABLES) <= set(tables) and set(BALLOT_SIDE) <= set(tables)
    roster_tables = [t for t in tables if MEMBER_WORDS.search(t)]
    assert roster_tables == list(ROSTER_TABLES), "a new roster table: add it here and keep it apart"
    for table in roster_tables:
        columns = [r["name"] for r in conn.execute(f"PRAGMA table_info({table})")]
        assert not [c for c in columns if BALLOT_WORDS.search(c)], (table, columns)
        targets = {r["table"] for r in conn.execute(f"PRAGMA foreign_key_list({table})")}
        assert targets == {"meetings"}, (table, targets)
    for table in tables:
        if table in roster_tables:
            continue
        columns = [r["name"] for r in conn.execute(f"PRAGMA table_info({table})")]
        assert not [c for c in columns if MEMBER_WORDS.search(c)], (table, columns)
        targets = {r["table"] for r in conn.execute(f"PRAGMA foreign_key_list({table})")}
        assert not targets & set(roster_tables), (table, targets)
    for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('view', 'trigger')"):
        joins = any(t in sql for t in roster_tables) and any(re.search(rf"\b{t}\b", sql) for t in BALLOT_SIDE)
        assert not joins, name


@pytest.fixture
def room(app, client, admin_key, database):
    """A meeting whose members all signed in and voted with secret slips; the poll closed."""
    api = Api(client, admin_key)
    meeting = api.meeting(50)
    members = [{"name": n, "unit": f"单位{i % 3}", "post": "委员"} for i, n in enumerate(NAMES)]
    doc = client.put(f"/api/v1/meetings/{meeting}/roster", json={"members": members}, headers=api.headers).get_json()
    member_ids = [m["id"] for m in doc["members"]]
    poll = api.poll(meeting, "standing_committee",
                    [{"id": "k1", "title": "正科级", "candidates": [{"id": "c1", "name": "候选甲"},
                                                                  {"id": "c2", "name": "候选乙"}]}])
    tokens = []
    codes = []
    for member_id in member_ids:  # one at a time, as at the door: the worst case for a link
        api.post(f"/meetings/{meeting}/roster/{member_id}/sign-in", None, 200)
        tokens += api.tokens(poll, 1)
    api.open(poll)
    for token in tokens:
        r = api.vote(token, {"c1": "agree", "c2": "disagree"})
        assert r.status_code == 201
        codes.append(r.get_json()["tracking_code"])
    api.post(f"/meetings/{meeting}/roster/{member_ids[0]}/leave", None, 200)
    api.close(poll)
    with app.app_context():
        key = app.extensions["ballotroom_signer"].key
        bundle = bundles.poll_bundle(database, poll, evidence.public_key_pem(key))
    conn = database.conn
    secrets_of_the_ballot = {
        "tokens": tokens,
        "token hashes": [r[0] for r in conn.execute("SELECT hash FROM tokens WHERE poll_id = ?", (poll,))],
        "tracking codes": codes,
        "ballot ids": [r[0] for r in conn.execute("SELECT id FROM ballots WHERE poll_id = ?", (poll,))],
        "batches": [r[0] for r in conn.execute("SELECT id FROM token_batches WHERE poll_id = ?", (poll,))],
    }
    assert all(len(v) == len(NAMES) for v in secrets_of_the_ballot.values())
    return {"members": NAMES + member_ids, "ballot": secrets_of_the_ballot, "bundle": bundle, "app": app}


def _ballot_values(room) -> list[str]:
    return [v for values in room["ballot"].values() for v in values]


def test_no_row_and_no_page_of_the_database_puts_a_member_beside_a_slip(room, database):
    members, ballot = room["members"], _ballot_values(room)
    conn = database.conn
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for table in _tables(conn):
        for row in conn.execute(f"SELECT * FROM {table}"):
            text = json.dumps([str(v) for v in row], ensure_ascii=False)
            if any(m in text for m in members):
                found = [b for b in ballot if b in text]
                assert not found, (table, text[:200], found[:3])
    data = database.path.read_bytes()
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    # The event log's pages hold one entry after another (a sign-in, then a batch of slips issued):
    # its entries are checked one by one below, as a row here; every other page, whole.
    log_pages = {r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name IN ('events',"
                                            " 'sqlite_autoindex_events_1')")}
    encoded_members = [m.encode() for m in members]
    encoded_ballot = [b.encode() for b in ballot]
    pages_with_members = 0
    for number, start in enumerate(range(0, len(data), page_size), 1):
        page = data[start:start + page_size]
        if number not in log_pages and any(m in page for m in encoded_members):
            pages_with_members += 1
            assert not [b for b in encoded_ballot if b in page], f"page {number}"
    assert pages_with_members  # the check looked at the roster's own pages


def test_the_log_and_the_bundle_never_put_a_member_beside_a_slip(room, database):
    members, ballot = room["members"], _ballot_values(room)
    signed = 0
    for row in database.query("SELECT type, payload FROM events"):
        payload = row["payload"]
        if any(m in payload for m in members):
            signed += row["type"].startswith("roster.")
            assert not [b for b in ballot if b in payload], (row["type"], payload)
            assert not BALLOT_WORDS.search(" ".join(json.loads(payload))), (row["type"], payload)
    assert signed == len(NAMES) + 1  # each sign-in and the one who left, logged without a slip
    text = bundles.dumps(room["bundle"])
    assert not [m for m in members if m in text]
    for entry in room["bundle"]["log"]:  # the roster's entries in the slice keep only their hash
        if entry["type"].startswith("roster."):
            assert "payload" not in entry
