"""Tablet enrollment: only enrolled tablets may open ballots and submit them.

The administrator shows a one-time enrollment QR code; the tablet that opens
it receives a device credential (a random secret in an HttpOnly cookie; the
database keeps only its hash). Nothing about enrollment touches a ballot:
the credential is checked at the door and never stored with what it let in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from kiosk.errors import Refusal
from kiosk.store import eventlog
from kiosk.store.db import Database

COOKIE = "ballotroom_device"
HEADER = "X-Ballotroom-Device"
CODE_MINUTES = 15


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_enrollment_code(db: Database, actor: str) -> str:
    code = secrets.token_urlsafe(16)
    expires = (datetime.now(UTC) + timedelta(minutes=CODE_MINUTES)).isoformat(timespec="seconds")
    with db.write() as conn:
        conn.execute("DELETE FROM enrollment_codes WHERE expires_at < ?", (eventlog.now(),))
        conn.execute("INSERT INTO enrollment_codes (code_hash, expires_at) VALUES (?, ?)", (_hash(code), expires))
        eventlog.append(conn, actor, "enrollment.code_issued", {"expires_at": expires})
    return code


def enroll(db: Database, code: str, label: str = "") -> tuple[str, str]:
    """Use a one-time code; returns (device label, credential)."""
    credential = secrets.token_urlsafe(32)
    with db.write() as conn:
        row = conn.execute("DELETE FROM enrollment_codes WHERE code_hash = ? AND expires_at >= ? RETURNING 1",
                           (_hash(code or ""), eventlog.now())).fetchone()
        if row is None:
            raise Refusal(404, "enrollment_code")
        count = conn.execute("SELECT count(*) FROM devices").fetchone()[0]
        label = (label or "").strip()[:64] or f"Tablet {count + 1}"
        device_id = secrets.token_hex(6)
        conn.execute("INSERT INTO devices (id, label, credential_hash, enrolled_at) VALUES (?,?,?,?)",
                     (device_id, label, _hash(credential), eventlog.now()))
        eventlog.append(conn, "tablet", "device.enrolled", {"device": device_id, "label": label})
    return label, credential


def is_enrolled(db: Database, credential: str | None) -> bool:
    if not credential:
        return False
    return db.one("SELECT 1 FROM devices WHERE credential_hash = ? AND revoked = 0", (_hash(credential),)) is not None


def all_devices(db: Database) -> list[dict]:
    return [dict(r) for r in db.query("SELECT id, label, revoked, enrolled_at FROM devices ORDER BY enrolled_at, id")]


def revoke(db: Database, actor: str, device_id: str) -> None:
    with db.write() as conn:
        if conn.execute("UPDATE devices SET revoked = 1 WHERE id = ? AND revoked = 0", (device_id,)).rowcount != 1:
            raise Refusal(404, "not_found")
        eventlog.append(conn, actor, "device.revoked", {"device": device_id})


def require_credential(db: Database, credential: str | None) -> None:
    if not is_enrolled(db, credential):
        raise Refusal(403, "enrollment")

