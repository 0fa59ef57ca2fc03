"""OpenAPI entries of paper ballots (/api/v1/polls/{poll_id}/paper...), merged into the document by
``kiosk.web.api.openapi``."""

from __future__ import annotations

from kiosk.documents import paper_ballot
from kiosk.domain import paper
from kiosk.web.api.openapi_parts import BEARER, errors, json_body, ok, path_id
from tally.kind_character import ANSWERS as CHARACTER_WORDS
from tally.kinds import answers_of
from tally.paper import WHOLE_REASONS

BOX = {
    "type": "object",
    "required": ["poll", "poll_state", "takes_paper", "state", "handed_out", "exchanged", "returned", "exceeds",
                 "closed_at", "waiting", "again", "room", "take_back_room"],
    "additionalProperties": False,
    "properties": {
        "poll": {"type": "string"},
        "poll_state": {"type": "string", "enum": ["draft", "open", "closed"]},
        "takes_paper": {"type": "boolean", "description": "whether the rules file's `paper.kinds` lists the poll's kind"},
        "state": {"type": "string", "enum": ["open", "closed"], "description": "the paper box's own state"},
        "handed_out": {"type": "integer", "minimum": 0, "description": "paper ballots handed out (发出), exchanges included"},
        "exchanged": {"type": "integer", "minimum": 0, "description": "of those, given for a slip that failed on a tablet"},
        "returned": {"type": "integer", "minimum": 0, "description": "paper ballots entered twice alike and accepted (收回)"},
        "exceeds": {"type": "boolean", "description": (
            "more paper ballots accepted than handed out: once closed, the poll is invalid (`invalid` in its results)")},
        "closed_at": {"type": ["string", "null"], "description": "UTC, ISO 8601"},
        "waiting": {"type": "array", "description": "first entries waiting for their second, by number", "items": {
            "type": "object", "required": ["number", "entered_by"], "additionalProperties": False, "properties": {
                "number": {"type": "integer", "minimum": 1},
                "entered_by": {"type": "string", "description": "who made the first entry (the second must be another)"}}}},
        "again": {"type": "array", "items": {"type": "integer", "minimum": 1}, "description": (
            "ballots whose two entries differed, by number: each keeps its number and is entered again by both "
            "(`POST .../entries/{number}`, first then second); the box closes only when none is left")},
        "room": {"type": "integer", "minimum": 0, "description": (
            "the most paper ballots that may be recorded as handed out now: members expected (应到) less the slips "
            "(net of lost batches and exchanged slips) and paper ballots already out")},
        "take_back_room": {"type": "integer", "minimum": 0, "description": (
            "the most that may be taken back unused now: those handed out less those given for a failed slip, "
            "and none once a paper ballot is entered")},
    },
}
# The words of the boxes and the reasons are stated in the descriptions, not as enums: an entry
# naming another is refused by the one reading of entries (tally.paper.read_entry), which says
# which part and which box in the reader's language.
_SPOILED = {"type": ["string", "null"], "maxLength": 64, "description": (
    f"the whole ballot is spoiled: `{WHOLE_REASONS[0]}`, or `{WHOLE_REASONS[1]}` (a mark that could identify "
    "the voter): the boxes ticked are then checked like any but set aside (the ballot gives no vote anywhere), "
    "and two entries agree when they give the same reason; null or left out: not spoiled whole")}
_WORDS = [*answers_of("standing_committee"), *answers_of("survey")]


def _listed(words) -> str:
    return ", ".join(f"`{w}`" for w in words)

_BOXES = {"type": "array", "maxItems": 500, "items": {"type": "string", "maxLength": 64}}


def _entry_shape(key: str, values: dict, description: str) -> dict:
    return {"type": "object", "required": [key], "additionalProperties": False, "properties": {
        key: {"type": "object", "maxProperties": 5000, "additionalProperties": values, "description": description},
        "spoiled": _SPOILED}}


