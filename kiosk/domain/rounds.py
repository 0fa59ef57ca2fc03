"""Selection rounds: levels, candidates, and the entries no ballot gives (docs/rules.md, "The five
evaluations"; docs/api.md, "Rounds and stages").

This module stores and checks; it never scores. The round document (the round file) and its
score sheet are put together by ``kiosk.domain.round_doc`` from these tables and the round's closed
polls, and scored by ``tally.score``. Every change is written through ``db.write()`` with its
event-log entry in the same transaction.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from kiosk.domain.round_input import (
    ENTRY_PARTS,
    LEVEL_NAMES,
    MAX_CANDIDATES,
    MAX_LEVELS,
    MAX_NOTE,
    MAX_POSTS,
    NOT_IN_IDS,
    invalid,
    parse_candidates,
    parse_entries,
    parse_levels,
    read_title,
)
from kiosk.errors import Refusal
from kiosk.store import eventlog
from kiosk.store.db import Database
from tally.rules import Rules

# Which part of the round file a poll of each kind gives (docs/api.md, "Rounds and
# stages"). Other kinds (plenary, standing committee) may name a round but feed no part.
FEEDING_KINDS = {
    "character": "character",
    "democratic_recommendation": "democratic",
    "interview_recommendation": "interview",
    "survey": "survey",
    "leaders": "leaders",
}
BALLOT_PARTS = ("character", "democratic", "interview", "survey", "leaders")


























# --- rounds -----------------------------------------------------------------------------------

def create(db: Database, actor: str, title: object, levels: object) -> dict:
    round_ = {"id": secrets.token_hex(6), "title": read_title(title), "levels": parse_levels(levels)}
    with db.write() as conn:
        conn.execute("INSERT INTO rounds (id, title, created_at) VALUES (?,?,?)",
                     (round_["id"], round_["title"], eventlog.now()))
        _insert_levels(conn, round_["id"], round_["levels"])
        eventlog.append(conn, actor, "round.created", {
            "id": round_["id"], "title": round_["title"],
            "levels": [{"id": lv["id"], "posts": lv["posts"]} for lv in round_["levels"]]})
    return {**round_, "candidates": []}


def _insert_levels(conn: sqlite3.Connection, round_id: str, levels: list[dict]) -> None:
    conn.executemany(
        "INSERT INTO round_levels (round_id, id, name, posts, position) VALUES (?,?,?,?,?)",
        [(round_id, lv["id"], lv.get("name"), lv["posts"], i) for i, lv in enumerate(levels)])


def _rows(source: sqlite3.Connection | Database, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    if isinstance(source, sqlite3.Connection):
        return source.execute(sql, params).fetchall()
    return source.query(sql, params)


def exists(source: sqlite3.Connection | Database, round_id: str) -> bool:
    return bool(_rows(source, "SELECT 1 FROM rounds WHERE id = ?", (round_id,)))


def all_rounds(db: Database) -> list[dict]:
    rows = db.query(
        "SELECT r.id, r.title, r.created_at,"
        " (SELECT count(*) FROM round_candidates c WHERE c.round_id = r.id) AS candidates,"
        " (SELECT count(*) FROM polls p WHERE p.round_id = r.id) AS polls"
        " FROM rounds r ORDER BY r.created_at DESC, r.id")
    return [dict(r) for r in rows]


def get(source: sqlite3.Connection | Database, round_id: str) -> dict:
    """The round with its levels, candidates (in order) and their entries; 404 if unknown."""
    head = _rows(source, "SELECT id, title, created_at FROM rounds WHERE id = ?", (round_id,))
    if not head:
        raise Refusal(404, "not_found")
    levels = [dict(r) for r in _rows(
        source, "SELECT id, name, posts FROM round_levels WHERE round_id = ? ORDER BY position", (round_id,))]
    entries: dict[str, dict[str, dict]] = {}
    for r in _rows(source, "SELECT candidate_id, part, data, note, entered_by, entered_at"
                           " FROM round_entries WHERE round_id = ?", (round_id,)):
        entries.setdefault(r["candidate_id"], {})[r["part"]] = {
            **json.loads(r["data"]), "note": r["note"], "entered_by": r["entered_by"],
            "entered_at": r["entered_at"]}
    candidates = [
        {"id": r["id"], "name": r["name"], "level": r["level"], "unit": r["unit"],
         "imported": json.loads(r["imported_parts"]), "entries": entries.get(r["id"], {})}
        for r in _rows(source, "SELECT id, name, level, unit, imported_parts FROM round_candidates"
                               " WHERE round_id = ? ORDER BY position", (round_id,))
    ]
    return {**dict(head[0]), "levels": levels, "candidates": candidates}


def level_name(level: dict) -> str:
    return level.get("name") or LEVEL_NAMES.get(level["id"]) or level["id"]


# --- candidates -------------------------------------------------------------------------------



def add_candidates(db: Database, actor: str, round_id: str, raw: object) -> dict:
    with db.write() as conn:
        if not exists(conn, round_id):
            raise Refusal(404, "not_found")
        levels = {r[0]: level_name({"id": r[0], "name": r[1]}) for r in conn.execute(
            "SELECT id, name FROM round_levels WHERE round_id = ?", (round_id,))}
        candidates = parse_candidates(raw, levels, levels)
        existing = {r[0] for r in conn.execute(
            "SELECT id FROM round_candidates WHERE round_id = ?", (round_id,))}
        taken = [c["id"] for c in candidates if c["id"] in existing]
        if taken:
            raise Refusal(409, "conflict", detail=_l("candidate numbers already in this round: %(ids)s", ids=", ".join(taken)),
                          field="candidates", ids=taken)
        if len(existing) + len(candidates) > MAX_CANDIDATES:
            raise invalid("candidates", _l("a round holds at most %(n)s candidates", n=MAX_CANDIDATES))
        start = conn.execute("SELECT coalesce(max(position) + 1, 0) FROM round_candidates"
                             " WHERE round_id = ?", (round_id,)).fetchone()[0]
        conn.executemany(
            "INSERT INTO round_candidates (round_id, id, name, level, unit, position) VALUES (?,?,?,?,?,?)",
            [(round_id, c["id"], c["name"], c["level"], c["unit"], start + i) for i, c in enumerate(candidates)])
        eventlog.append(conn, actor, "round.candidates_added", {
            "round": round_id, "count": len(candidates), "ids": [c["id"] for c in candidates]})
    return {"round": round_id, "added": len(candidates), "candidates": candidates}


# --- entries ----------------------------------------------------------------------------------

def set_entries(db: Database, rules: Rules, actor: str, round_id: str, candidate_id: str,
                body: object) -> dict:
    """Store performance and/or the organisational appraisal of one candidate."""
    parts = parse_entries(body, rules)
    at = eventlog.now()
    with db.write() as conn:
        if not exists(conn, round_id):
            raise Refusal(404, "not_found")
        if conn.execute("SELECT 1 FROM round_candidates WHERE round_id = ? AND id = ?",
                        (round_id, candidate_id)).fetchone() is None:
            raise Refusal(404, "not_found")
        _write_entries(conn, round_id, candidate_id, parts, actor, at)
        eventlog.append(conn, actor, "round.entries_set", {
            "round": round_id, "candidate": candidate_id,
            # The figures, not the notes: notes may hold remarks about a person.
            "parts": {part: data for part, (data, _) in parts.items()},
            "notes": sorted(part for part, (_, note) in parts.items() if note)})
    return entries_of(db, round_id, candidate_id)


def _write_entries(conn: sqlite3.Connection, round_id: str, candidate_id: str,
                   parts: dict[str, tuple[dict, str | None]], actor: str, at: str) -> None:
    conn.executemany(
        "INSERT INTO round_entries (round_id, candidate_id, part, data, note, entered_by, entered_at)"
        " VALUES (?,?,?,?,?,?,?) ON CONFLICT (round_id, candidate_id, part) DO UPDATE SET"
        " data = excluded.data, note = excluded.note, entered_by = excluded.entered_by,"
        " entered_at = excluded.entered_at",
        [(round_id, candidate_id, part, json.dumps(data, ensure_ascii=False), note, actor, at)
         for part, (data, note) in parts.items()])


def entries_of(db: Database, round_id: str, candidate_id: str) -> dict:
    rows = db.query("SELECT part, data, note, entered_by, entered_at FROM round_entries"
                    " WHERE round_id = ? AND candidate_id = ?", (round_id, candidate_id))
    return {"round": round_id, "candidate": candidate_id, **{
        r["part"]: {**json.loads(r["data"]), "note": r["note"], "entered_by": r["entered_by"],
                    "entered_at": r["entered_at"]} for r in rows}}


# --- polls that feed a round ------------------------------------------------------------------

def check_poll_feeds(source: sqlite3.Connection | Database, round_id: object, kind: str,
                     candidate_ids: Iterable[str]) -> None:
    """Refuse a poll that names a round it cannot feed (called by polls.create, inside its write).

    The round must exist and the poll's candidate ids must be the round's; a candidate is in at
    most one poll of each feeding kind per round (409 for a second), so no part has two sources.
    """
    if not isinstance(round_id, str) or not round_id:
        raise invalid("round", _l("must name a round"))
    if not exists(source, round_id):
        raise invalid("round", _l("names no round of this server; create the round first, or leave it out"))
    ids = list(candidate_ids)
    known = {r[0] for r in _rows(source, "SELECT id FROM round_candidates WHERE round_id = ?", (round_id,))}
    unknown = [cid for cid in ids if cid not in known]
    if unknown:
        raise invalid("contests", _l("candidate numbers that are not the round's: %(ids)s; a poll for a round "
                                     "uses the round's candidate numbers", ids=", ".join(unknown)))
    if kind not in FEEDING_KINDS:
        return
    wanted = set(ids)
    for poll in _rows(source, "SELECT id, title, contests FROM polls WHERE round_id = ? AND kind = ?",
                      (round_id, kind)):
        already = [c["id"] for contest in json.loads(poll["contests"]) for c in contest["candidates"]
                   if c["id"] in wanted]
        if already:
            raise Refusal(
                409, "conflict",
                detail=_l("%(ids)s already in the poll “%(poll)s” of this round; a candidate is in at most one poll of "
                           "each kind per round", ids=", ".join(already), poll=poll["title"]),
                field="contests", poll=poll["id"], ids=already)


def feeding_polls(db: Database, round_id: str) -> list[dict]:
    """Every poll that names the round, oldest first, with the part it feeds (None: a stage poll)."""
    rows = db.query(
        "SELECT p.id, p.title, p.kind, p.state, p.secret, p.meeting_id, p.contests, p.created_at,"
        " m.title AS meeting_title FROM polls p JOIN meetings m ON m.id = p.meeting_id"
        " WHERE p.round_id = ? ORDER BY p.created_at, p.id", (round_id,))
    out = []
    for r in rows:
        poll = dict(r)
        poll["candidates"] = [c["id"] for contest in json.loads(poll.pop("contests")) for c in contest["candidates"]]
        poll["part"] = FEEDING_KINDS.get(poll["kind"])
        poll["secret"] = bool(poll["secret"])
        out.append(poll)
    return out


# --- an imported round file -------------------------------------------------------------------

def _limit(value: object, field: str, high: int) -> None:
    if isinstance(value, str) and len(value) > high:
        raise invalid(field, _l("must have at most %(limit)s characters", limit=high))


def _exact_identifier(value: str, field: str) -> None:
    if len(value) > 64 or any(ord(ch) < 32 or ch.isspace() or ch in NOT_IN_IDS for ch in value):
        raise invalid(field, _l("must be 1 to 64 characters without spaces, control characters or / ? #"))


def store_imported(db: Database, actor: str, doc: dict) -> dict:
    """Store a checked round file (tally.roundfile) as a new round, exactly as it was written.

    Ballot-derived parts are kept as the file gave them (``imported_parts``); performance and
    the organisational appraisal become entries. A re-export gives the same document back.
    """
    _limit(doc["title"], "title", 200)
    if len(doc["levels"]) > MAX_LEVELS:
        raise invalid("levels", _l("a round has at most %(n)s levels", n=MAX_LEVELS))
    for i, lv in enumerate(doc["levels"]):
        _exact_identifier(lv["id"], f"levels[{i}].id")
        _limit(lv.get("name"), f"levels[{i}].name", 100)
        if lv["posts"] > MAX_POSTS:
            raise invalid(f"levels[{i}].posts", _l("must be at most %(limit)s", limit=MAX_POSTS))
    if len(doc["candidates"]) > MAX_CANDIDATES:
        raise invalid("candidates", _l("a round holds at most %(n)s candidates", n=MAX_CANDIDATES))
    for i, c in enumerate(doc["candidates"]):
        _exact_identifier(c["id"], f"candidates[{i}].id")
        _limit(c["name"], f"candidates[{i}].name", 100)
        _limit(c.get("unit"), f"candidates[{i}].unit", 200)
        for part in ENTRY_PARTS:
            if c.get(part) is not None:
                _limit(c[part].get("note"), f"candidates[{i}].{part}.note", MAX_NOTE)
    round_id = secrets.token_hex(6)
    at = eventlog.now()
    counts = dict.fromkeys((*BALLOT_PARTS, *ENTRY_PARTS), 0)
    with db.write() as conn:
        conn.execute("INSERT INTO rounds (id, title, created_at) VALUES (?,?,?)", (round_id, doc["title"], at))
        _insert_levels(conn, round_id, doc["levels"])
        for position, c in enumerate(doc["candidates"]):
            imported = {part: c[part] for part in BALLOT_PARTS if c.get(part) is not None}
            conn.execute(
                "INSERT INTO round_candidates (round_id, id, name, level, unit, position, imported_parts)"
                " VALUES (?,?,?,?,?,?,?)",
                (round_id, c["id"], c["name"], c["level"], c.get("unit"), position,
                 json.dumps(imported, ensure_ascii=False)))
            entries = {part: ({k: v for k, v in c[part].items() if k != "note"}, c[part].get("note"))
                       for part in ENTRY_PARTS if c.get(part) is not None}
            _write_entries(conn, round_id, c["id"], entries, actor, at)
            for part in (*imported, *entries):
                counts[part] += 1
        summary = {"id": round_id, "title": doc["title"],
                   "levels": [{"id": lv["id"], "posts": lv["posts"]} for lv in doc["levels"]],
                   "candidates": len(doc["candidates"])}
        eventlog.append(conn, actor, "round.imported", {**summary, "parts": counts})
    return {**summary, "parts": counts}
