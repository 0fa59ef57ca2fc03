"""Competitive deliberation (差额酝酿): the department meeting (部务会) hears the inspection reports;
the secretaries' meeting (书记办公会) deliberates ceil(posts × 1.5) candidates per level and sends
posts + 1 or posts + 2 to the standing committee; for important posts the secretary consults the
mayor, deputy secretary, discipline secretary, organisation head, the leader in charge and
department heads ("5+X"). Opinions asked for in writing are recorded too (the report counts them).

Ratios and the final slate's range come from the rules file (``tally.ratios``).
"""

from __future__ import annotations

import json
import secrets
import sqlite3

from flask_babel import gettext as _

from kiosk.domain import meetings, round_input, rounds
from kiosk.stages import core
from kiosk.stages.inspection import inspection_candidates, parse_date
from kiosk.store import eventlog
from kiosk.store.db import Database
from tally.competitive import (
    CONSULTED_ROLES,
    final_slate_size,
    missing_roles,
    secretaries_slate_size,
    slate_problems,
)
from tally.display import fixed
from tally.ratios import deliberation_places
from tally.rules import Rules

STAGE = "deliberation"
MAX_ITEMS = 500
EMPTY = {"department_date": None, "department_notes": None, "secretaries_date": None, "secretaries_notes": None,
         "important_levels": [], "secretaries_slate": {}, "final_slate": {}, "entered_by": None, "entered_at": None}


def _row(source: sqlite3.Connection | Database, rec_id: str) -> dict:
    rows = core._rows(source, "SELECT * FROM stage_deliberations WHERE stage_id = ?", (rec_id,))
    if not rows:
        return dict(EMPTY)
    row = dict(rows[0])
    row.pop("stage_id")
    for key in ("important_levels", "secretaries_slate", "final_slate"):
        row[key] = json.loads(row[key])
    return row


def _list(source: sqlite3.Connection | Database, table: str, rec_id: str) -> list[dict]:
    rows = core._rows(source, f"SELECT * FROM {table} WHERE stage_id = ? ORDER BY position", (rec_id,))
    return [{k: r[k] for k in r.keys() if k not in ("stage_id", "position")} for r in rows]


# --- slates ---------------------------------------------------------------------------------------------

def _number(value) -> str:
    """3 -> "3", 3/2 -> "1.5": a rules number as people write it."""
    text = fixed(value, 2)
    return text.rstrip("0").rstrip(".") if "." in text else text


def slate_message(problems: list[str], *, exact: int | None = None, low: int = 0, high: int = 0,
                  rule: str = "") -> str:
    """One sentence for the first problem of a slate (codes of ``tally.competitive.slate_problems``)."""
    code, _sep, rest = problems[0].partition(":")
    if code == "duplicate":
        return _("names a candidate twice")
    if code == "not_in_pool":
        return _("%(ids)s may not be on it (%(rule)s)", ids=rest, rule=rule)
    got = int(rest.split(":")[0])
    if exact is not None:
        return _("must name exactly %(n)s candidates (%(rule)s), not %(got)s", n=exact, rule=rule, got=got)
    return _("must name %(low)s to %(high)s candidates (%(rule)s), not %(got)s", low=low, high=high, rule=rule,
             got=got)


def check_secretaries(level: dict, ids: list[str], pool: list[str], rules: Rules) -> str | None:
    size = secretaries_slate_size(level["posts"], len(pool), rules)
    problems = slate_problems(ids, pool, size)
    if not problems:
        return None
    places = deliberation_places(level["posts"], rules)
    rule = _("ceil(%(posts)s posts × %(ratio)s) = %(places)s from the %(pool)s inspection candidates",
             posts=level["posts"], ratio=_number(rules.ratio_deliberation), places=places, pool=len(pool))
    return slate_message(problems, exact=size, rule=rule)


