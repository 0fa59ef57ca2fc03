"""Paper ballots beside tablets: handing them out, exchanging a failed slip for one, the double
entry of each ballot by two scrutineers, and the paper box's close (docs/rules.md, "Paper
ballots"; the rules themselves are tally.paper's).

Secrecy (SECURITY.md, "Secrecy"): a first entry waits in paper_entries with its enterer, since
the second must be someone else's; when the second agrees the waiting row is deleted (secure
delete zeroes it) and the ballot is stored in paper_ballots under a new random id, with its
answers and marks only. At the poll's close the paper ballots join its ballot box and the box
is rewritten in key order (kiosk.domain.lifecycle), so that after the close a paper ballot
without a spoiled part cannot be told from a tablet's. The event log says who entered, never what.
"""

from __future__ import annotations

import json
import secrets

from flask_babel import lazy_gettext as _l

from kiosk.domain import meetings, polls, tokens
from kiosk.errors import Refusal, explained
from kiosk.store import eventlog
from kiosk.store.db import Database
from tally import counts as tc
from tally import paper as tp
from tally.poll import AnswerError
from tally.rules import Rules

MAX_HANDED_OUT = meetings.MAX_MEMBERS  # as many as a meeting's members
# Refusals of the printable ballots' address (kiosk.web.api.paper and the admin page).
SIZE_PROBLEM = _l("must be A4 or A5")
COPIES_PROBLEM = _l("must be a whole number from 1 to 2000")
NO_PAPER_KIND = _l("polls of this kind take no paper ballots (rules file, paper.kinds)")
TOO_LONG = _l("the ballot runs to several pages: ask for fewer copies (at most 2000 pages in one download)")


def takes(kind: str, rules: Rules) -> bool:
    return tp.takes_paper(kind, rules)


def box(conn, poll_id: str) -> tc.Paper:
    """The poll's paper figures (tally.counts.NO_PAPER when it took none)."""
    row = conn.execute("SELECT handed_out, returned, exchanged, closed_at FROM paper_boxes WHERE poll_id = ?",
                       (poll_id,)).fetchone()
    if row is None:
        return tc.NO_PAPER
    return tc.Paper(handed_out=row["handed_out"], returned=row["returned"], exchanged=row["exchanged"],
                    closed=row["closed_at"] is not None)


def status(db: Database, rules: Rules, poll_id: str) -> dict:
    """The paper box as the staff's pages and the API show it."""
    poll = polls.get(db, poll_id)
    with db.read() as conn:
        row = conn.execute("SELECT * FROM paper_boxes WHERE poll_id = ?", (poll_id,)).fetchone()
        waiting = conn.execute("SELECT number, entered_by FROM paper_entries WHERE poll_id = ? ORDER BY number",
                               (poll_id,)).fetchall()
    handed, returned = (row["handed_out"], row["returned"]) if row else (0, 0)
    return {
        "poll": poll_id, "poll_state": poll["state"], "takes_paper": tp.takes_paper(poll["kind"], rules),
        "state": "closed" if row and row["closed_at"] else "open",
        "handed_out": handed, "exchanged": row["exchanged"] if row else 0, "returned": returned,
        "exceeds": tp.invalid(0, 0, returned, handed),
        "closed_at": row["closed_at"] if row else None,
        "waiting": [{"number": w["number"], "entered_by": w["entered_by"]} for w in waiting],
    }


def _check_open_box(conn, rules: Rules, poll_id: str, states: tuple[str, ...]) -> None:
    poll = conn.execute("SELECT kind, state FROM polls WHERE id = ?", (poll_id,)).fetchone()
    if poll is None:
        raise Refusal(404, "not_found")
    if not tp.takes_paper(poll["kind"], rules):
        raise Refusal(409, "state", detail=NO_PAPER_KIND)
    if poll["state"] not in states:
        raise Refusal(409, "state", detail=_l("the poll is %(state)s", state=poll["state"]))
    closed = conn.execute("SELECT closed_at FROM paper_boxes WHERE poll_id = ?", (poll_id,)).fetchone()
    if closed is not None and closed["closed_at"] is not None:
        raise Refusal(409, "state", detail=_l("the paper box is closed"))


