"""A round as a timeline of the four competitive stages (四差额): starting, completing and
superseding a stage, and what the stage modules share.

A stage's work is a *record* (``round_stages``). A stage starts only when the one before it is
complete; while in progress its record is edited freely; once complete it is never edited, only
superseded with a reason, which keeps the old record as it was and opens a new attempt carrying
a copy of its data. Superseding a stage also supersedes every later stage that has begun, since
they were built on it. Every change is written through ``db.write()`` with its event-log entry in
the same transaction.

The stages themselves live in ``stages_recommendation``, ``stages_inspection``,
``stages_deliberation`` and ``stages_vote``; this module only dispatches to them.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tally.rules import Rules

from . import eventlog, meetings, polls, rounds
from .db import Database
from .errors import Refusal
from .stages_rules import STAGES, PollStep

STAGE_LABELS = {
    "recommendation": _l("Competitive recommendation"),
    "inspection": _l("Competitive inspection"),
    "deliberation": _l("Competitive deliberation"),
    "vote": _l("Competitive vote"),
}
MAX_TEXT = 1000

# What a new attempt of a stage carries from the attempt before it, table by table.
_COLUMNS = {
    "stage_nominations": ("id", "position", "level", "unit", "participants", "candidates", "note",
                          "entered_by", "entered_at"),
    "stage_polls": ("poll_id", "role", "position", "candidate_id", "basis", "reason", "created_by",
                    "created_at"),
    "stage_inspections": ("candidate_id", "notice_date", "assessment", "talks", "verification",
                          "judgement", "looks", "entered_by", "entered_at"),
    "stage_deliberations": ("department_date", "department_notes", "secretaries_date",
                            "secretaries_notes", "important_levels", "secretaries_slate",
                            "final_slate", "entered_by", "entered_at"),
    "stage_consultations": ("id", "position", "level", "role", "name", "date", "summary"),
    "stage_written_opinions": ("id", "position", "source", "people", "date", "summary"),
}


def stage_label(stage: str) -> str:
    return str(STAGE_LABELS.get(stage, stage))


def state_refusal(detail: str, **params: object) -> Refusal:
    """A 409: the act does not fit the stage's state; ``detail`` says what to do instead."""
    return Refusal(409, "state", detail=detail, **params)


def check_stage(stage: object) -> str:
    if stage not in STAGES:
        raise Refusal(404, "not_found", detail=f"no stage {stage!r}; the stages are {', '.join(STAGES)}")
    return stage  # type: ignore[return-value]


# --- reading records ------------------------------------------------------------------------------

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
        raise Refusal(404, "not_found", detail=f"no round {round_id!r}")


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


# --- the timeline -----------------------------------------------------------------------------------

def timeline(db: Database, round_id: str) -> dict:
    """The four stages in order: state (not_started / in_progress / complete), who completed the
    current record and when, whether it may start now, and every superseded record."""
    stored = rounds.get(db, round_id)
    all_records = records(db, round_id)
    stages = []
    previous_complete = True
    for stage in STAGES:
        mine = [r for r in all_records if r["stage"] == stage]
        now = next((r for r in mine if r["state"] != "superseded"), None)
        state = now["state"] if now else "not_started"
        stages.append({
            "stage": stage,
            "state": state,
            "can_start": state == "not_started" and previous_complete,
            "current": public_record(now),
            "superseded": [public_record(r) for r in mine if r["state"] == "superseded"],
        })
        previous_complete = state == "complete"
    return {"round": round_id, "title": stored["title"], "stages": stages}


# --- start, complete, supersede --------------------------------------------------------------------

def _new_record(conn: sqlite3.Connection, actor: str, round_id: str, stage: str) -> dict:
    attempt = conn.execute("SELECT coalesce(max(attempt), 0) + 1 FROM round_stages WHERE round_id = ? AND stage = ?",
                           (round_id, stage)).fetchone()[0]
    rec = {"id": secrets.token_hex(6), "round_id": round_id, "stage": stage, "attempt": attempt}
    conn.execute("INSERT INTO round_stages (id, round_id, stage, attempt, state, started_by, started_at)"
                 " VALUES (?,?,?,?, 'in_progress', ?, ?)", (rec["id"], round_id, stage, attempt, actor, eventlog.now()))
    return rec


