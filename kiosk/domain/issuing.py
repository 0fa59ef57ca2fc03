"""Slips for a poll: issued in batches (a number for secret kinds, named voters for named kinds),
listed per batch, and a lost batch's unused slips voided with a reason."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l

from kiosk.domain import tokens
from kiosk.domain.polls import get
from kiosk.errors import Refusal
from kiosk.store import eventlog
from kiosk.store.db import Database
from tally import kinds as tk

MAX_TOKENS_PER_BATCH = 5000


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
    """The poll's slip batches with how many of each are used, unused and voided: ``voided``
    counts every void slip of the batch, those voided as lost and, after the close, those voided
    then because they were unused, so that used + unused + voided = count.

    While the poll is open, used and unused are left out: a batch may be a single slip handed
    to a known latecomer, and its used count would tell whether that person has voted."""
    rows = db.query(
        "SELECT b.id, b.count, b.issued_at, coalesce(sum(t.state = 'void'), 0) AS voided, b.voided_at,"
        " b.void_reason, sum(t.state = 'used') AS used, sum(t.state = 'unused') AS unused FROM token_batches b"
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
