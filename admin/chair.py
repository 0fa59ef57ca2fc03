"""The chair's pages: meetings and their polls, a poll's live dashboard, the projector view.

The chair opens and closes polls here; the tally shown while a poll is open is the last batch the
live publisher released (kiosk/web/live.py), so no single ballot can be singled out on a screen.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kiosk.documents import result_sheet
from kiosk.domain import counting, evidence, lifecycle, meetings, polls
from kiosk.errors import Refusal
from kiosk.web import i18n, live
from kiosk.web.context import current_rules, db, settings, signer

from . import views_results as vr
from .auth import actor, login_required

bp = Blueprint("chair", __name__)


@bp.context_processor
def _helpers():
    return {
        "kind_name": lambda kind: vr.KIND_NAMES.get(kind, kind),
        "state_name": lambda state: vr.STATE_NAMES.get(state, state),
        "pct": vr.rate_percent,
        "width": vr.width,
        "fmt": vr.fmt,
        "local_time": vr.local_time,
    }



@bp.get("/")
@login_required("admin", "chair")
def home():
    listing = [
        {**meeting, "polls": polls.for_meeting(db(), meeting["id"])}
        for meeting in meetings.all_meetings(db())
    ]
    return render_template("chair/home.html", meetings=listing)


def _page(poll_id: str) -> dict:
    """Everything the dashboard and the projector draw, read once."""
    poll = polls.get(db(), poll_id)  # 404 for an unknown poll
    meeting = meetings.get(db(), poll["meeting_id"])
    doc = counting.results(db(), current_rules(), poll_id)
    turnout = counting.turnout(db(), poll_id, current_rules())
    closed = doc["state"] == "closed"
    rule = vr.board_rules(poll, doc["expected"], current_rules(), i18n.current())
    # Decided by tally: the fixed result's quorum once closed, the live turnout's while open.
    quorum = (doc if closed else turnout)["quorum"]
    labels = vr.labels()
    batch = live.batch_size(current_app)
    return {
        "poll": poll,
        "meeting": meeting,
        "doc": doc,
        "turnout": turnout,
        "closed": closed,
        "rule": rule,
        "quorum": quorum,
        "L": labels,
        "batch": batch,
        "config": {
            "poll": poll_id,
            "state": doc["state"],
            "rule": rule,
            "labels": labels,
            "counted": doc["cast"],
        },
    }


@bp.get("/polls/<poll_id>")
@login_required("admin", "chair")
def poll(poll_id: str):
    page = _page(poll_id)
    page["config"]["view"] = "dashboard"
    return render_template("chair/poll.html", **page)


@bp.get("/polls/<poll_id>/projector")
@login_required("admin", "chair")
def projector(poll_id: str):
    page = _page(poll_id)
    show_turnout = bool(settings().projector_turnout)
    page["config"].update(view="projector", show_turnout=show_turnout)
    return render_template("chair/projector.html", show_turnout=show_turnout, **page)


@bp.post("/polls/<poll_id>/open")
@login_required("admin", "chair")
def open_poll(poll_id: str):
    try:
        lifecycle.open_poll(db(), actor(), poll_id)
    except Refusal as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for(".poll", poll_id=poll_id))
    live.state_changed(poll_id)
    flash(_("The poll is open: voters can use their slips now."), "notice")
    return redirect(url_for(".poll", poll_id=poll_id))


@bp.post("/polls/<poll_id>/close")
@login_required("admin", "chair")
def close_poll(poll_id: str):
    if request.form.get("confirm") != "yes":
        # Without the page's script (or when it was not confirmed there) ask here, on the server.
        page = _page(poll_id)
        return render_template("chair/close_confirm.html", **page)
    try:
        doc = lifecycle.close_poll(db(), current_rules(), actor(), poll_id, signer())
    except Refusal as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for(".poll", poll_id=poll_id))
    live.state_changed(poll_id, final=doc)
    flash(_("The poll is closed and its result is fixed."), "notice")
    return redirect(url_for(".poll", poll_id=poll_id))


RESULT_LABELS = {
    "expected": _l("Expected"), "present": _l("Present"), "issued": _l("Issued"), "cast": _l("Cast"),
    "blank": _l("Blank"), "spoiled": _l("Spoiled"), "candidate": _l("Candidate"), "votes": _l("Votes"),
    "rate": _l("Rate"), "passes": _l("Passes"), "agree": _l("Agree"), "disagree": _l("Disagree"),
    "abstain": _l("Abstain"), "chosen": _l("Chosen"), "runoff": _l("Runoff"), "raters": _l("Raters"),
    "score": _l("Score"), "veto": _l("Veto"), "complete": _l("Enough raters or respondents"),
    "respondents": _l("Respondents"),
    "satisfaction": _l("Satisfaction"), "yes": _l("Yes"), "no": _l("No"),
    "quorum_met": _l("Quorum met."), "quorum_not_met": _l("Quorum not met: nothing passes and nobody is chosen."),
    "digest": _l("Ballot box digest (SHA-256)"), "signing_key": _l("Signed with the key"),
    "sign_chair": _l("Chair (signature)"), "sign_scrutineer": _l("Scrutineer (signature)"),
    "sign_teller": _l("Teller (signature)"),
}


@bp.get("/polls/<poll_id>/result.pdf")
@login_required("admin", "chair", "scrutineer")
def result_pdf(poll_id: str):
    """The signed-off paper: the fixed result as a PDF to print and sign."""

    doc = counting.results(db(), current_rules(), poll_id)
    if doc["state"] != "closed":
        raise Refusal(409, "state", detail=_("the result sheet exists once the poll is closed"))
    meeting = meetings.get(db(), polls.spec(db(), poll_id).meeting_id)
    key = signer().key
    pdf = result_sheet.render(
        doc, meeting["title"],
        lambda k: str(RESULT_LABELS.get(k) or vr.KIND_NAMES.get(k) or k),
        certified=evidence.fingerprint(evidence.public_key_pem(key)))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="result-{poll_id}.pdf"', "Cache-Control": "no-store"})
