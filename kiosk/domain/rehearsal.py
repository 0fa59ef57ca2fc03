"""Rehearsals: a poll run with test slips before the real vote, then reset and run again.

A rehearsal is a poll of its own (``polls.rehearsal``): its slips, ballots and tracking codes are
keyed to it as any poll's are, so they can never be counted in a real poll; it names no round, so
it feeds no score sheet; its certificate says it is a rehearsal and the board never lists it.
Resetting one removes its ballots, tracking codes and slips and returns it to a draft, with an
entry in the event log saying how many went; a real poll is never reset.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kiosk.domain.polls import spec
from kiosk.errors import Refusal
from kiosk.store import eventlog
from kiosk.store.db import Database

MAX_REASON = 500

# What a poll's run leaves, child tables first: every row of these names the poll.
_RUN_TABLES = ("ballots", "receipts", "tokens", "token_batches", "paper_entries", "paper_ballots", "paper_boxes")


def reset(db: Database, actor: str, poll_id: str, reason: object = None) -> dict:
    """Empty a rehearsal and make it a draft again; 409 for a real poll."""
    spec(db, poll_id)  # 404 for an unknown poll
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON):
        raise Refusal(400, "invalid", "field", field="reason",
                      problem=_l("must be text of at most %(n)s characters", n=MAX_REASON))
    with db.write() as conn:
        row = conn.execute("SELECT rehearsal, state, cast_count FROM polls WHERE id = ?", (poll_id,)).fetchone()
        if row is None:  # a draft deleted meanwhile (lifecycle.delete_draft)
            raise Refusal(404, "not_found")
        if not row["rehearsal"]:
            raise Refusal(409, "state", detail=_l("only a rehearsal can be reset; a real poll keeps its ballots"))
        removed = {table: conn.execute(f"DELETE FROM {table} WHERE poll_id = ?", (poll_id,)).rowcount
                   for table in _RUN_TABLES}
        conn.execute("UPDATE polls SET state = 'draft', issued = 0, cast_count = 0, blank = 0, published = NULL,"
                     " published_cast = 0, result = NULL, certificate = NULL, signature = NULL, opened_at = NULL,"
                     " closed_at = NULL, zero_report = NULL, rules_sha256 = NULL WHERE id = ?", (poll_id,))
        eventlog.append(conn, actor, "poll.rehearsal_reset", {
            "poll": poll_id, "was": row["state"], "cast": removed["ballots"] + removed["paper_ballots"],
            "issued": removed["tokens"],
            "reason": reason.strip() if isinstance(reason, str) and reason.strip() else None})
    # The removed rows' pages are zeroed (secure_delete); empty the WAL of their frames too.
    with db.connection() as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"poll": poll_id, "state": "draft", "removed": {"ballots": removed["ballots"] + removed["paper_ballots"],
                                                            "tracking_codes": removed["receipts"],
                                                            "slips": removed["tokens"]}}
