"""The OpenAPI 3.1 document served at /api/v1/openapi.json: the API's reference.

A test compares its paths with the URL map, so a route cannot be added
without being documented here.
"""

from __future__ import annotations

KINDS = ["democratic_recommendation", "plenary_recommendation", "interview_recommendation",
         "standing_committee", "character", "survey", "leaders"]

ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*codes: int) -> dict:
    text = {400: "Malformed body or invalid values", 401: "No valid API key", 403: "The key's role does not allow this",
            404: "No such item", 409: "Conflicts with the current state", 422: "Answers do not fit the poll",
            423: "The poll is not open", 429: "Too many failed attempts; wait a minute"}
    return {str(c): {"description": text[c], "content": {"application/json": {"schema": ERROR}}} for c in codes}


def _json(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _ok(description: str, schema: dict | None = None, status: int = 200) -> dict:
    body = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return {str(status): body}


BEARER = [{"bearer": []}]
ID = {"type": "string", "minLength": 1, "maxLength": 64}


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                       "detail": {"type": "object"}},
    },
    "Meeting": {
        "type": "object",
        "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                       "expected": {"type": "integer"}, "present": {"type": ["integer", "null"]}},
    },
    "Candidate": {"type": "object", "required": ["id", "name"],
                  "properties": {"id": ID, "name": {"type": "string", "minLength": 1, "maxLength": 100}}},
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
            "title": {"type": "string", "minLength": 1, "maxLength": 200},
            "kind": {"type": "string", "enum": KINDS},
            "round": {"type": ["string", "null"], "description": "the selection round the poll feeds"},
            "contests": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Contest"}},
        },
    },
    "Results": {
        "type": "object",
        "description": (
            "While a poll is open, the last published batch (DESIGN.md, Secrecy); `cast_live` is the "
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


def document() -> dict:
    paths = {
        "/api/v1/openapi.json": {"get": {"summary": "This document", "responses": _ok("OpenAPI 3.1")}},
        "/api/v1/meetings": {"post": {
            "summary": "Create a meeting", "security": BEARER,
            "requestBody": _json({"type": "object", "required": ["title", "expected"], "properties": {
                "title": {"type": "string", "minLength": 1, "maxLength": 200},
                "expected": {"type": "integer", "minimum": 1, "description": "members who should attend (应到)"}}}),
            "responses": {**_ok("Created", {"$ref": "#/components/schemas/Meeting"}, 201), **_errors(400, 401, 403)},
        }},
        "/api/v1/meetings/{meeting_id}": {"get": {
            "summary": "A meeting and its polls", "security": BEARER, "parameters": [_path_id("meeting_id")],
            "responses": {**_ok("The meeting", {"$ref": "#/components/schemas/Meeting"}), **_errors(401, 403, 404)},
        }},
        "/api/v1/meetings/{meeting_id}/attendance": {"post": {
            "summary": "Record attendance (实到)", "security": BEARER, "parameters": [_path_id("meeting_id")],
            "requestBody": _json({"type": "object", "required": ["present"],
                                  "properties": {"present": {"type": "integer", "minimum": 0}}}),
            "responses": {**_ok("Recorded", {"$ref": "#/components/schemas/Meeting"}), **_errors(400, 401, 403, 404)},
        }},
        "/api/v1/meetings/{meeting_id}/polls": {"post": {
            "summary": "Create a poll", "security": BEARER, "parameters": [_path_id("meeting_id")],
            "requestBody": _json({"$ref": "#/components/schemas/PollIn"}),
            "responses": {**_ok("Created", {"type": "object"}, 201), **_errors(400, 401, 403, 404, 409)},
        }},
        "/api/v1/polls/{poll_id}": {"get": {
            "summary": "A poll", "security": BEARER, "parameters": [_path_id("poll_id")],
            "responses": {**_ok("The poll", {"type": "object"}), **_errors(401, 403, 404)},
        }},
        "/api/v1/polls/{poll_id}/tokens": {"post": {
            "summary": "Issue one-time tokens, shown this once",
            "description": "`count` for secret kinds; `voters` (name, group) for named kinds "
                           "(interview_recommendation; leaders with group `unit` or `city`).",
            "security": BEARER, "parameters": [_path_id("poll_id")],
            "requestBody": _json({"type": "object", "properties": {
                "count": {"type": "integer", "minimum": 1, "maximum": 5000},
                "voters": {"type": "array", "items": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"}, "group": {"type": "string"}}}}}}),
            "responses": {**_ok("Issued", {"type": "object", "required": ["tokens"], "properties": {
                "tokens": {"type": "array", "items": {"type": "string"}},
                "slips": {"type": "array", "items": {"type": "object"}}}}, 201), **_errors(400, 401, 403, 404, 409)},
        }},
        "/api/v1/polls/{poll_id}/open": {"post": {
            "summary": "Open a draft poll", "security": BEARER, "parameters": [_path_id("poll_id")],
            "responses": {**_ok("Opened", {"type": "object", "properties": {"state": {"type": "string"}}}),
                          **_errors(401, 403, 404, 409)},
        }},
        "/api/v1/polls/{poll_id}/close": {"post": {
            "summary": "Close an open poll: unused tokens become void, the result is fixed",
            "security": BEARER, "parameters": [_path_id("poll_id")],
            "responses": {**_ok("Closed", {"type": "object", "properties": {"state": {"type": "string"}}}),
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
            "requestBody": _json({"type": "object", "required": ["token", "answers"], "properties": {
                "token": {"type": "string"}, "answers": {}}}),
            "responses": {**_ok("Stored", {"type": "object", "required": ["tracking_code"], "properties": {
                "tracking_code": {"type": "string"}}}, 201), **_errors(400, 404, 409, 422, 423, 429)},
        }},
    }
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
