"""Opening and closing a poll. Opening makes the zero report (the box is empty, the empty box's
digest, the slips issued, the log head) and fixes the rules the poll is counted under. Closing
voids the unused slips, fixes the result and the ballot box's digest under the poll's own rules,
signs the certificate, and rewrites the box in key order so that even the file's pages keep no
arrival order (SECURITY.md, "Secrecy")."""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l

from kiosk.domain import evidence, paper
from kiosk.domain.counting import compute
from kiosk.domain.polls import contests_to_json, forget, spec
from kiosk.errors import Refusal, explained
from kiosk.store import eventlog
from kiosk.store.db import Database
from tally import kinds as tk
from tally.rules import Rules, load_rules


def open_poll(db: Database, actor: str, poll_id: str, rules_text: str | None = None) -> dict:
    """Open a draft after its zero report: the box must be empty. ``rules_text``, the rules in
    force, is kept with the poll (rules_texts) and the poll is counted under it from now on,
    whatever the rules file says later; None keeps nothing (counted under the rules in force)."""
    sp = spec(db, poll_id)
    rules = load_rules(rules_text) if rules_text is not None else None
    if rules is not None:
        try:  # made under other rules, it may no longer fit the ones it would be counted under
            tk.validate_spec(sp.kind, list(sp.contests), rules)
        except ValueError as exc:
            raise Refusal(409, "state", detail=_l(
                "the poll does not fit the rules in use (%(problem)s)", problem=explained(exc))) from None
    with db.write() as conn:
        row = conn.execute("SELECT state, issued, rehearsal FROM polls WHERE id = ?", (poll_id,)).fetchone()
        if row is None:  # deleted as a draft (another process may still hold its spec)
            raise Refusal(404, "not_found")
        if row["state"] != "draft":
            raise Refusal(409, "state", detail=_l("the poll is %(state)s, only a draft can be opened", state=row["state"]))
        in_box = conn.execute("SELECT (SELECT count(*) FROM ballots WHERE poll_id = ?1)"
                              " + (SELECT count(*) FROM receipts WHERE poll_id = ?1)"
                              " + (SELECT count(*) FROM paper_ballots WHERE poll_id = ?1)", (poll_id,)).fetchone()[0]
        if in_box:  # never by the server's own doing: a box is emptied only by a rehearsal's reset
            raise Refusal(409, "state", detail=_l(
                "the ballot box is not empty (%(n)s records): the poll cannot open", n=in_box))
        opened_at = eventlog.now()
        sha = None
        if rules_text is not None:
            sha = evidence.rules_hash(rules_text)
            conn.execute("INSERT OR IGNORE INTO rules_texts (sha256, text) VALUES (?, ?)", (sha, rules_text))
        report = {"ballots": 0, "digest": evidence.ballot_box_digest([]), "issued": row["issued"],
                  "rules_sha256": sha, "rehearsal": bool(row["rehearsal"])}
        eventlog.append(conn, actor, "poll.opened", {"poll": poll_id, **report})
        # The head at opening is the entry that records the zero report, read out in the room
        # (inside this write transaction it is the newest entry).
        head = eventlog.head(conn)
        report.update(opened_at=opened_at, log_head=head)
        conn.execute("UPDATE polls SET state = 'open', opened_at = ?, zero_report = ?, rules_sha256 = ?"
                     " WHERE id = ?", (opened_at, json.dumps(report), sha, poll_id))
    return {"poll": poll_id, "state": "open", "zero_report": report}


# Every table whose rows name a poll, child tables first. A draft without slips has rows in none
# of them but maybe an empty paper box (paper beside tablets chosen, nothing handed out yet).
_POLL_TABLES = ("paper_entries", "paper_ballots", "paper_boxes", "receipts", "ballots", "tokens", "token_batches")


def delete_draft(db: Database, actor: str, poll_id: str) -> dict:
    """Delete a poll made by mistake or for a test: only a draft with no slip issued and no paper
    ballot handed out, made by no stage of a round (409 otherwise). Nothing of a vote is lost, as
    there was none; the event log keeps its creation and says it was deleted, with its title."""
    with db.write() as conn:
        row = conn.execute("SELECT p.meeting_id, p.title, p.kind, p.state, p.issued, p.rehearsal,"
                           " coalesce((SELECT handed_out FROM paper_boxes WHERE poll_id = p.id), 0) AS paper,"
                           " (SELECT count(*) FROM tokens WHERE poll_id = p.id) AS slips"
                           " FROM polls p WHERE p.id = ?", (poll_id,)).fetchone()
        if row is None:
            raise Refusal(404, "not_found")
        if row["state"] != "draft":
            raise Refusal(409, "state", detail=_l(
                "the poll is %(state)s; only a draft that has issued no slips can be deleted", state=row["state"]))
        if row["issued"] or row["slips"] or row["paper"]:
            if row["rehearsal"]:
                raise Refusal(409, "state", detail=_l(
                    "test slips were issued for this rehearsal; reset it first, then delete it"))
            raise Refusal(409, "state", detail=_l(
                "%(n)s slips or paper ballots were issued for this poll; a poll that has issued slips "
                "stays on record", n=max(row["issued"], row["slips"]) + row["paper"]))
        stage = conn.execute("SELECT r.title FROM stage_polls s JOIN round_stages t ON t.id = s.stage_id"
                             " JOIN rounds r ON r.id = t.round_id WHERE s.poll_id = ? LIMIT 1",
                             (poll_id,)).fetchone()
        if stage is not None:
            raise Refusal(409, "state", detail=_l(
                "the poll was made by a stage of the round “%(round)s” and stays with it", round=stage["title"]))
        for table in _POLL_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE poll_id = ?", (poll_id,))
        conn.execute("DELETE FROM polls WHERE id = ?", (poll_id,))
        eventlog.append(conn, actor, "poll.deleted", {
            "poll": poll_id, "meeting": row["meeting_id"], "title": row["title"], "kind": row["kind"],
            **({"rehearsal": True} if row["rehearsal"] else {})})
    forget(db, poll_id)
    return {"poll": poll_id, "deleted": True}


