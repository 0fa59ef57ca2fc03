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
# The head's short form is read aloud in the room: Crockford base32, no I, L, O or U.
_HEAD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
HEAD_CHARACTERS = 16  # 80 bits of the head's hash, in four groups of four


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


def head_code(entry_hash_hex: str) -> str:
    """The short form of an entry's hash that a room can read aloud and write down, e.g.
    ``7K3Q-M9XD-2FJA-W0PE``: the hash's first 80 bits in Crockford base32, four groups of four.

    Witnessed at opening, after batches and at the close (projector, result sheet, board), it
    pins the log: a log rewritten or cut short later no longer holds the head the room saw."""
    bits = int(entry_hash_hex, 16) >> (256 - 5 * HEAD_CHARACTERS)
    chars = [_HEAD_ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(HEAD_CHARACTERS))]
    return "-".join("".join(chars[i:i + 4]) for i in range(0, HEAD_CHARACTERS, 4))


def normalize_head_code(text: str) -> str:
    """A head code as a person may type it: any case, without dashes, O for 0, I or L for 1."""
    cleaned = "".join(ch for ch in str(text).upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(cleaned) != HEAD_CHARACTERS or any(ch not in _HEAD_ALPHABET for ch in cleaned):
        raise ValueError(f"a log head is {HEAD_CHARACTERS} characters, in four groups of four")
    return "-".join(cleaned[i:i + 4] for i in range(0, HEAD_CHARACTERS, 4))


def head(conn: sqlite3.Connection) -> dict:
    """The newest entry: its sequence number, hash and short form (the genesis for an empty log)."""
    last = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    seq, digest = (last[0], last[1]) if last else (0, GENESIS)
    return {"seq": seq, "hash": digest, "code": head_code(digest)}
