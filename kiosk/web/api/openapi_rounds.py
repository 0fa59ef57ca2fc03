"""OpenAPI entries of the rounds (/api/v1/rounds...): levels, candidates, entries, the round file
and its score sheet, merged into the document by ``kiosk.web.api.openapi``."""

from __future__ import annotations

from kiosk.domain import round_input
from kiosk.web.api.openapi_parts import (
    BEARER,
    NAME,
    PATH_SAFE_ID,
    TITLE,
    errors,
    json_body,
    ok,
    path_id,
)

# --- rounds (docs/api.md, "Rounds and stages"; docs/round-file.md) ------------------------------

DECIMAL = {"oneOf": [{"type": "string", "pattern": r"^\s*\d+(\.\d*)?\s*$", "maxLength": round_input.MAX_DECIMAL_TEXT},
                     {"type": "number", "minimum": 0}],
           "description": 'a decimal, exact: "28.5" or 28.5 (read as written, never as a binary float)'}


def _decimal(maximum) -> dict:
    """A decimal entry of at most ``maximum`` points (from the rules file; a quoted figure is checked
    against it after reading, as the schema cannot compare text with a number)."""
    if maximum is None:
        return DECIMAL
    number = {"type": "number", "minimum": 0, "maximum": int(maximum) if maximum == int(maximum) else float(maximum)}
    return {**DECIMAL, "oneOf": [DECIMAL["oneOf"][0], number],
            "description": DECIMAL["description"] + f", at most {number['maximum']}"}
GRADES = ["outstanding", "competent", "basically_competent", "incompetent"]
FIELD_ERROR = ("400 names the offending field in the message and in `detail.field` "
               "(e.g. `levels[0].posts`, `candidates[2].level`, `performance.base`).")
ROUND_FILE = {
    "type": "object", "required": ["format", "title", "levels", "candidates"],
    "description": "The round file, `\"format\": \"ballotroom-round/1\"` (docs/round-file.md): the input "
                   "of `ballotroom score ROUND.json --json`.",
    "properties": {
        "format": {"const": "ballotroom-round/1"}, "title": {"type": "string"},
        "levels": {"type": "array", "items": {"type": "object", "required": ["id", "posts"], "properties": {
            "id": {"type": "string"}, "name": {"type": "string"}, "posts": {"type": "integer", "minimum": 1}}}},
        "candidates": {"type": "array", "items": {"type": "object", "required": ["id", "name", "level"],
                                                  "properties": {
            "id": {"type": "string"}, "name": {"type": "string"}, "level": {"type": "string"},
            "unit": {"type": "string"},
            "character": {"type": "object", "description": "{raters, occasional: [10], frequent: [10]}"},
            "democratic": {"type": "object", "description": "{votes, cast}"},
            "interview": {"type": "object", "description": "{named, interviewed}"},
            "survey": {"type": "object", "description": "{respondents, satisfied, basically_satisfied, dissatisfied}"},
            "performance": {"type": "object", "description": "{base, bonus, note?}"},
            "leaders": {"type": "object", "description": "{unit: [grades], city: [grades]}"},
            "organisation": {"type": "object", "description": "{score, grades, note?}"}}}},
    },
}
SCORE_SHEET = {
    "type": "object", "required": ["candidates", "shortlist", "ties_at_cut"],
    "description": "The same document as `ballotroom score --json` (docs/round-file.md).",
    "properties": {
        "candidates": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "string"}, "total": {"type": ["string", "null"]},
            "parts": {"type": "object", "properties": {p: {"type": ["string", "null"]} for p in (
                "character", "public", "performance", "leaders", "organisation")}},
            "eligible": {"type": "boolean"}, "reasons": {"type": "array", "items": {"type": "string"}},
            "rank": {"type": ["integer", "null"]}}}},
        "shortlist": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "ties_at_cut": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}
ENTRY = {"type": "object", "properties": {"note": {"type": ["string", "null"]}, "entered_by": {"type": "string"},
                                          "entered_at": {"type": "string"}}}
ENTRIES = {"type": "object", "required": ["round", "candidate"], "properties": {
    "round": {"type": "string"}, "candidate": {"type": "string"}, "performance": ENTRY, "organisation": ENTRY}}
ROUND = {"type": "object", "required": ["id", "title", "levels", "candidates", "polls"], "properties": {
    "id": {"type": "string"}, "title": {"type": "string"}, "created_at": {"type": "string"},
    "levels": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "name": {"type": ["string", "null"]}, "posts": {"type": "integer"}}}},
    "candidates": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "level": {"type": "string"},
        "unit": {"type": ["string", "null"]}, "imported": {"type": "object"}, "entries": {"type": "object"}}}},
    "polls": {"type": "array", "items": {"type": "object"}}}}
ROUND_SUMMARY = {"type": "object", "required": ["id"], "properties": {
    "id": {"type": "string"}, "title": {"type": "string"}, "levels": {"type": "array", "items": {"type": "object"}}}}


