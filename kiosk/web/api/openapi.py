"""The OpenAPI 3.1 document served at /api/v1/openapi.json: the API's reference.

A test compares its paths with the URL map, so a route cannot be added
without being documented here.
"""

from __future__ import annotations

from kiosk.domain import issuing, meetings, rehearsal
from kiosk.web.api.openapi_paper import COUNTS_PAPER, RESULTS_PROPERTIES, paper_paths
from kiosk.web.api.openapi_parts import (
    BEARER,
    ID,
    KINDS,
    MEMBERS,
    NAME,
    TITLE,
    errors,
    json_body,
    ok,
    path_id,
)
from kiosk.web.api.openapi_roster import roster_paths
from kiosk.web.api.openapi_rounds import round_paths
from kiosk.web.api.openapi_stages import stage_paths

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
            "rehearsal": {"type": "boolean", "default": False, "description": (
                "a rehearsal, run with test slips (marked 测试): its ballots are never counted with a real "
                "poll's, it names no round (400 with `round`), the board never lists it, and it can be reset "
                "(POST /polls/{poll_id}/reset)")},
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
            "rehearsal": {"type": "boolean", "description": "a rehearsal with test slips (测试)"},
            "zero_report": {"oneOf": [{"$ref": "#/components/schemas/ZeroReport"}, {"type": "null"}],
                            "description": "what the room was shown at opening; null before"},
            "rules_sha256": {"type": ["string", "null"], "description": (
                "SHA-256 of the rules text the poll opened with and is counted under (null before opening)")},
        },
    },
    "PollState": {"type": "object", "required": ["poll", "state"], "properties": {
        "poll": {"type": "string"}, "state": {"type": "string", "enum": ["draft", "open", "closed"]}}},
    "LogHead": {"type": "object", "required": ["seq", "hash", "code"], "properties": {
        "seq": {"type": "integer", "minimum": 0, "description": "the entry's sequence number (0: the empty log)"},
        "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "code": {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$",
                 "description": "the short form read out in the room (`ballotroom log verify --head CODE`)"}}},
    "ZeroReport": {
        "type": "object", "additionalProperties": False,
        "description": ("The zero report, made when the poll opens: the box is empty, the digest of the empty "
                        "box, the slips issued, the rules the poll is counted under and the log head at "
                        "opening (the entry that records this report)."),
        "required": ["ballots", "digest", "issued", "rules_sha256", "rehearsal", "opened_at", "log_head"],
        "properties": {
            "ballots": {"type": "integer", "const": 0, "description": "ballots in the box at opening: none"},
            "digest": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": (
                "the ballot box digest of no ballots (SHA-256 of nothing), the figure the close's digest "
                "starts from")},
            "issued": {"type": "integer", "minimum": 0, "description": "slips issued at opening"},
            "rules_sha256": {"type": ["string", "null"], "description": "the rules the poll opened with"},
            "rehearsal": {"type": "boolean"},
            "opened_at": {"type": "string"},
            "log_head": {"$ref": "#/components/schemas/LogHead"},
        },
    },
    "Opened": {"type": "object", "required": ["poll", "state", "zero_report"], "properties": {
        "poll": {"type": "string"}, "state": {"type": "string", "const": "open"},
        "zero_report": {"$ref": "#/components/schemas/ZeroReport"}}},
    "Reset": {"type": "object", "required": ["poll", "state", "removed"], "properties": {
        "poll": {"type": "string"}, "state": {"type": "string", "const": "draft"},
        "removed": {"type": "object", "required": ["ballots", "tracking_codes", "slips"],
                    "additionalProperties": False, "properties": {
                        "ballots": {"type": "integer", "minimum": 0},
                        "tracking_codes": {"type": "integer", "minimum": 0},
                        "slips": {"type": "integer", "minimum": 0}}}}},
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
        "required": ["poll", "kind", "state", "expected", "present", "issued", "cast", "quorum_met", "contests",
                     "counts"],
        "properties": {
            "poll": {"type": "string"}, "title": {"type": "string"}, "kind": {"type": "string", "enum": KINDS},
            "state": {"type": "string", "enum": ["draft", "open", "closed"]},
            "expected": {"type": "integer"}, "present": {"type": ["integer", "null"]},
            "issued": {"type": "integer"}, "cast": {"type": "integer"}, "cast_live": {"type": "integer"},
            "blank": {"type": "integer"}, "spoiled": {"type": "integer"},
            "quorum_met": {"type": "boolean"}, "digest": {"type": "string"},
            "contests": {"type": "array", "items": {"type": "object"}},
            "counts": {"$ref": "#/components/schemas/Counts"},
            **RESULTS_PROPERTIES,
        },
    },
    "Counts": {
        "type": "object",
        "description": (
            "The counts that reconcile, the same for every kind and in the live `turnout`. Every slip "
            "made is used, unused or void: while open `issued` = `returned` + `not_voted` + `voided`, "
            "after the close `issued` = `returned` + `voided`. `blank` moves only with a published "
            "batch while the poll is open (SECURITY.md, Secrecy)."),
        "required": ["expected", "present", "issued", "returned", "not_voted", "blank", "spoiled", "voided"],
        "additionalProperties": False,
        "properties": {
            "expected": {"type": "integer", "minimum": 0, "description": "members who should attend (应到)"},
            "present": {"type": ["integer", "null"], "minimum": 0,
                        "description": "members present (实到); null until attendance is recorded"},
            "issued": {"type": "integer", "minimum": 0, "description": (
                "slips issued (发出), a lost batch's included, so that every slip is accounted for; "
                "the top-level `issued` is net of lost batches")},
            "returned": {"type": "integer", "minimum": 0, "description": "ballots cast (收回)"},
            "not_voted": {"type": "integer", "minimum": 0, "description": (
                "slips not used (未投): while open the unused ones, after the close those voided then")},
            "blank": {"type": "integer", "minimum": 0, "description": "blank ballots (空白)"},
            "spoiled": {"type": "integer", "minimum": 0, "description": (
                "spoiled ballots (废票): 0 for tablets, which refuse a ballot that does not fit")},
            "voided": {"type": "integer", "minimum": 0, "description": (
                "void slips (作废): those of lost batches and, after the close, the unused ones")},
            "paper": COUNTS_PAPER,
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
        "/api/v1/openapi.json": {"get": {"summary": "This document", "responses": ok("OpenAPI 3.1")}},
        "/api/v1/meetings": {"post": {
            "summary": "Create a meeting", "security": BEARER,
            "requestBody": json_body({"type": "object", "required": ["title", "expected"], "properties": {
                "title": TITLE,
                "expected": {**MEMBERS, "minimum": 1, "description": "members who should attend (应到)"}}}),
            "responses": {**ok("Created", {"$ref": "#/components/schemas/Meeting"}, 201), **errors(400, 401, 403)},
        }},
        "/api/v1/meetings/{meeting_id}": {"get": {
            "summary": "A meeting and its polls", "security": BEARER, "parameters": [path_id("meeting_id")],
            "responses": {**ok("The meeting", {"$ref": "#/components/schemas/Meeting"}), **errors(401, 403, 404)},
        }},
        "/api/v1/meetings/{meeting_id}/attendance": {"post": {
            "summary": "Record attendance (实到)", "security": BEARER, "parameters": [path_id("meeting_id")],
            "description": "For a meeting without a sign-in roster; with one, attendance follows the roster (409).",
            "requestBody": json_body({"type": "object", "required": ["present"],
                                  "properties": {"present": {**MEMBERS, "minimum": 0},
                                                 "reason": {"type": "string", "maxLength": meetings.MAX_REASON,
                                                            "description": "why the number is typed (event log)"}}}),
            "responses": {**ok("Recorded", {"$ref": "#/components/schemas/Meeting"}),
                          **errors(400, 401, 403, 404, 409)},
        }},
        "/api/v1/meetings/{meeting_id}/polls": {"post": {
            "summary": "Create a poll", "security": BEARER, "parameters": [path_id("meeting_id")],
            "requestBody": json_body({"$ref": "#/components/schemas/PollIn"}),
            "responses": {**ok("Created: the poll, a draft; its `id` is the poll's id",
                                {"$ref": "#/components/schemas/Poll"}, 201), **errors(400, 401, 403, 404, 409)},
        }},
        "/api/v1/polls/{poll_id}": {"get": {
            "summary": "A poll", "security": BEARER, "parameters": [path_id("poll_id")],
            "responses": {**ok("The poll", {"$ref": "#/components/schemas/Poll"}), **errors(401, 403, 404)},
        }, "delete": {
            "summary": "Delete a draft poll that has issued no slips (one made by mistake or for a test)",
            "description": ("Only a draft with no slip issued and no paper ballot handed out, made by no stage "
                            "of a round; any other poll answers 409 and stays (a rehearsal with test slips: "
                            "reset it first). Logged (`poll.deleted`) with the poll's title."),
            "security": BEARER, "parameters": [path_id("poll_id")],
            "responses": {**ok("Deleted; no body", status=204), **errors(401, 403, 404, 409)},
        }},
        "/api/v1/polls/{poll_id}/tokens": {"post": {
            "summary": "Issue one-time tokens, shown this once",
            "description": "`count` for secret kinds; `voters` (name, group) for named kinds "
                           "(interview_recommendation; leaders with group `unit` or `city`).",
            "security": BEARER, "parameters": [path_id("poll_id")],
            "requestBody": json_body({"type": "object", "properties": {
                "count": {"type": "integer", "minimum": 1, "maximum": issuing.MAX_TOKENS_PER_BATCH},
                "voters": {"type": "array", "minItems": 1, "maxItems": issuing.MAX_TOKENS_PER_BATCH, "items": {
                    "type": "object", "required": ["name"], "properties": {
                        "name": NAME, "group": {"type": ["string", "null"]}}}}}}),
            "responses": {**ok("Issued", {"type": "object", "required": ["poll", "batch", "tokens", "slips"],
                                           "properties": {
                "poll": {"type": "string"}, "batch": {"type": "string"},
                "tokens": {"type": "array", "items": {"type": "string"}},
                "slips": {"type": "array", "items": {"type": "object", "required": ["token", "url"], "properties": {
                    "token": {"type": "string"}, "batch": {"type": "string"}, "url": {"type": "string"},
                    "name": {"type": "string"}, "group": {"type": "string"}}}}}}, 201),
                          **errors(400, 401, 403, 404, 409)},
        }},
        "/api/v1/polls/{poll_id}/batches": {"get": {
            "summary": "The poll's slip batches: issued, used, unused and voided per batch",
            "security": BEARER, "parameters": [path_id("poll_id")],
            "responses": {**ok("Batches", {"$ref": "#/components/schemas/Batches"}), **errors(401, 403, 404)},
        }},
        "/api/v1/polls/{poll_id}/batches/{batch_id}/void": {"post": {
            "summary": "Void a batch's unused slips (lost or never handed out), with a reason",
            "description": "Used slips keep their ballots. The poll's issued count falls by the number voided.",
            "security": BEARER, "parameters": [path_id("poll_id"), path_id("batch_id")],
            "requestBody": json_body({"type": "object", "required": ["reason"], "properties": {
                "reason": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "\\S"}}}),
            "responses": {**ok("Voided", {"type": "object", "required": ["poll", "batch", "voided"], "properties": {
                "poll": {"type": "string"}, "batch": {"type": "string"}, "voided": {"type": "integer"}}}),
                          **errors(400, 401, 403, 404, 409)},
        }},
        "/api/v1/polls/{poll_id}/open": {"post": {
            "summary": "Open a draft poll after its zero report",
            "description": ("The box must be empty (409 otherwise). The answer carries the zero report, shown "
                            "on the projector and printed on the result sheet; the poll keeps the rules in "
                            "force now and is counted under them until and after its close, whatever the "
                            "rules file says later (409 if the poll no longer fits them)."),
            "security": BEARER, "parameters": [path_id("poll_id")],
            "responses": {**ok("Opened", {"$ref": "#/components/schemas/Opened"}),
                          **errors(401, 403, 404, 409)},
        }},
        "/api/v1/polls/{poll_id}/rehearsal": {"post": {
            "summary": "Make a rehearsal of the poll: the same ballot, with test slips",
            "description": "A new draft poll in the same meeting, with `rehearsal` true and no round.",
            "security": BEARER, "parameters": [path_id("poll_id")],
            "responses": {**ok("Created: the rehearsal, a draft", {"$ref": "#/components/schemas/Poll"}, 201),
                          **errors(401, 403, 404)},
        }},
        "/api/v1/polls/{poll_id}/reset": {"post": {
            "summary": "Reset a rehearsal: its ballots, tracking codes and slips removed, a draft again",
            "description": "Logged (`poll.rehearsal_reset`) with how many went. A real poll is never reset (409).",
            "security": BEARER, "parameters": [path_id("poll_id")],
            "requestBody": {**json_body({"type": "object", "additionalProperties": False, "properties": {
                "reason": {"type": ["string", "null"], "maxLength": rehearsal.MAX_REASON,
                           "description": "why, for the event log"}}}), "required": False},
            "responses": {**ok("Reset", {"$ref": "#/components/schemas/Reset"}), **errors(400, 401, 403, 404, 409)},
        }},
        "/api/v1/polls/{poll_id}/close": {"post": {
            "summary": "Close an open poll: unused tokens become void, the result is fixed",
            "description": ("Counted under the rules the poll opened with, even if the rules file changed "
                            "since; its certificate names their hash."),
            "security": BEARER, "parameters": [path_id("poll_id")],
            "responses": {**ok("Closed", {"$ref": "#/components/schemas/PollState"}),
                          **errors(401, 403, 404, 409)},
        }},
        "/api/v1/polls/{poll_id}/results": {"get": {
            "summary": "Results", "security": BEARER, "parameters": [path_id("poll_id")],
            "responses": {**ok("Results", {"$ref": "#/components/schemas/Results"}), **errors(401, 403, 404)},
        }},
        "/api/v1/log/head": {"get": {
            "summary": "The event log's head: the newest entry and its short form, as read out in the room",
            "description": "`ballotroom log verify --head CODE` checks later that a head the room saw is "
                           "still in the log.",
            "security": BEARER,
            "responses": {**ok("The head", {"$ref": "#/components/schemas/LogHead"}), **errors(401, 403)},
        }},
        "/api/v1/ballots": {"post": {
            "summary": "Cast a ballot with a token",
            "description": "Only 201 uses up the token. A 409 carries the ballot's tracking code in "
                           "`detail.tracking_code`, so a tablet whose answer was lost learns it was recorded.",
            "requestBody": json_body(BALLOT_IN),
            "responses": {**ok("Stored", {"type": "object", "required": ["tracking_code"], "properties": {
                "tracking_code": {"type": "string"}}}, 201), **errors(400, 404, 409, 422, 423, 429)},
        }},
    }
    paths.update(roster_paths())
    paths.update(paper_paths())
    paths.update(round_paths(rules))
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
        ("post", "/api/v1/meetings/{meeting_id}/polls"), ("get", "/api/v1/meetings/{meeting_id}/roster"),
        ("put", "/api/v1/meetings/{meeting_id}/roster")]),
    ("post", "/api/v1/meetings/{meeting_id}/polls"): ("poll_id", "#/id", [
        ("get", "/api/v1/polls/{poll_id}"), ("post", "/api/v1/polls/{poll_id}/tokens"),
        ("post", "/api/v1/polls/{poll_id}/open"), ("post", "/api/v1/polls/{poll_id}/close"),
        ("get", "/api/v1/polls/{poll_id}/results"), ("get", "/api/v1/polls/{poll_id}/batches"),
        ("post", "/api/v1/polls/{poll_id}/rehearsal"), ("post", "/api/v1/polls/{poll_id}/reset"),
        ("get", "/api/v1/polls/{poll_id}/paper"), ("post", "/api/v1/polls/{poll_id}/paper/handed-out"),
        ("post", "/api/v1/polls/{poll_id}/paper/entries"), ("post", "/api/v1/polls/{poll_id}/paper/close")]),
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
