"""Polls: creation, token issuance, opening, closing and their results.

The rules themselves live in ``tally``; this module is the glue (query,
pure function, result), as VotingWorks' full_results.ts is.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from tally import kinds as tk
from tally import live as tl
from tally.meetings import slips_beyond
from tally.rules import Rules

from . import eventlog, evidence, meetings, rounds, tokens
from .db import Database
from .errors import Refusal

MAX_TOKENS_PER_BATCH = 5000


@dataclass(frozen=True)
class PollSpec:
    """The immutable part of a poll, cached: contests never change after creation."""

    id: str
    meeting_id: str
    kind: str
    secret: bool
    contests: tuple[tk.Contest, ...]


def _contests_from_json(raw: object) -> tuple[tk.Contest, ...]:
    if not isinstance(raw, list) or not raw:
        raise Refusal(400, "invalid", detail=_l("give at least one contest with its candidates"))
    contests = []
    for i, c in enumerate(raw, 1):
        if not isinstance(c, dict):
            raise Refusal(400, "invalid", detail=_l("contest %(i)s must be an object", i=i))
        cands = c.get("candidates")
        if not isinstance(cands, list) or not cands:
            raise Refusal(400, "invalid", detail=_l("contest %(i)s needs at least one candidate", i=i))
        candidates = []
        for j, cand in enumerate(cands, 1):
            if not isinstance(cand, dict):
                raise Refusal(400, "invalid", detail=_l("contest %(i)s, candidate %(j)s must be an object", i=i, j=j))
            cid, name = cand.get("id"), cand.get("name")
            if not isinstance(cid, str) or not cid.strip() or len(cid) > 64:
                raise Refusal(400, "invalid", detail=_l("contest %(i)s, candidate %(j)s: the id must be text of 1 to 64 characters", i=i, j=j))
            if not isinstance(name, str) or not name.strip() or len(name) > 100:
                raise Refusal(400, "invalid", detail=_l("contest %(i)s, candidate %(j)s: the name must be text of 1 to 100 characters", i=i, j=j))
            candidates.append(tk.Candidate(id=cid.strip(), name=name.strip()))
        cid = c.get("id", f"c{i}")
        if not isinstance(cid, str) or not cid.strip() or len(cid) > 64:
            raise Refusal(400, "invalid", detail=_l("contest %(i)s: the id must be text of 1 to 64 characters", i=i))
        title = c.get("title") or cid
        if not isinstance(title, str) or len(title) > 200:
            raise Refusal(400, "invalid", detail=_l("contest %(i)s: the title must be text", i=i))
        max_choices = c.get("max_choices", 1)
        places = c.get("places", max_choices)
        for field, value in (("max_choices", max_choices), ("places", places)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise Refusal(400, "invalid", detail=_l("contest %(i)s: %(field)s must be a whole number", i=i, field=field))
        contests.append(
            tk.Contest(id=cid.strip(), title=title.strip(), max_choices=max_choices, places=places,
                       candidates=tuple(candidates))
        )
    return tuple(contests)


def contests_to_json(contests: tuple[tk.Contest, ...]) -> list[dict]:
    return [
        {
            "id": c.id, "title": c.title, "max_choices": c.max_choices, "places": c.places,
            "candidates": [{"id": k.id, "name": k.name} for k in c.candidates],
        }
        for c in contests
    ]


def create(db: Database, rules: Rules, actor: str, meeting_id: str, title: object, kind: object,
           contests: object, round_id: str | None = None) -> dict:
    meetings.get(db, meeting_id)
    if not isinstance(title, str) or not 1 <= len(title.strip()) <= 200:
        raise Refusal(400, "invalid", detail=_l("the title must have 1 to 200 characters"))
    if kind not in tk.KINDS:
        raise Refusal(400, "invalid", detail=_l("the kind must be one of %(kinds)s", kinds=", ".join(tk.KINDS)))
    parsed = _contests_from_json(contests)
    if kind in ("standing_committee", "character", "survey", "leaders"):
        # These kinds answer every candidate; max_choices has no meaning, places does.
        parsed = tuple(
            tk.Contest(c.id, c.title, len(c.candidates), c.places, c.candidates) for c in parsed
        )
    try:
        tk.validate_spec(kind, list(parsed), rules)
    except ValueError as exc:
        raise Refusal(400, "invalid", detail=str(exc)) from exc
    poll = {
        "id": secrets.token_hex(6),
        "meeting": meeting_id,
        "round": round_id,
        "title": title.strip(),
        "kind": kind,
        "secret": kind in tk.SECRET_KINDS,
        "state": "draft",
        "contests": contests_to_json(parsed),
    }
    with db.write() as conn:
        if round_id is not None:  # checked in the write, so two polls cannot both pass (409)
            rounds.check_poll_feeds(conn, round_id, kind, [c.id for k in parsed for c in k.candidates])
        conn.execute(
            "INSERT INTO polls (id, meeting_id, round_id, title, kind, secret, contests, created_at)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (poll["id"], meeting_id, round_id, poll["title"], kind, int(poll["secret"]),
             json.dumps(poll["contests"], ensure_ascii=False), eventlog.now()),
        )
        eventlog.append(conn, actor, "poll.created", {k: poll[k] for k in ("id", "meeting", "round", "title", "kind", "contests")})
    return poll


_specs: dict[tuple[str, str], PollSpec] = {}
_specs_lock = threading.Lock()


def spec(db: Database, poll_id: str) -> PollSpec:
    """The poll's immutable part; read once per process (a poll's contests never change)."""
    key = (str(db.path), poll_id)
    cached = _specs.get(key)
    if cached is not None:
        return cached
    row = db.one("SELECT id, meeting_id, kind, secret, contests FROM polls WHERE id = ?", (poll_id,))
    if row is None:
        raise Refusal(404, "not_found")
    found = PollSpec(row["id"], row["meeting_id"], row["kind"], bool(row["secret"]),
                     _contests_from_json(json.loads(row["contests"])))
    with _specs_lock:
        if len(_specs) > 10000:  # a long-lived test process makes many instances
            _specs.clear()
        _specs[key] = found
    return found


def get(db: Database, poll_id: str) -> dict:
    row = db.one("SELECT * FROM polls WHERE id = ?", (poll_id,))
    if row is None:
        raise Refusal(404, "not_found")
    poll = dict(row)
    poll["contests"] = json.loads(poll["contests"])
    poll["secret"] = bool(poll["secret"])
    return poll


def for_meeting(db: Database, meeting_id: str) -> list[dict]:
    rows = db.query("SELECT id, title, kind, state, secret, issued, cast_count, blank, published FROM polls"
                    " WHERE meeting_id = ? ORDER BY created_at, id", (meeting_id,))
    return [{**{k: r[k] for k in r.keys() if k not in ("blank", "published")},
             "blank": _public_blank(r["state"], r["blank"], r["published"])} for r in rows]


def _public_blank(state: str, blank: int, published: str | None) -> int:
    # Whether a ballot is blank is part of its content: a blank count moving one by one would
    # single out the ballot just cast. While open it moves with the published batch.
    if state != "open":
        return blank
    return json.loads(published)["blank"] if published else 0


def issue_tokens(db: Database, key: bytes, actor: str, poll_id: str, count: object = None,
                 voters: object = None) -> list[dict]:
    """Make tokens; only their keyed hashes are stored. Returns them this once."""
    poll = get(db, poll_id)
    if poll["state"] == "closed":
        raise Refusal(409, "state", detail=_l("the poll is closed"))
    if poll["secret"]:
        if voters is not None:
            raise Refusal(400, "invalid", detail=_l("a secret poll takes a number of slips, not named voters"))
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_TOKENS_PER_BATCH:
            raise Refusal(400, "invalid", detail=_l("the number of slips must be a whole number from 1 to %(n)s", n=MAX_TOKENS_PER_BATCH))
        holders: list[tuple[str | None, str | None]] = [(None, None)] * count
    else:
        if count is not None:
            raise Refusal(400, "invalid", detail=_l("a named poll takes a list of voters, not a number of slips"))
        holders = _named_voters(poll["kind"], voters)
    issued = [(tokens.generate(), name, group) for name, group in holders]
    batch = secrets.token_hex(6)
    with db.write() as conn:
        state = conn.execute("SELECT state FROM polls WHERE id = ?", (poll_id,)).fetchone()[0]
        if state == "closed":
            raise Refusal(409, "state", detail=_l("the poll is closed"))
        conn.execute("INSERT INTO token_batches (id, poll_id, count, issued_at) VALUES (?,?,?,?)",
                     (batch, poll_id, len(issued), eventlog.now()))
        conn.executemany(
            "INSERT INTO tokens (hash, poll_id, voter_name, voter_group, batch) VALUES (?,?,?,?,?)",
            [(tokens.keyed_hash(key, t), poll_id, name, group, batch) for t, name, group in issued],
        )
        conn.execute("UPDATE polls SET issued = issued + ? WHERE id = ?", (len(issued), poll_id))
        eventlog.append(conn, actor, "tokens.issued", {"poll": poll_id, "batch": batch, "count": len(issued)})
    return [
        {"token": tokens.display(t), "batch": batch, **({"name": n, "group": g} if n is not None else {})}
        for t, n, g in issued
    ]


def batches(db: Database, poll_id: str) -> list[dict]:
    """The poll's slip batches with how many of each are used, unused and voided.

    While the poll is open, used and unused are left out: a batch may be a single slip handed
    to a known latecomer, and its used count would tell whether that person has voted."""
    rows = db.query(
        "SELECT b.id, b.count, b.issued_at, b.voided, b.voided_at, b.void_reason,"
        " sum(t.state = 'used') AS used, sum(t.state = 'unused') AS unused FROM token_batches b"
        " LEFT JOIN tokens t ON t.batch = b.id WHERE b.poll_id = ? GROUP BY b.id ORDER BY b.issued_at, b.id",
        (poll_id,))
    state = db.one("SELECT state FROM polls WHERE id = ?", (poll_id,))
    hide = state is not None and state["state"] == "open"
    return [{k: (None if hide and k in ("used", "unused") else r[k]) for k in r.keys()} for r in rows]


def void_batch(db: Database, actor: str, poll_id: str, batch_id: str, reason: object) -> dict:
    """Void a batch's unused slips (lost, or never handed out); used ones keep their ballots.

    The issued count falls by as many, so it keeps counting the slips that can still vote
    or have voted."""
    if not isinstance(reason, str) or not 1 <= len(reason.strip()) <= 500:
        raise Refusal(400, "invalid", detail=_l("give the reason (1 to 500 characters), e.g. the slips were lost"))
    with db.write() as conn:
        row = conn.execute("SELECT b.id, p.state FROM token_batches b JOIN polls p ON p.id = b.poll_id"
                           " WHERE b.id = ? AND b.poll_id = ?", (batch_id, poll_id)).fetchone()
        if row is None:
            raise Refusal(404, "not_found")
        if row["state"] == "closed":
            raise Refusal(409, "state", detail=_l("the poll is closed: every unused slip is void already"))
        voided = conn.execute("UPDATE tokens SET state = 'void' WHERE batch = ? AND state = 'unused'",
                              (batch_id,)).rowcount
        conn.execute("UPDATE token_batches SET voided = voided + ?, voided_at = ?, void_reason = ? WHERE id = ?",
                     (voided, eventlog.now(), reason.strip(), batch_id))
        conn.execute("UPDATE polls SET issued = issued - ? WHERE id = ?", (voided, poll_id))
        eventlog.append(conn, actor, "tokens.voided",
                        {"poll": poll_id, "batch": batch_id, "count": voided, "reason": reason.strip()})
    return {"poll": poll_id, "batch": batch_id, "voided": voided}


def _named_voters(kind: str, voters: object) -> list[tuple[str | None, str | None]]:
    if not isinstance(voters, list) or not voters or len(voters) > MAX_TOKENS_PER_BATCH:
        raise Refusal(400, "invalid", detail=_l("voters must be a list of 1 to %(n)s people", n=MAX_TOKENS_PER_BATCH))
    allowed = tk.voter_groups(kind)
    out = []
    for i, v in enumerate(voters, 1):
        if not isinstance(v, dict) or not isinstance(v.get("name"), str) or not v["name"].strip():
            raise Refusal(400, "invalid", detail=_l("voter %(i)s needs a name", i=i))
        group = v.get("group", "")
        if not isinstance(group, str):
            raise Refusal(400, "invalid", detail=_l("voter %(i)s: the group must be text", i=i))
        if allowed and group not in allowed:
            raise Refusal(400, "invalid", detail=_l("voter %(i)s: the group must be one of %(groups)s", i=i, groups=", ".join(allowed)))
        out.append((v["name"].strip()[:100], group.strip()[:64] or None))
    return out


def open_poll(db: Database, actor: str, poll_id: str) -> dict:
    with db.write() as conn:
        row = conn.execute("SELECT state, issued FROM polls WHERE id = ?", (poll_id,)).fetchone()
        if row is None:
            raise Refusal(404, "not_found")
        if row["state"] != "draft":
            raise Refusal(409, "state", detail=_l("the poll is %(state)s, only a draft can be opened", state=row["state"]))
        conn.execute("UPDATE polls SET state = 'open', opened_at = ? WHERE id = ?", (eventlog.now(), poll_id))
        eventlog.append(conn, actor, "poll.opened", {"poll": poll_id, "issued": row["issued"]})
    return {"poll": poll_id, "state": "open"}


def close_poll(db: Database, rules: Rules, actor: str, poll_id: str, signer: evidence.Signer) -> dict:
    """Close: unused tokens become void, the ballot box's digest and the result are
    fixed, and the result certificate is signed (SECURITY.md, "Integrity and evidence")."""
    sp = spec(db, poll_id)
    with db.write() as conn:
        row = conn.execute("SELECT state FROM polls WHERE id = ?", (poll_id,)).fetchone()
        if row["state"] != "open":
            raise Refusal(409, "state", detail=_l("the poll is %(state)s, only an open poll can be closed", state=row["state"]))
        closed_at = eventlog.now()
        conn.execute("UPDATE tokens SET state = 'void' WHERE poll_id = ? AND state = 'unused'", (poll_id,))
        conn.execute("UPDATE polls SET state = 'closed', closed_at = ? WHERE id = ?", (closed_at, poll_id))
        _rewrite_in_key_order(conn, poll_id)
        try:
            doc = _compute(conn, rules, sp)
        except (tk.AnswerError, ValueError) as exc:
            # Only when the rules file changed under an open poll (e.g. the number of character
            # items): nothing is closed; serve with the rules the poll opened under, then close.
            raise Refusal(409, "state", detail=(
                f"the stored ballots do not fit the rules file in use ({exc}); restart the server "
                "with the rules this poll was opened under, then close it")) from None
        conn.execute("UPDATE polls SET result = ? WHERE id = ?", (json.dumps(doc, ensure_ascii=False), poll_id))
        seq = eventlog.append(conn, actor, "poll.closed", {
            "poll": poll_id, "digest": doc["digest"],
            **{k: doc[k] for k in ("expected", "present", "issued", "cast", "blank", "spoiled")},
        })
        if signer is not None:
            entry_hash = conn.execute("SELECT hash FROM events WHERE seq = ?", (seq,)).fetchone()[0]
            meeting = conn.execute("SELECT id, title FROM meetings WHERE id = ?", (sp.meeting_id,)).fetchone()
            codes = [r[0] for r in conn.execute("SELECT code FROM receipts WHERE poll_id = ?", (poll_id,))]
            cert = evidence.certificate_for(doc, contests_to_json(sp.contests), dict(meeting),
                                            signer.rules_text, entry_hash, closed_at, codes)
            conn.execute("UPDATE polls SET certificate = ?, signature = ? WHERE id = ?",
                         (evidence.canonical(cert), evidence.sign(signer.key, cert), poll_id))
            conn.execute("INSERT OR IGNORE INTO rules_texts (sha256, text) VALUES (?, ?)",
                         (cert["rules_sha256"], signer.rules_text))
    # The WAL still holds the frames written as ballots arrived; empty it now that the box is
    # rewritten (best effort: a reader still looking at an old snapshot defers it).
    with db.connection() as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return doc


def _rewrite_in_key_order(conn, poll_id: str) -> None:
    """Write the poll's ballots and receipts again, in key order.

    Inside a database page SQLite places each new record below the last one, so the physical
    layout of a page remembers the order of arrival even though the tables are keyed by random
    ids; and a ballot page and a receipt page written by the same commit would pair a code with
    a choice. Rewritten in key order (with secure_delete on, the old bytes are zeroed), the file
    keeps nothing of the arrival.
    """
    for table, columns, key in (("ballots", "poll_id, id, answers, voter_group", "id"),
                                ("receipts", "poll_id, code", "code")):
        rows = conn.execute(f"SELECT {columns} FROM {table} WHERE poll_id = ? ORDER BY {key}", (poll_id,)).fetchall()
        conn.execute(f"DELETE FROM {table} WHERE poll_id = ?", (poll_id,))
        marks = ", ".join("?" * len(columns.split(",")))
        conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", [tuple(r) for r in rows])


def _compute(conn, rules: Rules, sp: PollSpec) -> dict:
    """The full results document from what is committed now (call inside one transaction)."""
    poll = conn.execute("SELECT title, state, issued FROM polls WHERE id = ?", (sp.id,)).fetchone()
    meeting = conn.execute("SELECT expected, present FROM meetings WHERE id = ?", (sp.meeting_id,)).fetchone()
    # Identical ballots are read once and counted by multiplicity: one Ballot object stands for
    # each copy, so a recount costs the number of distinct ballots, not of ballots.
    rows = conn.execute("SELECT answers, voter_group, count(*) AS n FROM ballots WHERE poll_id = ?"
                        " GROUP BY answers, voter_group", (sp.id,)).fetchall()
    ballots = []
    for r in rows:
        ballots.extend([tk.Ballot(answers=json.loads(r["answers"]), group=r["voter_group"])] * r["n"])
    doc = _document(sp, poll, meeting, ballots, rules)
    if poll["state"] == "closed":
        doc["digest"] = evidence.ballot_box_digest(
            [evidence.ballot_line(b.answers, b.group) for b in ballots])
    return doc


def snapshot(db: Database, rules: Rules, poll_id: str) -> dict:
    """A consistent results document of everything committed so far."""
    sp = spec(db, poll_id)
    with db.read() as conn:
        return _compute(conn, rules, sp)


_publish_locks: dict[str, threading.Lock] = {}
_publish_guard = threading.Lock()


def _lock_for(poll_id: str) -> threading.Lock:
    with _publish_guard:
        return _publish_locks.setdefault(poll_id, threading.Lock())


def maybe_publish(db: Database, rules: Rules, poll_id: str, batch: int) -> dict | None:
    """Publish a new live tally when tally.live.publish_due says it may move (SECURITY.md,
    "Secrecy": batches of `batch` ballots, and never the last `batch` slips); returns the new
    document or None."""
    with _lock_for(poll_id):
        row = db.one("SELECT state, cast_count, published_cast FROM polls WHERE id = ?", (poll_id,))
        if row is None or row["state"] != "open" or not tl.batch_due(row["cast_count"], row["published_cast"], batch):
            return None  # skipped before recounting; the recount below is checked whole
        doc = snapshot(db, rules, poll_id)
        if doc["state"] != "open" or not tl.publish_due(doc["cast"], row["published_cast"], doc["issued"], batch):
            return None
        with db.write() as conn:
            stored = conn.execute(
                "UPDATE polls SET published = ?, published_cast = ? WHERE id = ? AND state = 'open'",
                (json.dumps(doc, ensure_ascii=False), doc["cast"], poll_id),
            ).rowcount
        # Closed meanwhile: the final result supersedes this batch, which must not follow it.
        return doc if stored == 1 else None


def republish_same_ballots(db: Database, rules: Rules, poll_id: str) -> dict | None:
    """Publish the live tally again if no ballot arrived since the last publication (after a
    change of attendance, whose quorum the published tally must show); None otherwise, and the
    next batch brings the quorum up to date."""
    with _lock_for(poll_id):
        row = db.one("SELECT state, cast_count, published_cast, published FROM polls WHERE id = ?", (poll_id,))
        if row is None or row["state"] != "open" or not row["published"] or row["cast_count"] != row["published_cast"]:
            return None
        doc = snapshot(db, rules, poll_id)
        if doc["cast"] != row["published_cast"]:
            return None
        with db.write() as conn:
            stored = conn.execute("UPDATE polls SET published = ? WHERE id = ? AND state = 'open' AND published_cast = ?",
                                  (json.dumps(doc, ensure_ascii=False), poll_id, doc["cast"])).rowcount
        return doc if stored == 1 else None


def results(db: Database, rules: Rules, poll_id: str) -> dict:
    """Draft: zeros; open: the last published batch; closed: the fixed result."""
    row = db.one("SELECT state, published, result, cast_count FROM polls WHERE id = ?", (poll_id,))
    if row is None:
        raise Refusal(404, "not_found")
    if row["state"] == "closed" and row["result"]:
        doc = json.loads(row["result"])
    elif row["state"] == "open" and row["published"]:
        doc = json.loads(row["published"])
    else:
        # Nothing published yet: the tally of no ballots (draft, or open below k).
        doc = _empty(db, rules, poll_id)
    # Counts that may move one by one (SECURITY.md, "Secrecy": turnout) and attendance, read fresh.
    meeting = db.one(
        "SELECT m.expected, m.present, p.issued, p.state FROM polls p JOIN meetings m ON m.id = p.meeting_id WHERE p.id = ?",
        (poll_id,),
    )
    doc["state"] = meeting["state"]
    doc["cast_live"] = row["cast_count"]
    if row["state"] != "closed":
        doc.update(expected=meeting["expected"], present=meeting["present"], issued=meeting["issued"])
    if "quorum" not in doc:  # fixed before results stated their decisions: state them now
        doc.update(tk.decisions(doc["kind"], doc, expected=doc["expected"], present=doc["present"], rules=rules))
        if doc["quorum"] is not None:
            doc["quorum"]["met"] = doc["quorum_met"]  # the fixed result is the authority
    return doc


def _empty(db: Database, rules: Rules, poll_id: str) -> dict:
    """The results document of no ballots: before the first published batch nothing shows."""
    sp = spec(db, poll_id)
    poll = db.one("SELECT title, state, issued FROM polls WHERE id = ?", (poll_id,))
    meeting = db.one("SELECT expected, present FROM meetings WHERE id = ?", (sp.meeting_id,))
    return _document(sp, poll, meeting, [], rules)


def _document(sp: PollSpec, poll, meeting, ballots: list, rules: Rules) -> dict:
    counted = tk.count_poll(sp.kind, list(sp.contests), ballots, expected=meeting["expected"],
                            present=meeting["present"], rules=rules)
    return {
        "poll": sp.id,
        "title": poll["title"],
        "kind": sp.kind,
        "secret": sp.secret,
        "state": poll["state"],
        "expected": meeting["expected"],
        "present": meeting["present"],
        "issued": poll["issued"],
        "cast": len(ballots),
        "blank": counted["blank"],
        # Tablets cannot spoil a ballot: answers that do not fit are refused (422)
        # before anything is stored, so the spoiled count of an electronic box is 0.
        "spoiled": 0,
        "quorum_met": counted["quorum_met"],
        "contests": counted["contests"],
        # What pages state (quorum, item vetoes, votes needed), decided by tally, not by them.
        **tk.decisions(sp.kind, counted, expected=meeting["expected"], present=meeting["present"], rules=rules),
    }


def turnout(db: Database, poll_id: str, rules: Rules) -> dict:
    """The counts that move one by one, and the quorum they reach now (tally decides it)."""
    row = db.one(
        "SELECT p.id, p.kind, p.state, p.issued, p.cast_count, p.blank, p.published, m.expected, m.present"
        " FROM polls p JOIN meetings m ON m.id = p.meeting_id WHERE p.id = ?", (poll_id,))
    if row is None:
        raise Refusal(404, "not_found")
    blank = _public_blank(row["state"], row["blank"], row["published"])
    out = {"poll": row["id"], "state": row["state"], "expected": row["expected"],
           "present": row["present"], "issued": row["issued"], "cast": row["cast_count"],
           "blank": blank, "spoiled": 0,
           "issued_beyond": slips_beyond(row["issued"], row["present"], row["expected"])}
    out["quorum"] = tk.quorum_state(row["kind"], expected=row["expected"], present=row["present"],
                                    cast=row["cast_count"], rules=rules)
    return out