def round_paths(rules=None) -> dict:
    rid = [path_id("round_id")]
    points = rules.points if rules is not None else None
    grades = rules.organisation_grades_considered if rules is not None else 3
    return {
        "/api/v1/rounds": {
            "get": {"summary": "Selection rounds, newest first", "security": BEARER,
                    "responses": {**ok("The rounds", {"type": "object", "properties": {
                        "rounds": {"type": "array", "items": {"type": "object"}}}}), **errors(401, 403)}},
            "post": {
                "summary": "Create a selection round with its levels and posts",
                "description": "Admin key. Known level ids (`section_chief`, `deputy_section_chief`, "
                               "`general_cadre`) get their Chinese name unless `name` is given. " + FIELD_ERROR,
                "security": BEARER,
                "requestBody": json_body({"type": "object", "required": ["title", "levels"], "properties": {
                    "title": TITLE,
                    "levels": {"type": "array", "minItems": 1, "maxItems": round_input.MAX_LEVELS, "items": {
                        "type": "object", "required": ["id", "posts"], "additionalProperties": False, "properties": {
                            "id": PATH_SAFE_ID, "posts": {"type": "integer", "minimum": 1, "maximum": round_input.MAX_POSTS},
                            "name": {"type": "string", "maxLength": 100}}}}}}),
                "responses": {**ok("Created", ROUND_SUMMARY, 201), **errors(400, 401, 403)},
            },
        },
        "/api/v1/rounds/{round_id}": {"get": {
            "summary": "A round: levels, candidates with their entries, and the polls that name it",
            "security": BEARER, "parameters": rid,
            "responses": {**ok("The round", ROUND), **errors(401, 403, 404)},
        }},
        "/api/v1/rounds/{round_id}/candidates": {"post": {
            "summary": "Add candidates to a round",
            "description": "Admin key. Ids are unique within the round (409 for an id already there); "
                           "`level` is one of the round's level ids. " + FIELD_ERROR,
            "security": BEARER, "parameters": rid,
            "requestBody": json_body({"type": "object", "required": ["candidates"], "properties": {
                "candidates": {"type": "array", "minItems": 1, "maxItems": round_input.MAX_CANDIDATES, "items": {
                    "type": "object", "required": ["id", "name", "level"], "additionalProperties": False,
                    "properties": {
                        "id": PATH_SAFE_ID, "name": NAME, "level": {"type": "string", "minLength": 1},
                        "unit": {"type": ["string", "null"], "maxLength": 200}}}}}}),
            "responses": {**ok("Added", {"type": "object", "properties": {
                "round": {"type": "string"}, "added": {"type": "integer"}}}, 201),
                **errors(400, 401, 403, 404, 409)},
        }},
        "/api/v1/rounds/{round_id}/candidates/{candidate_id}/entries": {"put": {
            "summary": "Enter performance and/or the organisational appraisal of a candidate",
            "description": "Admin key. Either part or both; a part given replaces its earlier entry, "
                           "and the change is recorded in the event log with who made it. `grades` are the "
                           "last three year-end grades, oldest first. Base and bonus are each at most the "
                           "performance points (40; their sum is capped at 40 when scored); the "
                           "organisational score at most 10. " + FIELD_ERROR,
            "security": BEARER, "parameters": [*rid, path_id("candidate_id")],
            "requestBody": json_body({"type": "object", "minProperties": 1, "properties": {
                "performance": {"type": ["object", "null"], "properties": {
                    "base": _decimal(points and points.performance), "bonus": _decimal(points and points.performance),
                    "record": {"type": "object", "description": "instead of base and bonus: the candidate's "
                               "class, ranking and awards, scored by the rules file's table"},
                    "note": {"type": ["string", "null"], "maxLength": round_input.MAX_NOTE}}},
                "organisation": {"type": ["object", "null"], "required": ["score", "grades"], "properties": {
                    "score": _decimal(points and points.organisation),
                    "grades": {"type": "array", "minItems": grades, "maxItems": grades,
                               "items": {"type": "string", "enum": GRADES}},
                    "note": {"type": ["string", "null"], "maxLength": round_input.MAX_NOTE}}}}}),
            "responses": {**ok("Stored: the candidate's current entries, each with `entered_by` and "
                                "`entered_at`", ENTRIES), **errors(400, 401, 403, 404)},
        }},
        "/api/v1/rounds/{round_id}/scores": {"get": {
            "summary": "The score sheet of the five evaluations",
            "description": "Computed from the round file that `export` gives: ballot-derived parts from the "
                           "round's closed feeding polls (a democratic recommendation whose meeting missed its "
                           "quorum feeds nothing), figures of an imported file where no poll gave the part, "
                           "and the entries. A 409 says the stored figures no longer fit the rules file.",
            "security": BEARER, "parameters": rid,
            "responses": {**ok("The score sheet", SCORE_SHEET), **errors(401, 403, 404, 409)},
        }},
        "/api/v1/rounds/{round_id}/export": {"get": {
            "summary": "The round file, for `ballotroom score` on any machine",
            "security": BEARER, "parameters": rid,
            "responses": {**ok("The round file", ROUND_FILE), **errors(401, 403, 404)},
        }},
        "/api/v1/rounds/import": {"post": {
            "summary": "Import a round file as a new round",
            "description": "Admin key. The body is a round file; it is checked as `ballotroom score` checks it, "
                           "and a 400 names the line (`detail.line`) and the field (`detail.field`). Its "
                           "figures are kept as written, so exporting the new round gives the same file.",
            "security": BEARER, "requestBody": {**json_body(ROUND_FILE), "x-checked-as": "round file"},
            "responses": {**ok("Imported", {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "candidates": {"type": "integer"},
                "parts": {"type": "object"}}}, 201), **errors(400, 401, 403)},
        }},
    }
