"""Competitive vote (差额票决): the standing committee's secret ballot on the final slate.

One contest per level, places = the level's posts. Tally counts it (kind ``standing_committee``):
void below the quorum of the recorded attendance; a candidate passes only with agreeing votes from
more than half of the members who should attend; the best passing take the places; a tie for the
last place, or too few passing, names a runoff, which is a new poll among those concerned for
the places that remain. Each poll is closed with a signed result certificate. The round's
decision per level is everyone chosen across the vote and its runoffs. The polls are generated
by the one generator the recommendation stage uses too (kiosk.stages.voting).
"""

from __future__ import annotations

import sqlite3

from flask_babel import gettext as _

from kiosk.domain import meetings, rounds
from kiosk.stages import core
from kiosk.stages.voting import Contest, LevelVote, progress_json, settle
from kiosk.store.db import Database
from tally.competitive import LevelProgress
from tally.rules import Rules

STAGE = "vote"
MAIN, RUNOFF = "committee", "committee_runoff"
COMMITTEE = LevelVote(stage=STAGE, main=MAIN, runoff=RUNOFF, kind="standing_committee", step="committee")


def final_slate(source: sqlite3.Connection | Database, round_id: str) -> dict[str, list[str]]:
    outcome = core.completed_outcome(source, round_id, "deliberation")
    return outcome["final_slate"] if outcome else {}


def _targets(stored: dict) -> dict[str, int]:
    return {lv["id"]: lv["posts"] for lv in stored["levels"]}


def _progress(stored: dict, summaries: list[dict]) -> dict[str, LevelProgress]:
    return COMMITTEE.progress(_targets(stored), summaries)


def generate_committee(db: Database, rules: Rules, actor: str, round_id: str, body: object) -> dict:
    """The standing committee's poll from the final slate.

    ``body``: ``meeting`` (an id, or {"title", "expected", "present"}), ``present`` (the attendance
    to record now, if the meeting has none yet), ``title``, ``revote_reason`` (to hold a valid vote
    again whole). The quorum is measured against the recorded attendance, so it must be recorded.
    """
    data, stored, rec, summaries = COMMITTEE.begin(db, rules, round_id, body,
                                                   ("meeting", "present", "title", "revote_reason"))
    reason = COMMITTEE.revote_reason(data, summaries, lambda: _(
        "the standing committee has voted; to hold its vote again whole, give revote_reason (a runoff is "
        "generated with .../vote/runoff)"))
    slate = final_slate(db, round_id)
    given = data.get("meeting")
    recorded = (isinstance(given, dict) and given.get("present") is not None) or data.get("present") is not None
    if not recorded and (not isinstance(given, str) or core.meeting_present(db, given) is None):
        raise core.state_refusal(_("record the attendance (实到) of the standing committee's meeting first: the "
                                   "quorum is measured against it"), field="present")
    meeting = core.resolve_meeting(db, actor, given)
    if data.get("present") is not None:
        meetings.set_attendance(db, actor, meeting, data["present"])
    rows = []
    for level in stored["levels"]:
        ids = slate.get(level["id"], [])
        rows.append(Contest(level, ids, len(ids), level["posts"], {"candidates": ids, "places": level["posts"]}))
    poll = COMMITTEE.hold(db, rules, actor, stored, rec, summaries, rows=rows, meeting=meeting,
                          given_title=data.get("title"), reason=reason, title=lambda name, n: _(
                              "%(round)s: standing committee vote", round=name) if n == 1 else _(
                              "%(round)s: standing committee vote (vote %(n)s)", round=name, n=n))
    return {"poll": poll, "vote": view(db, rules, round_id)}


def generate_runoff(db: Database, rules: Rules, actor: str, round_id: str, body: object) -> dict:
    """A committee runoff among those concerned (tied at the cut, or not passing) for the places left."""
    return COMMITTEE.generate_runoff(
        db, rules, actor, round_id, body, first=lambda: _("generate the standing committee's poll first"),
        targets=lambda stored, summaries: _targets(stored), view=view)


def view(db: Database, rules: Rules, round_id: str, source: sqlite3.Connection | Database | None = None) -> dict:
    src = source or db
    stored = rounds.get(src, round_id)
    rec = core.shown(src, round_id, STAGE)
    summaries = COMMITTEE.summaries(db, rules, rec, src)
    prog = _progress(stored, summaries)
    slate = final_slate(src, round_id)
    names = core.names_of(stored)
    levels = []
    for level in stored["levels"]:
        lid = level["id"]
        levels.append({"id": lid, "name": rounds.level_name(level), "posts": level["posts"],
                       "final_slate": [{"id": cid, "name": names[cid]["name"], "unit": names[cid]["unit"]}
                                       for cid in slate.get(lid, [])],
                       "progress": progress_json(prog[lid])})
    nxt = COMMITTEE.next_step(rec, summaries, prog)
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
    summaries = COMMITTEE.summaries(db, rules, rec, conn)
    if not COMMITTEE.mains(summaries):
        raise core.state_refusal(_("generate and hold the standing committee's poll first"))
    prog = _progress(stored, summaries)
    unfilled = settle(prog, leave_unfilled=leave_unfilled, what=_("the standing committee's vote"),
                      names={lv["id"]: rounds.level_name(lv) for lv in stored["levels"]})
    return {"decision": {lid: list(p.chosen) for lid, p in prog.items()}, "unfilled": unfilled,
            "polls": [s["poll"] for s in summaries]}
