"""Secrecy lives in the schema and the logs (SECURITY.md, "Secrecy")."""

from __future__ import annotations

import logging
import re
import sqlite3

from conftest import contest

from kiosk.domain import tokens

# The only columns a secret ballot or a receipt may have (``spoiled``: a paper ballot's marks, the
# contests it spoils or the whole ballot spoiled, part of its content; tally.paper).
BALLOT_COLUMNS = {"poll_id", "id", "answers", "voter_group", "spoiled"}
PAPER_BALLOT_COLUMNS = {"poll_id", "id", "answers", "spoiled"}
RECEIPT_COLUMNS = {"poll_id", "code"}
LINKING = re.compile(r"time|_at$|date|seq|order|token|voter_name|tablet|device|addr|ip$|rowid", re.I)


def _columns(conn, table):
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _without_rowid(conn, table):
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    return "WITHOUT ROWID" in sql.upper()


def test_ballot_and_receipt_tables_hold_nothing_that_orders_or_links(database):
    conn = database.conn
    assert _columns(conn, "ballots") == BALLOT_COLUMNS
    assert _columns(conn, "receipts") == RECEIPT_COLUMNS
    assert _columns(conn, "paper_ballots") == PAPER_BALLOT_COLUMNS
    for table in ("ballots", "receipts", "paper_ballots"):
        assert _without_rowid(conn, table), f"{table} would keep arrival order in its rowid"
        assert not [c for c in _columns(conn, table) if LINKING.search(c)]
        fks = {row[2] for row in conn.execute(f"PRAGMA foreign_key_list({table})")}
        assert fks == {"polls"}, f"{table} may only point at its poll"
    # Nothing else points at a ballot or a receipt.
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        targets = {row[2] for row in conn.execute(f"PRAGMA foreign_key_list({table})")}
        assert not targets & {"ballots", "receipts", "tokens", "paper_ballots"}, table


def test_no_table_links_a_secret_ballot_after_a_vote(api, database, app):
    meeting = api.meeting(40, present=40)
    poll = api.poll(meeting, "democratic_recommendation", [contest("c1", max_choices=1)])
    toks = api.tokens(poll, 30)
    api.open(poll)
    codes = []
    for i, token in enumerate(toks):
        # Arrival order is encoded in the answers: ballot i votes for k1 only when i is even.
        r = api.vote(token, {"c1": ["k1"] if i % 2 == 0 else ["k2"]})
        codes.append(r.get_json()["tracking_code"])
    api.close(poll)
    conn = database.conn

    # 1. No token, in any form, is stored anywhere; nor is a tracking code beside a ballot.
    dump = "\n".join(conn.iterdump())
    for token in toks:
        canonical = tokens.normalize(token)
        assert canonical not in dump and token not in dump
    ballot_text = "\n".join(r[0] for r in conn.execute("SELECT answers FROM ballots"))
    assert not any(code in ballot_text for code in codes)

    # 2. The stored order is the order of random ids, not of arrival.
    stored = [r["id"] for r in conn.execute("SELECT id FROM ballots WHERE poll_id = ?", (poll,))]
    assert stored == sorted(stored)
    stored_receipts = [r["code"] for r in conn.execute("SELECT code FROM receipts WHERE poll_id = ?", (poll,))]
    assert stored_receipts == sorted(stored_receipts)
    assert stored_receipts != codes  # arrival order is not kept (30! orders; sorted by chance ~0)

    # 3. Ballot ids are random: no two share a prefix pattern with arrival.
    assert len(set(stored)) == 30 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in stored)

    # 4. The event log records counts, never tokens or codes.
    log = "\n".join(r[0] for r in conn.execute("SELECT payload FROM events"))
    assert not any(tokens.normalize(t) in log for t in toks)
    assert not any(code in log for code in codes)
    assert "tokens.issued" in {r[0] for r in conn.execute("SELECT type FROM events")}


def test_token_rows_of_a_secret_poll_carry_no_name(api, database):
    meeting = api.meeting(5)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    api.tokens(poll, 5)
    rows = database.query("SELECT voter_name, voter_group FROM tokens WHERE poll_id = ?", (poll,))
    assert all(r["voter_name"] is None and r["voter_group"] is None for r in rows)


def test_the_database_holds_only_keyed_hashes_of_tokens(api, database, app):
    meeting = api.meeting(5)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    token = api.tokens(poll, 1)[0]
    stored = database.one("SELECT hash FROM tokens WHERE poll_id = ?", (poll,))[0]
    import hashlib
    plain = hashlib.sha256(tokens.normalize(token).encode()).hexdigest()
    assert stored != plain  # not a bare hash: a keyed one
    assert stored == tokens.keyed_hash(app.config["TOKEN_KEY"], tokens.normalize(token))


