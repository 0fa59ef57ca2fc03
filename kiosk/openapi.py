"""The OpenAPI 3.1 document served at /api/v1/openapi.json: the API's reference.

A test compares its paths with the URL map, so a route cannot be added
without being documented here.
"""

from __future__ import annotations

from . import meetings, polls, rounds
from .body import MAX_BYTES
from .stages_openapi import stage_paths

KINDS = ["democratic_recommendation", "plenary_recommendation", "interview_recommendation",
         "standing_committee", "character", "survey", "leaders"]

ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*codes: int) -> dict:
    text = {400: "Malformed body (`malformed`) or a field that does not fit (`invalid`, the field in "
                 "`detail.field`)", 401: "No valid API key", 403: "The key's role does not allow this",
            404: "No such item", 409: "Conflicts with the current state",
            413: f"The body is larger than {MAX_BYTES} bytes",
            415: "The body is not sent as `Content-Type: application/json`", 422: "Answers do not fit the poll",
            423: "The poll is not open", 429: "Too many failed attempts; wait a minute",
            500: "A fault in the server: the request was not applied (logged with its traceback)"}
    if 400 in codes:  # every call that reads a body reads it the same way (kiosk.body)
        codes = (*codes, 413, 415)
    return {str(c): {"description": text[c], "content": {"application/json": {"schema": ERROR}}} for c in codes}


def _json(schema: dict) -> dict:
    return {"required": True, "description": BODY_RULES, "content": {"application/json": {"schema": schema}}}


BODY_RULES = (f"`Content-Type: application/json` (415 otherwise), at most {MAX_BYTES} bytes (413), valid UTF-8, "
              "no key given twice, at most 16 levels deep; types are strict (a number in quotes is text, "
              "not a number).")


def _ok(description: str, schema: dict | None = None, status: int = 200) -> dict:
    body = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return {str(status): body}


BEARER = [{"bearer": []}]
# Ids, titles and names as the domain modules check them; their limits come from those modules.
ID = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "\\S"}
PATH_SAFE_ID = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[^\\s/?#\\u0000-\\u001f]+$",
                "description": "no spaces, control characters or / ? # (it appears in addresses)"}
TITLE = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S"}
NAME = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S"}
MEMBERS = {"type": "integer", "maximum": meetings.MAX_MEMBERS}


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error", "message"],
        "properties": {"error": {"type": "string", "description": "a stable code: malformed, invalid, ..."},
                       "message": {"type": "string", "description": "a sentence in the client's language"},
                       "detail": {"type": "object", "description": (
                           "`field`: the field at fault, as a path (`contests[0].max_choices`); "
                           "`problem`: what is wrong with it")}},
    },
    "Meeting": {
        "type": "object", "required": ["id", "title", "expected", "present"],
        "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                       "expected": {"type": "integer"}, "present": {"type": ["integer", "null"]},
                       "created_at": {"type": "string"},
                       "polls": {"type": "array", "items": {"type": "object", "properties": {
                           "id": {"type": "string"}, "title": {"type": "string"}, "kind": {"type": "string"},
                           "state": {"type": "string"}}}}},
    },
    "Candidate": {"type": "object", "required": ["id", "name"], "properties": {"id": ID, "name": NAME}},
    "Contest": {
        "type": "object", "required": ["id", "candidates"],
        "properties": {
            "id": ID, "title": {"type": "string", "maxLength": 200},
            "max_choices": {"type": "integer", "minimum": 1}, "places": {"type": "integer", "minimum": 1},
            "candidates": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Candidate"}},
        },
    },
    "PollIn": {
        "type": "object", "required": ["title", "kind", "contests"],
        "properties": {
            "title": TITLE,
            "kind": {"type": "string", "enum": KINDS},
            "round": {"type": ["string", "null"], "description": (
                "the selection round the poll belongs to. The round must exist and the poll's candidate "
                "ids must be the round's (400 otherwise, `detail.field` `round` or `contests`). A "
                "character, democratic_recommendation, interview_recommendation, survey or leaders poll "
                "feeds its part of the round's score sheet once closed; a candidate is in at most one "
                "poll of each of these kinds per round (409). Other kinds feed no part.")},
            "contests": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Contest"}},
        },
    },
    "Poll": {
        "type": "object", "required": ["id", "title", "kind", "secret", "state", "contests"],
        "properties": {
            "id": {"type": "string", "description": "the new poll's id, for the calls under /polls/{poll_id}"},
            "meeting": {"type": "string"}, "meeting_id": {"type": "string"},
            "round": {"type": ["string", "null"]}, "round_id": {"type": ["string", "null"]},
            "title": {"type": "string"}, "kind": {"type": "string", "enum": KINDS}, "secret": {"type": "boolean"},
            "state": {"type": "string", "enum": ["draft", "open", "closed"]},
            "contests": {"type": "array", "items": {"$ref": "#/components/schemas/Contest"}},
            "issued": {"type": "integer"}, "cast_count": {"type": "integer"}, "blank": {"type": "integer"},
            "created_at": {"type": "string"}, "opened_at": {"type": ["string", "null"]},
            "closed_at": {"type": ["string", "null"]},
        },
    },
    "PollState": {"type": "object", "required": ["poll", "state"], "properties": {
        "poll": {"type": "string"}, "state": {"type": "string", "enum": ["draft", "open", "closed"]}}},
    "Batches": {"type": "object", "required": ["poll", "batches"], "properties": {
        "poll": {"type": "string"}, "batches": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "string"}, "count": {"type": "integer"}, "issued_at": {"type": "string"},
            "voided": {"type": "integer"}, "voided_at": {"type": ["string", "null"]},
            "void_reason": {"type": ["string", "null"]}, "used": {"type": ["integer", "null"]},
            "unused": {"type": ["integer", "null"]}}}}}},
    "Results": {
        "type": "object",
        "description": (
            "While a poll is open, the last published batch (SECURITY.md, Secrecy); `cast_live` is the "
            "turnout now. After close, the fixed result with the ballot box's `digest`."),
        "required": ["poll", "kind", "state", "expected", "present", "issued", "cast", "quorum_met", "contests"],
        "properties": {
            "poll": {"type": "string"}, "title": {"type": "string"}, "kind": {"type": "string", "enum": KINDS},
            "state": {"type": "string", "enum": ["draft", "open", "closed"]},
            "expected": {"type": "integer"}, "present": {"type": ["integer", "null"]},
            "issued": {"type": "integer"}, "cast": {"type": "integer"}, "cast_live": {"type": "integer"},
            "blank": {"type": "integer"}, "spoiled": {"type": "integer"},
            "quorum_met": {"type": "boolean"}, "digest": {"type": "string"},
            "contests": {"type": "array", "items": {"type": "object"}},
        },
    },
}


