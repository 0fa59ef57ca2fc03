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
                 "closed_at", "waiting"],
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
    },
}
_SPOILED = {"type": ["string", "null"], "enum": [*WHOLE_REASONS, None], "description": (
    "the whole ballot is spoiled: `unreadable`, or `marked` (a mark that could identify the voter); "
    "then nothing is ticked")}
_WORDS = sorted({*answers_of("standing_committee"), *answers_of("survey")})
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
    _entry_shape("answers", {"type": "array", "maxItems": 3, "uniqueItems": True,
                             "items": {"type": "string", "enum": _WORDS}}, (
        "standing committee and survey polls: per candidate id, the answer boxes ticked (`agree`, `disagree`, "
        "`abstain`; or `satisfied`, `basically_satisfied`, `dissatisfied`): two or more spoil that candidate's "
        "part; a candidate left out or [] is unmarked (no answer)")),
    _entry_shape("items", {"type": "array", "maxItems": 100, "items": {
        "type": "array", "maxItems": 3, "uniqueItems": True, "items": {"type": "string", "enum": list(CHARACTER_WORDS)}}}, (
        "character (reverse test) polls: per candidate id, one list per item of the rules file's "
        "`character.items`, in order, of the boxes ticked (`none`, `occasional`, `frequent`): two on one item, or "
        "some items ticked and others not, spoil that candidate's part; a candidate left out, or every item [], "
        "is unmarked (not rated)")),
]}
ENTERED = {
    "type": "object", "required": ["poll", "outcome", "number", "differ"], "additionalProperties": False,
    "properties": {
        "poll": {"type": "string"},
        "outcome": {"type": "string", "enum": ["waiting", "accepted", "mismatch"]},
        "number": {"type": "integer", "minimum": 1, "description": "the ballot's number while its first entry waits"},
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
            "They count as issued. A draft or open poll of a kind the rules file's `paper.kinds` lists, its "
            "paper box open (409 otherwise).",
            {"type": "object", "required": ["count"], "additionalProperties": False, "properties": {
                "count": {"type": "integer", "minimum": 1, "maximum": paper.MAX_HANDED_OUT}}},
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
            "description": "Answers 201 with the number under which it waits for its second entry.",
            "security": BEARER, "parameters": [path_id("poll_id")], "requestBody": json_body(ENTRY),
            "responses": {**ok("Waiting for the second entry", ENTERED, 201), **errors(400, 401, 403, 404, 409)},
        }},
        base + "/entries/{number}": {"post": {
            "summary": "Second entry of a paper ballot, by someone else",
            "description": (
                "The same reading as the first: the ballot is accepted (`accepted`). Another reading: the first "
                "entry is dropped and both enter the ballot again (`mismatch`, the contests named in `differ`). "
                "409 when the second entry is made with the key (or by the person) that made the first."),
            "security": BEARER,
            "parameters": [path_id("poll_id"), {"name": "number", "in": "path", "required": True,
                                                "schema": {"type": "integer", "minimum": 1}}],
            "requestBody": json_body(ENTRY),
            "responses": {**ok("Accepted, or a mismatch", ENTERED), **errors(400, 401, 403, 404, 409)},
        }},
        base + "/close": _box_answer(
            "Close the paper box",
            "Every paper ballot entered: 409 while a first entry waits. The poll's close needs it when paper "
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
        "there is spoiled (paper only)")},
}
COUNTS_PAPER = {"type": "object", "required": ["issued", "returned", "exchanged", "tablet_issued", "tablet_returned"],
                "additionalProperties": False,
                "description": "a poll that took paper: its share of `issued` and `returned`, and the tablets'",
                "properties": {k: {"type": "integer", "minimum": 0} for k in
                               ("issued", "returned", "exchanged", "tablet_issued", "tablet_returned")}}
