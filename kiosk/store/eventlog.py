"""The append-only, hash-chained event log (SECURITY.md, "Integrity and evidence").

Each entry's hash covers its sequence number, time, actor, type, canonical
JSON payload and the previous entry's hash, so removing, reordering or
editing any entry breaks every hash after it. Ballots and tokens are never
logged (counts only).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime

GENESIS = "0" * 64


def canonical(payload: object) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def payload_hash(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def entry_hash(seq: int, at: str, actor: str, type_: str, payload_sha256: str, prev_hash: str) -> str:
    """The entry's hash covers its payload through the payload's own hash, so a published slice
    of the log can leave out the payloads of entries that are not the reader's business (their
    hashes stay) and still verify."""
    material = canonical([seq, at, actor, type_, payload_sha256, prev_hash])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def append(conn: sqlite3.Connection, actor: str, type_: str, payload: dict) -> int:
    """Append inside the caller's write transaction, so the act and its record
    commit together or not at all."""
    last = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = now()
    body = canonical(payload)
    digest = entry_hash(seq, at, actor, type_, payload_hash(body), prev)
    conn.execute(
        "INSERT INTO events (seq, at, actor, type, payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?)",
        (seq, at, actor, type_, body, prev, digest),
    )
    return seq


def verify(rows: list[sqlite3.Row] | list[dict], start: str = GENESIS) -> list[str]:
    """Problems found in a chain, in order; [] when the chain holds.

    `start` is the hash the first row must point at: the genesis for a whole
    log, the previous entry's hash for a slice of it.
    """
    problems = []
    prev = start
    expected_seq = None
    for row in rows:
        seq = row["seq"]
        if expected_seq is not None and seq != expected_seq:
            problems.append(f"entry {seq}: expected sequence number {expected_seq}")
        if row["prev_hash"] != prev:
            problems.append(f"entry {seq}: does not point at the previous entry's hash")
        keys = row.keys() if hasattr(row, "keys") else row
        if "payload" in keys:
            content = payload_hash(row["payload"])
        else:  # a redacted entry of a published slice
            content = row["payload_sha256"]
        digest = entry_hash(seq, row["at"], row["actor"], row["type"], content, row["prev_hash"])
        if digest != row["hash"]:
            problems.append(f"entry {seq}: contents do not match its hash")
        prev = row["hash"]
        expected_seq = seq + 1
    return problems
