"""The rounds part of the HTTP JSON API, /api/v1/rounds (docs/api.md, "Rounds and stages").

Writes need an admin key; reads an admin or chair key. Decimal figures in request bodies are read
as written ("28.5" and 28.5 alike), never through binary floats.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request

from . import round_doc, rounds
from .api import actor, require_key
from .app import db
from .errors import Refusal

bp = Blueprint("api_rounds", __name__)


def _rules():
    return current_app.config["RULES"]


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def exact_body() -> dict:
    """The JSON object of the request, decimals kept as their text."""
    try:
        data = json.loads(request.get_data(as_text=True) or "null", parse_float=str,
                          parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise Refusal(400, "malformed") from None
    if not isinstance(data, dict):
        raise Refusal(400, "malformed")
    return data


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
    return jsonify(rounds.set_entries(db(), _rules(), actor(), round_id, candidate_id, exact_body()))


@bp.get("/rounds/<round_id>/scores")
@require_key("admin", "chair")
def scores(round_id: str):
    built = round_doc.build(db(), _rules(), round_id)
    return jsonify(round_doc.score(built, _rules()))


@bp.get("/rounds/<round_id>/export")
@require_key("admin", "chair")
def export(round_id: str):
    built = round_doc.build(db(), _rules(), round_id)
    return Response(round_doc.export_text(built.doc), mimetype="application/json")


@bp.post("/rounds/import")
@require_key("admin")
def import_round():
    try:
        text = request.get_data(as_text=True)
    except UnicodeDecodeError:
        raise Refusal(400, "invalid", detail="the round file must be UTF-8 text", field="round file") from None
    return jsonify(round_doc.import_text(db(), _rules(), actor(), text)), 201