def test_vote_path_leaves_no_token_or_address_in_the_access_log(api, live_server, caplog):
    import json
    import urllib.request
    meeting = api.meeting(5)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    token = api.tokens(poll, 1)[0]
    api.open(poll)
    caplog.set_level(logging.INFO, logger="werkzeug")
    for path in (f"/t/{token}",):
        urllib.request.urlopen(live_server.url + path, timeout=10).read()
    body = json.dumps({"token": token, "answers": {"c1": ["k1"]}}).encode()
    req = urllib.request.Request(live_server.url + "/api/v1/ballots", data=body,
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=10).read()
    urllib.request.urlopen(live_server.url + "/login", timeout=10).read()  # logged, as a control
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "/login" in text, "the control request should be logged"
    assert token not in text and tokens.normalize(token) not in text
    assert "/api/v1/ballots" not in text


def test_schema_constraints_refuse_impossible_rows(database):
    conn = database.conn
    import pytest
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO meetings (id, title, expected, created_at) VALUES ('m', 't', -1, 'x')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO users (id, name, role, password_hash, created_at) VALUES ('u','n','king','h','x')")
    with pytest.raises(sqlite3.IntegrityError):  # STRICT: no text in an integer column
        conn.execute("INSERT INTO meetings (id, title, expected, created_at) VALUES ('m', 't', 'many', 'x')")


def _varint(b: bytes, i: int) -> tuple[int, int]:
    v = 0
    for k in range(9):
        c = b[i + k]
        if k == 8:
            return (v << 8) | c, i + 9
        v = (v << 7) | (c & 0x7F)
        if not c & 0x80:
            return v, i + k + 1
    raise AssertionError("bad varint")


def _cells_by_offset(data: bytes, page_size: int, root: int, needles: list[str]) -> list[str]:
    """The needles in the order SQLite physically wrote their cells (highest offset first)."""
    import struct
    page = data[(root - 1) * page_size: root * page_size]
    assert page[0] == 0x0A, "expected a single index leaf page"
    n = struct.unpack(">H", page[3:5])[0]
    found = []
    for j in range(n):
        ptr = struct.unpack(">H", page[8 + 2 * j: 10 + 2 * j])[0]
        size, start = _varint(page, ptr)
        cell = page[start:start + size]
        hit = next((nd for nd in needles if nd.encode() in cell), None)
        if hit:
            found.append((ptr, hit))
    return [nd for _, nd in sorted(found, reverse=True)]


def test_after_close_the_file_keeps_no_arrival_order(api, app, instance):
    """Raw bytes, not SQL: the page layout and the WAL must not replay the arrival of ballots."""
    import itertools
    import json as _json
    meeting = api.meeting(40, present=30)
    names = tuple(f"候选人{i}" for i in range(8))
    poll = api.poll(meeting, "democratic_recommendation", [contest("c1", max_choices=3, names=names)])
    toks = api.tokens(poll, 12)
    api.open(poll)
    combos = list(itertools.combinations([f"k{i}" for i in range(1, 9)], 3))[::4][:12]
    arrivals = []
    for token, chosen in zip(toks, combos, strict=True):
        r = api.vote(token, {"c1": list(chosen)})  # one at a time: each its own commit
        arrivals.append((r.get_json()["tracking_code"], _json.dumps({"c1": list(chosen)}, separators=(",", ":"))))
    api.close(poll)
    db_file = instance / "ballotroom.db"
    wal = instance / "ballotroom.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0, "the WAL still holds the frames of the vote"
    conn = sqlite3.connect(db_file)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_master WHERE name IN ('ballots', 'receipts')"))
    conn.close()
    data = db_file.read_bytes()
    physical_codes = _cells_by_offset(data, page_size, roots["receipts"], [c for c, _ in arrivals])
    physical_ballots = _cells_by_offset(data, page_size, roots["ballots"], [a for _, a in arrivals])
    assert len(physical_codes) == 12 and len(physical_ballots) == 12
    assert physical_codes != [c for c, _ in arrivals]
    assert physical_ballots != [a for _, a in arrivals]
    assert physical_codes == sorted(physical_codes), "receipts are laid out in key order"


def test_tablet_pages_are_never_cached(client):
    for path in ("/", "/t/XXXX"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
