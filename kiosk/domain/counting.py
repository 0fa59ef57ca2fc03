"""Counting a poll's ballots into its results document, and the live tally: published in
batches of k ballots, never while fewer than k issued slips remain unused (tally.live decides
when), so no single ballot can be read off the change. Turnout moves one by one."""

from __future__ import annotations

import json
import threading

from kiosk.domain import evidence, paper
from kiosk.domain.polls import PollSpec, public_blank, rules_by_hash, rules_of, spec
from kiosk.errors import Refusal
from kiosk.store.db import Database
from tally import counts as tc
from tally import kinds as tk
from tally import live as tl
from tally import percent as tpercent
from tally.meetings import slips_beyond
from tally.rules import Rules


def compute(conn, rules: Rules, sp: PollSpec) -> dict:
    """The full results document from what is committed now (call inside one transaction), under
    the rules the poll opened with (``rules`` for a draft or a poll that kept none)."""
    rules = rules_of(conn, sp.id, rules)
    poll = conn.execute("SELECT title, state, issued FROM polls WHERE id = ?", (sp.id,)).fetchone()
    meeting = conn.execute("SELECT expected, present FROM meetings WHERE id = ?", (sp.meeting_id,)).fetchone()
    # Identical ballots are read once and counted by multiplicity: one Ballot object stands for
    # each copy, so a recount costs the number of distinct ballots, not of ballots.
    # A closed paper box's ballots are counted before the poll's close too (the live tally).
    rows = paper.counted_rows(conn, sp.id)
    ballots = []
    for r in rows:
        ballots.extend([tk.Ballot(answers=json.loads(r["answers"]), group=r["voter_group"])] * r["n"])
    doc = _document(sp, poll, meeting, ballots, rules)
    # Paper ballots' blank, spoiled and spoiled parts, issued and the poll's validity (docs/rules.md).
    doc.update(paper.figures(sp.kind, rows, paper.box(conn, sp.id), doc, poll["state"] == "closed"))
    # Fixed with the result at the close; in a published batch, the counts of that batch.
    tablet = doc["cast"] - paper.in_live_count(conn, sp.id)
    doc["counts"] = _counts(conn, sp.id, poll["state"], meeting, tablet, doc["blank"], doc["spoiled"])
    if poll["state"] == "closed":
        doc["digest"] = evidence.ballot_box_digest(  # paper ballots' marks too (tally.paper)
            [evidence.ballot_line(json.loads(r["answers"]), r["voter_group"], r["spoiled"] and json.loads(r["spoiled"]))
             for r in rows for _ in range(r["n"])])
    return doc


def _slips(conn, poll_id: str) -> tc.Slips:
    by_state = dict(conn.execute("SELECT state, count(*) FROM tokens WHERE poll_id = ? GROUP BY state",
                                 (poll_id,)).fetchall())
    lost = conn.execute("SELECT coalesce(sum(voided), 0) FROM token_batches WHERE poll_id = ?",
                        (poll_id,)).fetchone()[0]
    return tc.Slips(used=by_state.get("used", 0), unused=by_state.get("unused", 0),
                    void=by_state.get("void", 0), lost=lost)


def _counts(conn, poll_id: str, state: str, meeting, returned: int, blank: int, spoiled: int = 0) -> dict:
    """The counts object (tally.counts decides it) from the slips and the paper box stored now;
    ``returned`` is every ballot in the box, the paper ones once the poll is closed."""
    box = paper.box(conn, poll_id)
    closed = state == "closed"
    return tc.reconcile(closed=closed, expected=meeting["expected"], present=meeting["present"],
                        slips=_slips(conn, poll_id), returned=returned - box.returned if closed else returned,
                        blank=blank, spoiled=spoiled, paper=box)


def snapshot(db: Database, rules: Rules, poll_id: str) -> dict:
    """A consistent results document of everything committed so far."""
    sp = spec(db, poll_id)
    with db.read() as conn:
        return compute(conn, rules, sp)


_publish_locks: dict[str, threading.Lock] = {}


_publish_guard = threading.Lock()


def _lock_for(poll_id: str) -> threading.Lock:
    with _publish_guard:
        return _publish_locks.setdefault(poll_id, threading.Lock())