def _carry(conn: sqlite3.Connection, old_id: str, new_id: str, *, with_votes: bool) -> None:
    """Copy a record's data into a new attempt. Without ``with_votes`` the plenary and committee
    polls stay behind: they were generated from what the earlier stages decided then."""
    for table, columns in _COLUMNS.items():
        cols = ", ".join(columns)
        where = "stage_id = ?"
        if table == "stage_polls" and not with_votes:
            where += " AND role = 'assessment'"
        conn.execute(f"INSERT INTO {table} (stage_id, {cols}) SELECT ?, {cols} FROM {table} WHERE {where}",
                     (new_id, old_id))


def start(db: Database, actor: str, round_id: str, stage: str) -> dict:
    check_stage(stage)
    with db.write() as conn:
        require_round(conn, round_id)
        now = current(conn, round_id, stage)
        if now is not None:
            raise state_refusal(_("the %(stage)s stage has already started", stage=stage_label(stage)),
                                stage=stage, state=now["state"])
        index = STAGES.index(stage)
        if index:
            before = STAGES[index - 1]
            prev = current(conn, round_id, before)
            if prev is None or prev["state"] != "complete":
                raise state_refusal(_("the %(before)s stage must be complete before the %(stage)s stage starts",
                                      before=stage_label(before), stage=stage_label(stage)),
                                    stage=stage, needs=before)
        rec = _new_record(conn, actor, round_id, stage)
        last = conn.execute("SELECT id FROM round_stages WHERE round_id = ? AND stage = ? AND state = 'superseded'"
                            " ORDER BY attempt DESC LIMIT 1", (round_id, stage)).fetchone()
        if last is not None:  # a stage superseded with an earlier one: its entries are a starting point
            _carry(conn, last["id"], rec["id"], with_votes=False)
        eventlog.append(conn, actor, "stage.started", {"round": round_id, "stage": stage, "record": rec["id"],
                                                      "attempt": rec["attempt"],
                                                      "carried_from": last["id"] if last else None})
    return timeline(db, round_id)


def _stage_module(stage: str):
    from . import stages_deliberation, stages_inspection, stages_recommendation, stages_vote
    return {"recommendation": stages_recommendation, "inspection": stages_inspection,
            "deliberation": stages_deliberation, "vote": stages_vote}[stage]


