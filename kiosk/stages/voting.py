"""A stage's vote on its levels, and its runoffs: one generator for the plenary session's polls
(competitive recommendation, kiosk.stages.recommendation) and the standing committee's
(competitive vote, kiosk.stages.vote).

Both stages hold the same shape of vote: one poll with a contest per level, counted by tally (by
the poll's kind); a level whose cut fell in a tie, or with too few passing, gets a runoff among
those concerned for the places that remain, as many times as it takes; a void vote (no quorum)
is held again whole. What differs between the two is given by the stage as data: its roles and
poll kind (``LevelVote``), who stands and for how many places (the rows of ``hold``), the places
each level fills (``targets`` of ``runoff``), and its own sentences.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask_babel import gettext as _

from kiosk.domain import rounds
from kiosk.errors import enumerated
from kiosk.stages import core
from kiosk.store.db import Database
from tally.competitive import LevelProgress, progress
from tally.poll import ballot_names
from tally.rules import Rules


@dataclass(frozen=True)
class Contest:
    """One level's contest in a stage's poll."""

    level: dict
    candidates: list[str]
    max_choices: int
    places: int
    basis: dict


@dataclass(frozen=True)
class LevelVote:
    stage: str  # "recommendation" or "vote"
    main: str  # the role of the vote itself ("plenary", "committee")
    runoff: str  # the role of its runoffs
    kind: str  # the poll kind tally counts it by
    step: str  # the next step's name while the vote is to be held ("plenary", "committee")

    def summaries(self, db: Database, rules: Rules, rec: dict | None,
                  source: sqlite3.Connection | Database | None = None) -> list[dict]:
        """The stage's votes and runoffs, in the order they were generated."""
        if rec is None:
            return []
        return [core.poll_summary(db, rules, link)
                for link in core.stage_polls(source or db, rec["id"], (self.main, self.runoff))]

    def mains(self, summaries: list[dict]) -> list[dict]:
        return [s for s in summaries if s["role"] == self.main]

    def progress(self, targets: dict[str, int], summaries: list[dict]) -> dict[str, LevelProgress]:
        return progress(targets, core.steps_of(summaries, self.main))

    def begin(self, db: Database, rules: Rules, round_id: str, body: object,
              keys: tuple[str, ...]) -> tuple[dict, dict, dict, list[dict]]:
        """What every generation starts with: the body's fields, the round, the stage's record
        in progress, and its polls so far, all closed."""
        data = core.body_keys(body, keys)
        stored = rounds.get(db, round_id)
        rec = core.editable(db, round_id, self.stage)
        summaries = self.summaries(db, rules, rec)
        require_closed(summaries)
        return data, stored, rec, summaries

    def revote_reason(self, data: dict, summaries: list[dict], voted: Callable[[], str]) -> str | None:
        """The reason to hold a valid vote again whole; refused (``voted()``) when missing."""
        reason = core.optional_text(data.get("revote_reason"), "revote_reason")
        mains = self.mains(summaries)
        if mains and mains[-1]["quorum_met"] and not reason:
            raise core.state_refusal(voted())
        return reason

    def hold(self, db: Database, rules: Rules, actor: str, stored: dict, rec: dict, summaries: list[dict], *,
             rows: Iterable[Contest], meeting: str, given_title: object, title: Callable[[str, int], str],
             reason: str | None) -> dict:
        """The stage's vote: one contest per level, filed under the stage's record.

        ``title(round name, n)`` is the default title of the n-th vote (1 for the first)."""
        names = core.names_of(stored)
        contests, basis = [], {}
        for row in rows:
            lid = row.level["id"]
            shown = ballot_names([(cid, names[cid]["name"], names[cid].get("unit")) for cid in row.candidates])
            contests.append({"id": lid, "title": rounds.level_name(row.level), "max_choices": row.max_choices,
                             "places": row.places, "candidates": [{"id": cid, "name": shown[cid]}
                                                                  for cid in row.candidates]})
            basis[lid] = row.basis
        n = len(self.mains(summaries)) + 1
        name = stored["title"] or stored["id"]
        full = core.ballot_title(given_title, lambda: title(name, n))
        return core.add_stage_poll(db, rules, actor, round_id=stored["id"], stage=self.stage, rec_id=rec["id"],
                                   role=self.main, meeting=meeting, title=full, kind=self.kind, contests=contests,
                                   basis={"levels": basis}, reason=reason)

    def generate_runoff(self, db: Database, rules: Rules, actor: str, round_id: str, body: object, *,
                        first: Callable[[], str], targets: Callable[[dict, list[dict]], dict[str, int]],
                        view: Callable[[Database, Rules, str], dict]) -> dict:
        """A runoff poll: one contest per level with a runoff pending, among those concerned, for
        the places that remain. ``first()`` is the refusal while the stage has no poll yet."""
        data = core.body_keys(body or {}, ("meeting", "title"))
        stored = rounds.get(db, round_id)
        rec = core.editable(db, round_id, self.stage)
        summaries = self.summaries(db, rules, rec)
        if not summaries:
            raise core.state_refusal(first())
        require_closed(summaries)
        prog = self.progress(targets(stored, summaries), summaries)
        pending = [p for p in prog.values() if p.status == "runoff"]
        if not pending:
            if any(p.status == "needs_vote" for p in prog.values()):
                raise core.state_refusal(_("the last vote was void (no quorum): hold it again whole, not a runoff"))
            raise core.state_refusal(_("no level needs a runoff"))
        names = core.names_of(stored)
        levels = {lv["id"]: lv for lv in stored["levels"]}
        contests, basis = [], {}
        for p in pending:
            shown = ballot_names([(cid, names[cid]["name"], names[cid].get("unit")) for cid in p.runoff])
            contests.append({"id": p.level, "title": rounds.level_name(levels[p.level]), "max_choices": p.remaining,
                             "places": p.remaining, "candidates": [{"id": cid, "name": shown[cid]}
                                                                    for cid in p.runoff]})
            basis[p.level] = {"candidates": list(p.runoff), "places": p.remaining, "chosen_before": list(p.chosen)}
        meeting = data.get("meeting") or summaries[-1]["meeting"]["id"]
        meeting = core.resolve_meeting(db, actor, meeting)
        runoffs = sum(1 for s in summaries if s["role"] == self.runoff) + 1
        title = core.ballot_title(data.get("title"), lambda: _(
            "%(round)s: %(stage)s, runoff %(n)s", round=stored["title"] or stored["id"],
            stage=core.stage_label(self.stage), n=runoffs))
        poll = core.add_stage_poll(db, rules, actor, round_id=stored["id"], stage=self.stage, rec_id=rec["id"],
                                   role=self.runoff, meeting=meeting, title=title, kind=self.kind,
                                   contests=contests, basis={"levels": basis})
        return {"poll": poll, self.stage: view(db, rules, stored["id"])}

    def next_step(self, rec: dict | None, summaries: list[dict], prog: dict[str, LevelProgress],
                  before: str | None = None) -> str:
        """What the administrator does next: start, ``before`` (a step of the stage's own ahead
        of the vote, when given), the vote (``step``), vote (polls open), runoff, complete, done."""
        if rec is None:
            return "start"
        if rec["state"] == "complete":
            return "done"
        if before:
            return before
        statuses = {p.status for p in prog.values()}
        if not summaries or "needs_vote" in statuses and "waiting" not in statuses:
            return self.step
        if "waiting" in statuses:
            return "vote"
        if "runoff" in statuses:
            return "runoff"
        return "complete"


