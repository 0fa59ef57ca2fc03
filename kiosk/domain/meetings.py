"""Meetings: what a poll's quorum and turnout are measured against."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l

from kiosk.errors import Refusal
from kiosk.store import eventlog
from kiosk.store.db import Database

MAX_MEMBERS = 100000


def _count(value: object, field: str, *, minimum: int) -> int:
    if isinstance(value, str):  # typed on a page: "-5" is a whole number, out of range below
        try:
            value = int(value.strip())
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, int):
        raise Refusal(400, "invalid", "field", field=field, problem=_l("must be a whole number"))
    if not minimum <= value <= MAX_MEMBERS:
        raise Refusal(400, "invalid", "field", field=field, problem=_l(
            "must be a whole number from %(low)s to %(high)s", low=minimum, high=MAX_MEMBERS))
    return value


def _title(value: object) -> str:
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= 200:
        raise Refusal(400, "invalid", "field", field="title", problem=_l("must have 1 to 200 characters"))
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


def set_attendance(db: Database, actor: str, meeting_id: str, present: object, reason: object = None, *,
                   require_reason: bool = False) -> dict:
    """Attendance typed as a number, for a meeting without a sign-in roster (with one, attendance
    follows the roster: kiosk.domain.roster). ``reason`` (why the number is typed: e.g. counted
    by hand) goes into the event log; the staff's page requires it."""
    meeting = get(db, meeting_id)
    if db.one("SELECT 1 FROM roster_members WHERE meeting_id = ? LIMIT 1", (meeting_id,)) is not None:
        raise _follows_roster()
    value = _count(present, "present", minimum=0)
    if value > meeting["expected"]:
        raise Refusal(
            400, "invalid",
            detail=_l("attendance (%(present)s) cannot exceed the members who should attend (%(expected)s)",
                      present=value, expected=meeting["expected"]),
        )
    why = _reason(reason, required=require_reason)
    with db.write() as conn:
        # Again inside the write: a roster imported meanwhile wins.
        if conn.execute("SELECT 1 FROM roster_members WHERE meeting_id = ? LIMIT 1", (meeting_id,)).fetchone():
            raise _follows_roster()
        conn.execute("UPDATE meetings SET present = ? WHERE id = ?", (value, meeting_id))
        payload = {"meeting": meeting_id, "present": value, **({"reason": why} if why else {})}
        eventlog.append(conn, actor, "meeting.attendance", payload)
    meeting["present"] = value
    return meeting


MAX_REASON = 500


def _follows_roster() -> Refusal:
    return Refusal(409, "state", detail=_l(
        "this meeting has a sign-in roster: attendance follows the members signed in there"))


def _reason(value: object, *, required: bool) -> str | None:
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        raise Refusal(400, "invalid", detail=_l("the reason must be text"), field="reason")
    if required and not text:
        raise Refusal(400, "invalid", detail=_l(
            "say why attendance is typed rather than taken from a roster (for example: counted by hand)"),
            field="reason")
    if len(text) > MAX_REASON:
        raise Refusal(400, "invalid", detail=_l("the reason has more than %(n)s characters", n=MAX_REASON),
                      field="reason")
    return text or None