def optional_text(value: object, field: str, high: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise rounds.invalid(field, _("must be text"))
    text = value.strip()
    if len(text) > high:
        raise rounds.invalid(field, _("must have at most %(n)s characters", n=high))
    return text or None


def complete(db: Database, rules: Rules, actor: str, round_id: str, stage: str, body: dict | None) -> dict:
    """Complete the stage: its outcome is fixed, or a 409 says what is still missing.

    ``body``: ``note`` (optional), ``leave_unfilled`` (true, with a note, to complete a vote whose
    places are not all filled: the places stay empty, nobody is picked silently).
    """
    check_stage(stage)
    body = body or {}
    if not isinstance(body, dict):
        raise Refusal(400, "malformed")
    note = optional_text(body.get("note"), "note")
    leave_unfilled = body.get("leave_unfilled", False)
    if not isinstance(leave_unfilled, bool):
        raise rounds.invalid("leave_unfilled", _("must be true or false"))
    if leave_unfilled and not note:
        raise rounds.invalid("note", _("say in a note why places are left unfilled"))
    module = _stage_module(stage)
    with db.write() as conn:
        rec = editable(conn, round_id, stage)
        # Computed under the write lock, so nothing the outcome rests on can change meanwhile.
        outcome = module.outcome(conn, db, rules, round_id, rec, leave_unfilled=leave_unfilled)
        conn.execute("UPDATE round_stages SET state = 'complete', completed_by = ?, completed_at = ?,"
                     " completion_note = ?, outcome = ? WHERE id = ?",
                     (actor, eventlog.now(), note, json.dumps(outcome, ensure_ascii=False), rec["id"]))
        eventlog.append(conn, actor, "stage.completed", {"round": round_id, "stage": stage, "record": rec["id"],
                                                        "attempt": rec["attempt"], "outcome": _ids_only(outcome),
                                                        "leave_unfilled": leave_unfilled})
    return timeline(db, round_id)


def _ids_only(value: Any) -> Any:
    """The outcome as the event log keeps it: ids and figures, without the display rows (names, units)."""
    if isinstance(value, dict):
        return {k: _ids_only(v) for k, v in value.items() if k != "rows"}
    if isinstance(value, list):
        return [_ids_only(v) for v in value]
    return value


def supersede(db: Database, actor: str, round_id: str, stage: str, body: dict | None) -> dict:
    """Set a completed stage aside with a reason; a new attempt carries its data on.

    Later stages that have begun are superseded with it (same reason), and start again when the
    stage is complete once more.
    """
    check_stage(stage)
    body = body or {}
    if not isinstance(body, dict):
        raise Refusal(400, "malformed")
    reason = optional_text(body.get("reason"), "reason")
    if not reason:
        raise rounds.invalid("reason", _("say why the completed stage is superseded; the reason is kept"))
    at = eventlog.now()
    with db.write() as conn:
        require_round(conn, round_id)
        rec = current(conn, round_id, stage)
        if rec is None or rec["state"] != "complete":
            state = rec["state"] if rec else "not_started"
            raise state_refusal(_("only a completed stage is superseded; the %(stage)s stage is %(state)s",
                                  stage=stage_label(stage), state=str(STATE_LABELS.get(state, state))),
                                stage=stage, state=state)
        later = []
        for after in STAGES[STAGES.index(stage) + 1:]:
            other = current(conn, round_id, after)
            if other is not None:
                later.append(other)
        for other in later:
            conn.execute("UPDATE round_stages SET state = 'superseded', superseded_by = ?, superseded_at = ?,"
                         " superseded_reason = ?, superseded_with = ? WHERE id = ?",
                         (actor, at, reason, stage, other["id"]))
        conn.execute("UPDATE round_stages SET state = 'superseded', superseded_by = ?, superseded_at = ?,"
                     " superseded_reason = ? WHERE id = ?", (actor, at, reason, rec["id"]))
        new = _new_record(conn, actor, round_id, stage)
        _carry(conn, rec["id"], new["id"], with_votes=True)
        eventlog.append(conn, actor, "stage.superseded", {
            "round": round_id, "stage": stage, "record": rec["id"], "attempt": rec["attempt"],
            "reason": reason, "new_record": new["id"],
            "with_it": [{"stage": o["stage"], "record": o["id"]} for o in later]})
    return timeline(db, round_id)


STATE_LABELS = {"not_started": _l("not started"), "in_progress": _l("in progress"), "complete": _l("complete"),
                "superseded": _l("superseded")}


# --- what the stage modules share: meetings and generated polls ----------------------------------------

def resolve_meeting(db: Database, actor: str, value: object) -> str:
    """``"<meeting id>"``, or ``{"title", "expected", "present"?}`` for a new meeting."""
    if isinstance(value, str) and value.strip():
        try:
            return meetings.get(db, value.strip())["id"]
        except Refusal:
            raise rounds.invalid("meeting", _("there is no meeting %(id)s; give a meeting's id, or "
                                              "{\"title\", \"expected\"} for a new one", id=value)) from None
    if isinstance(value, dict):
        for key in value:
            if key not in ("title", "expected", "present"):
                raise rounds.invalid(f"meeting.{key}", _("is not a field of a new meeting (title, expected, present)"))
        title, expected, present = value.get("title"), value.get("expected"), value.get("present")
        if not isinstance(title, str) or not 1 <= len(title.strip()) <= 200:
            raise rounds.invalid("meeting.title", _("must have 1 to 200 characters"))
        if isinstance(expected, bool) or not isinstance(expected, int) or not 1 <= expected <= meetings.MAX_MEMBERS:
            raise rounds.invalid("meeting.expected", _("must be the number of members who should attend (应到), "
                                                       "a whole number from 1"))
        if present is not None and (isinstance(present, bool) or not isinstance(present, int)
                                    or not 0 <= present <= expected):
            raise rounds.invalid("meeting.present", _("must be a whole number from 0 to the members expected"))
        made = meetings.create(db, actor, title, expected)
        if present is not None:
            meetings.set_attendance(db, actor, made["id"], present)
        return made["id"]
    raise rounds.invalid("meeting", _("choose the meeting the poll is held at: its id, or {\"title\", "
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
    result = polls.results(db, rules, link["poll_id"])
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
            raise rounds.invalid(key, _("is not a field here (%(fields)s)", fields=", ".join(allowed)))
    return body