def close_poll(db: Database, rules: Rules, actor: str, poll_id: str, signer: evidence.Signer) -> dict:
    """Close: unused tokens become void, the ballot box's digest and the result are
    fixed, and the result certificate is signed (SECURITY.md, "Integrity and evidence")."""
    sp = spec(db, poll_id)
    with db.write() as conn:
        row = conn.execute("SELECT state, rehearsal, rules_sha256 FROM polls WHERE id = ?", (poll_id,)).fetchone()
        if row is None:  # deleted as a draft (another process may still hold its spec)
            raise Refusal(404, "not_found")
        if row["state"] != "open":
            raise Refusal(409, "state", detail=_l("the poll is %(state)s, only an open poll can be closed", state=row["state"]))
        paper.into_box(conn, poll_id)  # the paper box closed first; its ballots join the box
        closed_at = eventlog.now()
        conn.execute("UPDATE tokens SET state = 'void' WHERE poll_id = ? AND state = 'unused'", (poll_id,))
        conn.execute("UPDATE polls SET state = 'closed', closed_at = ? WHERE id = ?", (closed_at, poll_id))
        _rewrite_in_key_order(conn, poll_id)
        try:
            doc = compute(conn, rules, sp)  # under the rules the poll opened with, when it kept them
        except (tk.AnswerError, ValueError) as exc:
            # Only for a poll opened before polls kept their rules, when the rules file changed
            # under it (e.g. the number of character items): nothing is closed; serve with the
            # rules the poll opened under, then close.
            raise Refusal(409, "state", detail=_l(
                "the stored ballots do not fit the rules file in use (%(problem)s); restart the server "
                "with the rules this poll was opened under, then close it", problem=explained(exc))) from None
        conn.execute("UPDATE polls SET result = ? WHERE id = ?", (json.dumps(doc, ensure_ascii=False), poll_id))
        seq = eventlog.append(conn, actor, "poll.closed", {
            "poll": poll_id, "digest": doc["digest"],
            **evidence.certified_counts(doc), **({"invalid": True} if doc.get("invalid") else {}),
        })
        if signer is not None:
            entry_hash = conn.execute("SELECT hash FROM events WHERE seq = ?", (seq,)).fetchone()[0]
            meeting = conn.execute("SELECT id, title FROM meetings WHERE id = ?", (sp.meeting_id,)).fetchone()
            codes = [r[0] for r in conn.execute("SELECT code FROM receipts WHERE poll_id = ?", (poll_id,))]
            kept = row["rules_sha256"] and conn.execute(
                "SELECT text FROM rules_texts WHERE sha256 = ?", (row["rules_sha256"],)).fetchone()
            rules_text = kept["text"] if kept else signer.rules_text  # the poll's own rules
            cert = evidence.certificate_for(doc, contests_to_json(sp.contests), dict(meeting),
                                            rules_text, entry_hash, closed_at, codes)
            if row["rehearsal"]:  # a rehearsal's certificate says so (real ones keep their shape)
                cert["rehearsal"] = True
            conn.execute("UPDATE polls SET certificate = ?, signature = ? WHERE id = ?",
                         (evidence.canonical(cert), evidence.sign(signer.key, cert), poll_id))
            conn.execute("INSERT OR IGNORE INTO rules_texts (sha256, text) VALUES (?, ?)",
                         (cert["rules_sha256"], rules_text))
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
    for table, columns, key in (("ballots", "poll_id, id, answers, voter_group, spoiled", "id"),
                                ("receipts", "poll_id, code", "code")):
        rows = conn.execute(f"SELECT {columns} FROM {table} WHERE poll_id = ? ORDER BY {key}", (poll_id,)).fetchall()
        conn.execute(f"DELETE FROM {table} WHERE poll_id = ?", (poll_id,))
        marks = ", ".join("?" * len(columns.split(",")))
        conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", [tuple(r) for r in rows])