def check_final(level: dict, ids: list[str], secretaries: list[str], rules: Rules) -> str | None:
    low, high = final_slate_size(level["posts"], rules)
    rule = _("%(posts)s posts + %(a)s to %(b)s, from the secretaries' slate", posts=level["posts"],
             a=rules.final_extra_min, b=rules.final_extra_max)
    if not secretaries:
        return _("set the secretaries' slate of this level first")
    if len(secretaries) < low:
        return _("the secretaries' slate has only %(n)s candidates; the standing committee needs at least %(low)s",
                 n=len(secretaries), low=low)
    problems = slate_problems(ids, secretaries, (low, high))
    return slate_message(problems, low=low, high=high, rule=rule) if problems else None


def _slate_input(value: object, field: str, levels: dict[str, dict]) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise round_input.invalid(field, _("must be an object {level: [candidate ids]}"))
    out = {}
    for lid, ids in value.items():
        if lid not in levels:
            raise round_input.invalid(f"{field}.{lid}", _("is not a level of this round"))
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise round_input.invalid(f"{field}.{lid}", _("must be a list of candidate ids"))
        out[lid] = ids
    return out


def _meeting_input(value: object, field: str) -> tuple[str | None, str | None]:
    if not isinstance(value, dict):
        raise round_input.invalid(field, _("must be an object {\"date\", \"notes\"}"))
    for key in value:
        if key not in ("date", "notes"):
            raise round_input.invalid(f"{field}.{key}", _("is not a field of a meeting's record (date, notes)"))
    return parse_date(value.get("date"), f"{field}.date"), core.optional_text(value.get("notes"), f"{field}.notes", 4000)


def put(db: Database, rules: Rules, actor: str, round_id: str, body: object) -> dict:
    """Change what is given: ``department_meeting`` / ``secretaries_meeting`` {date, notes},
    ``important_levels`` [level ids], ``secretaries_slate`` / ``final_slate`` {level: [ids]}.

    Each slate given is checked at once against the rules (400 naming ``secretaries_slate.<level>``
    or ``final_slate.<level>``); nothing is stored unless all of it fits.
    """
    data = core.body_keys(body, ("department_meeting", "secretaries_meeting", "important_levels",
                                 "secretaries_slate", "final_slate"))
    stored = rounds.get(db, round_id)
    levels = {lv["id"]: lv for lv in stored["levels"]}
    with db.write() as conn:
        rec = core.editable(conn, round_id, STAGE)
        row = _row(conn, rec["id"])
        pool = inspection_candidates(conn, round_id)
        if "department_meeting" in data:
            row["department_date"], row["department_notes"] = _meeting_input(data["department_meeting"],
                                                                              "department_meeting")
        if "secretaries_meeting" in data:
            row["secretaries_date"], row["secretaries_notes"] = _meeting_input(data["secretaries_meeting"],
                                                                                "secretaries_meeting")
        if "important_levels" in data:
            important = data["important_levels"]
            if not isinstance(important, list) or any(lid not in levels for lid in important):
                raise round_input.invalid("important_levels", _("must be a list of the round's level ids"))
            row["important_levels"] = [lid for lid in levels if lid in important]
        if "secretaries_slate" in data:
            for lid, ids in _slate_input(data["secretaries_slate"], "secretaries_slate", levels).items():
                problem = check_secretaries(levels[lid], ids, pool.get(lid, []), rules)
                if problem:
                    raise round_input.invalid(f"secretaries_slate.{lid}", problem)
                row["secretaries_slate"][lid] = ids
        if "final_slate" in data:
            for lid, ids in _slate_input(data["final_slate"], "final_slate", levels).items():
                problem = check_final(levels[lid], ids, row["secretaries_slate"].get(lid, []), rules)
                if problem:
                    raise round_input.invalid(f"final_slate.{lid}", problem)
                row["final_slate"][lid] = ids
        # A final slate must stay within the secretaries' slate it came from.
        for lid, ids in row["final_slate"].items():
            if any(cid not in row["secretaries_slate"].get(lid, []) for cid in ids):
                raise round_input.invalid(f"final_slate.{lid}", _("names candidates no longer on the secretaries' "
                                                              "slate; send the final slate of this level again"))
        conn.execute(
            "INSERT INTO stage_deliberations (stage_id, department_date, department_notes, secretaries_date,"
            " secretaries_notes, important_levels, secretaries_slate, final_slate, entered_by, entered_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (stage_id) DO UPDATE SET"
            " department_date = excluded.department_date, department_notes = excluded.department_notes,"
            " secretaries_date = excluded.secretaries_date, secretaries_notes = excluded.secretaries_notes,"
            " important_levels = excluded.important_levels, secretaries_slate = excluded.secretaries_slate,"
            " final_slate = excluded.final_slate, entered_by = excluded.entered_by, entered_at = excluded.entered_at",
            (rec["id"], row["department_date"], row["department_notes"], row["secretaries_date"],
             row["secretaries_notes"], json.dumps(row["important_levels"]), json.dumps(row["secretaries_slate"]),
             json.dumps(row["final_slate"]), actor, eventlog.now()))
        eventlog.append(conn, actor, "stage.deliberation_recorded", {
            "round": round_id, "record": rec["id"], "changed": sorted(data),
            "important_levels": row["important_levels"], "secretaries_slate": row["secretaries_slate"],
            "final_slate": row["final_slate"]})
    return view(db, rules, round_id)


