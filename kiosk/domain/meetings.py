"""Meetings: what a poll's quorum and turnout are measured against."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l

from kiosk.errors import Refusal
from kiosk.store import eventlog
from kiosk.store.db import Database

MAX_MEMBERS = 100000


def _count(value: object, field: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        else:
            raise Refusal(400, "invalid", detail=_l("%(field)s must be a whole number", field=field))
    if not minimum <= value <= MAX_MEMBERS:
        raise Refusal(400, "invalid", detail=_l("%(field)s must be between %(low)s and %(high)s", field=field, low=minimum, high=MAX_MEMBERS))
    return value


def _title(value: object) -> str:
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= 200:
        raise Refusal(400, "invalid", detail=_l("the title must have 1 to 200 characters"))
    return value.strip()


def create(db: Database, actor: str, title: object, expected: object) -> dict:
    meeting = {
        "id": secrets.token_hex(6),
        "title": _title(title),
        "expected": _count(expected, "expected", minimum=1),
        "present": None,
    }
    with db.write() as conn:
        conn.execute(
            "INSERT INTO meetings (id, title, expected, present, created_at) VALUES (?,?,?,?,?)",
            (meeting["id"], meeting["title"], meeting["expected"], None, eventlog.now()),
        )
        eventlog.append(conn, actor, "meeting.created", meeting)
    return meeting


def get(db: Database, meeting_id: str) -> dict:
    row = db.one("SELECT id, title, expected, present, created_at FROM meetings WHERE id = ?", (meeting_id,))
    if row is None:
        raise Refusal(404, "not_found")
    return dict(row)


def all_meetings(db: Database) -> list[dict]:
    return [dict(r) for r in db.query("SELECT * FROM meetings ORDER BY created_at DESC, id")]


def set_attendance(db: Database, actor: str, meeting_id: str, present: object) -> dict:
    meeting = get(db, meeting_id)
    value = _count(present, "present", minimum=0)
    if value > meeting["expected"]:
        raise Refusal(
            400, "invalid",
            detail=_l("attendance (%(present)s) cannot exceed the members who should attend (%(expected)s)",
                      present=value, expected=meeting["expected"]),
        )
    with db.write() as conn:
        conn.execute("UPDATE meetings SET present = ? WHERE id = ?", (value, meeting_id))
        eventlog.append(conn, actor, "meeting.attendance", {"meeting": meeting_id, "present": value})
    meeting["present"] = value
    return meeting
