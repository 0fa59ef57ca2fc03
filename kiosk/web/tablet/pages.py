"""The tablet's pages: idle screen, ballot, review, receipt.

A token travels only in the page (hidden field) and in the /t/ path, which
the access log never records (app._NoVotePath). The door's rules (throttle,
enrollment, which refusals count as failures, casting and its live
announcement) are kiosk.web.admission's, shared with the ballot lane.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for

from kiosk.domain import devices, intake, polls, tokens
from kiosk.errors import Refusal
from kiosk.web import admission
from kiosk.web.context import current_rules, db, settings, token_key
from kiosk.web.tablet import forms as ballot_forms
from tally import kinds as tk
from tally.poll import all_candidates

bp = Blueprint("voter", __name__)


@bp.before_request
def _at_the_door():
    try:
        admission.admit(current_app, request.environ, device=request.endpoint != "voter.enroll")
    except Refusal as refusal:
        if refusal.code == "rate_limited":
            raise  # the app's own page for a throttled request, as on every path
        return _refused(refusal)
    return None


@bp.get("/enroll/<code>")
def enroll(code: str):
    try:
        label, credential = devices.enroll(db(), code, request.args.get("label", ""))
    except Refusal as refusal:
        return _refused(refusal)
    response = make_response(render_template("tablet/enrolled.html", label=label))
    response.set_cookie(devices.COOKIE, credential, max_age=400 * 24 * 3600, httponly=True,
                        samesite="Strict", secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.context_processor
def _tablet_config():
    # What the tablet's script needs from the server (kiosk/static/js/tablet.js): the inactivity
    # timings of the settings, and where the start screen is.
    return {"tablet_config": {
        "warn_after": settings().idle_warning_seconds,
        "return_after": settings().idle_return_seconds,
        "start": url_for("voter.idle"),
    }}


@bp.after_request
def _no_store(response):
    # A shared tablet must never show the previous voter's ballot, review or receipt from its cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def idle():
    return render_template("tablet/idle.html")


@bp.post("/enter")
def enter():
    code = request.form.get("code", "")
    try:
        token = tokens.normalize(code)
    except tokens.TokenFormatError:
        return _refused(Refusal(400, "token_typo"), code=code)
    return redirect(url_for("voter.ballot", code=tokens.display(token)), code=303)


@bp.get("/t/<code>")
def ballot(code: str):
    try:
        status = intake.check_token(db(), token_key(), code)
    except Refusal as refusal:
        return _refused(refusal)
    return _ballot_page(status.token, polls.spec(db(), status.poll_id), {})


def _ballot_page(token: str, sp: polls.PollSpec, answers: dict, refusal: Refusal | None = None,
                 status: int = 200):
    poll = polls.get(db(), sp.id)
    rules = polls.rules_of(db(), sp.id, current_rules())  # the poll's own rules
    return render_template(
        ballot_forms.template_for(sp.kind), poll=poll, spec=sp, token=tokens.display(token),
        answers=answers, refusal=refusal, options=ballot_forms.options_for(sp.kind),
        items=rules.character_items, selected=ballot_forms.selected, people=list(all_candidates(sp.contests)),
    ), status


def _refused(refusal: Refusal, code: str = ""):
    admission.refused(current_app, request.environ, refusal)
    return render_template("tablet/refused.html", refusal=refusal, code=code), refusal.status


def _read_token_and_poll():
    try:
        status = intake.check_token(db(), token_key(), request.form.get("token", ""))
    except Refusal as refusal:
        raise _Stop(_refused(refusal)) from None
    return status.token, polls.spec(db(), status.poll_id)


class _Stop(Exception):
    def __init__(self, response):
        self.response = response


@bp.errorhandler(_Stop)
def _stop(exc: _Stop):
    return exc.response


@bp.post("/ballot/review")
def review():
    token, sp = _read_token_and_poll()
    rules = polls.rules_of(db(), sp.id, current_rules())  # the poll's own rules
    raw = ballot_forms.answers_from_form(sp.kind, sp.contests, request.form, len(rules.character_items))
    try:
        canonical = tk.validate_answers(sp.kind, list(sp.contests), raw, rules)
    except tk.AnswerError as exc:
        return _ballot_page(token, sp, raw, intake.answer_refusal(exc, sp), 422)
    return render_template(
        "tablet/review.html", poll=polls.get(db(), sp.id), spec=sp, token=tokens.display(token),
        answers=canonical, answers_json=json.dumps(canonical, ensure_ascii=False),
        blank=tk.is_blank(sp.kind, canonical), items=rules.character_items,
        options=ballot_forms.options_for(sp.kind),
    )


@bp.post("/ballot/change")
def change():
    token, sp = _read_token_and_poll()
    try:
        answers = json.loads(request.form.get("answers", "{}"))
    except (ValueError, RecursionError):
        answers = {}
    return _ballot_page(token, sp, answers if isinstance(answers, dict) else {})


@bp.post("/ballot/submit")
def submit():
    try:
        answers = json.loads(request.form.get("answers", ""))
    except (ValueError, RecursionError):
        return _refused(Refusal(400, "malformed"))
    try:
        receipt = admission.cast(current_app, request.form.get("token", ""), answers)
    except Refusal as refusal:
        return _refused(refusal)
    return render_template("tablet/receipt.html", tracking_code=receipt.tracking_code,
                           seconds=settings().receipt_seconds, rehearsal=polls.get(db(), receipt.poll_id)["rehearsal"])