# --- "5+X" consultations and written opinions ---------------------------------------------------------------

def _consultations(value: object, levels: dict[str, dict]) -> list[dict]:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise round_input.invalid("consultations", _("must be a list of at most %(n)s consultations", n=MAX_ITEMS))
    out = []
    for i, item in enumerate(value):
        field = f"consultations[{i}]"
        if not isinstance(item, dict):
            raise round_input.invalid(field, _("must be an object {\"level\", \"role\", \"name\", \"date\", \"summary\"}"))
        for key in item:
            if key not in ("id", "level", "role", "name", "date", "summary"):
                raise round_input.invalid(f"{field}.{key}", _("is not a field of a consultation (level, role, name, "
                                                          "date, summary)"))
        if item.get("level") not in levels:
            raise round_input.invalid(f"{field}.level", _("must be one of the round's levels: %(levels)s",
                                                     levels=", ".join(levels)))
        if item.get("role") not in CONSULTED_ROLES:
            raise round_input.invalid(f"{field}.role", _("must be one of %(roles)s", roles=", ".join(CONSULTED_ROLES)))
        when = parse_date(item.get("date"), f"{field}.date")
        if when is None:
            raise round_input.invalid(f"{field}.date", _("say when the opinion was given (YYYY-MM-DD)"))
        summary = core.optional_text(item.get("summary"), f"{field}.summary", 2000)
        if not summary:
            raise round_input.invalid(f"{field}.summary", _("summarise the opinion given"))
        out.append({"id": _keep_id(item.get("id")), "level": item["level"], "role": item["role"],
                    "name": core.optional_text(item.get("name"), f"{field}.name", 100), "date": when,
                    "summary": summary})
    return out


def _opinions(value: object) -> list[dict]:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise round_input.invalid("written_opinions", _("must be a list of at most %(n)s written opinions", n=MAX_ITEMS))
    out = []
    for i, item in enumerate(value):
        field = f"written_opinions[{i}]"
        if not isinstance(item, dict):
            raise round_input.invalid(field, _("must be an object {\"source\", \"people\", \"date\", \"summary\"}"))
        for key in item:
            if key not in ("id", "source", "people", "date", "summary"):
                raise round_input.invalid(f"{field}.{key}", _("is not a field of a written opinion (source, people, "
                                                          "date, summary)"))
        source = core.optional_text(item.get("source"), f"{field}.source", 200)
        if not source:
            raise round_input.invalid(f"{field}.source", _("say whose opinion was asked for in writing"))
        people = item.get("people")
        if isinstance(people, bool) or not isinstance(people, int) or not 1 <= people <= meetings.MAX_MEMBERS:
            raise round_input.invalid(f"{field}.people", _("must be the number of people who gave it, from 1"))
        when = parse_date(item.get("date"), f"{field}.date")
        if when is None:
            raise round_input.invalid(f"{field}.date", _("say when it was given (YYYY-MM-DD)"))
        out.append({"id": _keep_id(item.get("id")), "source": source, "people": people, "date": when,
                    "summary": core.optional_text(item.get("summary"), f"{field}.summary", 2000)})
    return out


