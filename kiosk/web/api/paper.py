"""Paper ballots in the HTTP JSON API (docs/api.md, "Paper ballots"): the paper box, handing out
and taking back unused ones, exchanging a failed slip, the double entry of each ballot and the box's close, and the printable
ballots. Admin or chair keys; each entry names its enterer by its key, so the two entries of one
ballot are made with two keys."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from kiosk.documents import paper_ballot
from kiosk.domain import paper, polls
from kiosk.errors import Refusal
from kiosk.web import live
from kiosk.web.api.polls import actor, body, require_key
from kiosk.web.context import current_rules, db, token_key

bp = Blueprint("api_paper", __name__)


@bp.get("/polls/<poll_id>/paper")
@require_key("admin", "chair")
def get_box(poll_id: str):
    return jsonify(paper.status(db(), current_rules(), poll_id))


def _counted(act: str) -> dict:
    """The body, a bad ``count`` refused in the words of paper ballots: the document's check names
    a body's ``count`` as slips (kiosk.errors.FIELD_WORDS), which here it is not."""
    try:
        return body()
    except Refusal as refusal:
        if refusal.params.get("field") == "count":
            raise paper.bad_count(act) from None
        raise


@bp.post("/polls/<poll_id>/paper/handed-out")
@require_key("admin", "chair")
def handed_out(poll_id: str):
    done = paper.hand_out(db(), current_rules(), actor(), poll_id, _counted("handed_out").get("count"))
    live.turnout_changed(poll_id)
    return jsonify(done), 200


@bp.post("/polls/<poll_id>/paper/taken-back")
@require_key("admin", "chair")
def taken_back(poll_id: str):
    data = _counted("taken_back")
    done = paper.take_back(db(), current_rules(), actor(), poll_id, data.get("count"), data.get("reason"))
    live.turnout_changed(poll_id)
    return jsonify(done), 200


@bp.post("/polls/<poll_id>/paper/exchange")
@require_key("admin", "chair")
def exchange(poll_id: str):
    data = body()
    done = paper.exchange(db(), token_key(), current_rules(), actor(), poll_id, data.get("token"), data.get("reason"))
    live.turnout_changed(poll_id)
    return jsonify(done), 200


@bp.post("/polls/<poll_id>/paper/entries")
@require_key("admin", "chair")
def first_entry(poll_id: str):
    return jsonify(paper.enter(db(), current_rules(), actor(), poll_id, body())), 201


@bp.post("/polls/<poll_id>/paper/entries/<int:number>")
@require_key("admin", "chair")
def second_entry(poll_id: str, number: int):
    done = paper.enter(db(), current_rules(), actor(), poll_id, body(), number)
    if done["outcome"] == "accepted":
        live.turnout_changed(poll_id)
    return jsonify(done), 200


@bp.post("/polls/<poll_id>/paper/close")
@require_key("admin", "chair")
def close_box(poll_id: str):
    done = paper.close_box(db(), current_rules(), actor(), poll_id)
    live.turnout_changed(poll_id)
    return jsonify(done), 200


@bp.get("/polls/<poll_id>/paper/ballots.pdf")
@require_key("admin", "chair")
def ballots_pdf(poll_id: str):
    size = request.args.get("size", "A4")
    copies = request.args.get("copies", "1")
    if size not in paper_ballot.SIZES:
        raise Refusal(400, "invalid", "field", field="size", problem=paper.SIZE_PROBLEM)
    if not copies.isdigit() or not 1 <= int(copies) <= paper_ballot.MAX_COPIES:
        raise Refusal(400, "invalid", "field", field="copies", problem=paper.COPIES_PROBLEM)
    return pdf_response(poll_id, size, int(copies))


def pdf_response(poll_id: str, size: str, copies: int) -> Response:
    """The ballots as a download (the admin page's button too)."""
    poll = polls.get(db(), poll_id)
    if not paper.takes(poll["kind"], current_rules()):
        raise Refusal(409, "state", detail=paper.NO_PAPER_KIND)
    items = tuple(item.zh for item in polls.rules_of(db(), poll_id, current_rules()).character_items)
    try:
        pdf = paper_ballot.render(paper_ballot.ballot_text(poll, items), copies, size)
    except paper_ballot.BallotTooLong:
        raise Refusal(409, "state", detail=paper.TOO_LONG) from None
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="paper-ballots-{poll_id}-{size}.pdf"'})
