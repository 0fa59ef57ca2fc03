"""Storage: pragmas, migrations, the event log's chain, durability under kill -9."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from kiosk.cli.instances import init_instance
from kiosk.domain import accounts
from kiosk.store import eventlog
from kiosk.store.db import Database
from kiosk.store.migrations import migrate


def test_pragmas_on_every_connection(database):
    conn = database.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_every_table_is_strict(database):
    for (name, sql) in database.query("SELECT name, sql FROM sqlite_master WHERE type = 'table'"):
        if name.startswith("_sqlite") or name.startswith("sqlite_"):
            continue
        assert "STRICT" in sql.upper(), name


def test_migrations_are_idempotent(instance):
    db_path = instance / "ballotroom.db"
    migrate(db_path)
    migrate(db_path)
    conn = sqlite3.connect(db_path)
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
    assert names == sorted(set(names))


def test_event_log_is_append_only_and_chained(database):
    accounts.create_api_key(database, "chair")
    rows = database.query("SELECT * FROM events ORDER BY seq")
    assert len(rows) >= 2 and eventlog.verify(rows) == []
    with pytest.raises(sqlite3.IntegrityError):
        database.conn.execute("UPDATE events SET type = 'x' WHERE seq = 1")
    with pytest.raises(sqlite3.IntegrityError):
        database.conn.execute("DELETE FROM events WHERE seq = 1")
    # Someone who drops the triggers and edits a row is still caught by the chain.
    conn = database.conn
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET payload = '{\"role\":\"admin\"}' WHERE seq = 2")
    problems = eventlog.verify(database.query("SELECT * FROM events ORDER BY seq"))
    assert problems and "entry 2" in problems[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_acknowledged_ballot_is_lost_to_kill_9(tmp_path):
    """A server killed with SIGKILL mid-vote keeps every ballot it acknowledged."""
    path = tmp_path / "inst"
    init_instance(str(path), "admin", "x" * 12)
    db = Database(path / "ballotroom.db")
    key = accounts.create_api_key(db, "admin")
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli.main", "serve", "--no-tls", "--instance", str(path), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login", timeout=1)
                break
            except OSError:
                time.sleep(0.1)

        def call(path, body=None):
            req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else b"",
                                         headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.loads(r.read())

        meeting = call("/api/v1/meetings", {"title": "m", "expected": 400})
        poll = call(f"/api/v1/meetings/{meeting['id']}/polls", {"title": "p", "kind": "democratic_recommendation",
                    "contests": [{"id": "c", "title": "c", "max_choices": 1, "places": 1,
                                  "candidates": [{"id": "a", "name": "A"}]}]})
        toks = call(f"/api/v1/polls/{poll['id']}/tokens", {"count": 400})["tokens"]
        call(f"/api/v1/polls/{poll['id']}/open")
        acknowledged = []
        lock = threading.Lock()

        def voter(chunk):
            for t in chunk:
                try:
                    r = call("/api/v1/ballots", {"token": t, "answers": {"c": ["a"]}})
                except (OSError, http.client.HTTPException):  # the server died mid-answer
                    return
                with lock:
                    acknowledged.append(r["tracking_code"])

        threads = [threading.Thread(target=voter, args=(toks[i::4],)) for i in range(4)]
        for t in threads:
            t.start()
        while len(acknowledged) < 60:
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)  # the whole server: master and worker
        for t in threads:
            t.join()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    conn = sqlite3.connect(path / "ballotroom.db")
    stored = {r[0] for r in conn.execute("SELECT code FROM receipts")}
    ballots = conn.execute("SELECT count(*) FROM ballots").fetchone()[0]
    assert set(acknowledged) <= stored
    assert ballots == len(stored) >= len(acknowledged) >= 60