def _keep_id(value: object) -> str:
    if isinstance(value, str) and 1 <= len(value) <= 16 and value.isalnum():
        return value
    return secrets.token_hex(4)


def put_consultations(db: Database, rules: Rules, actor: str, round_id: str, body: object) -> dict:
    """Replace the "5+X" consultations and/or the written opinions (each list given replaces its own)."""
    data = core.body_keys(body, ("consultations", "written_opinions"))
    if not data:
        raise round_input.invalid("consultations", _("give consultations, written_opinions or both"))
    consultations, opinions = _parsed(rounds.get(db, round_id), data)
    with db.write() as conn:
        _write_lists(conn, actor, round_id, core.editable(conn, round_id, STAGE), consultations, opinions)
    return view(db, rules, round_id)


LIST_TABLES = {"consultations": "stage_consultations", "written_opinions": "stage_written_opinions"}


def edit_list(db: Database, rules: Rules, actor: str, round_id: str, which: str, change) -> dict:
    """Change one list (``which``: consultations or written_opinions) to ``change(its entries)``.

    Read, changed and written back in one transaction, so two clerks adding at once both keep
    their entry (reading the list first and replacing it later loses one of them). Checked and
    recorded as ``put_consultations`` would the changed list.
    """
    with db.write() as conn:
        stored = rounds.get(conn, round_id)
        rec = core.current(conn, round_id, STAGE)
        consultations, opinions = _parsed(stored, {which: change(_list(conn, LIST_TABLES[which], rec["id"])
                                                                 if rec else [])})
        _write_lists(conn, actor, round_id, core.editable(conn, round_id, STAGE), consultations, opinions)
    return view(db, rules, round_id)


def _parsed(stored: dict, data: dict) -> tuple[list[dict] | None, list[dict] | None]:
    levels = {lv["id"]: lv for lv in stored["levels"]}
    consultations = _consultations(data["consultations"], levels) if "consultations" in data else None
    opinions = _opinions(data["written_opinions"]) if "written_opinions" in data else None
    return consultations, opinions


def _write_lists(conn: sqlite3.Connection, actor: str, round_id: str, rec: dict,
                 consultations: list[dict] | None, opinions: list[dict] | None) -> None:
    if consultations is not None:
        conn.execute("DELETE FROM stage_consultations WHERE stage_id = ?", (rec["id"],))
        conn.executemany("INSERT INTO stage_consultations (stage_id, id, position, level, role, name, date, summary)"
                         " VALUES (?,?,?,?,?,?,?,?)",
                         [(rec["id"], c["id"], i, c["level"], c["role"], c["name"], c["date"], c["summary"])
                          for i, c in enumerate(_unique(consultations))])
    if opinions is not None:
        conn.execute("DELETE FROM stage_written_opinions WHERE stage_id = ?", (rec["id"],))
        conn.executemany("INSERT INTO stage_written_opinions (stage_id, id, position, source, people, date, summary)"
                         " VALUES (?,?,?,?,?,?,?)",
                         [(rec["id"], o["id"], i, o["source"], o["people"], o["date"], o["summary"])
                          for i, o in enumerate(_unique(opinions))])
    eventlog.append(conn, actor, "stage.consultations_recorded", {
        "round": round_id, "record": rec["id"],
        "consultations": None if consultations is None else [
            {"level": c["level"], "role": c["role"], "date": c["date"]} for c in consultations],
        "written_opinions": None if opinions is None else [
            {"source": o["source"], "people": o["people"], "date": o["date"]} for o in opinions]})


def _unique(items: list[dict]) -> list[dict]:
    seen: set[str] = set()
    for item in items:
        while item["id"] in seen:
            item["id"] = secrets.token_hex(4)
        seen.add(item["id"])
    return items


# --- reading and completing -----------------------------------------------------------------------------------

