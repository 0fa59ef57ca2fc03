"""Competitive recommendation (差额推荐): units' nominations, the initial list at 1:3 from the score
sheet, the plenary session's secret ballot at 1:1.5 and its runoffs; the result is the list of
inspection candidates per level.

The initial list is the score sheet's shortlist (``tally.score``: the top ceil(posts × initial
ratio) eligible candidates, everyone tied at the cut included and flagged). The plenary poll has
one contest per level whose places and maximum choices are ceil(posts × plenary ratio)
(``tally.ratios.plenary_places``); tally counts it, and a tie across the cut goes to a runoff among
the tied for the places that remain, as many times as it takes. Each poll is kept and shown.
"""

from __future__ import annotations

import json
import secrets
import sqlite3

from flask_babel import gettext as _

from tally.ratios import initial_places, plenary_places
from tally.rules import Rules

from . import eventlog, round_doc, rounds
from . import stages as core
from .db import Database
from .errors import Refusal
from .stages_rules import LevelProgress, progress

STAGE = "recommendation"
MAIN, RUNOFF = "plenary", "plenary_runoff"
MAX_NOMINATIONS = 500


# --- nominations --------------------------------------------------------------------------------------

def _nominations(source: sqlite3.Connection | Database, rec_id: str) -> list[dict]:
    rows = core._rows(source, "SELECT * FROM stage_nominations WHERE stage_id = ? ORDER BY position", (rec_id,))
    out = []
    for r in rows:
        item = dict(r)
        item.pop("stage_id")
        item["candidates"] = json.loads(item["candidates"])
        out.append(item)
    return out


def parse_nominations(raw: object, stored: dict) -> list[dict]:
    levels = set(core.level_ids(stored))
    by_id = core.names_of(stored)
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_NOMINATIONS:
        raise rounds.invalid("nominations", _("must be a list of 1 to %(n)s nominations {\"unit\", \"level\", "
                                              "\"participants\", \"candidates\"}", n=MAX_NOMINATIONS))
    out = []
    for index, item in enumerate(raw):
        field = f"nominations[{index}]"
        if not isinstance(item, dict):
            raise rounds.invalid(field, _("must be an object {\"unit\", \"level\", \"participants\"}"))
        for key in item:
            if key not in ("unit", "level", "participants", "candidates", "note"):
                raise rounds.invalid(f"{field}.{key}", _("is not a field of a nomination (unit, level, "
                                                          "participants, candidates, note)"))
        unit = item.get("unit")
        if not isinstance(unit, str) or not 1 <= len(unit.strip()) <= 200:
            raise rounds.invalid(f"{field}.unit", _("must name the nominating unit (1 to 200 characters)"))
        level = item.get("level")
        if level not in levels:
            raise rounds.invalid(f"{field}.level", _("must be one of the round's levels: %(levels)s",
                                                     levels=", ".join(core.level_ids(stored))))
        participants = item.get("participants")
        if isinstance(participants, bool) or not isinstance(participants, int) or not 0 <= participants <= 100000:
            raise rounds.invalid(f"{field}.participants", _("must be the number of people who took part in the "
                                                            "unit's initial nomination, a whole number from 0"))
        candidates = item.get("candidates", [])
        if not isinstance(candidates, list) or not all(isinstance(c, str) for c in candidates):
            raise rounds.invalid(f"{field}.candidates", _("must be a list of candidate ids"))
        for cid in candidates:
            if cid not in by_id or by_id[cid]["level"] != level:
                raise rounds.invalid(f"{field}.candidates", _("%(id)s is not a candidate of this level",
                                                              id=cid))
        if len(set(candidates)) != len(candidates):
            raise rounds.invalid(f"{field}.candidates", _("names a candidate twice"))
        note = core.optional_text(item.get("note"), f"{field}.note")
        out.append({"unit": unit.strip(), "level": level, "participants": participants,
                    "candidates": candidates, "note": note})
    return out


