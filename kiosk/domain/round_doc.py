"""The round document of a stored round: its round file, built from the database, and its score.

The glue of the five evaluations (VotingWorks' full_results.ts pattern): query, pure function,
result. Ballot-derived parts come from the fixed results of the round's closed feeding polls
(``counting.results``); where no poll of this instance gave a part, the figures of an imported
round file stand in; performance and the organisational appraisal are the administrator's
entries; how a part is read from a poll's result is ``tally.parts``. ``tally.score.score_round``
then makes the score sheet, the same document as ``ballotroom score --json`` of the exported file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from kiosk.domain import counting, round_input, rounds
from kiosk.errors import Refusal, explained, field_words
from kiosk.store.db import Database
from tally.parts import part_from_result
from tally.roundfile import PARTS, ROUND_FORMAT, RoundFileError, parse_round_file
from tally.rules import Rules
from tally.score import score_round

__all__ = ["RoundDocument", "build", "export_text", "import_text", "part_from_result", "score"]


@dataclass
class RoundDocument:
    """A round as stored (``stored``), its round file (``doc``) and where each part came from.

    ``sources[candidate][part]`` is ``{"from": "poll", "poll", "title"}``, ``{"from": "imported"}``
    or ``{"from": "entry", "entered_by", "entered_at", "note"}``. ``skipped`` lists feeding polls
    whose figures are not in the document and why: ``draft``, ``open`` (only a closed poll feeds),
    ``no_quorum`` (a democratic meeting below its quorum is void) or ``duplicate``.
    """

    stored: dict
    doc: dict
    polls: list[dict]
    sources: dict[str, dict[str, dict]] = field(default_factory=dict)
    skipped: list[dict] = field(default_factory=list)


def build(db: Database, rules: Rules, round_id: str) -> RoundDocument:
    stored = rounds.get(db, round_id)
    feeding = rounds.feeding_polls(db, round_id)
    ids = {c["id"] for c in stored["candidates"]}
    from_polls: dict[str, dict[str, dict]] = {cid: {} for cid in ids}
    sources: dict[str, dict[str, dict]] = {cid: {} for cid in ids}
    skipped: list[dict] = []
    for poll in feeding:
        part = poll["part"]
        if part is None:
            continue  # a stage poll (plenary, standing committee): it feeds no part
        about = {"poll": poll["id"], "title": poll["title"], "kind": poll["kind"]}
        if poll["state"] != "closed":
            skipped.append({**about, "why": poll["state"]})
            continue
        result = counting.results(db, rules, poll["id"])
        if not result.get("quorum_met", True):
            skipped.append({**about, "why": "no_quorum"})
            continue
        for contest in result["contests"]:
            for row in contest["candidates"]:
                cid = row["id"]
                if cid not in ids:
                    continue
                if part in from_polls[cid]:  # refused at creation; kept out if it ever happens
                    skipped.append({**about, "why": "duplicate", "candidate": cid})
                    continue
                from_polls[cid][part] = part_from_result(part, row, result)
                sources[cid][part] = {"from": "poll", "poll": poll["id"], "title": poll["title"]}

    candidates = []
    for cand in stored["candidates"]:
        cid = cand["id"]
        item: dict = {"id": cid, "name": cand["name"], "level": cand["level"]}
        if cand["unit"] is not None:
            item["unit"] = cand["unit"]
        for part in PARTS:
            value = None
            if part in rounds.BALLOT_PARTS:
                value = from_polls[cid].get(part)
                if value is None and part in cand["imported"]:
                    value = cand["imported"][part]
                    sources[cid][part] = {"from": "imported"}
            else:
                entry = cand["entries"].get(part)
                if entry is not None:
                    value = {key: entry[key] for key in round_input.ENTRY_FIELDS[part]}
                    if entry["note"] is not None:
                        value["note"] = entry["note"]
                    sources[cid][part] = {"from": "entry", "entered_by": entry["entered_by"],
                                          "entered_at": entry["entered_at"], "note": entry["note"]}
            if value is not None:
                item[part] = value
        candidates.append(item)

    levels = []
    for level in stored["levels"]:
        item = {"id": level["id"]}
        if level["name"] is not None:
            item["name"] = level["name"]
        item["posts"] = level["posts"]
        levels.append(item)
    doc = {"format": ROUND_FORMAT, "title": stored["title"], "levels": levels, "candidates": candidates}
    return RoundDocument(stored=stored, doc=doc, polls=feeding, sources=sources, skipped=skipped)


def score(built: RoundDocument, rules: Rules) -> dict:
    """The score sheet (``ballotroom score --json``) of a built round document."""
    try:
        return score_round(built.doc, rules)
    except RoundFileError as exc:
        # Only when the rules file changed under stored figures (e.g. the number of character
        # items): say so rather than fail.
        raise Refusal(409, "state", detail=_l("the round's figures do not fit the rules file in use: %(problem)s", problem=explained(exc))) from None


def export_text(doc: dict) -> str:
    """The round file as people and ``ballotroom score`` read it (UTF-8, indented)."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _field_of(exc: RoundFileError) -> str:
    if exc.candidate is None:
        return exc.key or "round file"
    where = f"candidates[{exc.candidate}]"
    if exc.part:
        where += f".{exc.part}"
        if exc.key and exc.key != exc.part:
            where += f".{exc.key}"
    elif exc.key:
        where += f".{exc.key}"
    return where


def _where_in_candidate(exc: RoundFileError, text: str, problem):
    """A part's problem with the candidate and the figure it is about (候选人“c01”（张伟）的民主推荐的
    得票数：…): the part's own sentence says only what is wrong with the figure."""
    if exc.candidate is None or not exc.part:
        return problem  # tally's sentence already names the candidate
    candidate = json.loads(text)["candidates"][exc.candidate]  # it parsed: the fault is in a part
    figure = f"{exc.part}.{exc.key}" if exc.key and exc.key != exc.part else exc.part
    return _l("candidate “%(id)s” (%(name)s), %(field)s: %(problem)s", id=candidate["id"],
              name=candidate["name"], field=field_words(figure), problem=problem)


def import_text(db: Database, rules: Rules, actor: str, text: str) -> dict:
    """A round file read, checked and stored as a new round; 400 naming line and field if not."""
    try:
        doc = parse_round_file(text, rules=rules, importable=True)
    except RoundFileError as exc:
        problem = _where_in_candidate(exc, text, explained(exc))
        detail = _l("line %(n)s: %(problem)s", n=exc.line, problem=problem) if exc.line else problem
        raise Refusal(400, "invalid", detail=detail, field=_field_of(exc), line=exc.line) from None
    except RecursionError:
        raise Refusal(400, "invalid", detail=_l("the file is nested too deeply to be a round file"),
                      field="round file") from None
    return rounds.store_imported(db, actor, doc)
