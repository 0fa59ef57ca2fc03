"""What the four stage modules share: a stage's records and their states, refusals, stage polls
and their summaries, and the reading of request bodies.

A stage's work is a *record* (``round_stages``). A stage starts only when the one before it is
complete; while in progress its record is edited freely; once complete it is never edited, only
superseded (``kiosk.stages.timeline.timeline``).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kiosk.domain import counting, meetings, polls, round_input, rounds
from kiosk.errors import Refusal
from kiosk.store import eventlog
from kiosk.store.db import Database
from tally.competitive import STAGES, PollStep
from tally.rules import Rules

STAGE_LABELS = {
    "recommendation": _l("Competitive recommendation"),
    "inspection": _l("Competitive inspection"),
    "deliberation": _l("Competitive deliberation"),
    "vote": _l("Competitive vote"),
}
MAX_TEXT = 1000


def stage_label(stage: str) -> str:
    return str(STAGE_LABELS.get(stage, stage))


def state_refusal(detail: str, **params: object) -> Refusal:
    """A 409: the act does not fit the stage's state; ``detail`` says what to do instead."""
    return Refusal(409, "state", detail=detail, **params)


def check_stage(stage: object) -> str:
    if stage not in STAGES:
        raise Refusal(404, "not_found", detail=_l("there is no such stage"))
    return stage  # type: ignore[return-value]