# One entry per shape of the printed ballot (tally.paper.SHAPES); the poll's kind says which.
ENTRY = {"oneOf": [
    _entry_shape("choices", _BOXES, (
        "recommendation polls: per contest id, the candidate ids ticked on the paper, as read: more than the "
        "contest allows is entered as it is (the over-vote spoils that contest's part); a contest left out or [] "
        "has none ticked")),
    _entry_shape("answers", {"type": "array", "maxItems": 3, "items": {"type": "string", "maxLength": 64}}, (
        "standing committee and survey polls: per candidate id, the answer boxes ticked, each once (one of "
        f"{_listed(_WORDS)}, by the kind): two or more spoil that candidate's part; a candidate left out or [] is "
        "unmarked (no answer)")),
    _entry_shape("items", {"type": "array", "maxItems": 100, "items": {
        "type": "array", "maxItems": 3, "items": {"type": "string", "maxLength": 64}}}, (
        "character (reverse test) polls: per candidate id, one list per item of the rules file's "
        f"`character.items`, in order, of the boxes ticked, each once ({_listed(CHARACTER_WORDS)}): two on one item, or "
        "some items ticked and others not, spoil that candidate's part; a candidate left out, or every item [], "
        "is unmarked (not rated)")),
]}
ENTERED = {
    "type": "object", "required": ["poll", "outcome", "number", "differ"], "additionalProperties": False,
    "properties": {
        "poll": {"type": "string"},
        "outcome": {"type": "string", "enum": ["waiting", "accepted", "mismatch"]},
        "number": {"type": "integer", "minimum": 1, "description": (
            "the ballot's number: given to a first entry, never to another ballot of the poll, and kept when "
            "the two entries differ and the ballot is entered again. No stored ballot keeps it")},
        "differ": {"type": "array", "items": {"type": "string"}, "description": (
            "on a mismatch, the parts whose ticks differ (contest ids; candidate ids for the committee, survey and "
            "character) and `spoiled` if one entry spoiled the ballot whole; neither entry's content")},
    },
}


def _box_answer(summary: str, description: str, body: dict | None, codes: tuple[int, ...]) -> dict:
    op = {"summary": summary, "description": description, "security": BEARER, "parameters": [path_id("poll_id")],
          "responses": {**ok("The paper box", BOX), **errors(*codes)}}
    if body is not None:
        op["requestBody"] = json_body(body)
    return {"post": op}


