"""Polls: creating one (its contests checked against the rules), reading it, and listing a
meeting's polls. Issuing slips is ``issuing``; opening and closing, ``lifecycle``; counting and
the live tally, ``counting``.

The rules themselves live in ``tally``; this module is the glue (query, pure function, result),
as VotingWorks' full_results.ts is.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from kiosk.domain import meetings, rounds
from kiosk.errors import Refusal, explained
from kiosk.store import eventlog
from kiosk.store.db import Database
from tally import kinds as tk
from tally.rules import Rules, load_rules


@dataclass(frozen=True)
class PollSpec:
    """The immutable part of a poll, cached: contests never change after creation."""

    id: str
    meeting_id: str
    kind: str
    secret: bool
    contests: tuple[tk.Contest, ...]


def _field(path: str, problem) -> Refusal:
    """A 400 naming the field by its API path (detail.field); the sentence says it in words."""
    return Refusal(400, "invalid", "field", field=path, problem=problem)


def _contests_from_json(raw: object) -> tuple[tk.Contest, ...]:
    if not isinstance(raw, list) or not raw:
        raise _field("contests", _l("give at least one contest with its candidates"))
    contests = []
    for i, c in enumerate(raw, 1):
        if not isinstance(c, dict):
            raise _field(f"contests[{i - 1}]", _l("must give the contest's title and candidates"))
        cands = c.get("candidates")
        if not isinstance(cands, list) or not cands:
            raise _field(f"contests[{i - 1}].candidates", _l("must list at least one candidate"))
        candidates = []
        for j, cand in enumerate(cands, 1):
            if not isinstance(cand, dict):
                raise _field(f"contests[{i - 1}].candidates[{j - 1}]", _l("must give the candidate's name"))
            cid, name = cand.get("id"), cand.get("name")
            if not isinstance(cid, str) or not cid.strip() or len(cid) > 64:
                raise _field(f"contests[{i - 1}].candidates[{j - 1}].id", _l("must be text of 1 to 64 characters"))
            if not isinstance(name, str) or not name.strip() or len(name) > 100:
                raise _field(f"contests[{i - 1}].candidates[{j - 1}].name", _l("must be text of 1 to 100 characters"))
            candidates.append(tk.Candidate(id=cid.strip(), name=name.strip()))
        cid = c.get("id", f"c{i}")
        if not isinstance(cid, str) or not cid.strip() or len(cid) > 64:
            raise _field(f"contests[{i - 1}].id", _l("must be text of 1 to 64 characters"))
        title = c.get("title") or cid
        if not isinstance(title, str) or len(title) > 200:
            raise _field(f"contests[{i - 1}].title", _l("must be text of at most 200 characters"))
        max_choices = c.get("max_choices", 1)
        places = c.get("places", max_choices)
        for field, value in (("max_choices", max_choices), ("places", places)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise _field(f"contests[{i - 1}].{field}", _l("must be a whole number"))
        contests.append(
            tk.Contest(id=cid.strip(), title=title.strip(), max_choices=max_choices, places=places,
                       candidates=tuple(candidates))
        )
    return tuple(contests)


def duplicate_name_refusal(contest: str, name: str, field: str = "candidates") -> Refusal:
    """Two candidates of one contest share a name: say how to tell them apart (the pages and the
    API refuse alike, and the new-poll page as soon as the list is typed)."""
    example = _l("%(name)s (%(unit)s)", name=name, unit=_l("Chengguan town"))
    return Refusal(400, "invalid", field=field, contest=contest, name=name, detail=_l(
        "in “%(contest)s” two candidates are both called %(name)s. Add what tells them apart to "
        "each name, such as the unit or the post, e.g. %(example)s",
        contest=contest, name=name, example=example))


def duplicate_title_refusal(title: str, field: str = "contests") -> Refusal:
    """Two contests of one poll share a title: say so, and how to fix it (the pages and the API
    refuse alike, and the new-poll page as soon as the second contest is added)."""
    return Refusal(400, "invalid", field=field, title=title, detail=_l(
        "two contests are both called “%(title)s”, so a voter could not tell which one a candidate "
        "stands in. Give each contest its own title, such as the post, or put their candidates in one "
        "contest", title=title))


def contests_to_json(contests: tuple[tk.Contest, ...]) -> list[dict]:
    return [
        {
            "id": c.id, "title": c.title, "max_choices": c.max_choices, "places": c.places,
            "candidates": [{"id": k.id, "name": k.name} for k in c.candidates],
        }
        for c in contests
    ]


def create(db: Database, rules: Rules, actor: str, meeting_id: str, title: object, kind: object,
           contests: object, round_id: str | None = None, rehearsal: object = False) -> dict:
    """A new draft poll. A rehearsal (``rehearsal`` true) is a poll of its own, run with test
    slips: it names no round, so it feeds no score sheet, and the board never lists it."""
    meetings.get(db, meeting_id)
    if not isinstance(rehearsal, bool):
        raise _field("rehearsal", _l("must be true or false"))
    if rehearsal and round_id is not None:
        raise _field("round", _l("a rehearsal feeds no round: leave the round out"))
    if not isinstance(title, str) or not 1 <= len(title.strip()) <= 200:
        raise _field("title", _l("must have 1 to 200 characters"))
    if kind not in tk.KINDS:
        raise _field("kind", _l("is not a kind of poll this server holds"))
    parsed = _contests_from_json(contests)
    if kind in ("standing_committee", "character", "survey", "leaders"):
        # These kinds answer every candidate; max_choices has no meaning, places does.
        parsed = tuple(
            tk.Contest(c.id, c.title, len(c.candidates), c.places, c.candidates) for c in parsed
        )
    try:
        tk.validate_spec(kind, list(parsed), rules)
    except tk.DuplicateNameError as exc:
        index = [c.id for c in parsed].index(exc.contest_id)
        raise duplicate_name_refusal(exc.contest, exc.name, f"contests[{index}].candidates") from exc
    except tk.DuplicateTitleError as exc:
        index = [c.id for c in parsed].index(exc.contest_id)
        raise duplicate_title_refusal(exc.title, f"contests[{index}].title") from exc
    except ValueError as exc:
        raise _field(getattr(exc, "field", "contests"), explained(exc)) from exc
    poll = {
        "id": secrets.token_hex(6),
        "meeting": meeting_id,
        "round": round_id,
        "title": title.strip(),
        "kind": kind,
        "secret": kind in tk.SECRET_KINDS,
        "state": "draft",
        "rehearsal": rehearsal,
        "contests": contests_to_json(parsed),
    }
    with db.write() as conn:
        if round_id is not None:  # checked in the write, so two polls cannot both pass (409)
            rounds.check_poll_feeds(conn, round_id, kind, [c.id for k in parsed for c in k.candidates])
        conn.execute(
            "INSERT INTO polls (id, meeting_id, round_id, title, kind, secret, contests, created_at, rehearsal)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (poll["id"], meeting_id, round_id, poll["title"], kind, int(poll["secret"]),
             json.dumps(poll["contests"], ensure_ascii=False), eventlog.now(), int(rehearsal)),
        )
        # A real poll's entry keeps the shape it always had; a rehearsal's says it is one.
        logged = ("id", "meeting", "round", "title", "kind", "contests") + (("rehearsal",) if rehearsal else ())
        eventlog.append(conn, actor, "poll.created", {k: poll[k] for k in logged})
    return poll


_specs: dict[tuple[str, str], PollSpec] = {}


_specs_lock = threading.Lock()


def spec(db: Database, poll_id: str) -> PollSpec:
    """The poll's immutable part; read once per process (a poll's contests never change)."""
    key = (str(db.path), poll_id)
    cached = _specs.get(key)
    if cached is not None:
        return cached
    row = db.one("SELECT id, meeting_id, kind, secret, contests FROM polls WHERE id = ?", (poll_id,))
    if row is None:
        raise Refusal(404, "not_found")
    found = PollSpec(row["id"], row["meeting_id"], row["kind"], bool(row["secret"]),
                     _contests_from_json(json.loads(row["contests"])))
    with _specs_lock:
        if len(_specs) > 10000:  # a long-lived test process makes many instances
            _specs.clear()
        _specs[key] = found
    return found


def forget(db: Database, poll_id: str) -> None:
    """Drop a deleted poll's cached spec (lifecycle.delete_draft): ids are never reused, so a
    stale entry in another process only ever meets a poll that no longer exists (404)."""
    with _specs_lock:
        _specs.pop((str(db.path), poll_id), None)


def get(db: Database, poll_id: str) -> dict:
    row = db.one("SELECT * FROM polls WHERE id = ?", (poll_id,))
    if row is None:
        raise Refusal(404, "not_found")
    poll = dict(row)
    poll["contests"] = json.loads(poll["contests"])
    poll["secret"] = bool(poll["secret"])
    poll["rehearsal"] = bool(poll["rehearsal"])
    poll["zero_report"] = json.loads(poll["zero_report"]) if poll["zero_report"] else None
    return poll


def rehearsal_copy(db: Database, rules: Rules, actor: str, poll_id: str) -> dict:
    """A rehearsal of an existing poll: the same meeting, title, kind and contests, no round."""
    source = get(db, poll_id)
    return create(db, rules, actor, source["meeting_id"], source["title"], source["kind"], source["contests"],
                  rehearsal=True)


_rules: dict[str, Rules] = {}


def rules_by_hash(source, sha256: str | None, fallback: Rules) -> Rules:
    """The rules a poll opened with, by the hash of their text (kept in rules_texts); ``fallback``
    (the rules in force) for a draft, or a poll opened before polls kept their rules. ``source``
    is a Database or a connection inside a transaction."""
    if not sha256:
        return fallback
    found = _rules.get(sha256)
    if found is None:
        query = "SELECT text FROM rules_texts WHERE sha256 = ?"
        row = source.one(query, (sha256,)) if isinstance(source, Database) else source.execute(query, (sha256,)).fetchone()
        if row is None:  # the row is written with the poll's opening; never missing but by hand
            return fallback
        found = load_rules(row["text"])  # a text once accepted by load_rules is accepted again
        with _specs_lock:
            if len(_rules) > 100:
                _rules.clear()
            _rules[sha256] = found
    return found


def rules_of(source, poll_id: str, fallback: Rules) -> Rules:
    """The rules poll ``poll_id`` is counted under (``rules_by_hash``)."""
    query = "SELECT rules_sha256 FROM polls WHERE id = ?"
    row = source.one(query, (poll_id,)) if isinstance(source, Database) else source.execute(query, (poll_id,)).fetchone()
    return rules_by_hash(source, row["rules_sha256"] if row else None, fallback)


def for_meeting(db: Database, meeting_id: str) -> list[dict]:
    rows = db.query("SELECT id, title, kind, state, secret, rehearsal, issued, cast_count, blank, published FROM polls"
                    " WHERE meeting_id = ? ORDER BY created_at, id", (meeting_id,))
    return [{**{k: r[k] for k in r.keys() if k not in ("blank", "published")}, "rehearsal": bool(r["rehearsal"]),
             "blank": public_blank(r["state"], r["blank"], r["published"])} for r in rows]


def public_blank(state: str, blank: int, published: str | None) -> int:
    # Whether a ballot is blank is part of its content: a blank count moving one by one would
    # single out the ballot just cast. While open it moves with the published batch.
    if state != "open":
        return blank
    return json.loads(published)["blank"] if published else 0
