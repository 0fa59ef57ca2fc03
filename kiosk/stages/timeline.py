"""A round as a timeline of the four competitive stages (四差额): starting, completing and
superseding a stage.

A stage starts only when the one before it is complete; while in progress its record is edited
freely; once complete it is never edited, only superseded with a reason, which keeps the old
record as it was and opens a new attempt carrying a copy of its data. Superseding a stage also
supersedes every later stage that has begun, since they were built on it. Every change is written
through ``db.write()`` with its event-log entry in the same transaction.

The stages themselves live in ``recommendation``, ``inspection``,
``deliberation`` and ``vote`` (this package), which share ``core``; this module dispatches to
them for a stage's outcome.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kiosk.domain import round_input, rounds
from kiosk.errors import Refusal
from kiosk.stages import deliberation as stages_deliberation
from kiosk.stages import inspection as stages_inspection
from kiosk.stages import recommendation as stages_recommendation
from kiosk.stages import vote as stages_vote
from kiosk.stages.core import (
    check_stage,
    current,
    editable,
    optional_text,
    public_record,
    records,
    require_round,
    stage_label,
    state_refusal,
)
from kiosk.store import eventlog
from kiosk.store.db import Database
from tally.competitive import STAGES
from tally.rules import Rules

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

STATE_LABELS = {"not_started": _l("not started"), "in_progress": _l("in progress"), "complete": _l("complete"),
                "superseded": _l("superseded")}


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
    return {"recommendation": stages_recommendation, "inspection": stages_inspection,
            "deliberation": stages_deliberation, "vote": stages_vote}[stage]


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
        raise round_input.invalid("leave_unfilled", _("must be true or false"))
    if leave_unfilled and not note:
        raise round_input.invalid("note", _("say in a note why places are left unfilled"))
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
        raise round_input.invalid("reason", _("say why the completed stage is superseded; the reason is kept"))
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