def paper_paths() -> dict:
    base = "/api/v1/polls/{poll_id}/paper"
    return {
        base: {"get": {
            "summary": "The poll's paper box: handed out, exchanged, entered, first entries waiting",
            "security": BEARER, "parameters": [path_id("poll_id")],
            "responses": {**ok("The paper box", BOX), **errors(401, 403, 404)},
        }},
        base + "/handed-out": _box_answer(
            "Record paper ballots handed out (发出)",
            "They count as issued and add to those recorded before. A draft or open poll of a kind the rules "
            "file's `paper.kinds` lists, its paper box open (409 otherwise). At most the box's `room`: members "
            "expected (应到) less the slips and paper ballots already out (400 beyond, saying those figures). "
            "The staff page asks to confirm a number that puts out more ballots than members present (实到); "
            "the API records it as sent.",
            {"type": "object", "required": ["count"], "additionalProperties": False, "properties": {
                "count": {"type": "integer", "minimum": 1, "maximum": paper.MAX_HANDED_OUT}}},
            (400, 401, 403, 404, 409)),
        base + "/taken-back": _box_answer(
            "Take back paper ballots handed out and unused (a mistaken number)",
            "Handed out falls by `count`, the log keeps the count and the reason. Only while no paper ballot is "
            "entered (409 after: those never returned are void at the close, so 发出 = 收回 + 作废 holds), and "
            "never below those given for a failed slip (400: at most the box's `take_back_room`). A draft or open "
            "poll, its paper box open.",
            {"type": "object", "required": ["count", "reason"], "additionalProperties": False, "properties": {
                "count": {"type": "integer", "minimum": 1, "maximum": paper.MAX_HANDED_OUT},
                "reason": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "\\S"}}},
            (400, 401, 403, 404, 409)),
        base + "/exchange": _box_answer(
            "Exchange a slip that failed on a tablet for a paper ballot",
            "The slip (its voting code) must be an unused slip of this open poll: it becomes void and one more paper "
            "ballot is handed out. The log keeps the reason, never the code.",
            {"type": "object", "required": ["token", "reason"], "additionalProperties": False, "properties": {
                "token": {"type": "string", "maxLength": 64},
                "reason": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "\\S"}}},
            (400, 401, 403, 404, 409)),
        base + "/entries": {"post": {
            "summary": "First entry of a paper ballot (double entry)",
            "description": (
                "Answers 201 with the number under which it waits for its second entry: a number never given "
                "before in this poll (write it on the paper ballot)."),
            "security": BEARER, "parameters": [path_id("poll_id")], "requestBody": json_body(ENTRY),
            "responses": {**ok("Waiting for the second entry", ENTERED, 201), **errors(400, 401, 403, 404, 409)},
        }},
        base + "/entries/{number}": {"post": {
            "summary": "Second entry of a paper ballot, by someone else; or its first entry again after a mismatch",
            "description": (
                "When the ballot's first entry waits: the same reading as the first, the ballot is accepted "
                "(`accepted`); another reading, the first entry is dropped and both enter the ballot again under "
                "the same number (`mismatch`, the parts named in `differ`; the number is then listed in the box's "
                "`again`). 409 when the second entry is made with the key (or by the person) that made the first. "
                "When the ballot is in `again`: this is its first entry again (`waiting`, same number). 404 for a "
                "number that neither waits nor is to be entered again."),
            "security": BEARER,
            "parameters": [path_id("poll_id"), {"name": "number", "in": "path", "required": True,
                                                "schema": {"type": "integer", "minimum": 1}}],
            "requestBody": json_body(ENTRY),
            "responses": {**ok("Accepted, or a mismatch", ENTERED), **errors(400, 401, 403, 404, 409)},
        }},
        base + "/close": _box_answer(
            "Close the paper box",
            "Every paper ballot entered: 409 while a first entry waits or a ballot is to be entered again. The poll's close needs it when paper "
            "ballots were handed out. More accepted than handed out is recorded as it is, and makes the poll "
            "invalid at its close.",
            None, (401, 403, 404, 409)),
        base + "/ballots.pdf": {"get": {
            "summary": "Paper ballots to print: identical pages, no serial number",
            "security": BEARER,
            "parameters": [path_id("poll_id"),
                           {"name": "size", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": list(paper_ballot.SIZES)}},
                           {"name": "copies", "in": "query", "required": False,
                            "schema": {"type": "string", "pattern": "^[0-9]{1,4}$"},
                            "description": f"pages, 1 to {paper_ballot.MAX_COPIES} (default 1)"}],
            "responses": {"200": {"description": "The PDF", "content": {"application/pdf": {
                "schema": {"type": "string", "format": "binary"}}}}, **errors(400, 401, 403, 404, 409)},
        }},
    }


# Added to the results document's and the counts object's schemas (kiosk.web.api.openapi).
RESULTS_PROPERTIES = {
    "invalid": {"type": "boolean", "description": (
        "returned ballots exceed those issued (only a paper box can): the poll is invalid and is voted again; "
        "nobody passes, is chosen or goes to a runoff")},
    "paper": {"type": "object", "required": ["issued", "returned"], "properties": {
        "issued": {"type": "integer"}, "returned": {"type": "integer"}},
        "description": "after the close, of a poll that took paper: its paper ballots handed out and entered"},
    "spoiled_parts": {"type": "object", "additionalProperties": {"type": "integer"}, "description": (
        "per part (contest id; candidate id for the committee, survey and character), the ballots whose part "
        "there is spoiled by an over-vote (paper only; a ballot spoiled whole counts in `spoiled` alone)")},
}
COUNTS_PAPER = {"type": "object", "required": ["issued", "returned", "exchanged", "tablet_issued", "tablet_returned"],
                "additionalProperties": False,
                "description": "a poll that took paper: its share of `issued` and `returned`, and the tablets'",
                "properties": {k: {"type": "integer", "minimum": 0} for k in
                               ("issued", "returned", "exchanged", "tablet_issued", "tablet_returned")}}
