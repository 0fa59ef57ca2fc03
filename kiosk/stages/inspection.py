"""Competitive inspection (差额考察): the inspection team's record of each inspection candidate.

Per candidate: the notice (考察预告) date, the democratic assessment (民主测评; notes, and optionally
a tablet poll of kind ``survey`` or ``character`` about that candidate), the number of individual
talks (个别谈话), verification (调查核实), the overall judgement (综合评价) and the five looks and
comparisons (五看五比) graded good / fair / weak with notes. An assessment poll belongs to the
stage: it does not name the round, so it feeds no part of the score sheet.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kiosk.domain import meetings, round_input, rounds
from kiosk.errors import Refusal
from kiosk.stages import core
from kiosk.store import eventlog
from kiosk.store.db import Database
from tally.competitive import LOOK_GRADES, LOOKS
from tally.rules import Rules

STAGE = "inspection"
ROLE = "assessment"
ASSESSMENT_KINDS = ("survey", "character")
FIELDS = ("notice_date", "assessment", "talks", "verification", "judgement", "looks")
TEXT_LIMITS = {"assessment": 2000, "verification": 2000, "judgement": 4000}
# A notice of inspection is posted around the inspection itself: a date more than this many days
# from the day the stage was started is a slip of the keyboard (1900-01-01, 2099-12-31), not a date.
NOTICE_WINDOW_DAYS = 366


def inspection_candidates(source: sqlite3.Connection | Database, round_id: str) -> dict[str, list[str]]:
    """Per level, the candidates the completed recommendation sent to inspection ({} before)."""
    outcome = core.completed_outcome(source, round_id, "recommendation")
    return outcome["inspection_candidates"] if outcome else {}


def parse_date(value: object, field: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise round_input.invalid(field, _("must be a date written YYYY-MM-DD, e.g. 2026-03-05"))


def check_notice_date(notice_date: str | None, started_at: str) -> None:
    """Refuse a notice date far from the day the stage was started (its record's ``started_at``)."""
    if notice_date is None:
        return
    day = date.fromisoformat(started_at[:10])
    low, high = day - timedelta(days=NOTICE_WINDOW_DAYS), day + timedelta(days=NOTICE_WINDOW_DAYS)
    if not low <= date.fromisoformat(notice_date) <= high:
        raise round_input.invalid("notice_date", _("must be a date from %(low)s to %(high)s (within a year of the "
                                                   "day this stage was started)", low=low.isoformat(),
                                                   high=high.isoformat()))


def parse_record(body: object) -> dict:
    data = core.body_keys(body, FIELDS)
    record: dict = {"notice_date": parse_date(data.get("notice_date"), "notice_date")}
    for key, high in TEXT_LIMITS.items():
        record[key] = core.optional_text(data.get(key), key, high)
    talks = data.get("talks")
    if talks is not None and (isinstance(talks, bool) or not isinstance(talks, int) or not 0 <= talks <= meetings.MAX_MEMBERS):
        raise round_input.invalid("talks", _("must be the number of people talked to individually, a whole number from 0"))
    record["talks"] = talks
    looks = data.get("looks") or {}
    if not isinstance(looks, dict):
        raise round_input.invalid("looks", _("must be an object {look: {\"grade\", \"note\"}}"))
    record["looks"] = {}
    for look, value in looks.items():
        if look not in LOOKS:
            raise round_input.invalid(f"looks.{look}", _("is not one of the five looks (%(looks)s)", looks=", ".join(LOOKS)))
        if not isinstance(value, dict):
            raise round_input.invalid(f"looks.{look}", _("must be an object {\"grade\", \"note\"}"))
        for key in value:
            if key not in ("grade", "note"):
                raise round_input.invalid(f"looks.{look}.{key}", _("is not a field of a look (grade, note)"))
        grade = value.get("grade")
        if grade in (None, ""):
            grade = None
        elif grade not in LOOK_GRADES:
            raise round_input.invalid(f"looks.{look}.grade", _("must be one of %(grades)s", grades=", ".join(LOOK_GRADES)))
        note = core.optional_text(value.get("note"), f"looks.{look}.note")
        if grade or note:
            record["looks"][look] = {"grade": grade, "note": note}
    return record


def _records(source: sqlite3.Connection | Database, rec_id: str) -> dict[str, dict]:
    out = {}
    for r in core._rows(source, "SELECT * FROM stage_inspections WHERE stage_id = ?", (rec_id,)):
        item = dict(r)
        item.pop("stage_id")
        item["looks"] = json.loads(item["looks"])
        out[item["candidate_id"]] = item
    return out


def _require_candidate(source, round_id: str, candidate_id: str) -> dict:
    stored = rounds.get(source, round_id)
    cand = core.names_of(stored).get(candidate_id)
    if cand is None:
        raise Refusal(404, "not_found", detail=_l("there is no such candidate in this round"))
    pool = inspection_candidates(source, round_id)
    if candidate_id not in pool.get(cand["level"], []):
        raise core.state_refusal(_("%(name)s is not an inspection candidate of this round", name=cand["name"]),
                                 candidate=candidate_id)
    return cand


def put_record(db: Database, rules: Rules, actor: str, round_id: str, candidate_id: str, body: object) -> dict:
    """Store (replace) one candidate's inspection record."""
    record = parse_record(body)
    with db.write() as conn:
        rec = core.editable(conn, round_id, STAGE)
        _require_candidate(conn, round_id, candidate_id)
        check_notice_date(record["notice_date"], rec["started_at"])
        conn.execute(
            "INSERT INTO stage_inspections (stage_id, candidate_id, notice_date, assessment, talks, verification,"
            " judgement, looks, entered_by, entered_at) VALUES (?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT (stage_id, candidate_id) DO UPDATE SET notice_date = excluded.notice_date,"
            " assessment = excluded.assessment, talks = excluded.talks, verification = excluded.verification,"
            " judgement = excluded.judgement, looks = excluded.looks, entered_by = excluded.entered_by,"
            " entered_at = excluded.entered_at",
            (rec["id"], candidate_id, record["notice_date"], record["assessment"], record["talks"],
             record["verification"], record["judgement"], json.dumps(record["looks"], ensure_ascii=False),
             actor, eventlog.now()))
        # The figures and grades, not the remarks: notes may say things about a person.
        eventlog.append(conn, actor, "stage.inspection_recorded", {
            "round": round_id, "record": rec["id"], "candidate": candidate_id,
            "notice_date": record["notice_date"], "talks": record["talks"],
            "grades": {look: v["grade"] for look, v in record["looks"].items()}})
    return candidate_view(db, rules, round_id, candidate_id)


def generate_assessment(db: Database, rules: Rules, actor: str, round_id: str, candidate_id: str,
                        body: object) -> dict:
    """A democratic-assessment poll about one inspection candidate: ``kind`` survey or character."""
    data = core.body_keys(body, ("kind", "meeting", "title"))
    kind = data.get("kind")
    if kind not in ASSESSMENT_KINDS:
        raise round_input.invalid("kind", _("must be survey or character"))
    rec = core.editable(db, round_id, STAGE)
    cand = _require_candidate(db, round_id, candidate_id)
    for link in core.stage_polls(db, rec["id"], (ROLE,)):
        if link["candidate_id"] == candidate_id and db.one("SELECT kind FROM polls WHERE id = ?",
                                                           (link["poll_id"],))["kind"] == kind:
            raise Refusal(409, "conflict", detail=_("%(name)s already has a %(kind)s assessment poll in this stage",
                                                    name=cand["name"], kind=kind), poll=link["poll_id"])
    meeting = core.resolve_meeting(db, actor, data.get("meeting"))
    stored = rounds.get(db, round_id)
    title = core.ballot_title(data.get("title"), lambda: _(
        "%(round)s: democratic assessment of %(name)s", round=stored["title"] or round_id, name=cand["name"]))
    contests = [{"id": "assessment", "title": cand["name"], "max_choices": 1, "places": 1,
                 "candidates": [{"id": candidate_id, "name": cand["name"]}]}]
    poll = core.add_stage_poll(db, rules, actor, round_id=round_id, stage=STAGE, rec_id=rec["id"], role=ROLE,
                               meeting=meeting, title=title, kind=kind, contests=contests,
                               basis={"candidate": candidate_id}, candidate_id=candidate_id, feeds_round=False)
    return {"poll": poll, "candidate": candidate_view(db, rules, round_id, candidate_id)}


# --- reading ---------------------------------------------------------------------------------------------

def missing_of(record: dict | None, polls_closed: bool) -> list[str]:
    """What a candidate's record still lacks before the stage can be completed."""
    if record is None:
        return ["notice_date", "assessment", "talks", "verification", "judgement", *(f"looks.{k}" for k in LOOKS)]
    missing = [key for key in ("notice_date", "talks", "verification", "judgement") if record.get(key) is None]
    if record.get("assessment") is None and not polls_closed:
        missing.insert(1, "assessment")
    missing += [f"looks.{k}" for k in LOOKS if not (record["looks"].get(k) or {}).get("grade")]
    return missing


def _assessments(db: Database, rules: Rules, rec: dict | None, source=None) -> list[dict]:
    if rec is None:
        return []
    return [core.poll_summary(db, rules, link) for link in core.stage_polls(source or db, rec["id"], (ROLE,))]


def _row(summary: dict) -> dict:
    """An assessment poll's figures of its one candidate."""
    cand = summary["contests"][0]["candidates"][0]
    keys = ("raters", "score", "veto", "complete", "respondents", "satisfied", "basically_satisfied",
            "dissatisfied", "satisfaction", "passes")
    return {k: cand[k] for k in keys if k in cand}


def view(db: Database, rules: Rules, round_id: str, source: sqlite3.Connection | Database | None = None) -> dict:
    src = source or db
    stored = rounds.get(src, round_id)
    rec = core.shown(src, round_id, STAGE)
    pool = inspection_candidates(src, round_id)
    records = _records(src, rec["id"]) if rec else {}
    assessments = _assessments(db, rules, rec, src)
    names = core.names_of(stored)
    levels = []
    for level in stored["levels"]:
        rows = []
        for cid in pool.get(level["id"], []):
            mine = [dict(a, figures=_row(a)) for a in assessments if a["candidate"] == cid]
            closed = any(a["state"] == "closed" for a in mine)
            record = records.get(cid)
            rows.append({"id": cid, "name": names[cid]["name"], "unit": names[cid]["unit"], "record": record,
                         "assessment_polls": mine, "missing": missing_of(record, closed)})
        levels.append({"id": level["id"], "name": rounds.level_name(level), "posts": level["posts"],
                       "candidates": rows})
    return {"round": round_id, "stage": STAGE, "record": core.public_record(rec),
            "state": rec["state"] if rec else "not_started", "levels": levels,
            "talks": sum((r or {}).get("talks") or 0 for r in records.values()),
            "outcome": rec["outcome"] if rec and rec["state"] == "complete" else None}


def candidate_view(db: Database, rules: Rules, round_id: str, candidate_id: str) -> dict:
    whole = view(db, rules, round_id)
    for level in whole["levels"]:
        for row in level["candidates"]:
            if row["id"] == candidate_id:
                return {**row, "level": level["id"], "level_name": level["name"], "state": whole["state"]}
    stored = rounds.get(db, round_id)
    if candidate_id not in core.names_of(stored):
        raise Refusal(404, "not_found", detail=_l("there is no such candidate in this round"))
    raise core.state_refusal(_("%(name)s is not an inspection candidate of this round",
                               name=core.names_of(stored)[candidate_id]["name"]), candidate=candidate_id)


def outcome(conn: sqlite3.Connection, db: Database, rules: Rules, round_id: str, rec: dict, *,
            leave_unfilled: bool) -> dict:
    whole = view(db, rules, round_id, conn)
    rows = [row for level in whole["levels"] for row in level["candidates"]]
    # A poll's result would change under the completed record: it is held (or set aside) first.
    pending = [a for row in rows for a in row["assessment_polls"] if a["state"] != "closed"]
    if pending:
        raise core.state_refusal(_("the assessment poll “%(title)s” is not closed; hold and close it first (a poll "
                                   "that will not be held can be opened and closed without ballots)",
                                   title=pending[0]["title"]), poll=pending[0]["poll"])
    missing = {row["id"]: row["missing"] for row in rows if row["missing"]}
    if missing:
        names = ", ".join(row["name"] for row in rows if row["id"] in missing)
        raise core.state_refusal(_("the inspection records are not complete for: %(names)s (notice date, "
                                   "democratic assessment, talks, verification, overall judgement and the five "
                                   "looks graded)", names=names), missing=missing)
    return {
        "candidates": {level["id"]: [row["id"] for row in level["candidates"]] for level in whole["levels"]},
        "talks": whole["talks"],
        "assessment_polls": [a["poll"] for row in rows for a in row["assessment_polls"]],
    }
