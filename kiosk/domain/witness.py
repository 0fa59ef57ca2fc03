"""The event log checked against what lies outside it: certified closes and witnessed heads.

A hash chain alone proves only that the log is consistent with itself: whoever can write the
database file can cut the log short, or rewrite it and recompute every hash after the change,
and the chain still holds. Two things outside the chain pin it:

- **Certified closes.** Each closed poll's certificate is signed with the instance's key and
  names the hash of its ``poll.closed`` entry. That entry must be in the log, be that poll's
  close, and sit in the verified chain; a log cut or rewritten past a certified close fails,
  naming the poll. (The signing key is in the instance folder, not in the database, so a copy
  of the database alone cannot re-sign.)
- **Witnessed heads.** The newest entry's short form (``eventlog.head_code``) is shown to the
  room when a poll opens, while it is open and when it closes, and printed on the result sheet.
  Each head written down there must still be the hash of an entry in the chain, so a log
  re-chained from the start fails against any head the room saw, and so does one whose newest
  entries were removed after they were witnessed.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.domain.evidence import canonical
from kiosk.store import eventlog
from kiosk.store.db import Database
from tally.messages import N_


@dataclass(frozen=True)
class Problem:
    """One thing found wrong: its sentence and values apart (``ballotroom log verify`` says it in
    the reader's language); ``str()`` is the English."""

    template: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template % self.params if self.params else self.template


@dataclass
class LogCheck:
    entries: int
    certified: int
    heads: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(db: Database, public_key: Ed25519PublicKey, heads: list[str] = ()) -> LogCheck:
    """The chain, every certified close, and every witnessed head (codes as typed)."""
    rows = db.query("SELECT * FROM events ORDER BY seq")
    result = LogCheck(entries=len(rows), certified=0, heads=len(heads),
                      problems=[_chain_problem(p) for p in eventlog.verify(rows)])
    by_hash = {row["hash"]: row for row in rows}
    polls = db.query("SELECT id, title, certificate, signature FROM polls WHERE certificate IS NOT NULL"
                     " ORDER BY closed_at, id")
    for poll in polls:
        result.certified += 1
        result.problems += _close_problems(poll, public_key, by_hash)
    seen = {eventlog.head_code(eventlog.GENESIS): 0} | {eventlog.head_code(row["hash"]): row["seq"] for row in rows}
    for typed in heads:
        try:
            code = eventlog.normalize_head_code(typed)
        except ValueError:
            result.problems.append(Problem(N_("witnessed head %(typed)s: a log head is 16 characters, in four "
                                              "groups of four (e.g. %(example)s)"),
                                           {"typed": repr(typed), "example": "7K3Q-M9XD-2FJA-W0PE"}))
            continue
        if code not in seen:
            result.problems.append(_missing_head(code, seen))
    return result


def _missing_head(code: str, seen: dict[str, int]) -> Problem:
    """A head that is not in the chain. Far likelier than a rewritten log is a code mistyped (or
    miswritten in the room): say that first, and name the code of the chain it was probably meant
    for when one differs from it by a single character (a rewritten log's heads are new hashes,
    never one character away from the old)."""
    near = sorted((seq, known) for known, seq in seen.items() if one_slip(code, known))
    if len(near) == 1:
        seq, known = near[0]
        return Problem(N_("the witnessed head %(code)s is not in the log. It may have been mistyped: check it "
                          "against what was written down in the room. The log holds %(near)s (entry %(seq)s), "
                          "which differs from it in one character: probably the head that was meant."),
                       {"code": code, "near": known, "seq": seq})
    return Problem(N_("the witnessed head %(code)s is not in the log. It may have been mistyped: check it against "
                      "what was written down in the room (the projector, the result sheet) and type it again. "
                      "If it is exactly what the room saw, entries the room saw were removed or rewritten after it "
                      "was read out."), {"code": code})


def one_slip(typed: str, known: str) -> bool:
    """Whether two head codes (normalised, same length) differ by one character typed wrong."""
    return len(typed) == len(known) and sum(a != b for a, b in zip(typed, known, strict=True)) == 1


# eventlog.verify's problems ("entry N: ..."), as sentences (admin/log.py says them the same way).
CHAIN = {
    "sequence": N_("Entry %(seq)s is out of sequence: an entry before it was removed or moved."),
    "previous": N_("Entry %(seq)s does not point at the entry before it: an entry was removed, added or moved."),
    "hash": N_("Entry %(seq)s does not match its hash: its contents were changed."),
}


def _chain_problem(problem: str) -> Problem:
    seq = re.match(r"entry (\S+):", problem)
    kind = next((k for k in CHAIN if k in problem), "hash")
    return Problem(CHAIN[kind], {"seq": seq.group(1) if seq else "?"})


def _close_problems(poll, public_key: Ed25519PublicKey, by_hash: dict) -> list[Problem]:
    who = {"poll": poll["id"], "title": poll["title"]}
    try:
        certificate = json.loads(poll["certificate"])
        public_key.verify(base64.b64decode(poll["signature"] or "", validate=True),
                          canonical(certificate).encode("utf-8"))
    except (ValueError, TypeError, InvalidSignature):
        return [Problem(N_("poll %(poll)s (%(title)s): its certificate is not signed by this instance's key"), who)]
    entry = by_hash.get(certificate.get("log_entry"))
    if entry is None:
        return [Problem(N_("poll %(poll)s (%(title)s): its certified close (log entry %(entry)s…, closed %(closed)s) "
                           "is not in the log: the log was cut short or rewritten after it"),
                        {**who, "entry": str(certificate.get("log_entry"))[:16], "closed": certificate.get("closed_at")})]
    try:
        payload = json.loads(entry["payload"])
    except (TypeError, ValueError):
        payload = {}
    if entry["type"] != "poll.closed" or payload.get("poll") != poll["id"]:
        return [Problem(N_("poll %(poll)s (%(title)s): its certified close points at log entry %(seq)s, which is "
                           "not its close"), {**who, "seq": entry["seq"]})]
    return []