def _add_handed_out(conn, poll_id: str, count: int, exchanged: int) -> None:
    conn.execute("INSERT INTO paper_boxes (poll_id) VALUES (?) ON CONFLICT (poll_id) DO NOTHING", (poll_id,))
    handed = conn.execute("SELECT handed_out FROM paper_boxes WHERE poll_id = ?", (poll_id,)).fetchone()[0]
    if handed + count > MAX_HANDED_OUT:
        raise Refusal(400, "invalid", "field", field="count",
                      problem=_l("would make more than %(n)s paper ballots", n=MAX_HANDED_OUT))
    conn.execute("UPDATE paper_boxes SET handed_out = handed_out + ?, exchanged = exchanged + ? WHERE poll_id = ?",
                 (count, exchanged, poll_id))


def hand_out(db: Database, rules: Rules, actor: str, poll_id: str, count: object) -> dict:
    """Record paper ballots handed out (发出): they count as issued. A draft or open poll."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_HANDED_OUT:
        raise Refusal(400, "invalid", "field", field="count",
                      problem=_l("must be a whole number from 1 to %(n)s", n=MAX_HANDED_OUT))
    with db.write() as conn:
        _check_open_box(conn, rules, poll_id, ("draft", "open"))
        _add_handed_out(conn, poll_id, count, 0)
        eventlog.append(conn, actor, "paper.handed_out", {"poll": poll_id, "count": count})
    return status(db, rules, poll_id)


def exchange(db: Database, key: bytes, rules: Rules, actor: str, poll_id: str, token_text: object,
             reason: object) -> dict:
    """A slip that failed on a tablet, exchanged for a paper ballot: the slip is void (an unused
    slip of this poll; a used one has its ballot in the box already) and one more paper ballot is
    handed out. The log keeps the reason, never the slip."""
    if not isinstance(reason, str) or not 1 <= len(reason.strip()) <= 500:
        raise Refusal(400, "invalid", "field", field="reason",
                      problem=_l("give the reason (1 to 500 characters), e.g. the tablet could not read the slip"))
    try:
        token = tokens.normalize(token_text)
    except tokens.TokenFormatError:
        raise Refusal(400, "token_typo") from None
    with db.write() as conn:
        _check_open_box(conn, rules, poll_id, ("open",))
        row = conn.execute("SELECT state FROM tokens WHERE hash = ? AND poll_id = ?",
                           (tokens.keyed_hash(key, token), poll_id)).fetchone()
        if row is None:
            raise Refusal(404, "token_unknown")
        if row["state"] != "unused":
            raise Refusal(409, "state", detail=_l(
                "this slip is %(state)s: only an unused slip is exchanged for a paper ballot", state=row["state"]))
        conn.execute("UPDATE tokens SET state = 'void' WHERE hash = ?", (tokens.keyed_hash(key, token),))
        conn.execute("UPDATE polls SET issued = issued - 1 WHERE id = ?", (poll_id,))
        _add_handed_out(conn, poll_id, 1, 1)
        eventlog.append(conn, actor, "paper.exchanged", {"poll": poll_id, "reason": reason.strip()})
    return status(db, rules, poll_id)


def _entry(db: Database, rules: Rules, poll_id: str, raw: object) -> tp.Entry:
    sp = polls.spec(db, poll_id)
    if not tp.takes_paper(sp.kind, rules):
        raise Refusal(409, "state", detail=NO_PAPER_KIND)
    try:
        return tp.read_entry(sp.kind, sp.contests, raw, polls.rules_of(db, poll_id, rules))
    except AnswerError as exc:
        raise Refusal(400, "invalid", "field", field=tp.ENTRY_KEYS[tp.shape_of(sp.kind)],
                      problem=explained(exc)) from None


def enter(db: Database, rules: Rules, actor: str, poll_id: str, raw: object, number: int | None = None) -> dict:
    """One scrutineer's entry of one paper ballot. Without ``number`` a first entry, which waits
    under the number returned; with it the second entry of that ballot, by someone else: if it
    agrees the ballot is accepted, otherwise the waiting entry is dropped and both enter again
    (``differ`` names the parts, contests or candidates, or "spoiled", without either entry's
    content). The reading and what an over-vote spoils follow the rules the poll opened with."""
    entry = _entry(db, rules, poll_id, raw)
    sp = polls.spec(db, poll_id)
    with db.write() as conn:
        _check_open_box(conn, rules, poll_id, ("open",))
        kept = polls.rules_of(conn, poll_id, rules)
        if number is None:
            taken = {r[0] for r in conn.execute("SELECT number FROM paper_entries WHERE poll_id = ?", (poll_id,))}
            number = next(n for n in range(1, len(taken) + 2) if n not in taken)
            conn.execute("INSERT INTO paper_entries (poll_id, number, entry, entered_by) VALUES (?,?,?,?)",
                         (poll_id, number, eventlog.canonical(entry.as_json()), actor))
            return {"poll": poll_id, "outcome": "waiting", "number": number, "differ": []}
        first = conn.execute("SELECT entry, entered_by FROM paper_entries WHERE poll_id = ? AND number = ?",
                             (poll_id, number)).fetchone()
        if first is None:
            raise Refusal(404, "not_found")
        if first["entered_by"] == actor:
            raise Refusal(409, "state", detail=_l("the second entry must be made by another scrutineer"))
        conn.execute("DELETE FROM paper_entries WHERE poll_id = ? AND number = ?", (poll_id, number))
        earlier = tp.read_entry(sp.kind, sp.contests, json.loads(first["entry"]), kept)
        differ = tp.differences(earlier, entry)
        who = {"poll": poll_id, "first": first["entered_by"], "second": actor}
        if differ:
            eventlog.append(conn, actor, "paper.mismatch", who)
            return {"poll": poll_id, "outcome": "mismatch", "number": number, "differ": differ}
        ballot = tp.accept(sp.kind, sp.contests, entry, kept)
        marks = ballot.marks()
        conn.execute("INSERT INTO paper_ballots (poll_id, id, answers, spoiled) VALUES (?,?,?,?)",
                     (poll_id, secrets.token_hex(16), eventlog.canonical(ballot.answers),
                      eventlog.canonical(marks) if marks else None))
        conn.execute("UPDATE paper_boxes SET returned = returned + 1 WHERE poll_id = ?", (poll_id,))
        eventlog.append(conn, actor, "paper.accepted", who)
    return {"poll": poll_id, "outcome": "accepted", "number": number, "differ": []}


def close_box(db: Database, rules: Rules, actor: str, poll_id: str) -> dict:
    """Close the paper box: every paper ballot is entered (no first entry waits). Entered
    exceeding handed out is recorded as it is: the poll will be invalid (tally.paper.invalid)."""
    with db.write() as conn:
        _check_open_box(conn, rules, poll_id, ("open",))
        waiting = conn.execute("SELECT count(*) FROM paper_entries WHERE poll_id = ?", (poll_id,)).fetchone()[0]
        if waiting:
            raise Refusal(409, "state", detail=_l(
                "%(n)s paper ballots wait for their second entry: finish them first", n=waiting))
        conn.execute("INSERT INTO paper_boxes (poll_id) VALUES (?) ON CONFLICT (poll_id) DO NOTHING", (poll_id,))
        conn.execute("UPDATE paper_boxes SET closed_at = ? WHERE poll_id = ?", (eventlog.now(), poll_id))
        figures = box(conn, poll_id)
        _rewrite(conn, poll_id)
        eventlog.append(conn, actor, "paper.closed", {"poll": poll_id, "handed_out": figures.handed_out,
                                                      "returned": figures.returned})
    return status(db, rules, poll_id)


def _rewrite(conn, poll_id: str) -> None:
    """The accepted paper ballots again in key order: the pages then keep no order of entry."""
    rows = conn.execute("SELECT poll_id, id, answers, spoiled FROM paper_ballots WHERE poll_id = ? ORDER BY id",
                        (poll_id,)).fetchall()
    conn.execute("DELETE FROM paper_ballots WHERE poll_id = ?", (poll_id,))
    conn.executemany("INSERT INTO paper_ballots (poll_id, id, answers, spoiled) VALUES (?,?,?,?)",
                     [tuple(r) for r in rows])


def into_box(conn, poll_id: str) -> None:
    """At the poll's close, inside its transaction: the paper box must be closed when paper
    ballots were handed out; its ballots join the ballot box (rewritten in key order after)."""
    row = conn.execute("SELECT handed_out, returned, closed_at FROM paper_boxes WHERE poll_id = ?",
                       (poll_id,)).fetchone()
    if row is None:
        return
    if row["closed_at"] is None and (row["handed_out"] or row["returned"]):
        raise Refusal(409, "state", detail=_l(
            "the paper box is open (%(handed)s handed out, %(entered)s entered): close it first",
            handed=row["handed_out"], entered=row["returned"]))
    conn.execute("INSERT INTO ballots (poll_id, id, answers, voter_group, spoiled)"
                 " SELECT poll_id, id, answers, NULL, spoiled FROM paper_ballots WHERE poll_id = ?", (poll_id,))
    conn.execute("DELETE FROM paper_ballots WHERE poll_id = ?", (poll_id,))
    conn.execute("DELETE FROM paper_entries WHERE poll_id = ?", (poll_id,))


# The paper ballots the live tally holds while the poll is open: those of a closed paper box (at
# the poll's close they join the ballot box, and paper_ballots is empty again). A scalar
# subquery for a query of polls, so the live tally's first check reads it with the poll's row.
IN_LIVE_COUNT = ("(SELECT coalesce(sum(b.returned), 0) FROM paper_boxes b"
                 " WHERE b.poll_id = polls.id AND b.closed_at IS NOT NULL AND polls.state = 'open')")


def counted_rows(conn, poll_id: str) -> list:
    """The ballots a count reads, grouped (answers, voter_group, spoiled, n): the ballot box and,
    once the paper box is closed, its ballots (before the poll's close they wait apart)."""
    return conn.execute(
        "SELECT answers, voter_group, spoiled, count(*) AS n FROM ("
        " SELECT answers, voter_group, spoiled FROM ballots WHERE poll_id = ?"
        " UNION ALL SELECT answers, NULL, spoiled FROM paper_ballots WHERE poll_id = ?"
        "  AND EXISTS (SELECT 1 FROM paper_boxes WHERE poll_id = ? AND closed_at IS NOT NULL))"
        " GROUP BY answers, voter_group, spoiled", (poll_id, poll_id, poll_id)).fetchall()


def in_live_count(conn, poll_id: str) -> int:
    """How many of ``counted_rows`` are paper ballots still outside the ballot box."""
    return conn.execute(f"SELECT {IN_LIVE_COUNT} FROM polls WHERE id = ?", (poll_id,)).fetchone()[0]


def figures(kind: str, rows, paper: tc.Paper, doc: dict, closed: bool) -> dict:
    """What paper changes in a results document counted from ``rows`` (answers, spoiled, n):
    blank and spoiled by tally.paper; once closed, the paper ballots handed out in ``issued`` and
    the poll's invalidity (its result voided) when more came back than went out. While open,
    ``issued`` is what the live tally's rule of the last slips (tally.live) is about: the slips,
    and once the paper box is closed (its ballots counted) the paper ballots entered, since a
    closed box takes no more and those never returned must not hide the last slips."""
    box_rows = [(json.loads(r["answers"]), json.loads(r["spoiled"]) if r["spoiled"] else None, r["n"]) for r in rows]
    out = tp.box_figures(kind, box_rows)
    if not closed:
        if paper.closed:
            out["issued"] = doc["issued"] + paper.returned
        return out
    out["issued"] = doc["issued"] + paper.handed_out
    if paper != tc.NO_PAPER:
        out["paper"] = {"issued": paper.handed_out, "returned": paper.returned}
    out["invalid"] = tp.invalid(doc["cast"], out["issued"], paper.returned, paper.handed_out)
    if out["invalid"]:
        out["contests"] = tp.voided_result(doc["contests"])
    return out
