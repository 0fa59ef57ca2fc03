"""Competitive vote (差额票决): the standing committee's secret ballot on the final slate.

One contest per level, places = the level's posts. Tally counts it (kind ``standing_committee``):
void below the quorum of the recorded attendance; a candidate passes only with agreeing votes from
more than half of the members who should attend; the best passing take the places; a tie for the
last place, or too few passing, names a runoff, which is a new poll among those concerned for
the places that remain. Each poll is closed with a signed result certificate. The round's
decision per level is everyone chosen across the vote and its runoffs.
"""

from __future__ import annotations

import sqlite3

from flask_babel import gettext as _

from tally.rules import Rules

from . import meetings, rounds
from . import stages as core
from .db import Database
from .stages_recommendation import _progress_json, _require_closed, _runoff, settle
from .stages_rules import LevelProgress, progress

STAGE = "vote"
MAIN, RUNOFF = "committee", "committee_runoff"


def final_slate(source: sqlite3.Connection | Database, round_id: str) -> dict[str, list[str]]:
    outcome = core.completed_outcome(source, round_id, "deliberation")
    return outcome["final_slate"] if outcome else {}


def _summaries(db: Database, rules: Rules, rec: dict | None, source=None) -> list[dict]:
    if rec is None:
        return []
    return [core.poll_summary(db, rules, link) for link in core.stage_polls(source or db, rec["id"], (MAIN, RUNOFF))]


def _targets(stored: dict) -> dict[str, int]:
    return {lv["id"]: lv["posts"] for lv in stored["levels"]}


def _progress(stored: dict, summaries: list[dict]) -> dict[str, LevelProgress]:
    return progress(_targets(stored), core.steps_of(summaries, MAIN))


def generate_committee(db: Database, rules: Rules, actor: str, round_id: str, body: object) -> dict:
    """The standing committee's poll from the final slate.

    ``body``: ``meeting`` (an id, or {"title", "expected", "present"}), ``present`` (the attendance
    to record now, if the meeting has none yet), ``title``, ``revote_reason`` (to hold a valid vote
    again whole). The quorum is measured against the recorded attendance, so it must be recorded.
    """
    data = core.body_keys(body, ("meeting", "present", "title", "revote_reason"))
    stored = rounds.get(db, round_id)
    rec = core.editable(db, round_id, STAGE)
    summaries = _summaries(db, rules, rec)
    _require_closed(summaries)
    reason = core.optional_text(data.get("revote_reason"), "revote_reason")
    mains = [s for s in summaries if s["role"] == MAIN]
    if mains and mains[-1]["quorum_met"] and not reason:
        raise core.state_refusal(_("the standing committee has voted; to hold its vote again whole, give "
                                   "revote_reason (a runoff is generated with .../vote/runoff)"))
    slate = final_slate(db, round_id)
    given = data.get("meeting")
    recorded = (isinstance(given, dict) and given.get("present") is not None) or data.get("present") is not None
    if not recorded and (not isinstance(given, str) or core.meeting_present(db, given) is None):
        raise core.state_refusal(_("record the attendance (实到) of the standing committee's meeting first: the "
                                   "quorum is measured against it"), field="present")
    meeting = core.resolve_meeting(db, actor, given)
    if data.get("present") is not None:
        meetings.set_attendance(db, actor, meeting, data["present"])
    names = core.names_of(stored)
    contests, basis = [], {}
    for level in stored["levels"]:
        ids = slate.get(level["id"], [])
        contests.append({"id": level["id"], "title": rounds.level_name(level), "max_choices": len(ids),
                         "places": level["posts"], "candidates": [{"id": cid, "name": names[cid]["name"]}
                                                                  for cid in ids]})
        basis[level["id"]] = {"candidates": ids, "places": level["posts"]}
    n = len(mains) + 1
    name = stored["title"] or round_id
    title = core.ballot_title(data.get("title"), lambda: _("%(round)s: standing committee vote", round=name)
                              if n == 1 else _("%(round)s: standing committee vote (vote %(n)s)", round=name, n=n))
    poll = core.add_stage_poll(db, rules, actor, round_id=round_id, stage=STAGE, rec_id=rec["id"], role=MAIN,
                               meeting=meeting, title=title, kind="standing_committee", contests=contests,
                               basis={"levels": basis}, reason=reason)
    return {"poll": poll, "vote": view(db, rules, round_id)}