# Read by the ballot lane too, in front of Flask.
BALLOT_IN = {"type": "object", "required": ["token", "answers"], "properties": {
    "token": {"type": "string"}, "answers": {
        "description": "by kind; answers that do not fit the poll are a 422, after the token's checks"}}}


def document(rules=None) -> dict:
    """The document; with the server's rules, the limits that come from the rules file too."""
    paths = {
        "/api/v1/openapi.json": {"get": {"summary": "This document", "responses": _ok("OpenAPI 3.1")}},
        "/api/v1/meetings": {"post": {
            "summary": "Create a meeting", "security": BEARER,
            "requestBody": _json({"type": "object", "required": ["title", "expected"], "properties": {
                "title": TITLE,
                "expected": {**MEMBERS, "minimum": 1, "description": "members who should attend (应到)"}}}),
            "responses": {**_ok("Created", {"$ref": "#/components/schemas/Meeting"}, 201), **_errors(400, 401, 403)},
        }},
        "/api/v1/meetings/{meeting_id}": {"get": {
            "summary": "A meeting and its polls", "security": BEARER, "parameters": [_path_id("meeting_id")],
            "responses": {**_ok("The meeting", {"$ref": "#/components/schemas/Meeting"}), **_errors(401, 403, 404)},
        }},
        "/api/v1/meetings/{meeting_id}/attendance": {"post": {
            "summary": "Record attendance (实到)", "security": BEARER, "parameters": [_path_id("meeting_id")],
            "requestBody": _json({"type": "object", "required": ["present"],
                                  "properties": {"present": {**MEMBERS, "minimum": 0}}}),
            "responses": {**_ok("Recorded", {"$ref": "#/components/schemas/Meeting"}), **_errors(400, 401, 403, 404)},
        }},
        "/api/v1/meetings/{meeting_id}/polls": {"post": {
            "summary": "Create a poll", "security": BEARER, "parameters": [_path_id("meeting_id")],
            "requestBody": _json({"$ref": "#/components/schemas/PollIn"}),
            "responses": {**_ok("Created: the poll, a draft; its `id` is the poll's id",
                                {"$ref": "#/components/schemas/Poll"}, 201), **_errors(400, 401, 403, 404, 409)},
        }},
        "/api/v1/polls/{poll_id}": {"get": {
            "summary": "A poll", "security": BEARER, "parameters": [_path_id("poll_id")],
            "responses": {**_ok("The poll", {"$ref": "#/components/schemas/Poll"}), **_errors(401, 403, 404)},
        }},
        "/api/v1/polls/{poll_id}/tokens": {"post": {
            "summary": "Issue one-time tokens, shown this once",
            "description": "`count` for secret kinds; `voters` (name, group) for named kinds "
                           "(interview_recommendation; leaders with group `unit` or `city`).",
            "security": BEARER, "parameters": [_path_id("poll_id")],
            "requestBody": _json({"type": "object", "properties": {
                "count": {"type": "integer", "minimum": 1, "maximum": polls.MAX_TOKENS_PER_BATCH},
                "voters": {"type": "array", "minItems": 1, "maxItems": polls.MAX_TOKENS_PER_BATCH, "items": {
                    "type": "object", "required": ["name"], "properties": {
                        "name": NAME, "group": {"type": ["string", "null"]}}}}}}),
            "responses": {**_ok("Issued", {"type": "object", "required": ["poll", "batch", "tokens", "slips"],
                                           "properties": {
                "poll": {"type": "string"}, "batch": {"type": "string"},
                "tokens": {"type": "array", "items": {"type": "string"}},
                "slips": {"type": "array", "items": {"type": "object", "required": ["token", "url"], "properties": {
                    "token": {"type": "string"}, "batch": {"type": "string"}, "url": {"type": "string"},
                    "name": {"type": "string"}, "group": {"type": "string"}}}}}}, 201),
                          **_errors(400, 401, 403, 404, 409)},
        }},
        "/api/v1/polls/{poll_id}/batches": {"get": {
            "summary": "The poll's slip batches: issued, used, unused and voided per batch",
            "security": BEARER, "parameters": [_path_id("poll_id")],
            "responses": {**_ok("Batches", {"$ref": "#/components/schemas/Batches"}), **_errors(401, 403, 404)},
        }},
        "/api/v1/polls/{poll_id}/batches/{batch_id}/void": {"post": {
            "summary": "Void a batch's unused slips (lost or never handed out), with a reason",
            "description": "Used slips keep their ballots. The poll's issued count falls by the number voided.",
            "security": BEARER, "parameters": [_path_id("poll_id"), _path_id("batch_id")],
            "requestBody": _json({"type": "object", "required": ["reason"], "properties": {
                "reason": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "\\S"}}}),
            "responses": {**_ok("Voided", {"type": "object", "required": ["poll", "batch", "voided"], "properties": {
                "poll": {"type": "string"}, "batch": {"type": "string"}, "voided": {"type": "integer"}}}),
                          **_errors(400, 401, 403, 404, 409)},
        }},
        "/api/v1/polls/{poll_id}/open": {"post": {
            "summary": "Open a draft poll", "security": BEARER, "parameters": [_path_id("poll_id")],
            "responses": {**_ok("Opened", {"$ref": "#/components/schemas/PollState"}),
                          **_errors(401, 403, 404, 409)},
        }},
        "/api/v1/polls/{poll_id}/close": {"post": {
            "summary": "Close an open poll: unused tokens become void, the result is fixed",
            "security": BEARER, "parameters": [_path_id("poll_id")],
            "responses": {**_ok("Closed", {"$ref": "#/components/schemas/PollState"}),
                          **_errors(401, 403, 404, 409)},
        }},
        "/api/v1/polls/{poll_id}/results": {"get": {
            "summary": "Results", "security": BEARER, "parameters": [_path_id("poll_id")],
            "responses": {**_ok("Results", {"$ref": "#/components/schemas/Results"}), **_errors(401, 403, 404)},
        }},
        "/api/v1/ballots": {"post": {
            "summary": "Cast a ballot with a token",
            "description": "Only 201 uses up the token. A 409 carries the ballot's tracking code in "
                           "`detail.tracking_code`, so a tablet whose answer was lost learns it was recorded.",
            "requestBody": _json(BALLOT_IN),
            "responses": {**_ok("Stored", {"type": "object", "required": ["tracking_code"], "properties": {
                "tracking_code": {"type": "string"}}}, 201), **_errors(400, 404, 409, 422, 423, 429)},
        }},
    }
    paths.update(_round_paths(rules))
    paths.update(stage_paths())
    _name_operations(paths)
    _link_created(paths)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Ballotroom API", "version": "1",
                 "description": "Errors are JSON {error, message}; messages follow Accept-Language "
                                "(Chinese by default, English on request)."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