def view(db: Database, rules: Rules, round_id: str, source: sqlite3.Connection | Database | None = None) -> dict:
    src = source or db
    stored = rounds.get(src, round_id)
    rec = core.shown(src, round_id, STAGE)
    row = _row(src, rec["id"]) if rec else dict(EMPTY)
    consultations = _list(src, "stage_consultations", rec["id"]) if rec else []
    opinions = _list(src, "stage_written_opinions", rec["id"]) if rec else []
    pool = inspection_candidates(src, round_id)
    inspection = core.completed_outcome(src, round_id, "inspection")
    names = core.names_of(stored)
    levels = []
    for level in stored["levels"]:
        lid = level["id"]
        mine = pool.get(lid, [])
        secretaries = row["secretaries_slate"].get(lid, [])
        final = row["final_slate"].get(lid, [])
        low, high = final_slate_size(level["posts"], rules)
        important = lid in row["important_levels"]
        roles = [c["role"] for c in consultations if c["level"] == lid]
        levels.append({
            "id": lid, "name": rounds.level_name(level), "posts": level["posts"],
            "pool": [{"id": cid, "name": names[cid]["name"], "unit": names[cid]["unit"]} for cid in mine],
            "secretaries_size": secretaries_slate_size(level["posts"], len(mine), rules),
            "deliberation_places": deliberation_places(level["posts"], rules),
            "final_range": [low, high],
            "secretaries_slate": secretaries, "final_slate": final,
            "secretaries_problem": check_secretaries(level, secretaries, mine, rules) if secretaries else None,
            "final_problem": check_final(level, final, secretaries, rules) if final else None,
            "important": important,
            "missing_roles": missing_roles(roles) if important else [],
            "consultations": sum(1 for c in consultations if c["level"] == lid),
        })
    return {
        "round": round_id, "stage": STAGE, "record": core.public_record(rec),
        "state": rec["state"] if rec else "not_started",
        "department_meeting": {"date": row["department_date"], "notes": row["department_notes"]},
        "secretaries_meeting": {"date": row["secretaries_date"], "notes": row["secretaries_notes"]},
        "important_levels": row["important_levels"], "entered_by": row["entered_by"], "entered_at": row["entered_at"],
        "levels": levels, "consultations": consultations, "written_opinions": opinions,
        "written_people": sum(o["people"] for o in opinions),
        "inspection_talks": inspection["talks"] if inspection else None,
        "outcome": rec["outcome"] if rec and rec["state"] == "complete" else None,
    }


def outcome(conn: sqlite3.Connection, db: Database, rules: Rules, round_id: str, rec: dict, *,
            leave_unfilled: bool) -> dict:
    whole = view(db, rules, round_id, conn)
    if not whole["department_meeting"]["notes"]:
        raise core.state_refusal(_("record what the department meeting concluded about the inspection reports "
                                   "first"), field="department_meeting.notes")
    problems: dict[str, str] = {}
    for level in whole["levels"]:
        if not level["secretaries_slate"]:
            problems[f"secretaries_slate.{level['id']}"] = _("not set")
        elif level["secretaries_problem"]:
            problems[f"secretaries_slate.{level['id']}"] = level["secretaries_problem"]
        if not level["final_slate"]:
            problems[f"final_slate.{level['id']}"] = _("not set")
        elif level["final_problem"]:
            problems[f"final_slate.{level['id']}"] = level["final_problem"]
    if problems:
        first = next(iter(problems.items()))
        raise core.state_refusal(_("the slates are not complete: %(field)s %(problem)s", field=first[0],
                                   problem=first[1]), problems=problems)
    missing = {level["id"]: level["missing_roles"] for level in whole["levels"] if level["missing_roles"]}
    if missing:
        lid, roles = next(iter(missing.items()))
        raise core.state_refusal(_("the posts of %(level)s are marked important, and the secretary has not yet "
                                   "recorded consulting: %(roles)s (\"5+X\")", level=lid, roles=", ".join(roles)),
                                 missing_roles=missing)
    return {
        "secretaries_slate": {level["id"]: level["secretaries_slate"] for level in whole["levels"]},
        "final_slate": {level["id"]: level["final_slate"] for level in whole["levels"]},
        "important_levels": whole["important_levels"],
        "consultations": len(whole["consultations"]),
        "written_opinions": len(whole["written_opinions"]),
        "written_people": whole["written_people"],
    }
