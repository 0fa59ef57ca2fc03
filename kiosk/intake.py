"""Ballot intake: the one function the tablet form and POST /api/v1/ballots share.

Token check and ballot insert happen in one BEGIN IMMEDIATE transaction, so
of any number of concurrent submissions with one token exactly one succeeds,
and a refused submission burns nothing and stores nothing.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from tally import kinds as tk

from . import polls, tokens
from .db import Database
from .errors import Refusal


@dataclass(frozen=True)
class Receipt:
    poll_id: str
    tracking_code: str
    cast: int  # ballots in the box after this one (turnout)


@dataclass(frozen=True)
class TokenStatus:
    """What a tablet may learn about a token before showing the ballot."""

    token: str
    poll_id: str


def _token_error(exc: tokens.TokenFormatError) -> Refusal:
    del exc  # length, characters or check: all mean "look at the slip again"
    return Refusal(400, "token_typo")


def check_token(db: Database, key: bytes, text: object) -> TokenStatus:
    """Read-only check that a token can vote now (for showing the ballot)."""
    try:
        token = tokens.normalize(text)
    except tokens.TokenFormatError as exc:
        raise _token_error(exc) from None
    row = db.one(
        "SELECT t.state AS token_state, t.poll_id, p.state AS poll_state FROM tokens t"
        " JOIN polls p ON p.id = t.poll_id WHERE t.hash = ?", (tokens.keyed_hash(key, token),))
    _refuse_unusable(row, key, token)
    return TokenStatus(token, row["poll_id"])


def _refuse_unusable(row, key: bytes, token: str) -> None:
    if row is None:
        raise Refusal(404, "token_unknown")
    if row["token_state"] == "used":
        raise Refusal(409, "token_used", tracking_code=tokens.tracking_code(key, token))
    if row["poll_state"] == "draft":
        raise Refusal(423, "poll_not_open")
    if row["poll_state"] == "closed" or row["token_state"] == "void":
        raise Refusal(423, "poll_closed")


def submit(db: Database, rules, key: bytes, token_text: object, answers: object) -> Receipt:
    try:
        token = tokens.normalize(token_text)
    except tokens.TokenFormatError as exc:
        raise _token_error(exc) from None
    token_hash = tokens.keyed_hash(key, token)
    with db.write() as conn:
        row = conn.execute(
            "SELECT t.state AS token_state, t.poll_id, t.voter_group, p.state AS poll_state"
            " FROM tokens t JOIN polls p ON p.id = t.poll_id WHERE t.hash = ?", (token_hash,)
        ).fetchone()
        _refuse_unusable(row, key, token)
        sp = polls.spec(db, row["poll_id"])
        try:
            canonical = tk.validate_answers(sp.kind, list(sp.contests), answers, rules)
        except tk.AnswerError as exc:
            raise _answer_refusal(exc, sp) from None
        blank = 1 if tk.is_blank(sp.kind, canonical) else 0
        # The WHERE on state makes the use of the token itself the guard.
        if conn.execute("UPDATE tokens SET state = 'used' WHERE hash = ? AND state = 'unused'",
                        (token_hash,)).rowcount != 1:
            raise Refusal(409, "token_used", tracking_code=tokens.tracking_code(key, token))
        code = tokens.tracking_code(key, token)
        conn.execute(
            "INSERT INTO ballots (poll_id, id, answers, voter_group) VALUES (?,?,?,?)",
            (sp.id, secrets.token_hex(16),
             json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
             None if sp.secret else row["voter_group"]),
        )
        conn.execute("INSERT INTO receipts (poll_id, code) VALUES (?, ?)", (sp.id, code))
        cast = conn.execute(
            "UPDATE polls SET cast_count = cast_count + 1, blank = blank + ? WHERE id = ?"
            " RETURNING cast_count", (blank, sp.id)).fetchone()[0]
    return Receipt(sp.id, code, cast)


def _answer_refusal(exc: tk.AnswerError, sp: polls.PollSpec) -> Refusal:
    detail = dict(getattr(exc, "detail", {}) or {})
    if exc.code == "too_many_choices":
        contest = next((c for c in sp.contests if c.id == detail.get("contest")), None)
        return Refusal(422, "bad_answers", "too_many_choices", reason=exc.code,
                       max=detail.get("max"), contest=contest.title if contest else detail.get("contest", ""))
    if exc.code == "missing_answer":
        return Refusal(422, "bad_answers", "missing_answer", reason=exc.code, **{k: v for k, v in detail.items() if k != "reason"})
    return Refusal(422, "bad_answers", reason=exc.code, detail=str(exc))
