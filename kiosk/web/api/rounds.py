"""The rounds part of the HTTP JSON API, /api/v1/rounds (docs/api.md, "Rounds and stages").

Writes need an admin key; reads an admin or chair key. Decimal figures in request bodies are read
as written ("28.5" and 28.5 alike), never through binary floats.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from kiosk.domain import round_doc, rounds
from kiosk.web.api import body as request_body
from kiosk.web.api.polls import actor, body, require_key
from kiosk.web.context import current_rules, db

bp = Blueprint("api_rounds", __name__)



def exact_body() -> dict:
    """The JSON object of the request, decimals kept as their text."""
    return body(exact=True)


@bp.get("/rounds")
@require_key("admin", "chair")
def list_rounds():
    return jsonify({"rounds": rounds.all_rounds(db())})


@bp.post("/rounds")
@require_key("admin")
def create_round():
    data = exact_body()
    return jsonify(rounds.create(db(), actor(), data.get("title"), data.get("levels"))), 201


@bp.get("/rounds/<round_id>")
@require_key("admin", "chair")
def get_round(round_id: str):
    stored = rounds.get(db(), round_id)
    stored["polls"] = rounds.feeding_polls(db(), round_id)
    return jsonify(stored)


@bp.post("/rounds/<round_id>/candidates")
@require_key("admin")
def add_candidates(round_id: str):
    data = exact_body()
    return jsonify(rounds.add_candidates(db(), actor(), round_id, data.get("candidates"))), 201


@bp.put("/rounds/<round_id>/candidates/<candidate_id>/entries")
@require_key("admin")
def set_entries(round_id: str, candidate_id: str):
    return jsonify(rounds.set_entries(db(), current_rules(), actor(), round_id, candidate_id, exact_body()))


@bp.get("/rounds/<round_id>/scores")
@require_key("admin", "chair")
def scores(round_id: str):
    built = round_doc.build(db(), current_rules(), round_id)
    return jsonify(round_doc.score(built, current_rules()))


@bp.get("/rounds/<round_id>/export")
@require_key("admin", "chair")
def export(round_id: str):
    built = round_doc.build(db(), current_rules(), round_id)
    return Response(round_doc.export_text(built.doc), mimetype="application/json")


@bp.post("/rounds/import")
@require_key("admin")
def import_round():
    # Read as every body is (type, size, UTF-8); the round file's own reader names line and field.
    text = request_body.as_text(request.get_data(cache=True), request.content_type)
    return jsonify(round_doc.import_text(db(), current_rules(), actor(), text)), 201
