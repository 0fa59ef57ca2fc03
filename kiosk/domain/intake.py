"""Ballot intake: the one path the tablet form and POST /api/v1/ballots share.

A submission is checked in the request's thread (token form, token state,
answers against the poll), then handed to the writer: one thread that
commits waiting ballots together, one fsync for many (group commit). Inside
that transaction each ballot's token is used with
``UPDATE ... WHERE state = 'unused'`` and the poll must still be open, so of
any number of concurrent submissions with one token exactly one succeeds.
A submission is acknowledged only after its transaction has committed; a
refused one burns nothing and stores nothing.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
from dataclasses import dataclass, field

from kiosk import blocking
from kiosk.domain import polls, tokens
from kiosk.errors import Refusal, explained
from kiosk.store import eventlog
from kiosk.store.db import Database
from tally import kinds as tk

MAX_BATCH = 256
_shuffle = secrets.SystemRandom().shuffle


@dataclass(frozen=True)
class Receipt:
    poll_id: str
    tracking_code: str


@dataclass(frozen=True)
class TokenStatus:
    """What a tablet may learn about a token before showing the ballot."""

    token: str
    poll_id: str


@dataclass
class _Pending:
    token_hash: str
    poll_id: str
    answers_json: str
    group: str | None
    blank: int
    code: str
    # Looked up when made, not at import: under the gevent server (kiosk/cli/server.py) it is
    # then gevent's Event.
    done: threading.Event = field(default_factory=lambda: threading.Event())
    result: Receipt | Exception | None = None


def _normalize(text: object) -> str:
    try:
        return tokens.normalize(text)
    except tokens.TokenFormatError:
        # Wrong length, characters or check: all mean "look at the slip again".
        raise Refusal(400, "token_typo") from None


def _token_row(db: Database, token_hash: str):
    return db.one(
        "SELECT t.state AS token_state, t.poll_id, t.voter_group, p.state AS poll_state, p.rules_sha256 FROM tokens t"
        " JOIN polls p ON p.id = t.poll_id WHERE t.hash = ?", (token_hash,))


def _refuse_unusable(row, key: bytes, token: str) -> None:
    if row is None:
        raise Refusal(404, "token_unknown")
    if row["token_state"] == "used":
        raise Refusal(409, "token_used", tracking_code=tokens.tracking_code(key, token))
    if row["poll_state"] == "draft":
        raise Refusal(423, "poll_not_open")
    if row["poll_state"] == "closed" or row["token_state"] == "void":
        raise Refusal(423, "poll_closed")


def check_token(db: Database, key: bytes, text: object) -> TokenStatus:
    """Read-only check that a token can vote now (for showing the ballot)."""
    token = _normalize(text)
    row = _token_row(db, tokens.keyed_hash(key, token))
    _refuse_unusable(row, key, token)
    return TokenStatus(token, row["poll_id"])


def submit(db: Database, rules, key: bytes, token_text: object, answers: object) -> Receipt:
    token = _normalize(token_text)
    token_hash = tokens.keyed_hash(key, token)
    row = _token_row(db, token_hash)
    _refuse_unusable(row, key, token)
    sp = polls.spec(db, row["poll_id"])
    rules = polls.rules_by_hash(db, row["rules_sha256"], rules)  # the poll's own rules
    try:
        canonical = tk.validate_answers(sp.kind, list(sp.contests), answers, rules)
    except tk.AnswerError as exc:
        raise answer_refusal(exc, sp) from None
    pending = _Pending(
        token_hash=token_hash,
        poll_id=sp.id,
        # Stored in the canonical form the close's digest and the bundles hash.
        answers_json=eventlog.canonical(canonical),
        group=None if sp.secret else row["voter_group"],
        blank=1 if tk.is_blank(sp.kind, canonical) else 0,
        code=tokens.tracking_code(key, token),
    )
    result = writer_for(db).put(pending)
    if isinstance(result, Exception):
        raise result
    return result


class BallotWriter:
    """The single thread that stores ballots, many per transaction."""

    def __init__(self, db: Database):
        self.db = db
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def put(self, pending: _Pending) -> Receipt | Exception:
        self._ensure_started()
        self._queue.put(pending)
        pending.done.wait()
        return pending.result

    def _ensure_started(self) -> None:
        # Started on first use, so a forking server starts it in the worker.
        if self._thread is None or not self._thread.is_alive():
            with self._start_lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="ballot-writer", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        # Stored in random order: within a batch the file's layout says nothing of arrival.
        _shuffle(batch)
        # The transaction and its fsync run where kiosk.blocking says: in this thread by default,
        # in a native thread under the gevent server, so the commit never stalls its loop.
        try:
            blocking.run(self._store_batch, batch)
        except Exception as exc:  # the writer itself failed: no submission is told it is stored
            logging.getLogger(__name__).exception("ballot writer failed")
            for pending in batch:
                if not isinstance(pending.result, Receipt):
                    pending.result = exc
        finally:
            for pending in batch:
                pending.done.set()

    def _store_batch(self, batch: list[_Pending]) -> None:
        try:
            with self.db.write() as conn:
                for pending in batch:
                    pending.result = _store(conn, pending)
        except Exception:
            # The batch rolled back, nothing of it is stored: retry one by one so
            # that one failing ballot cannot take the others down with it.
            for pending in batch:
                try:
                    with self.db.write() as conn:
                        pending.result = _store(conn, pending)
                except Exception as exc:  # reported to that submission alone
                    pending.result = exc


def _store(conn, p: _Pending) -> Receipt | Refusal:
    """Use the token and store the ballot, inside the writer's transaction."""
    used = conn.execute(
        "UPDATE tokens SET state = 'used' WHERE hash = ? AND state = 'unused'"
        " AND (SELECT state FROM polls WHERE id = ?) = 'open'", (p.token_hash, p.poll_id)).rowcount
    if used != 1:
        row = conn.execute(
            "SELECT t.state AS token_state, p.state AS poll_state FROM tokens t JOIN polls p"
            " ON p.id = t.poll_id WHERE t.hash = ?", (p.token_hash,)).fetchone()
        if row["token_state"] == "used":  # a concurrent submission with this token won
            return Refusal(409, "token_used", tracking_code=p.code)
        return Refusal(423, "poll_closed" if row["poll_state"] == "closed" else "poll_not_open")
    conn.execute("INSERT INTO ballots (poll_id, id, answers, voter_group) VALUES (?,?,?,?)",
                 (p.poll_id, secrets.token_hex(16), p.answers_json, p.group))
    conn.execute("INSERT INTO receipts (poll_id, code) VALUES (?, ?)", (p.poll_id, p.code))
    conn.execute("UPDATE polls SET cast_count = cast_count + 1, blank = blank + ? WHERE id = ?",
                 (p.blank, p.poll_id))
    return Receipt(p.poll_id, p.code)


_writers: dict[int, BallotWriter] = {}
_writers_lock = threading.Lock()


def writer_for(db: Database) -> BallotWriter:
    with _writers_lock:
        writer = _writers.get(id(db))
        if writer is None or writer.db is not db:
            writer = _writers[id(db)] = BallotWriter(db)
        return writer


def answer_refusal(exc: tk.AnswerError, sp: polls.PollSpec) -> Refusal:
    detail = dict(getattr(exc, "detail", {}) or {})
    if exc.code == "too_many_choices":
        contest = next((c for c in sp.contests if c.id == detail.get("contest")), None)
        return Refusal(422, "bad_answers", "too_many_choices", reason=exc.code,
                       max=detail.get("max"), contest=contest.title if contest else detail.get("contest", ""))
    if exc.code == "missing_answer":
        return Refusal(422, "bad_answers", "missing_answer", reason=exc.code,
                       **{k: v for k, v in detail.items() if k != "reason"})
    return Refusal(422, "bad_answers", reason=exc.code, detail=explained(exc))