def require_closed(summaries: list[dict]) -> None:
    pending = [s for s in summaries if s["state"] != "closed"]
    if pending:
        raise core.state_refusal(_("the poll “%(title)s” is not closed yet; vote and close it first",
                                   title=pending[0]["title"]), poll=pending[0]["poll"])


def progress_json(p: LevelProgress) -> dict:
    return {"target": p.target, "status": p.status, "chosen": list(p.chosen), "runoff": list(p.runoff),
            "remaining": p.remaining, "unfilled": p.unfilled, "waiting": list(p.waiting), "void": list(p.void)}


def settle(prog: dict[str, LevelProgress], *, leave_unfilled: bool, what: str,
           names: dict[str, str] | None = None) -> dict[str, int]:
    """Refuse to complete while a level's vote is not settled; return the unfilled places.

    The sentences name the levels as people know them (``names``: 正科级), never by their ids;
    the ids stay in the refusal's detail."""
    said = lambda lids: enumerated((names or {}).get(lid, lid) for lid in lids)  # noqa: E731
    waiting = [p.level for p in prog.values() if p.status == "waiting"]
    if waiting:
        raise core.state_refusal(_("a poll is not closed yet (levels: %(levels)s); vote and close it first",
                                   levels=said(waiting)), levels=waiting)
    needs = [p.level for p in prog.values() if p.status == "needs_vote"]
    if needs:
        raise core.state_refusal(_("%(what)s has not been held validly for: %(levels)s", what=what,
                                   levels=said(needs)), levels=needs)
    runoff = [p.level for p in prog.values() if p.status == "runoff"]
    unfilled = {p.level: p.remaining for p in prog.values() if p.remaining and (p.status == "settled" or p.runoff)}
    if runoff and not leave_unfilled:
        raise core.state_refusal(_("a runoff is needed for: %(levels)s; generate and hold it, or complete with "
                                   "leave_unfilled and a note to leave those places empty",
                                   levels=said(runoff)), levels=runoff)
    if unfilled and not leave_unfilled:
        left = enumerated(_("%(level)s: %(n)s", level=(names or {}).get(k, k), n=v) for k, v in unfilled.items())
        raise core.state_refusal(_("places are left unfilled (%(levels)s); complete with leave_unfilled and a "
                                   "note to accept that", levels=left), unfilled=unfilled)
    return unfilled
