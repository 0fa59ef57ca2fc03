"""Export bundles of closed polls: everything `ballotroom verify` needs."""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l

from kiosk.domain import evidence, round_doc
from kiosk.errors import Refusal
from kiosk.store import eventlog
from kiosk.store.db import Database


def poll_bundle(db: Database, poll_id: str, public_key_pem: str) -> dict:
    with db.read() as conn:
        poll = conn.execute("SELECT state, certificate, signature FROM polls WHERE id = ?", (poll_id,)).fetchone()
        if poll is None:
            raise Refusal(404, "not_found")
        if poll["state"] != "closed" or not poll["certificate"]:
            raise Refusal(409, "state", detail=_l("only a closed poll with its signed result can be exported"))
        cert = json.loads(poll["certificate"])
        rules = conn.execute("SELECT text FROM rules_texts WHERE sha256 = ?", (cert["rules_sha256"],)).fetchone()
        ballots = [
            {"answers": json.loads(r["answers"]), **({"group": r["voter_group"]} if r["voter_group"] else {}),
             **(json.loads(r["spoiled"]) if r["spoiled"] else {})}  # a paper ballot's marks (tally.paper)
            for r in conn.execute("SELECT answers, voter_group, spoiled FROM ballots WHERE poll_id = ?", (poll_id,))
        ]
        codes = [r[0] for r in conn.execute("SELECT code FROM receipts WHERE poll_id = ? ORDER BY code", (poll_id,))]
        log = _log_slice(conn, poll_id)
    # Sorted by content: the order of the file says nothing about arrival.
    ballots.sort(key=lambda b: evidence.ballot_line(
        b["answers"], b.get("group"), {k: v for k, v in b.items() if k.startswith("spoiled_")}))
    return {
        "format": evidence.BUNDLE_FORMAT,
        "certificate": cert,
        "signature": poll["signature"],
        "public_key": public_key_pem,
        "public_key_fingerprint": evidence.fingerprint(public_key_pem),
        "ballots": ballots,
        "tracking_codes": codes,
        "rules": rules["text"] if rules else None,
        "log": log,
    }


def _log_slice(conn, poll_id: str) -> list[dict]:
    """The contiguous stretch of the log from the poll's creation to its close. Entries about
    other things (a candidate's entries, other polls, users) keep only their payload's hash:
    the chain still verifies, and the public board tells nothing that is not this poll's."""
    first = conn.execute(
        "SELECT min(seq) FROM events WHERE type = 'poll.created' AND json_extract(payload, '$.id') = ?",
        (poll_id,)).fetchone()[0]
    last = conn.execute(
        "SELECT max(seq) FROM events WHERE type = 'poll.closed' AND json_extract(payload, '$.poll') = ?",
        (poll_id,)).fetchone()[0]
    if first is None or last is None:
        return []
    rows = conn.execute("SELECT seq, at, actor, type, payload, prev_hash, hash FROM events"
                        " WHERE seq BETWEEN ? AND ? ORDER BY seq", (first, last))
    return [dict(r) if _about(r, poll_id) else _redacted(r) for r in rows]


def _about(row, poll_id: str) -> bool:
    payload = json.loads(row["payload"])
    return isinstance(payload, dict) and poll_id in (payload.get("poll"), payload.get("id"))


def _redacted(row) -> dict:
    return {"seq": row["seq"], "at": row["at"], "actor": row["actor"], "type": row["type"],
            "payload_sha256": eventlog.payload_hash(row["payload"]), "prev_hash": row["prev_hash"],
            "hash": row["hash"]}


def dumps(bundle: dict) -> str:
    return json.dumps(bundle, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


ROUND_BUNDLE_FORMAT = "ballotroom-round-bundle/1"


def round_bundle(db: Database, rules, rules_text: str, round_id: str, key) -> dict:
    """A round's score sheet with everything behind it: the round file, where each part came
    from, the bundle of every closed poll that fed it, and the rules text; the round file, the
    sources and the sheet are signed, so no part can be relabelled as imported or entered."""
    public_key_pem = evidence.public_key_pem(key)
    built = round_doc.build(db, rules, round_id)
    fed = sorted({s["poll"] for parts in built.sources.values() for s in parts.values() if s["from"] == "poll"})
    signed = evidence.round_statement(built.doc, built.sources, round_doc.score(built, rules), rules_text, fed)
    return {
        "format": ROUND_BUNDLE_FORMAT,
        "round": built.doc,
        "sources": built.sources,
        "scores": signed["scores"],
        "rules": rules_text,
        "signature": evidence.sign(key, signed),
        "public_key": public_key_pem,
        "public_key_fingerprint": evidence.fingerprint(public_key_pem),
        "polls": {poll_id: poll_bundle(db, poll_id, public_key_pem) for poll_id in fed},
    }