def add_nominations(db: Database, actor: str, round_id: str, body: object) -> dict:
    data = core.body_keys(body, ("nominations",))
    stored = rounds.get(db, round_id)
    items = parse_nominations(data.get("nominations"), stored)
    at = eventlog.now()
    with db.write() as conn:
        rec = core.editable(conn, round_id, STAGE)
        start = conn.execute("SELECT coalesce(max(position) + 1, 0) FROM stage_nominations WHERE stage_id = ?",
                             (rec["id"],)).fetchone()[0]
        ids = []
        for i, item in enumerate(items):
            nid = secrets.token_hex(4)
            ids.append(nid)
            conn.execute("INSERT INTO stage_nominations (stage_id, id, position, level, unit, participants,"
                         " candidates, note, entered_by, entered_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                         (rec["id"], nid, start + i, item["level"], item["unit"], item["participants"],
                          json.dumps(item["candidates"]), item["note"], actor, at))
        eventlog.append(conn, actor, "stage.nominations_added", {
            "round": round_id, "record": rec["id"], "ids": ids,
            "nominations": [{k: item[k] for k in ("unit", "level", "participants", "candidates")} for item in items]})
    return view(db, current_rules(), round_id)


def delete_nomination(db: Database, actor: str, round_id: str, nomination_id: str) -> dict:
    with db.write() as conn:
        rec = core.editable(conn, round_id, STAGE)
        row = conn.execute("SELECT unit, level, participants FROM stage_nominations WHERE stage_id = ? AND id = ?",
                           (rec["id"], nomination_id)).fetchone()
        if row is None:
            raise Refusal(404, "not_found", detail=f"no nomination {nomination_id!r} in this stage")
        conn.execute("DELETE FROM stage_nominations WHERE stage_id = ? AND id = ?", (rec["id"], nomination_id))
        eventlog.append(conn, actor, "stage.nomination_removed", {"round": round_id, "record": rec["id"],
                                                                 "id": nomination_id, **dict(row)})
    return view(db, current_rules(), round_id)


def current_rules() -> Rules:
    from flask import current_app
    return current_app.config["RULES"]


# --- the initial list ------------------------------------------------------------------------------------

def initial_list(db: Database, rules: Rules, stored: dict) -> dict[str, dict]:
    """Per level, from the score sheet as it stands: the shortlist (ids in rank order), the ties at
    the cut, and a row per shortlisted candidate with total and rank."""
    built = round_doc.build(db, rules, stored["id"])
    sheet = round_doc.score(built, rules)
    by_id = {c["id"]: c for c in sheet["candidates"]}
    names = core.names_of(stored)
    out = {}
    for level in stored["levels"]:
        ids = sheet["shortlist"].get(level["id"], [])
        tied = sheet["ties_at_cut"].get(level["id"], [])
        out[level["id"]] = {
            "candidates": ids, "tied": tied, "initial_places": initial_places(level["posts"], rules),
            "rows": [{"id": cid, "name": names[cid]["name"], "unit": names[cid]["unit"],
                      "total": by_id[cid]["total"], "rank": by_id[cid]["rank"], "tied": cid in tied}
                     for cid in ids],
        }
    return out


# --- reading the stage ------------------------------------------------------------------------------------

def _summaries(db: Database, rules: Rules, rec: dict | None, source: sqlite3.Connection | Database | None = None) -> list[dict]:
    if rec is None:
        return []
    return [core.poll_summary(db, rules, link) for link in core.stage_polls(source or db, rec["id"], (MAIN, RUNOFF))]


def _targets(stored: dict, summaries: list[dict], rules: Rules, initial: dict | None) -> dict[str, int]:
    """Places per level: those of the latest plenary vote, or those one would have now."""
    mains = [s for s in summaries if s["role"] == MAIN]
    if mains:
        return {lv: spec["places"] for lv, spec in mains[-1]["basis"]["levels"].items()}
    out = {}
    for level in stored["levels"]:
        pool = len((initial or {}).get(level["id"], {}).get("candidates", []))
        out[level["id"]] = min(plenary_places(level["posts"], rules), pool) if initial else plenary_places(level["posts"], rules)
    return out