def maybe_publish(db: Database, rules: Rules, poll_id: str, batch: int | None = None) -> dict | None:
    """Publish a new live tally when tally.live.publish_due says it may move (SECURITY.md,
    "Secrecy": batches of `batch` ballots, and never the last `batch` slips); returns the new
    document or None. ``batch``: by default the rules the poll opened with say it (a rules file
    changed mid-poll does not change an open poll's batches); a number overrides them (tests)."""
    with _lock_for(poll_id):
        row = db.one(f"SELECT state, cast_count + {paper.IN_LIVE_COUNT} AS cast_count, published_cast, rules_sha256"
                     " FROM polls WHERE id = ?", (poll_id,))
        if row is not None and batch is None:
            batch = rules_by_hash(db, row["rules_sha256"], rules).live_batch_size
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
        row = db.one(f"SELECT state, cast_count + {paper.IN_LIVE_COUNT} AS cast_count, published_cast, published"
                     " FROM polls WHERE id = ?", (poll_id,))
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
    row = db.one("SELECT state, published, result, cast_count, blank, rules_sha256 FROM polls WHERE id = ?", (poll_id,))
    if row is None:
        raise Refusal(404, "not_found")
    rules = rules_by_hash(db, row["rules_sha256"], rules)  # the poll's own rules
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
    if row["state"] != "closed" or "counts" not in doc:
        # Returned and not voted move one by one, as turnout does; blank only with the published
        # batch (SECURITY.md, "Secrecy"). A result fixed before it carried counts gets them now,
        # from the slips (fixed at the close too) and its own figures.
        closed = row["state"] == "closed"
        blank = doc["blank"] if closed else _published_blank(row)
        with db.read() as conn:
            doc["counts"] = _counts(conn, poll_id, row["state"], doc if closed else meeting,
                                    doc["cast"] if closed else row["cast_count"], blank)
    if "percent" not in doc:  # fixed before results carried their percentages: add them now
        doc["percent"] = tpercent.shown(doc["kind"], doc, rules)
    if "quorum" not in doc:  # fixed before results stated their decisions: state them now
        doc.update(tk.decisions(doc["kind"], doc, expected=doc["expected"], present=doc["present"], rules=rules))
        if doc["quorum"] is not None:
            doc["quorum"]["met"] = doc["quorum_met"]  # the fixed result is the authority
    return doc


def _published_blank(row) -> int:
    return public_blank(row["state"], row["blank"], row["published"])


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
        # The percentages pages show, by the one display rule (tally.percent), never recomputed.
        "percent": tpercent.shown(sp.kind, counted, rules),
    }


def turnout(db: Database, poll_id: str, rules: Rules) -> dict:
    """The counts that move one by one, and the quorum they reach now (tally decides it)."""
    with db.read() as conn:
        row = conn.execute(
            "SELECT p.id, p.kind, p.state, p.issued, p.cast_count, p.blank, p.published, p.rules_sha256,"
            " m.expected, m.present"
            " FROM polls p JOIN meetings m ON m.id = p.meeting_id WHERE p.id = ?", (poll_id,)).fetchone()
        if row is None:
            raise Refusal(404, "not_found")
        blank = _published_blank(row)
        counts = None if row["state"] == "closed" else _counts(conn, poll_id, row["state"], row, row["cast_count"], blank)
    if counts is None:
        # Once closed, the counts fixed with the result (paper ballots, blank and spoiled included):
        # the live turnout says what the dashboard, the sheet and the signed result say.
        counts = results(db, rules, poll_id)["counts"]
    out = {"poll": row["id"], "state": row["state"], "expected": row["expected"],
           "present": row["present"], "issued": row["issued"], "cast": row["cast_count"],
           "blank": blank, "spoiled": 0, "counts": counts,
           "issued_beyond": slips_beyond(row["issued"], row["present"], row["expected"])}
    out["quorum"] = tk.quorum_state(row["kind"], expected=row["expected"], present=row["present"],
                                    cast=row["cast_count"], rules=rules_by_hash(db, row["rules_sha256"], rules))
    return out
