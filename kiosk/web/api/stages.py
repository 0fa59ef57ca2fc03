"""The four competitive stages through the HTTP JSON API, /api/v1/rounds/{id}/... (documented in
``kiosk.web.api.openapi_stages``). Writes need an admin key; reads an admin or chair key. Polls the stages
generate are run with the ordinary poll calls (tokens, open, ballots, close)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from kiosk.documents import round_report
from kiosk.stages import deliberation as stages_deliberation
from kiosk.stages import inspection as stages_inspection
from kiosk.stages import recommendation as stages_recommendation
from kiosk.stages import timeline as stages
from kiosk.stages import vote as stages_vote
from kiosk.web.api.polls import actor, body, require_key
from kiosk.web.context import current_rules, db

bp = Blueprint("api_stages", __name__)



def _body(optional: bool = False) -> dict:
    return body(optional=optional)


# --- the timeline -----------------------------------------------------------------------------------

@bp.get("/rounds/<round_id>/stages")
@require_key("admin", "chair")
def timeline(round_id: str):
    return jsonify(stages.timeline(db(), round_id))


@bp.post("/rounds/<round_id>/stages/<stage>/start")
@require_key("admin")
def start(round_id: str, stage: str):
    return jsonify(stages.start(db(), actor(), round_id, stage)), 201


@bp.post("/rounds/<round_id>/stages/<stage>/complete")
@require_key("admin")
def complete(round_id: str, stage: str):
    return jsonify(stages.complete(db(), current_rules(), actor(), round_id, stage, _body(optional=True)))


@bp.post("/rounds/<round_id>/stages/<stage>/supersede")
@require_key("admin")
def supersede(round_id: str, stage: str):
    return jsonify(stages.supersede(db(), actor(), round_id, stage, _body())), 201


# --- competitive recommendation ---------------------------------------------------------------------

@bp.get("/rounds/<round_id>/recommendation")
@require_key("admin", "chair")
def recommendation(round_id: str):
    return jsonify(stages_recommendation.view(db(), current_rules(), round_id))


@bp.post("/rounds/<round_id>/recommendation/nominations")
@require_key("admin")
def add_nominations(round_id: str):
    return jsonify(stages_recommendation.add_nominations(db(), current_rules(), actor(), round_id, _body())), 201


@bp.delete("/rounds/<round_id>/recommendation/nominations/<nomination_id>")
@require_key("admin")
def delete_nomination(round_id: str, nomination_id: str):
    return jsonify(stages_recommendation.delete_nomination(db(), current_rules(), actor(), round_id, nomination_id))


@bp.post("/rounds/<round_id>/recommendation/plenary")
@require_key("admin")
def plenary(round_id: str):
    return jsonify(stages_recommendation.generate_plenary(db(), current_rules(), actor(), round_id, _body())), 201


@bp.post("/rounds/<round_id>/recommendation/runoff")
@require_key("admin")
def plenary_runoff(round_id: str):
    return jsonify(stages_recommendation.generate_runoff(db(), current_rules(), actor(), round_id,
                                                         _body(optional=True))), 201


# --- competitive inspection -------------------------------------------------------------------------

@bp.get("/rounds/<round_id>/inspection")
@require_key("admin", "chair")
def inspection(round_id: str):
    return jsonify(stages_inspection.view(db(), current_rules(), round_id))


@bp.put("/rounds/<round_id>/inspection/<candidate_id>")
@require_key("admin")
def inspection_record(round_id: str, candidate_id: str):
    return jsonify(stages_inspection.put_record(db(), current_rules(), actor(), round_id, candidate_id, _body()))


@bp.post("/rounds/<round_id>/inspection/<candidate_id>/assessment")
@require_key("admin")
def assessment(round_id: str, candidate_id: str):
    return jsonify(stages_inspection.generate_assessment(db(), current_rules(), actor(), round_id, candidate_id,
                                                         _body())), 201


# --- competitive deliberation -----------------------------------------------------------------------

@bp.get("/rounds/<round_id>/deliberation")
@require_key("admin", "chair")
def deliberation(round_id: str):
    return jsonify(stages_deliberation.view(db(), current_rules(), round_id))


@bp.put("/rounds/<round_id>/deliberation")
@require_key("admin")
def put_deliberation(round_id: str):
    return jsonify(stages_deliberation.put(db(), current_rules(), actor(), round_id, _body()))


@bp.put("/rounds/<round_id>/deliberation/consultations")
@require_key("admin")
def put_consultations(round_id: str):
    return jsonify(stages_deliberation.put_consultations(db(), current_rules(), actor(), round_id, _body()))


# --- competitive vote, the decision and the report ----------------------------------------------------

@bp.get("/rounds/<round_id>/vote")
@require_key("admin", "chair")
def vote(round_id: str):
    return jsonify(stages_vote.view(db(), current_rules(), round_id))


@bp.post("/rounds/<round_id>/vote/committee")
@require_key("admin")
def committee(round_id: str):
    return jsonify(stages_vote.generate_committee(db(), current_rules(), actor(), round_id, _body())), 201


@bp.post("/rounds/<round_id>/vote/runoff")
@require_key("admin")
def committee_runoff(round_id: str):
    return jsonify(stages_vote.generate_runoff(db(), current_rules(), actor(), round_id, _body(optional=True))), 201


@bp.get("/rounds/<round_id>/decision")
@require_key("admin", "chair")
def decision(round_id: str):
    return jsonify(stages_vote.decision(db(), current_rules(), round_id))


@bp.get("/rounds/<round_id>/report")
@require_key("admin", "chair")
def report(round_id: str):
    return jsonify(round_report.build(db(), current_rules(), round_id))