def _progress_json(p: LevelProgress) -> dict:
    return {"target": p.target, "status": p.status, "chosen": list(p.chosen), "runoff": list(p.runoff),
            "remaining": p.remaining, "unfilled": p.unfilled, "waiting": list(p.waiting), "void": list(p.void)}


def view(db: Database, rules: Rules, round_id: str) -> dict:
    """Everything the stage's page and ``GET .../recommendation`` show."""
    stored = rounds.get(db, round_id)
    rec = core.shown(db, round_id, STAGE)
    nominations = _nominations(db, rec["id"]) if rec else []
    summaries = _summaries(db, rules, rec)
    mains = [s for s in summaries if s["role"] == MAIN]
    live_initial = None
    initial_error = None
    if rec is not None and rec["state"] == "complete":
        initial = rec["outcome"]["initial_list"]
        source = "outcome"
    elif mains:
        initial = mains[-1]["basis"]["levels"]
        source = "plenary_poll"
    else:
        try:
            live_initial = initial_list(db, rules, stored)
        except Refusal as refusal:
            initial_error = refusal.message
        initial = live_initial or {}
        source = "score_sheet"
    targets = _targets(stored, summaries, rules, initial)
    prog = progress(targets, core.steps_of(summaries, MAIN))
    levels = []
    for level in stored["levels"]:
        lid = level["id"]
        mine = [n for n in nominations if n["level"] == lid]
        levels.append({
            "id": lid, "name": rounds.level_name(level), "posts": level["posts"],
            "initial_places": initial_places(level["posts"], rules),
            "plenary_places": plenary_places(level["posts"], rules),
            "nominations": len(mine), "participants": sum(n["participants"] for n in mine),
            "initial_list": initial.get(lid), "progress": _progress_json(prog[lid]),
        })
    outcome = rec["outcome"] if rec and rec["state"] == "complete" else None
    return {
        "round": round_id, "stage": STAGE, "record": core.public_record(rec),
        "state": rec["state"] if rec else "not_started",
        "nominations": nominations, "participants": sum(n["participants"] for n in nominations),
        "initial_list_source": source, "initial_list_error": initial_error,
        "levels": levels, "polls": summaries,
        "next": _next_step(rec, nominations, stored, summaries, prog),
        "inspection_candidates": outcome["inspection_candidates"] if outcome else None,
        "outcome": outcome,
    }


def _next_step(rec, nominations, stored, summaries, prog: dict[str, LevelProgress]) -> str:
    """What the administrator does next: start, nominate, plenary, vote, runoff, complete or done."""
    if rec is None:
        return "start"
    if rec["state"] == "complete":
        return "done"
    if any(not any(n["level"] == lv["id"] for n in nominations) for lv in stored["levels"]):
        return "nominate"
    statuses = {p.status for p in prog.values()}
    if not summaries or "needs_vote" in statuses and "waiting" not in statuses:
        return "plenary"
    if "waiting" in statuses:
        return "vote"
    if "runoff" in statuses:
        return "runoff"
    return "complete"


# --- generating the plenary poll and its runoffs -------------------------------------------------------

def _require_closed(summaries: list[dict]) -> None:
    pending = [s for s in summaries if s["state"] != "closed"]
    if pending:
        raise core.state_refusal(_("the poll “%(title)s” is not closed yet; vote and close it first",
                                   title=pending[0]["title"]), poll=pending[0]["poll"])


