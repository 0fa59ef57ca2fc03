"""The sign-in roster in the HTTP JSON API (docs/api.md, "The sign-in roster").

Replacing the roster needs an admin key; reading it and signing members in, an admin or chair key
(as recording attendance does). Each sign-in writes attendance with it, and the live tally's quorum
follows.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from kiosk.domain import roster
from kiosk.web import live
from kiosk.web.api.polls import actor, body, require_key
from kiosk.web.context import db

bp = Blueprint("api_roster", __name__)

# The address's words for the domain's acts.
ACTIONS = {"sign-in": "sign_in", "leave": "leave", "cancel": "cancel"}


@bp.get("/meetings/<meeting_id>/roster")
@require_key("admin", "chair")
def get_roster(meeting_id: str):
    return jsonify(roster.get(db(), meeting_id))


@bp.put("/meetings/<meeting_id>/roster")
@require_key("admin")
def put_roster(meeting_id: str):
    entries = roster.from_json(body().get("members"))
    doc = roster.replace(db(), actor(), meeting_id, entries)
    live.attendance_changed(meeting_id)
    return jsonify(doc), 200


@bp.post("/meetings/<meeting_id>/roster/members")
@require_key("admin")
def add_member(meeting_id: str):
    given = body()
    done = roster.add(db(), actor(), meeting_id, {f: given.get(f, "") for f in roster.FIELDS})
    live.attendance_changed(meeting_id)
    return jsonify(done), 201


def _act(meeting_id: str, member_id: str, action: str):
    done = roster.act(db(), actor(), meeting_id, member_id, action)
    live.attendance_changed(meeting_id)
    return jsonify(done), 200


@bp.post("/meetings/<meeting_id>/roster/<member_id>/sign-in")
@require_key("admin", "chair")
def sign_in(meeting_id: str, member_id: str):
    return _act(meeting_id, member_id, "sign_in")


@bp.post("/meetings/<meeting_id>/roster/<member_id>/leave")
@require_key("admin", "chair")
def leave(meeting_id: str, member_id: str):
    return _act(meeting_id, member_id, "leave")


@bp.post("/meetings/<meeting_id>/roster/<member_id>/cancel")
@require_key("admin", "chair")
def cancel(meeting_id: str, member_id: str):
    return _act(meeting_id, member_id, "cancel")
