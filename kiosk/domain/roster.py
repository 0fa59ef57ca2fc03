"""The sign-in roster (名册) of a meeting: who should attend, who signed in at the door and when,
who came after voting began, who left early, who is absent.

With a roster, attendance (实到, ``meetings.present``) is no longer typed: it is the number of
members signed in and not gone, written in the same transaction as each tick, so the quorum
always follows the door. The roster never touches a slip or a ballot: nothing here reads or
writes tokens, batches, ballots or tracking codes, and nothing there names a member
(SECURITY.md, "Secrecy"; tests/test_roster_secrecy.py).

Input is read strictly: every line at fault is named with what to fix, in the reader's language,
and a roster with any fault stores nothing.
"""

from __future__ import annotations

import csv
import itertools
import secrets
import sqlite3

from flask_babel import lazy_gettext as _l
from pypinyin import Style, pinyin

from kiosk.errors import Refusal, listed
from kiosk.store import eventlog
from kiosk.store.db import Database

MAX_MEMBERS = 2000  # a county meeting has a few hundred; a list one over this stays under the body limit
NAME_MAX, UNIT_MAX, POST_MAX = 100, 200, 200
MAX_ERRORS_SHOWN = 10
FIELDS = ("name", "unit", "post")
# Header cells, lower-cased, that name a column; a first line made of these is a header.
HEADER_ALIASES = {
    "姓名": "name", "名字": "name", "name": "name", "member": "name",
    "单位": "unit", "工作单位": "unit", "所在单位": "unit", "unit": "unit", "organisation": "unit",
    "organization": "unit",
    "职务": "post", "现任职务": "post", "职位": "post", "post": "post", "position": "post", "title": "post",
}
STATES = ("absent", "present", "left")


def _field_label(field: str):
    return {"name": _l("name"), "unit": _l("unit"), "post": _l("post")}[field]


# --- reading a roster -------------------------------------------------------------------------------