def generate_plenary(db: Database, rules: Rules, actor: str, round_id: str, body: object) -> dict:
    """The plenary session's poll (kind ``plenary_recommendation``) from the initial list.

    ``body``: ``meeting`` (an id, or {"title", "expected", "present"?}), ``title`` (optional),
    ``revote_reason`` (needed only to hold a vote again whole after a valid one).
    """
    data = core.body_keys(body, ("meeting", "title", "revote_reason"))
    stored = rounds.get(db, round_id)
    rec = core.editable(db, round_id, STAGE)
    summaries = _summaries(db, rules, rec)
    _require_closed(summaries)
    reason = core.optional_text(data.get("revote_reason"), "revote_reason")
    mains = [s for s in summaries if s["role"] == MAIN]
    if mains and mains[-1]["quorum_met"] and not reason:
        raise core.state_refusal(_("the plenary session has voted; to hold its vote again whole, give "
                                   "revote_reason (a runoff is generated with .../recommendation/runoff)"))
    nominated = {n["level"] for n in _nominations(db, rec["id"])}
    missing = [rounds.level_name(lv) for lv in stored["levels"] if lv["id"] not in nominated]
    if missing:
        raise core.state_refusal(_("record the units' nominations of every level first; none yet for: %(levels)s",
                                   levels=", ".join(missing)), field="nominations")
    initial = initial_list(db, rules, stored)
    empty = [rounds.level_name(lv) for lv in stored["levels"] if not initial[lv["id"]]["candidates"]]
    if empty:
        raise core.state_refusal(_("no eligible candidate on the score sheet for: %(levels)s; complete their "
                                   "figures first", levels=", ".join(empty)))
    names = core.names_of(stored)
    contests, basis = [], {}
    for level in stored["levels"]:
        lid = level["id"]
        ids = initial[lid]["candidates"]
        places = min(plenary_places(level["posts"], rules), len(ids))
        contests.append({"id": lid, "title": rounds.level_name(level), "max_choices": places, "places": places,
                         "candidates": [{"id": cid, "name": names[cid]["name"]} for cid in ids]})
        basis[lid] = {**initial[lid], "places": places, "plenary_places": plenary_places(level["posts"], rules)}
    meeting = core.resolve_meeting(db, actor, data.get("meeting"))
    name = stored["title"] or round_id
    title = core.ballot_title(data.get("title"), lambda: _("%(round)s: plenary recommendation", round=name)
                              if not mains else _("%(round)s: plenary recommendation (vote %(n)s)", round=name,
                                                  n=len(mains) + 1))
    poll = core.add_stage_poll(db, rules, actor, round_id=round_id, stage=STAGE, rec_id=rec["id"], role=MAIN,
                               meeting=meeting, title=title, kind="plenary_recommendation", contests=contests,
                               basis={"levels": basis}, reason=reason)
    return {"poll": poll, "recommendation": view(db, rules, round_id)}


def generate_runoff(db: Database, rules: Rules, actor: str, round_id: str, body: object) -> dict:
    """A plenary runoff among the tied of each level whose cut fell in a tie, for the places left."""
    data = core.body_keys(body or {}, ("meeting", "title"))
    stored = rounds.get(db, round_id)
    rec = core.editable(db, round_id, STAGE)
    summaries = _summaries(db, rules, rec)
    if not summaries:
        raise core.state_refusal(_("generate the plenary poll first"))
    _require_closed(summaries)
    prog = progress(_targets(stored, summaries, rules, None), core.steps_of(summaries, MAIN))
    return _runoff(db, rules, actor, stored, rec, summaries, prog, data, stage=STAGE, role=RUNOFF,
                   kind="plenary_recommendation", main_role=MAIN, view_fn=view)


