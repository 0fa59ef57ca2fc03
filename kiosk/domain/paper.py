"""Paper ballots beside tablets: handing them out, exchanging a failed slip for one, the double
entry of each ballot by two scrutineers, and the paper box's close (docs/rules.md, "Paper
ballots"; the rules themselves are tally.paper's).

Secrecy (SECURITY.md, "Secrecy"): a first entry waits in paper_entries with its enterer, since
the second must be someone else's; when the second agrees the waiting row is deleted (secure
delete zeroes it) and the ballot is stored in paper_ballots under a new random id, with its
answers and marks only: the number scrutineers know it by is not kept with it. When the two
differ the row is deleted too and a row holding nothing but the number (AGAIN) keeps it taken
until both enter that ballot again. At the poll's close the paper ballots join its ballot box and the box
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
# Why an act on paper ballots waits, by the poll's state (never the state's code in a sentence).
POLL_STATE_PROBLEMS = {
    "draft": _l("voting on this poll has not started: paper ballots are exchanged and entered once it is open"),
    "closed": _l("voting on this poll is closed"),
}
# Why a slip cannot be exchanged for a paper ballot, by the slip's state.
SLIP_STATE_PROBLEMS = {
    "used": _l("this slip has been used: its ballot is in the box already, so it is not exchanged for a paper "
               "ballot"),
    "void": _l("this slip is void already (exchanged before, or its batch was voided): it is not exchanged again"),
}
# A waiting row that holds no entry: the ballot's two entries differed and it is entered again
# under the same number (the number stays taken, so it is never given to another ballot).
AGAIN = "null"


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
        waiting = conn.execute("SELECT number, entered_by, entry FROM paper_entries WHERE poll_id = ? ORDER BY number",
                               (poll_id,)).fetchall()
        room = _room(conn, poll_id, 0)
    handed, returned = (row["handed_out"], row["returned"]) if row else (0, 0)
    return {
        "poll": poll_id, "poll_state": poll["state"], "takes_paper": tp.takes_paper(poll["kind"], rules),
        "state": "closed" if row and row["closed_at"] else "open",
        "handed_out": handed, "exchanged": row["exchanged"] if row else 0, "returned": returned,
        "exceeds": tp.invalid(0, 0, returned, handed),
        "closed_at": row["closed_at"] if row else None,
        "waiting": [{"number": w["number"], "entered_by": w["entered_by"]} for w in waiting if w["entry"] != AGAIN],
        "again": [w["number"] for w in waiting if w["entry"] == AGAIN],
        "room": room.room, "take_back_room": tp.take_back_room(
            handed_out=handed, exchanged=row["exchanged"] if row else 0, entered=returned + len(waiting)),
    }


def _check_open_box(conn, rules: Rules, poll_id: str, states: tuple[str, ...]) -> None:
    poll = conn.execute("SELECT kind, state FROM polls WHERE id = ?", (poll_id,)).fetchone()
    if poll is None:
        raise Refusal(404, "not_found")
    if not tp.takes_paper(poll["kind"], rules):
        raise Refusal(409, "state", detail=NO_PAPER_KIND)
    if poll["state"] not in states:
        raise Refusal(409, "state", detail=POLL_STATE_PROBLEMS[poll["state"]])
    closed = conn.execute("SELECT closed_at FROM paper_boxes WHERE poll_id = ?", (poll_id,)).fetchone()
    if closed is not None and closed["closed_at"] is not None:
        raise Refusal(409, "state", detail=_l("the paper box is closed"))


def _room(conn, poll_id: str, count: int) -> tp.HandOut:
    """What tally.paper says of ``count`` more paper ballots, from the meeting and what is out."""
    row = conn.execute(
        "SELECT m.expected, m.present, p.issued, coalesce(b.handed_out, 0) AS handed_out FROM polls p"
        " JOIN meetings m ON m.id = p.meeting_id LEFT JOIN paper_boxes b ON b.poll_id = p.id WHERE p.id = ?",
        (poll_id,)).fetchone()
    return tp.hand_out(count, expected=row["expected"], present=row["present"], slips=row["issued"],
                       handed_out=row["handed_out"])


def _add_handed_out(conn, poll_id: str, count: int, exchanged: int) -> None:
    conn.execute("INSERT INTO paper_boxes (poll_id) VALUES (?) ON CONFLICT (poll_id) DO NOTHING", (poll_id,))
    handed = conn.execute("SELECT handed_out FROM paper_boxes WHERE poll_id = ?", (poll_id,)).fetchone()[0]
    if handed + count > MAX_HANDED_OUT:  # the column's bound, reached only by exchanging spare slips
        raise Refusal(409, "state", detail=_l("would make more than %(n)s paper ballots", n=MAX_HANDED_OUT))
    conn.execute("UPDATE paper_boxes SET handed_out = handed_out + ?, exchanged = exchanged + ? WHERE poll_id = ?",
                 (count, exchanged, poll_id))


def _figures(conn, poll_id: str) -> dict:
    return dict(conn.execute(
        "SELECT m.expected, p.issued AS slips, coalesce(b.handed_out, 0) AS paper FROM polls p"
        " JOIN meetings m ON m.id = p.meeting_id LEFT JOIN paper_boxes b ON b.poll_id = p.id WHERE p.id = ?",
        (poll_id,)).fetchone())


def hand_out(db: Database, rules: Rules, actor: str, poll_id: str, count: object, confirmed: bool = True) -> dict:
    """Record paper ballots handed out (发出): they count as issued. A draft or open poll. At most
    as many as members expected have no ballot yet (tally.paper.hand_out); ``confirmed`` False
    (the page's first press) refuses a number that would put out more ballots than members
    present, with ``confirm`` in the refusal, so the page asks before recording it."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_HANDED_OUT:
        raise bad_count("handed_out")
    with db.write() as conn:
        _check_open_box(conn, rules, poll_id, ("draft", "open"))
        decision = _room(conn, poll_id, count)
        if not decision.allows(count):
            raise Refusal(400, "invalid", detail=_too_many(decision.room, _figures(conn, poll_id)), field="count")
        if decision.beyond_present and not confirmed:
            present = conn.execute("SELECT m.present FROM polls p JOIN meetings m ON m.id = p.meeting_id"
                                   " WHERE p.id = ?", (poll_id,)).fetchone()[0]
            figures = _figures(conn, poll_id)
            raise Refusal(409, "state", confirm=True, count=count, detail=_l(
                "%(count)s paper ballots would put out %(total)s ballots (%(slips)s slips, %(paper)s paper "
                "ballots) for %(present)s members present: check the number, and confirm it if it is right",
                count=count, total=figures["slips"] + figures["paper"] + count, slips=figures["slips"],
                paper=figures["paper"] + count, present=present))
        _add_handed_out(conn, poll_id, count, 0)
        eventlog.append(conn, actor, "paper.handed_out", {"poll": poll_id, "count": count})
    return status(db, rules, poll_id)


def bad_count(act: str) -> Refusal:
    """A count that is no whole number in range, named as paper ballots (handed out or taken back):
    the API's shared words for a body's ``count`` are the slips' (kiosk.web.api.paper)."""
    words = {"handed_out": _l("the number of paper ballots handed out must be a whole number from 1 to %(n)s",
                              n=MAX_HANDED_OUT),
             "taken_back": _l("the number of paper ballots taken back must be a whole number from 1 to %(n)s",
                              n=MAX_HANDED_OUT)}
    return Refusal(400, "invalid", detail=words[act], field="count")


def _too_many(room: int, figures: dict):
    if room == 0:
        return _l("no more paper ballots can be handed out: %(expected)s members expected, %(slips)s slips and "
                  "%(paper)s paper ballots out already (a member whose slip failed exchanges it instead)", **figures)
    return _l("at most %(room)s more paper ballots can be handed out: %(expected)s members expected, %(slips)s "
              "slips and %(paper)s paper ballots out already", room=room, **figures)


def take_back(db: Database, rules: Rules, actor: str, poll_id: str, count: object, reason: object) -> dict:
    """Take back paper ballots recorded as handed out and unused (a mistaken number, ballots
    brought back): handed out falls by as many, the log keeps the count and the reason. Only
    while no paper ballot is entered (tally.paper.take_back_room); after that, those never
    returned are void at the close, so 发出 = 收回 + 作废 holds either way."""
    if not isinstance(reason, str) or not 1 <= len(reason.strip()) <= 500:
        raise Refusal(400, "invalid", "field", field="reason",
                      problem=_l("give the reason (1 to 500 characters), e.g. the number was typed wrong"))
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_HANDED_OUT:
        raise bad_count("taken_back")
    with db.write() as conn:
        _check_open_box(conn, rules, poll_id, ("draft", "open"))
        row = conn.execute("SELECT handed_out, exchanged, returned, (SELECT count(*) FROM paper_entries e"
                           " WHERE e.poll_id = b.poll_id) AS waiting FROM paper_boxes b WHERE poll_id = ?",
                           (poll_id,)).fetchone()
        handed, exchanged, entered = (row["handed_out"], row["exchanged"], row["returned"] + row["waiting"]) \
            if row else (0, 0, 0)
        if entered:
            raise Refusal(409, "state", detail=_l(
                "paper ballots have been entered already: the number handed out stays, and those never returned "
                "are void at the close"))
        room = tp.take_back_room(handed_out=handed, exchanged=exchanged, entered=entered)
        if count > room:
            raise Refusal(400, "invalid", field="count", detail=_l(
                "at most %(room)s paper ballots can be taken back: %(handed)s handed out, %(exchanged)s of them for "
                "a failed slip", room=room, handed=handed, exchanged=exchanged))
        conn.execute("UPDATE paper_boxes SET handed_out = handed_out - ? WHERE poll_id = ?", (count, poll_id))
        eventlog.append(conn, actor, "paper.taken_back", {"poll": poll_id, "count": count, "reason": reason.strip()})
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
            raise Refusal(409, "state", detail=SLIP_STATE_PROBLEMS[row["state"]])
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
    under a new number (tally.paper.next_number: never one given before in this poll). With it an
    entry of that ballot: the second, by someone else, when its first waits: if it agrees the
    ballot is accepted, otherwise the waiting entry is dropped and the ballot keeps its number to
    be entered again by both (``differ`` names the parts, contests or candidates, or "spoiled",
    without either entry's content); the first again when the ballot is to be entered again.
    The reading and what an over-vote spoils follow the rules the poll opened with."""
    entry = _entry(db, rules, poll_id, raw)
    sp = polls.spec(db, poll_id)
    with db.write() as conn:
        _check_open_box(conn, rules, poll_id, ("open",))
        kept = polls.rules_of(conn, poll_id, rules)
        first = None if number is None else conn.execute(
            "SELECT entry, entered_by FROM paper_entries WHERE poll_id = ? AND number = ?", (poll_id, number)).fetchone()
        if number is not None and first is None:
            raise Refusal(404, "not_found")
        if first is None or first["entry"] == AGAIN:
            if number is None:
                returned = conn.execute("SELECT coalesce(max(returned), 0) FROM paper_boxes WHERE poll_id = ?",
                                        (poll_id,)).fetchone()[0]
                taken = [r[0] for r in conn.execute("SELECT number FROM paper_entries WHERE poll_id = ?", (poll_id,))]
                number = tp.next_number(returned=returned, numbers=taken)
            conn.execute("INSERT OR REPLACE INTO paper_entries (poll_id, number, entry, entered_by) VALUES (?,?,?,?)",
                         (poll_id, number, eventlog.canonical(entry.as_json()), actor))
            return {"poll": poll_id, "outcome": "waiting", "number": number, "differ": []}
        if first["entered_by"] == actor:
            raise Refusal(409, "state", detail=_l("the second entry must be made by another scrutineer"))
        earlier = tp.read_entry(sp.kind, sp.contests, json.loads(first["entry"]), kept)
        differ = tp.differences(earlier, entry)
        who = {"poll": poll_id, "first": first["entered_by"], "second": actor}
        if differ:
            # Both entries are dropped; the number stays taken for this ballot's entries again.
            # Deleted, not updated, so secure delete zeroes the first entry's row as on acceptance.
            conn.execute("DELETE FROM paper_entries WHERE poll_id = ? AND number = ?", (poll_id, number))
            conn.execute("INSERT INTO paper_entries (poll_id, number, entry, entered_by) VALUES (?,?,?,'')",
                         (poll_id, number, AGAIN))
            eventlog.append(conn, actor, "paper.mismatch", who)
            return {"poll": poll_id, "outcome": "mismatch", "number": number, "differ": differ}
        conn.execute("DELETE FROM paper_entries WHERE poll_id = ? AND number = ?", (poll_id, number))
        ballot = tp.accept(sp.kind, sp.contests, entry, kept)
        marks = ballot.marks()
        conn.execute("INSERT INTO paper_ballots (poll_id, id, answers, spoiled) VALUES (?,?,?,?)",
                     (poll_id, secrets.token_hex(16), eventlog.canonical(ballot.answers),
                      eventlog.canonical(marks) if marks else None))
        conn.execute("INSERT INTO paper_boxes (poll_id) VALUES (?) ON CONFLICT (poll_id) DO NOTHING", (poll_id,))
        conn.execute("UPDATE paper_boxes SET returned = returned + 1 WHERE poll_id = ?", (poll_id,))
        eventlog.append(conn, actor, "paper.accepted", who)
    return {"poll": poll_id, "outcome": "accepted", "number": number, "differ": []}


def close_box(db: Database, rules: Rules, actor: str, poll_id: str) -> dict:
    """Close the paper box: every paper ballot is entered (no first entry waits). Entered
    exceeding handed out is recorded as it is: the poll will be invalid (tally.paper.invalid)."""
    with db.write() as conn:
        _check_open_box(conn, rules, poll_id, ("open",))
        again = conn.execute("SELECT count(*) FROM paper_entries WHERE poll_id = ? AND entry = ?",
                             (poll_id, AGAIN)).fetchone()[0]
        waiting = conn.execute("SELECT count(*) FROM paper_entries WHERE poll_id = ?", (poll_id,)).fetchone()[0]
        if again:
            raise Refusal(409, "state", detail=_l(
                "%(n)s paper ballots are to be entered again, their two entries having differed: enter them first",
                n=again))
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