def generate_runoff(db: Database, rules: Rules, actor: str, round_id: str, body: object) -> dict:
    """A committee runoff among those concerned (tied at the cut, or not passing) for the places left."""
    data = core.body_keys(body or {}, ("meeting", "title"))
    stored = rounds.get(db, round_id)
    rec = core.editable(db, round_id, STAGE)
    summaries = _summaries(db, rules, rec)
    if not summaries:
        raise core.state_refusal(_("generate the standing committee's poll first"))
    _require_closed(summaries)
    return _runoff(db, rules, actor, stored, rec, summaries, _progress(stored, summaries), data, stage=STAGE,
                   role=RUNOFF, kind="standing_committee", main_role=MAIN, view_fn=view)


def view(db: Database, rules: Rules, round_id: str, source: sqlite3.Connection | Database | None = None) -> dict:
    src = source or db
    stored = rounds.get(src, round_id)
    rec = core.shown(src, round_id, STAGE)
    summaries = _summaries(db, rules, rec, src)
    prog = _progress(stored, summaries)
    slate = final_slate(src, round_id)
    names = core.names_of(stored)
    levels = []
    for level in stored["levels"]:
        lid = level["id"]
        levels.append({"id": lid, "name": rounds.level_name(level), "posts": level["posts"],
                       "final_slate": [{"id": cid, "name": names[cid]["name"], "unit": names[cid]["unit"]}
                                       for cid in slate.get(lid, [])],
                       "progress": _progress_json(prog[lid])})
    statuses = {p.status for p in prog.values()}
    if rec is None:
        nxt = "start"
    elif rec["state"] == "complete":
        nxt = "done"
    elif not summaries or ("needs_vote" in statuses and "waiting" not in statuses):
        nxt = "committee"
    elif "waiting" in statuses:
        nxt = "vote"
    elif "runoff" in statuses:
        nxt = "runoff"
    else:
        nxt = "complete"
    return {"round": round_id, "stage": STAGE, "record": core.public_record(rec),
            "state": rec["state"] if rec else "not_started", "levels": levels, "polls": summaries, "next": nxt,
            "outcome": rec["outcome"] if rec and rec["state"] == "complete" else None}


def decision(db: Database, rules: Rules, round_id: str) -> dict:
    """The round's decision per level: everyone chosen across the committee's vote and its runoffs.

    ``final`` is true once the vote stage is complete; before that the figures are provisional.
    """
    whole = view(db, rules, round_id)
    stored = rounds.get(db, round_id)
    names = core.names_of(stored)
    outcome = whole["outcome"]
    levels = []
    for level in whole["levels"]:
        chosen = outcome["decision"][level["id"]] if outcome else level["progress"]["chosen"]
        levels.append({"id": level["id"], "name": level["name"], "posts": level["posts"],
                       "chosen": [{"id": cid, "name": names[cid]["name"], "unit": names[cid]["unit"]}
                                  for cid in chosen],
                       "status": level["progress"]["status"],
                       "unfilled": (outcome["unfilled"].get(level["id"], 0) if outcome
                                    else level["progress"]["unfilled"])})
    return {"round": round_id, "title": stored["title"], "final": outcome is not None, "levels": levels,
            "polls": [{"poll": s["poll"], "role": s["role"], "title": s["title"], "state": s["state"],
                       "certified": s["certified"]} for s in whole["polls"]],
            "completed_by": whole["record"]["completed_by"] if outcome else None,
            "completed_at": whole["record"]["completed_at"] if outcome else None}


def outcome(conn: sqlite3.Connection, db: Database, rules: Rules, round_id: str, rec: dict, *,
            leave_unfilled: bool) -> dict:
    stored = rounds.get(conn, round_id)
    summaries = _summaries(db, rules, rec, conn)
    if not any(s["role"] == MAIN for s in summaries):
        raise core.state_refusal(_("generate and hold the standing committee's poll first"))
    prog = _progress(stored, summaries)
    unfilled = settle(prog, leave_unfilled=leave_unfilled, what=_("the standing committee's vote"))
    return {"decision": {lid: list(p.chosen) for lid, p in prog.items()}, "unfilled": unfilled,
            "polls": [s["poll"] for s in summaries]}