def _runoff(db, rules, actor, stored, rec, summaries, prog, data, *, stage, role, kind, main_role, view_fn):
    """A runoff poll (shared with the vote stage): one contest per level with a runoff pending,
    among those concerned, for the places that remain."""
    pending = [p for p in prog.values() if p.status == "runoff"]
    if not pending:
        if any(p.status == "needs_vote" for p in prog.values()):
            raise core.state_refusal(_("the last vote was void (no quorum): hold it again whole, not a runoff"))
        raise core.state_refusal(_("no level needs a runoff"))
    names = core.names_of(stored)
    levels = {lv["id"]: lv for lv in stored["levels"]}
    contests, basis = [], {}
    for p in pending:
        contests.append({"id": p.level, "title": rounds.level_name(levels[p.level]), "max_choices": p.remaining,
                         "places": p.remaining, "candidates": [{"id": cid, "name": names[cid]["name"]}
                                                                for cid in p.runoff]})
        basis[p.level] = {"candidates": list(p.runoff), "places": p.remaining, "chosen_before": list(p.chosen)}
    meeting = data.get("meeting") or summaries[-1]["meeting"]["id"]
    meeting = core.resolve_meeting(db, actor, meeting)
    runoffs = sum(1 for s in summaries if s["role"] == role) + 1
    title = core.ballot_title(data.get("title"), lambda: _(
        "%(round)s: %(stage)s, runoff %(n)s", round=stored["title"] or stored["id"], stage=core.stage_label(stage),
        n=runoffs))
    poll = core.add_stage_poll(db, rules, actor, round_id=stored["id"], stage=stage, rec_id=rec["id"], role=role,
                               meeting=meeting, title=title, kind=kind, contests=contests, basis={"levels": basis})
    return {"poll": poll, stage: view_fn(db, rules, stored["id"])}


# --- completing ----------------------------------------------------------------------------------------------

def settle(prog: dict[str, LevelProgress], *, leave_unfilled: bool, what: str) -> dict[str, int]:
    """Refuse to complete while a level's vote is not settled; return the unfilled places."""
    waiting = [p.level for p in prog.values() if p.status == "waiting"]
    if waiting:
        raise core.state_refusal(_("a poll is not closed yet (levels: %(levels)s); vote and close it first",
                                   levels=", ".join(waiting)), levels=waiting)
    needs = [p.level for p in prog.values() if p.status == "needs_vote"]
    if needs:
        raise core.state_refusal(_("%(what)s has not been held validly for: %(levels)s", what=what,
                                   levels=", ".join(needs)), levels=needs)
    runoff = [p.level for p in prog.values() if p.status == "runoff"]
    unfilled = {p.level: p.remaining for p in prog.values() if p.remaining and (p.status == "settled" or p.runoff)}
    if runoff and not leave_unfilled:
        raise core.state_refusal(_("a runoff is needed for: %(levels)s; generate and hold it, or complete with "
                                   "leave_unfilled and a note to leave those places empty",
                                   levels=", ".join(runoff)), levels=runoff)
    if unfilled and not leave_unfilled:
        raise core.state_refusal(_("places are left unfilled (%(levels)s); complete with leave_unfilled and a "
                                   "note to accept that", levels=", ".join(f"{k}: {v}" for k, v in unfilled.items())),
                                 unfilled=unfilled)
    return unfilled


def outcome(conn: sqlite3.Connection, db: Database, rules: Rules, round_id: str, rec: dict, *,
            leave_unfilled: bool) -> dict:
    stored = rounds.get(conn, round_id)
    nominations = _nominations(conn, rec["id"])
    missing = [lv["id"] for lv in stored["levels"] if not any(n["level"] == lv["id"] for n in nominations)]
    if missing:
        raise core.state_refusal(_("record the units' nominations of every level first; none yet for: %(levels)s",
                                   levels=", ".join(missing)), levels=missing)
    summaries = _summaries(db, rules, rec, conn)
    mains = [s for s in summaries if s["role"] == MAIN]
    if not mains:
        raise core.state_refusal(_("generate and hold the plenary poll first"))
    prog = progress(_targets(stored, summaries, rules, None), core.steps_of(summaries, MAIN))
    unfilled = settle(prog, leave_unfilled=leave_unfilled, what=_("the plenary vote"))
    return {
        "initial_list": mains[-1]["basis"]["levels"],
        "inspection_candidates": {lid: list(p.chosen) for lid, p in prog.items()},
        "unfilled": unfilled,
        "polls": [s["poll"] for s in summaries],
        "nominations": len(nominations),
        "participants": sum(n["participants"] for n in nominations),
    }
