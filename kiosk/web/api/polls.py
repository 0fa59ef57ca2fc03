"""The HTTP JSON API, /api/v1 (docs/api.md)."""

from __future__ import annotations

import functools
import re

from flask import Blueprint, jsonify, request

from kiosk.domain import accounts, counting, issuing, lifecycle, meetings, polls, rehearsal
from kiosk.errors import Refusal
from kiosk.store import eventlog
from kiosk.web import live
from kiosk.web.api import body as request_body
from kiosk.web.api.openapi import SCHEMAS, operation_schemas
from kiosk.web.api.openapi import document as openapi_document
from kiosk.web.context import current_rules, db, signer, token_key

bp = Blueprint("api", __name__)


def require_key(*roles: str):
    """Bearer key with one of `roles` (docs/api.md, "Keys": `Authorization: Bearer <key>`)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, key = header.partition(" ")
            role = accounts.api_key_role(db(), key.strip()) if scheme.lower() == "bearer" else None
            if role is None:
                raise Refusal(401, "unauthorized")
            if role not in roles:
                raise Refusal(403, "forbidden")
            request.environ["ballotroom.actor"] = f"apikey:{key.strip()[:7]}"
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # read by the route-coverage test
        return wrapper

    return decorator


def body(*, optional: bool = False, exact: bool = False) -> dict:
    """The request's JSON object, read the one strict way (kiosk.web.api.body) and checked against this
    operation's schema in the OpenAPI document. ``optional``: an empty body reads as {}.
    ``exact``: decimals come back as the text they were written as, else as numbers."""
    value = request_body.parse_object(request.get_data(cache=True), request.content_type, optional=optional)
    schema = _schemas(current_rules()).get((_openapi_path(request.url_rule.rule), request.method))
    if schema is not None:
        schema.check(value)
    return request_body.as_written(value) if exact else request_body.as_float(value)


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


_schema_cache: dict[int, dict] = {}


def _schemas(current_rules) -> dict:
    # One table per rules object (an app has one; tests build many).
    key = id(current_rules)
    table = _schema_cache.get(key)
    if table is None or table[0] is not current_rules:
        compiled = {op: request_body.Schema(schema, {"schemas": SCHEMAS})
                    for op, schema in operation_schemas(current_rules).items()}
        table = _schema_cache[key] = (current_rules, compiled)
    return table[1]


def actor() -> str:
    return request.environ.get("ballotroom.actor", "api")



@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(current_rules()))


@bp.post("/meetings")
@require_key("admin")
def create_meeting():
    data = body()
    return jsonify(meetings.create(db(), actor(), data.get("title"), data.get("expected"))), 201


@bp.get("/meetings/<meeting_id>")
@require_key("admin", "chair")
def get_meeting(meeting_id: str):
    meeting = meetings.get(db(), meeting_id)
    meeting["polls"] = polls.for_meeting(db(), meeting_id)
    return jsonify(meeting)


@bp.post("/meetings/<meeting_id>/attendance")
@require_key("admin", "chair")
def attendance(meeting_id: str):
    data = body()
    meeting = meetings.set_attendance(db(), actor(), meeting_id, data.get("present"), data.get("reason"))
    live.attendance_changed(meeting_id)
    return jsonify(meeting), 200


@bp.post("/meetings/<meeting_id>/polls")
@require_key("admin")
def create_poll(meeting_id: str):
    data = body()
    poll = polls.create(db(), current_rules(), actor(), meeting_id, data.get("title"), data.get("kind"),
                        data.get("contests"), data.get("round"), data.get("rehearsal", False))
    return jsonify(poll), 201


@bp.post("/polls/<poll_id>/rehearsal")
@require_key("admin")
def create_rehearsal(poll_id: str):
    """A rehearsal of the poll: the same ballot, test slips, never counted with it."""
    return jsonify(polls.rehearsal_copy(db(), current_rules(), actor(), poll_id)), 201


@bp.post("/polls/<poll_id>/reset")
@require_key("admin", "chair")
def reset_rehearsal(poll_id: str):
    done = rehearsal.reset(db(), actor(), poll_id, body(optional=True).get("reason"))
    live.state_changed(poll_id)
    return jsonify(done), 200


@bp.get("/polls/<poll_id>")
@require_key("admin", "chair")
def get_poll(poll_id: str):
    poll = polls.get(db(), poll_id)
    for private in ("published", "published_cast", "result", "certificate", "signature"):
        poll.pop(private, None)
    poll["blank"] = counting.turnout(db(), poll_id, current_rules())["blank"]  # never the raw count while open
    return jsonify(poll)


@bp.delete("/polls/<poll_id>")
@require_key("admin")
def delete_poll(poll_id: str):
    """A draft with no slips issued, made by mistake or for a test; 409 for any other poll."""
    lifecycle.delete_draft(db(), actor(), poll_id)
    return "", 204


@bp.post("/polls/<poll_id>/tokens")
@require_key("admin")
def issue_tokens(poll_id: str):
    data = body()
    issued = issuing.issue_tokens(db(), token_key(), actor(), poll_id,
                                data.get("count"), data.get("voters"))
    live.turnout_changed(poll_id)
    base = request.host_url.rstrip("/")
    return jsonify({
        "poll": poll_id,
        "batch": issued[0]["batch"],
        "tokens": [t["token"] for t in issued],
        "slips": [{**t, "url": f"{base}/t/{t['token']}"} for t in issued],
    }), 201


@bp.get("/polls/<poll_id>/batches")
@require_key("admin", "chair")
def token_batches(poll_id: str):
    polls.get(db(), poll_id)
    return jsonify({"poll": poll_id, "batches": issuing.batches(db(), poll_id)})


@bp.post("/polls/<poll_id>/batches/<batch_id>/void")
@require_key("admin")
def void_batch(poll_id: str, batch_id: str):
    done = issuing.void_batch(db(), actor(), poll_id, batch_id, body().get("reason"))
    live.turnout_changed(poll_id)
    return jsonify(done), 200


@bp.post("/polls/<poll_id>/open")
@require_key("admin", "chair")
def open_poll(poll_id: str):
    state = lifecycle.open_poll(db(), actor(), poll_id, signer().rules_text)
    live.state_changed(poll_id)
    return jsonify(state), 200


@bp.post("/polls/<poll_id>/close")
@require_key("admin", "chair")
def close_poll(poll_id: str):
    doc = lifecycle.close_poll(db(), current_rules(), actor(), poll_id, signer())
    live.state_changed(poll_id, final=doc)
    return jsonify({"poll": poll_id, "state": "closed"}), 200


@bp.get("/polls/<poll_id>/results")
@require_key("admin", "chair")
def results(poll_id: str):
    return jsonify(counting.results(db(), current_rules(), poll_id))


@bp.get("/log/head")
@require_key("admin", "chair")
def log_head():
    """The event log's newest entry and its short form, as the room reads it out."""
    with db().read() as conn:
        return jsonify(eventlog.head(conn))