# --- rounds (docs/api.md, "Rounds and stages"; docs/round-file.md) ------------------------------

DECIMAL = {"oneOf": [{"type": "string", "pattern": r"^\s*\d+(\.\d*)?\s*$", "maxLength": rounds.MAX_DECIMAL_TEXT},
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
ROUND_SUMMARY = {"type": "object", "required": ["id"], "properties": {
    "id": {"type": "string"}, "title": {"type": "string"}, "levels": {"type": "array", "items": {"type": "object"}}}}


def _round_paths(rules=None) -> dict:
    rid = [_path_id("round_id")]
    points = rules.points if rules is not None else None
    grades = rules.organisation_grades_considered if rules is not None else 3
    return {
        "/api/v1/rounds": {
            "get": {"summary": "Selection rounds, newest first", "security": BEARER,
                    "responses": {**_ok("The rounds", {"type": "object", "properties": {
                        "rounds": {"type": "array", "items": {"type": "object"}}}}), **_errors(401, 403)}},
            "post": {
                "summary": "Create a selection round with its levels and posts",
                "description": "Admin key. Known level ids (`section_chief`, `deputy_section_chief`, "
                               "`general_cadre`) get their Chinese name unless `name` is given. " + FIELD_ERROR,
                "security": BEARER,
                "requestBody": _json({"type": "object", "required": ["title", "levels"], "properties": {
                    "title": TITLE,
                    "levels": {"type": "array", "minItems": 1, "maxItems": rounds.MAX_LEVELS, "items": {
                        "type": "object", "required": ["id", "posts"], "additionalProperties": False, "properties": {
                            "id": PATH_SAFE_ID, "posts": {"type": "integer", "minimum": 1, "maximum": rounds.MAX_POSTS},
                            "name": {"type": "string", "maxLength": 100}}}}}}),
                "responses": {**_ok("Created", ROUND_SUMMARY, 201), **_errors(400, 401, 403)},
            },
        },
        "/api/v1/rounds/{round_id}": {"get": {
            "summary": "A round: levels, candidates with their entries, and the polls that name it",
            "security": BEARER, "parameters": rid,
            "responses": {**_ok("The round", {"type": "object"}), **_errors(401, 403, 404)},
        }},
        "/api/v1/rounds/{round_id}/candidates": {"post": {
            "summary": "Add candidates to a round",
            "description": "Admin key. Ids are unique within the round (409 for an id already there); "
                           "`level` is one of the round's level ids. " + FIELD_ERROR,
            "security": BEARER, "parameters": rid,
            "requestBody": _json({"type": "object", "required": ["candidates"], "properties": {
                "candidates": {"type": "array", "minItems": 1, "maxItems": rounds.MAX_CANDIDATES, "items": {
                    "type": "object", "required": ["id", "name", "level"], "additionalProperties": False,
                    "properties": {
                        "id": PATH_SAFE_ID, "name": NAME, "level": {"type": "string", "minLength": 1},
                        "unit": {"type": ["string", "null"], "maxLength": 200}}}}}}),
            "responses": {**_ok("Added", {"type": "object", "properties": {
                "round": {"type": "string"}, "added": {"type": "integer"}}}, 201),
                **_errors(400, 401, 403, 404, 409)},
        }},
        "/api/v1/rounds/{round_id}/candidates/{candidate_id}/entries": {"put": {
            "summary": "Enter performance and/or the organisational appraisal of a candidate",
            "description": "Admin key. Either part or both; a part given replaces its earlier entry, "
                           "and the change is recorded in the event log with who made it. `grades` are the "
                           "last three year-end grades, oldest first. Base and bonus are each at most the "
                           "performance points (40; their sum is capped at 40 when scored); the "
                           "organisational score at most 10. " + FIELD_ERROR,
            "security": BEARER, "parameters": [*rid, _path_id("candidate_id")],
            "requestBody": _json({"type": "object", "minProperties": 1, "properties": {
                "performance": {"type": ["object", "null"], "properties": {
                    "base": _decimal(points and points.performance), "bonus": _decimal(points and points.performance),
                    "record": {"type": "object", "description": "instead of base and bonus: the candidate's "
                               "class, ranking and awards, scored by the rules file's table"},
                    "note": {"type": ["string", "null"], "maxLength": rounds.MAX_NOTE}}},
                "organisation": {"type": ["object", "null"], "required": ["score", "grades"], "properties": {
                    "score": _decimal(points and points.organisation),
                    "grades": {"type": "array", "minItems": grades, "maxItems": grades,
                               "items": {"type": "string", "enum": GRADES}},
                    "note": {"type": ["string", "null"], "maxLength": rounds.MAX_NOTE}}}}}),
            "responses": {**_ok("Stored: the candidate's current entries, each with `entered_by` and "
                                "`entered_at`", {"type": "object"}), **_errors(400, 401, 403, 404)},
        }},
        "/api/v1/rounds/{round_id}/scores": {"get": {
            "summary": "The score sheet of the five evaluations",
            "description": "Computed from the round file that `export` gives: ballot-derived parts from the "
                           "round's closed feeding polls (a democratic recommendation whose meeting missed its "
                           "quorum feeds nothing), figures of an imported file where no poll gave the part, "
                           "and the entries. A 409 says the stored figures no longer fit the rules file.",
            "security": BEARER, "parameters": rid,
            "responses": {**_ok("The score sheet", SCORE_SHEET), **_errors(401, 403, 404, 409)},
        }},
        "/api/v1/rounds/{round_id}/export": {"get": {
            "summary": "The round file, for `ballotroom score` on any machine",
            "security": BEARER, "parameters": rid,
            "responses": {**_ok("The round file", ROUND_FILE), **_errors(401, 403, 404)},
        }},
        "/api/v1/rounds/import": {"post": {
            "summary": "Import a round file as a new round",
            "description": "Admin key. The body is a round file; it is checked as `ballotroom score` checks it, "
                           "and a 400 names the line (`detail.line`) and the field (`detail.field`). Its "
                           "figures are kept as written, so exporting the new round gives the same file.",
            "security": BEARER, "requestBody": {**_json(ROUND_FILE), "x-checked-as": "round file"},
            "responses": {**_ok("Imported", {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "candidates": {"type": "integer"},
                "parts": {"type": "object"}}}, 201), **_errors(400, 401, 403)},
        }},
    }


def operation_schemas(rules=None) -> dict[tuple[str, str], dict]:
    """{(path, METHOD): request body schema} for every operation that takes a body. A round file is
    checked as the round file it is (line and field named), not by this schema."""
    out = {}
    for path, item in document(rules)["paths"].items():
        for method, op in item.items():
            body = op.get("requestBody")
            if body is None or body.get("x-checked-as"):
                continue
            out[(path, method.upper())] = body["content"]["application/json"]["schema"]
    return out


def operation_id(method: str, path: str) -> str:
    """A stable name per operation, e.g. ``post_meetings_meeting_id_polls``."""
    words = [w.strip("{}") for w in path.removeprefix("/api/v1/").split("/")]
    return "_".join([method, *words]).replace(".", "_")


def _name_operations(paths: dict) -> None:
    for path, item in paths.items():
        for method, op in item.items():
            op.setdefault("operationId", operation_id(method, path))


# What a client can do next with what a 201 answered: OpenAPI links, which clients and the
# suite's stateful fuzz follow (`$response.body#/id` is the new object's id).
_NEXT = {
    ("post", "/api/v1/meetings"): ("meeting_id", "#/id", [
        ("get", "/api/v1/meetings/{meeting_id}"), ("post", "/api/v1/meetings/{meeting_id}/attendance"),
        ("post", "/api/v1/meetings/{meeting_id}/polls")]),
    ("post", "/api/v1/meetings/{meeting_id}/polls"): ("poll_id", "#/id", [
        ("get", "/api/v1/polls/{poll_id}"), ("post", "/api/v1/polls/{poll_id}/tokens"),
        ("post", "/api/v1/polls/{poll_id}/open"), ("post", "/api/v1/polls/{poll_id}/close"),
        ("get", "/api/v1/polls/{poll_id}/results"), ("get", "/api/v1/polls/{poll_id}/batches")]),
    ("post", "/api/v1/rounds"): ("round_id", "#/id", [
        ("get", "/api/v1/rounds/{round_id}"), ("post", "/api/v1/rounds/{round_id}/candidates"),
        ("get", "/api/v1/rounds/{round_id}/stages"), ("post", "/api/v1/rounds/{round_id}/stages/{stage}/start")]),
    ("post", "/api/v1/rounds/import"): ("round_id", "#/id", [
        ("get", "/api/v1/rounds/{round_id}/scores"), ("get", "/api/v1/rounds/{round_id}/export"),
        ("post", "/api/v1/rounds/{round_id}/stages/{stage}/start"), ("get", "/api/v1/rounds/{round_id}/recommendation")]),
}


def _link_created(paths: dict) -> None:
    for (method, path), (param, pointer, targets) in _NEXT.items():
        created = paths[path][method]["responses"]["201"]
        created["links"] = {
            operation_id(m, p): {"operationId": operation_id(m, p),
                                 "parameters": {param: f"$response.body{pointer}"}}
            for m, p in targets
        }