def _rows(source: sqlite3.Connection | Database, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    if isinstance(source, sqlite3.Connection):
        return source.execute(sql, params).fetchall()
    return source.query(sql, params)


def _record(row: sqlite3.Row) -> dict:
    rec = dict(row)
    rec["outcome"] = json.loads(rec["outcome"]) if rec["outcome"] else None
    return rec


def records(source: sqlite3.Connection | Database, round_id: str, stage: str | None = None) -> list[dict]:
    """Every record of the round (or of one stage), oldest attempt first."""
    sql = "SELECT * FROM round_stages WHERE round_id = ?"
    params: tuple = (round_id,)
    if stage is not None:
        sql += " AND stage = ?"
        params += (stage,)
    rows = [_record(r) for r in _rows(source, sql + " ORDER BY attempt", params)]
    return sorted(rows, key=lambda r: (STAGES.index(r["stage"]), r["attempt"]))


def current(source: sqlite3.Connection | Database, round_id: str, stage: str) -> dict | None:
    rows = _rows(source, "SELECT * FROM round_stages WHERE round_id = ? AND stage = ? AND state != 'superseded'",
                 (round_id, stage))
    return _record(rows[0]) if rows else None


def require_round(source: sqlite3.Connection | Database, round_id: str) -> None:
    if not rounds.exists(source, round_id):
        raise Refusal(404, "not_found", detail=_l("there is no such round"))


def editable(source: sqlite3.Connection | Database, round_id: str, stage: str) -> dict:
    """The stage's record in progress, or a 409 that says why it cannot be changed now."""
    require_round(source, round_id)
    rec = current(source, round_id, stage)
    if rec is None:
        raise state_refusal(_("the %(stage)s stage has not started; start it first", stage=stage_label(stage)),
                            stage=stage, state="not_started")
    if rec["state"] == "complete":
        raise state_refusal(_("the %(stage)s stage is complete and is not edited; supersede it, giving a "
                              "reason, to change it", stage=stage_label(stage)), stage=stage, state="complete")
    return rec


def shown(source: sqlite3.Connection | Database, round_id: str, stage: str) -> dict | None:
    """The record a stage's page shows: the current one (None when the stage never started)."""
    require_round(source, round_id)
    return current(source, round_id, stage)


def completed_outcome(source: sqlite3.Connection | Database, round_id: str, stage: str) -> dict | None:
    rec = current(source, round_id, stage)
    return rec["outcome"] if rec is not None and rec["state"] == "complete" else None


def public_record(rec: dict | None) -> dict | None:
    if rec is None:
        return None
    keys = ("id", "stage", "attempt", "state", "started_by", "started_at", "completed_by", "completed_at",
            "completion_note", "superseded_by", "superseded_at", "superseded_reason", "superseded_with")
    return {k: rec[k] for k in keys}


def optional_text(value: object, field: str, high: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise round_input.invalid(field, _("must be text"))
    text = value.strip()
    if len(text) > high:
        raise round_input.invalid(field, _("must have at most %(n)s characters", n=high))
    return text or None


def resolve_meeting(db: Database, actor: str, value: object) -> str:
    """``"<meeting id>"``, or ``{"title", "expected", "present"?}`` for a new meeting."""
    if isinstance(value, str) and value.strip():
        try:
            return meetings.get(db, value.strip())["id"]
        except Refusal:
            raise round_input.invalid("meeting", _("there is no meeting %(id)s; give a meeting's id, or "
                                              "{\"title\", \"expected\"} for a new one", id=value)) from None
    if isinstance(value, dict):
        for key in value:
            if key not in ("title", "expected", "present"):
                raise round_input.invalid(f"meeting.{key}", _("is not a field of a new meeting (title, expected, present)"))
        title, expected, present = value.get("title"), value.get("expected"), value.get("present")
        if not isinstance(title, str) or not 1 <= len(title.strip()) <= 200:
            raise round_input.invalid("meeting.title", _("must have 1 to 200 characters"))
        if isinstance(expected, bool) or not isinstance(expected, int) or not 1 <= expected <= meetings.MAX_MEMBERS:
            raise round_input.invalid("meeting.expected", _("must be the number of members who should attend (应到), "
                                                       "a whole number from 1"))
        if present is not None and (isinstance(present, bool) or not isinstance(present, int)
                                    or not 0 <= present <= expected):
            raise round_input.invalid("meeting.present", _("must be a whole number from 0 to the members expected"))
        made = meetings.create(db, actor, title, expected)
        if present is not None:
            meetings.set_attendance(db, actor, made["id"], present)
        return made["id"]
    raise round_input.invalid("meeting", _("choose the meeting the poll is held at: its id, or {\"title\", "
                                      "\"expected\"} for a new one"))


def ballot_title(given: object, make) -> str:
    """The title of a generated poll: the one given, or ``make()`` in Chinese, whatever the page's
    language, since voters read it on the tablets and slips (which are printed in Chinese)."""
    title = optional_text(given, "title", 200)
    if title:
        return title
    with force_locale("zh_CN"):
        return str(make())[:200]


def meeting_present(db: Database, meeting_id: str) -> int | None:
    """The meeting's recorded attendance; None when not recorded or no such meeting."""
    row = db.one("SELECT present FROM meetings WHERE id = ?", (meeting_id.strip(),))
    return row["present"] if row is not None else None


def add_stage_poll(db: Database, rules: Rules, actor: str, *, round_id: str, stage: str, rec_id: str,
                   role: str, meeting: str, title: str, kind: str, contests: list[dict], basis: dict,
                   candidate_id: str | None = None, reason: str | None = None, feeds_round: bool = True) -> dict:
    """Create a poll for the stage and file it under the stage's record.

    Plenary and committee polls name the round (they feed no part of the score sheet by their
    kind). Inspection assessments do not name it, since a survey or character poll naming the round
    would feed the score sheet: they belong to the stage alone.
    """
    poll = polls.create(db, rules, actor, meeting, title, kind, contests, round_id if feeds_round else None)
    with db.write() as conn:
        rec = current(conn, round_id, stage)
        if rec is None or rec["id"] != rec_id or rec["state"] != "in_progress":
            # The stage moved on while the poll was made: the poll stays a draft outside the stage.
            raise state_refusal(_("the stage changed while the poll was being made; reload and try again"))
        position = conn.execute("SELECT coalesce(max(position) + 1, 0) FROM stage_polls WHERE stage_id = ?",
                                (rec_id,)).fetchone()[0]
        conn.execute("INSERT INTO stage_polls (stage_id, poll_id, role, position, candidate_id, basis, reason,"
                     " created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                     (rec_id, poll["id"], role, position, candidate_id, json.dumps(basis, ensure_ascii=False),
                      reason, actor, eventlog.now()))
        eventlog.append(conn, actor, "stage.poll_generated", {
            "round": round_id, "stage": stage, "record": rec_id, "poll": poll["id"], "role": role,
            "candidate": candidate_id, "reason": reason})
    return poll


def stage_polls(source: sqlite3.Connection | Database, rec_id: str, roles: tuple[str, ...] | None = None) -> list[dict]:
    rows = [dict(r) for r in _rows(source, "SELECT * FROM stage_polls WHERE stage_id = ? ORDER BY position",
                                   (rec_id,))]
    for row in rows:
        row["basis"] = json.loads(row["basis"])
    return [r for r in rows if roles is None or r["role"] in roles]


def poll_summary(db: Database, rules: Rules, link: dict) -> dict:
    """A generated poll with its meeting, state and (fixed or published) results."""
    result = counting.results(db, rules, link["poll_id"])
    row = db.one("SELECT p.meeting_id, p.certificate IS NOT NULL AS certified, m.title AS meeting_title"
                 " FROM polls p JOIN meetings m ON m.id = p.meeting_id WHERE p.id = ?", (link["poll_id"],))
    return {
        "poll": link["poll_id"], "role": link["role"], "position": link["position"],
        "candidate": link.get("candidate_id"), "reason": link.get("reason"),
        "created_by": link["created_by"], "created_at": link["created_at"], "basis": link["basis"],
        "title": result.get("title"), "kind": result["kind"], "state": result["state"],
        "meeting": {"id": row["meeting_id"], "title": row["meeting_title"], "expected": result["expected"],
                    "present": result["present"]},
        "issued": result["issued"], "cast": result["cast"], "cast_live": result.get("cast_live"),
        "blank": result.get("blank", 0), "quorum_met": result["quorum_met"],
        "certified": bool(row["certified"]), "contests": result["contests"],
    }


def steps_of(summaries: list[dict], main_role: str) -> list[PollStep]:
    return [PollStep(poll=s["poll"], main=s["role"] == main_role, state=s["state"], quorum_met=s["quorum_met"],
                     contests={c["id"]: (tuple(c.get("chosen", ())), tuple(c.get("runoff", ())),
                                         tuple(k["id"] for k in c["candidates"])) for c in s["contests"]})
            for s in summaries]


def names_of(stored: dict) -> dict[str, dict]:
    return {c["id"]: c for c in stored["candidates"]}


def level_ids(stored: dict) -> list[str]:
    return [lv["id"] for lv in stored["levels"]]


def body_keys(body: object, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Refusal(400, "malformed")
    for key in body:
        if key not in allowed:
            raise round_input.invalid(key, _("is not a field here (%(fields)s)", fields=", ".join(allowed)))
    return body
