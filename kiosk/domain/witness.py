"""The event log checked against what lies outside it: certified closes and witnessed heads.

A hash chain alone proves only that the log is consistent with itself: whoever can write the
database file can cut the log short, or rewrite it and recompute every hash after the change,
and the chain still holds. Two things outside the chain pin it:

- **Certified closes.** Each closed poll's certificate is signed with the instance's key and
  names the hash of its ``poll.closed`` entry. That entry must be in the log, be that poll's
  close, and sit in the verified chain; a log cut or rewritten past a certified close fails,
  naming the poll. (The signing key is in the instance folder, not in the database, so a copy
  of the database alone cannot re-sign.)
- **Witnessed heads.** The newest entry's short form (``eventlog.head_code``) is shown to the
  room when a poll opens, while it is open and when it closes, and printed on the result sheet.
  Each head written down there must still be the hash of an entry in the chain, so a log
  re-chained from the start fails against any head the room saw, and so does one whose newest
  entries were removed after they were witnessed.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.domain.evidence import canonical
from kiosk.store import eventlog
from kiosk.store.db import Database


@dataclass
class LogCheck:
    entries: int
    certified: int
    heads: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(db: Database, public_key: Ed25519PublicKey, heads: list[str] = ()) -> LogCheck:
    """The chain, every certified close, and every witnessed head (codes as typed)."""
    rows = db.query("SELECT * FROM events ORDER BY seq")
    result = LogCheck(entries=len(rows), certified=0, heads=len(heads), problems=eventlog.verify(rows))
    by_hash = {row["hash"]: row for row in rows}
    polls = db.query("SELECT id, title, certificate, signature FROM polls WHERE certificate IS NOT NULL"
                     " ORDER BY closed_at, id")
    for poll in polls:
        result.certified += 1
        result.problems += _close_problems(poll, public_key, by_hash)
    seen = {eventlog.head_code(eventlog.GENESIS)} | {eventlog.head_code(row["hash"]) for row in rows}
    for typed in heads:
        try:
            code = eventlog.normalize_head_code(typed)
        except ValueError as exc:
            result.problems.append(f"witnessed head {typed!r}: {exc}")
            continue
        if code not in seen:
            result.problems.append(f"the witnessed head {code} is not in the log: entries the room saw were "
                                   "removed or rewritten after it was read out")
    return result


def _close_problems(poll, public_key: Ed25519PublicKey, by_hash: dict) -> list[str]:
    who = f"poll {poll['id']} ({poll['title']})"
    try:
        certificate = json.loads(poll["certificate"])
        public_key.verify(base64.b64decode(poll["signature"] or "", validate=True),
                          canonical(certificate).encode("utf-8"))
    except (ValueError, TypeError, InvalidSignature):
        return [f"{who}: its certificate is not signed by this instance's key"]
    entry = by_hash.get(certificate.get("log_entry"))
    if entry is None:
        return [f"{who}: its certified close (log entry {str(certificate.get('log_entry'))[:16]}…, closed "
                f"{certificate.get('closed_at')}) is not in the log: the log was cut short or rewritten "
                "after it"]
    try:
        payload = json.loads(entry["payload"])
    except (TypeError, ValueError):
        payload = {}
    if entry["type"] != "poll.closed" or payload.get("poll") != poll["id"]:
        return [f"{who}: its certified close points at log entry {entry['seq']}, which is not its close"]
    return []
