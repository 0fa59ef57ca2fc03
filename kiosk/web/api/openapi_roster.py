"""OpenAPI entries of the sign-in roster (/api/v1/meetings/{meeting_id}/roster...), merged into the
document by ``kiosk.web.api.openapi``."""

from __future__ import annotations

from kiosk.domain import roster
from kiosk.web.api.openapi_parts import BEARER, errors, json_body, ok, path_id

STATE = {"type": "string", "enum": list(roster.STATES)}
TIME = {"type": ["string", "null"], "description": "UTC, ISO 8601"}
MEMBER = {
    "type": "object", "required": ["id", "name", "unit", "post", "state", "signed_in_at", "left_at", "late"],
    "properties": {
        "id": {"type": "string", "description": "the member's id, for the calls under /roster/{member_id}"},
        "name": {"type": "string"}, "unit": {"type": "string"}, "post": {"type": "string"},
        "state": {**STATE, "description": "absent (not signed in), present (signed in), left (left early)"},
        "signed_in_at": TIME, "left_at": TIME,
        "late": {"type": "boolean", "description": "signed in after the meeting's first poll opened"}},
}
ROSTER = {
    "type": "object", "required": ["meeting", "title", "expected", "present", "counts", "members"],
    "properties": {
        "meeting": {"type": "string"}, "title": {"type": "string"},
        "expected": {"type": "integer", "description": "members who should attend (应到): the roster's size"},
        "present": {"type": ["integer", "null"], "description": "attendance (实到): members signed in and not gone"},
        "voting_began": TIME,
        "counts": {"type": "object", "required": ["members", "signed_in", "absent", "present", "left", "late"],
                   "properties": {k: {"type": "integer"} for k in
                                  ("members", "signed_in", "absent", "present", "left", "late")}},
        "members": {"type": "array", "items": MEMBER,
                    "description": "in the roster's order; empty for a meeting without a roster"}},
}
TEXT = {"type": "string", "description": "spaces inside are kept single; at most the given length"}
MEMBER_IN = {"type": "object", "required": ["name"], "properties": {
    "name": {**TEXT, "minLength": 1, "maxLength": roster.NAME_MAX, "pattern": "\\S"},
    "unit": {**TEXT, "maxLength": roster.UNIT_MAX}, "post": {**TEXT, "maxLength": roster.POST_MAX}}}
ACT_DONE = {"type": "object", "required": ["meeting", "member", "present"], "properties": {
    "meeting": {"type": "string"}, "member": MEMBER,
    "present": {"type": "integer", "description": "attendance (实到) after this act"}}}


MEMBER_ADDED = {"type": "object", "required": ["meeting", "member", "expected"], "properties": {
    "meeting": {"type": "string"}, "member": MEMBER,
    "expected": {"type": "integer", "description": "members who should attend (应到) now"}}}


def _act(summary: str, description: str) -> dict:
    return {"post": {
        "summary": summary, "description": description, "security": BEARER,
        "parameters": [path_id("meeting_id"), path_id("member_id")],
        "responses": {**ok("Done: the member and the attendance", ACT_DONE), **errors(401, 403, 404, 409)},
    }}


def roster_paths() -> dict:
    base = "/api/v1/meetings/{meeting_id}/roster"
    return {
        base: {
            "get": {
                "summary": "The meeting's sign-in roster (名册): members, their state and the counts",
                "security": BEARER, "parameters": [path_id("meeting_id")],
                "responses": {**ok("The roster", ROSTER), **errors(401, 403, 404)},
            },
            "put": {
                "summary": "Replace the sign-in roster",
                "description": (
                    "The members who should attend (应到, `expected`) become the roster's size and attendance "
                    "(实到, `present`) its signed-in count, 0 at first; from then on attendance is not typed "
                    "(POST …/attendance answers 409). A member listed twice (same name and unit) or any "
                    "faulty entry refuses the whole roster (400, every entry at fault named in "
                    "`detail.problems`). 409 once a member has signed in or a poll of the meeting has opened."),
                "security": BEARER, "parameters": [path_id("meeting_id")],
                "requestBody": json_body({"type": "object", "required": ["members"], "properties": {
                    "members": {"type": "array", "minItems": 1, "maxItems": roster.MAX_MEMBERS,
                                "items": MEMBER_IN}}}),
                "responses": {**ok("Stored: the roster", ROSTER), **errors(400, 401, 403, 404, 409)},
            },
        },
        base + "/members": {"post": {
            "summary": "Add a member the roster left out",
            "description": (
                "One member, checked as a line of the roster; the members who should attend (应到, "
                "`expected`) grow by one. 409 when the meeting has no roster yet or a poll of the meeting "
                "has opened; 400 when the name and unit are already on the roster (give the unit to tell "
                "namesakes apart)."),
            "security": BEARER, "parameters": [path_id("meeting_id")],
            "requestBody": json_body(MEMBER_IN),
            "responses": {**ok("Added: the member and the members who should attend", MEMBER_ADDED, 201),
                          **errors(400, 401, 403, 404, 409)},
        }},
        base + "/{member_id}/sign-in": _act(
            "Sign a member in at the door",
            "Also a member who left early and came back (the first arrival time is kept). 409 when the "
            "member is already signed in, so two clerks never count one member twice."),
        base + "/{member_id}/leave": _act(
            "Record that a member left early", "409 when the member is not signed in or has already left."),
        base + "/{member_id}/cancel": _act(
            "Cancel a sign-in made by mistake", "The member is absent again; 409 when not signed in."),
    }