def decode(data: bytes) -> str:
    """A CSV file's text: UTF-8 with or without BOM, else GB18030 (what Excel in China saves)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Refusal(400, "invalid", detail=_l(
        "the file could not be read as text. Save it as CSV (UTF-8 or GBK) and try again"))


def _cells(line: str) -> list[str]:
    """One line: tabs (copied from a spreadsheet) or commas, Chinese commas included."""
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    return [c.strip() for c in next(csv.reader([line.replace("，", ",")]), [])]


def from_table(text: str) -> list[dict]:
    """Members from CSV or pasted lines ``name[,unit][,post]``. A first line naming the columns
    (姓名,单位,职务 or name,unit,post, in any order) is a header. Every faulty line is named;
    any fault refuses the whole roster."""
    lines = [(n, line) for n, line in enumerate((text or "").replace("\ufeff", "").splitlines(), 1)
             if line.strip()]
    if not lines:
        raise Refusal(400, "invalid", detail=_l("the roster is empty: give one member a line, "
                                                "name, unit and post separated by commas"))
    columns: list[str | None] = list(FIELDS)
    first = [c.lower() for c in _cells(lines[0][1])]
    if any(HEADER_ALIASES.get(c) for c in first):
        columns = [HEADER_ALIASES.get(c) for c in first]
        if "name" not in columns:
            raise Refusal(400, "invalid", detail=_l("line %(n)s: the header must name the column 姓名 (name)",
                                                    n=lines[0][0]))
        unknown = [c for c, col in zip(first, columns, strict=True) if col is None and c]
        doubled = sorted({c for c in columns if c and columns.count(c) > 1})
        if unknown or doubled:
            raise Refusal(400, "invalid", detail=_l(
                "line %(n)s: the header's columns must be 姓名, 单位 and 职务 (name, unit, post), each once",
                n=lines[0][0]))
        lines = lines[1:]
    members, errors = [], []
    for number, line in lines:
        cells = _cells(line)
        if any(cells[len(columns):]):
            errors.append(_l("line %(n)s: more cells than columns (%(count)s); write name, unit, post",
                             n=number, count=len(columns)))
            continue
        row = {col: cell for col, cell in zip(columns, cells, strict=False) if col}
        members.append(({f: row.get(f, "") for f in FIELDS}, number))
    entries = [m for m, _n in members]
    errors += _faults(entries, [(_l("line %(n)s: ", n=n), _l("line %(n)s", n=n)) for _m, n in members])
    _refuse(errors, where=lines[0][0] if errors else None)
    if not entries:
        raise Refusal(400, "invalid", detail=_l("the roster has a header but no member"))
    return entries


def from_json(members: object) -> list[dict]:
    """Members as the API gives them: [{"name", "unit", "post"}], each checked like a line."""
    if not isinstance(members, list) or not members:
        raise Refusal(400, "invalid", detail=_l("give the roster's members, at least one"), field="members")
    entries = []
    for item in members:
        item = item if isinstance(item, dict) else {}
        entries.append({f: item.get(f) if isinstance(item.get(f), str) else ("" if item.get(f) is None else None)
                        for f in FIELDS})
    errors = _faults(entries, [(_l("member %(n)s: ", n=i), _l("member %(n)s", n=i))
                               for i in range(1, len(entries) + 1)])
    _refuse(errors)
    return entries


def _faults(entries: list[dict], where: list[tuple]) -> list:
    """What is wrong with each entry, each prefixed with where it is (``where``: per entry, the
    prefix and the name of its place, e.g. "line 3: " and "line 3"); [] when all is well."""
    errors = []
    if len(entries) > MAX_MEMBERS:
        errors.append(_l("a roster holds at most %(n)s members", n=MAX_MEMBERS))
    seen: dict[tuple[str, str], object] = {}
    limits = {"name": NAME_MAX, "unit": UNIT_MAX, "post": POST_MAX}
    for entry, (prefix, place) in zip(entries, where, strict=True):
        for field in FIELDS:
            value = entry[field]
            if value is None:
                errors.append(_l("%(where)s%(field)s must be text", where=prefix, field=_field_label(field)))
                continue
            entry[field] = " ".join(value.split())
            if len(entry[field]) > limits[field]:
                errors.append(_l("%(where)s%(field)s has more than %(n)s characters", where=prefix,
                                 field=_field_label(field), n=limits[field]))
        if entry["name"] == "":
            errors.append(_l("%(where)sthe name is missing", where=prefix))
        elif entry["name"] is not None and entry["unit"] is not None:
            key = (entry["name"], entry["unit"])
            if key in seen:
                errors.append(_l("%(where)s%(name)s of %(unit)s is listed twice (also %(other)s); "
                                 "give each member once", where=prefix, name=entry["name"],
                                 unit=entry["unit"] or "—", other=seen[key]))
            else:
                seen[key] = place
    return errors


def _refuse(errors: list, where: int | None = None) -> None:
    if not errors:
        return
    shown = [str(e) for e in errors[:MAX_ERRORS_SHOWN]]
    if len(errors) > MAX_ERRORS_SHOWN:
        shown.append(str(_l("and %(n)s more", n=len(errors) - MAX_ERRORS_SHOWN)))
    raise Refusal(400, "invalid", detail=_l("%(lines)s. Nothing was stored", lines=listed(shown)),
                  problems=shown)


# --- search keys ---------------------------------------------------------------------------------

def search_keys(name: str) -> list[str]:
    """What a clerk may type to find ``name``: its pinyin initials and full pinyin, lower case,
    every reading of a character that has several (单 as dan or shan), at most 16 of each."""
    keys = []
    for style in (Style.FIRST_LETTER, Style.NORMAL):
        readings = pinyin(name, style=style, heteronym=True, errors=lambda chars: list(chars))
        options = [sorted({r.lower() for r in reading if r.strip()}) or [""] for reading in readings]
        for combo in itertools.islice(itertools.product(*options), 16):
            key = "".join(combo).replace(" ", "")
            if key and key not in keys:
                keys.append(key)
    return keys


# --- the stored roster ---------------------------------------------------------------------------

def _meeting(conn: sqlite3.Connection, meeting_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT id, title, expected, present FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
    if row is None:
        raise Refusal(404, "not_found")
    return row


def _present(conn: sqlite3.Connection, meeting_id: str) -> int:
    return conn.execute("SELECT count(*) FROM roster_members WHERE meeting_id = ? AND signed_in_at IS NOT NULL"
                        " AND left_at IS NULL", (meeting_id,)).fetchone()[0]


def _voting_began(conn: sqlite3.Connection, meeting_id: str) -> str | None:
    """When the meeting's first poll opened: a member who signs in after that came late. A
    rehearsal is not voting: its opening makes nobody late."""
    return conn.execute("SELECT min(opened_at) FROM polls WHERE meeting_id = ? AND rehearsal = 0",
                        (meeting_id,)).fetchone()[0]


def _voting_has_begun(conn: sqlite3.Connection, meeting_id: str) -> bool:
    # By state, not by the clock: an opening and a tick in the same second are still ordered.
    return conn.execute("SELECT 1 FROM polls WHERE meeting_id = ? AND state != 'draft' AND rehearsal = 0 LIMIT 1",
                        (meeting_id,)).fetchone() is not None


def replace(db: Database, actor: str, meeting_id: str, entries: list[dict]) -> dict:
    """Store ``entries`` (from :func:`from_table` or :func:`from_json`) as the meeting's roster.
    The members who should attend (应到) become the roster's size and attendance its signed-in
    count (none yet). Refused once a member has signed in or a poll of the meeting has opened."""
    with db.write() as conn:
        _meeting(conn, meeting_id)
        if conn.execute("SELECT 1 FROM roster_members WHERE meeting_id = ? AND signed_in_at IS NOT NULL",
                        (meeting_id,)).fetchone():
            raise Refusal(409, "state", detail=_l(
                "members have already signed in; the roster is no longer replaced"))
        if conn.execute("SELECT 1 FROM polls WHERE meeting_id = ? AND state != 'draft' AND rehearsal = 0",
                        (meeting_id,)).fetchone():
            raise Refusal(409, "state", detail=_l(
                "a poll of this meeting has opened; its members who should attend no longer change"))
        conn.execute("DELETE FROM roster_members WHERE meeting_id = ?", (meeting_id,))
        for position, entry in enumerate(entries):
            conn.execute("INSERT INTO roster_members (meeting_id, id, position, name, unit, post)"
                         " VALUES (?,?,?,?,?,?)", (meeting_id, secrets.token_hex(4), position,
                                                   entry["name"], entry["unit"], entry["post"]))
        conn.execute("UPDATE meetings SET expected = ?, present = 0 WHERE id = ?", (len(entries), meeting_id))
        eventlog.append(conn, actor, "roster.imported",
                        {"meeting": meeting_id, "members": len(entries), "expected": len(entries), "present": 0})
    return get(db, meeting_id)


def add(db: Database, actor: str, meeting_id: str, entry: dict) -> dict:
    """Add one member the imported roster left out (someone who turns up at the door and should
    attend): checked like a line of the roster, a name and unit already listed refused. The
    members who should attend (应到) grow by one, so only until a poll of the meeting opens, as
    replacing the roster; members who have signed in stay as they are."""
    entry = dict(entry)
    with db.write() as conn:
        _meeting(conn, meeting_id)
        rows = conn.execute("SELECT name, unit FROM roster_members WHERE meeting_id = ? ORDER BY position",
                            (meeting_id,)).fetchall()
        if not rows:
            raise Refusal(409, "state", detail=_l(
                "this meeting has no roster yet: import the roster, with this member in it"))
        if _voting_has_begun(conn, meeting_id):
            raise Refusal(409, "state", detail=_l(
                "a poll of this meeting has opened; its members who should attend no longer change"))
        _refuse(_faults([entry], [("", "")]))
        if (entry["name"], entry["unit"]) in {(r["name"], r["unit"]) for r in rows}:
            _refuse([_l("%(name)s of %(unit)s is already on the roster; to add a namesake, give the unit",
                        name=entry["name"], unit=entry["unit"] or "—")])
        if len(rows) >= MAX_MEMBERS:
            _refuse([_l("a roster holds at most %(n)s members", n=MAX_MEMBERS)])
        member_id = secrets.token_hex(4)
        conn.execute("INSERT INTO roster_members (meeting_id, id, position, name, unit, post) VALUES (?,?,?,?,?,?)",
                     (meeting_id, member_id, len(rows), entry["name"], entry["unit"], entry["post"]))
        conn.execute("UPDATE meetings SET expected = ? WHERE id = ?", (len(rows) + 1, meeting_id))
        eventlog.append(conn, actor, "roster.member_added",
                        {"meeting": meeting_id, "member": member_id, "name": entry["name"],
                         "expected": len(rows) + 1})
    return {"meeting": meeting_id, "member": _member({**entry, "id": member_id, "signed_in_at": None,
                                                      "left_at": None, "late": 0}),
            "expected": len(rows) + 1}


def get(db: Database, meeting_id: str) -> dict:
    """The roster with each member's state (absent, present, left), times, whether they came
    after voting began, and the counts; ``members`` is empty for a meeting without a roster."""
    with db.read() as conn:
        meeting = _meeting(conn, meeting_id)
        began = _voting_began(conn, meeting_id)
        rows = conn.execute("SELECT id, name, unit, post, signed_in_at, left_at, late FROM roster_members"
                            " WHERE meeting_id = ? ORDER BY position", (meeting_id,)).fetchall()
    members = [_member(r) for r in rows]
    counts = {state: sum(1 for m in members if m["state"] == state) for state in STATES}
    return {
        "meeting": meeting["id"], "title": meeting["title"],
        "expected": meeting["expected"], "present": meeting["present"],
        "voting_began": began,
        "counts": {"members": len(members), "signed_in": counts["present"] + counts["left"], **counts,
                   "late": sum(1 for m in members if m["late"])},
        "members": members,
    }


def _member(row: sqlite3.Row | dict) -> dict:
    state = "absent" if row["signed_in_at"] is None else ("left" if row["left_at"] else "present")
    return {"id": row["id"], "name": row["name"], "unit": row["unit"], "post": row["post"], "state": state,
            "signed_in_at": row["signed_in_at"], "left_at": row["left_at"],
            "late": bool(row["late"])}


def has_roster(db: Database, meeting_id: str) -> bool:
    return db.one("SELECT 1 FROM roster_members WHERE meeting_id = ? LIMIT 1", (meeting_id,)) is not None


def by_unit(members: list[dict]) -> list[tuple[str, list[dict]]]:
    """Members grouped by unit, units in the order they first appear on the roster."""
    groups: dict[str, list[dict]] = {}
    for m in members:
        groups.setdefault(m["unit"], []).append(m)
    return list(groups.items())


# --- at the door ---------------------------------------------------------------------------------

# What each act needs and makes: (states it applies to, new signed_in_at, new left_at, log type).
# "now" is the moment of the act; "keep" leaves the column as it is.
_ACTS = {
    "sign_in": (("absent", "left"), "keep_or_now", None, "roster.signed_in"),
    "leave": (("present",), "keep", "now", "roster.left"),
    "cancel": (("present", "left"), None, None, "roster.sign_in_cancelled"),
}
ACTS = tuple(_ACTS)


def act(db: Database, actor: str, meeting_id: str, member_id: str, action: str) -> dict:
    """Sign a member in (again, after leaving: the first arrival time is kept), record that they
    left early, or cancel a sign-in made by mistake. Attendance follows in the same transaction.
    Returns the member, the attendance and whether it changed; a member already in the state the
    act leads to is refused (409) with what the roster says, so two clerks never count one twice."""
    if action not in _ACTS:
        raise Refusal(404, "not_found")
    allowed, signed, left, log_type = _ACTS[action]
    with db.write() as conn:
        _meeting(conn, meeting_id)
        row = conn.execute("SELECT id, name, unit, post, signed_in_at, left_at, late FROM roster_members"
                           " WHERE meeting_id = ? AND id = ?", (meeting_id, member_id)).fetchone()
        if row is None:
            raise Refusal(404, "not_found")
        before = _member(row)
        if before["state"] not in allowed:
            raise Refusal(409, "state", detail=_refused_because(action, before), member=member_id,
                          member_state=before["state"])
        now = eventlog.now()
        signed_at = {"keep_or_now": row["signed_in_at"] or now, "keep": row["signed_in_at"], None: None}[signed]
        left_at = now if left == "now" else None
        late = (row["late"] if row["signed_in_at"] else int(_voting_has_begun(conn, meeting_id))) if signed_at else 0
        conn.execute("UPDATE roster_members SET signed_in_at = ?, left_at = ?, late = ? WHERE meeting_id = ? AND id = ?",
                     (signed_at, left_at, late, meeting_id, member_id))
        present = _present(conn, meeting_id)
        conn.execute("UPDATE meetings SET present = ? WHERE id = ?", (present, meeting_id))
        member = _member({**dict(row), "signed_in_at": signed_at, "left_at": left_at, "late": late})
        payload = {"meeting": meeting_id, "member": member_id, "name": row["name"], "present": present}
        if action == "sign_in" and before["state"] == "left":
            payload["returned"] = True
        eventlog.append(conn, actor, log_type, payload)
    return {"meeting": meeting_id, "member": member, "present": present}


def _refused_because(action: str, member: dict):
    name = member["name"]
    if action == "sign_in":
        return _l("%(name)s has already signed in", name=name)
    if action == "leave":
        return (_l("%(name)s has not signed in", name=name) if member["state"] == "absent"
                else _l("%(name)s has already left", name=name))
    return _l("%(name)s has not signed in", name=name)
