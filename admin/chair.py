"""The chair's pages: meetings and their polls, a poll's live dashboard, the projector view.

The chair opens and closes polls here; the tally shown while a poll is open is the last batch the
live publisher released (kiosk/web/live.py), so no single ballot can be singled out on a screen.
"""

from __future__ import annotations

import json

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
from kiosk.domain import counting, evidence, lifecycle, meetings, polls, records, rehearsal
from kiosk.errors import Refusal
from kiosk.store import eventlog, localtime
from kiosk.web import i18n, live
from kiosk.web.context import current_rules, db, settings, signer
from tally.outcome_words import WORDS as OUTCOME_WORDS

from . import chair_view
from . import views_results as vr
from .auth import actor, login_required

bp = Blueprint("chair", __name__)


@bp.context_processor
def _helpers():
    return {
        "kind_name": lambda kind: vr.KIND_NAMES.get(kind, kind),
        "state_name": lambda state: vr.STATE_NAMES.get(state, state),
        "width": vr.width,
        "fmt": vr.fmt,
        "local_time": lambda iso: vr.local_time(iso, settings()),  # the room's clock, never UTC
        "room_zone": lambda: str(localtime.zone(settings())),
        "outcome_sentence": vr.outcome_sentence,  # the result summary, punctuated in the reader's language
        **chair_view.helpers(),
    }



@bp.get("/")
@login_required("admin", "chair")
def home():
    listing = [
        {**meeting, "polls": polls.for_meeting(db(), meeting["id"])}
        for meeting in meetings.all_meetings(db())
    ]
    return render_template("chair/home.html", meetings=listing, timelines=chair_view.all_timelines(db()))


def _page(poll_id: str) -> dict:
    """Everything the dashboard and the projector draw, read once."""
    poll = polls.get(db(), poll_id)  # 404 for an unknown poll
    meeting = meetings.get(db(), poll["meeting_id"])
    doc = counting.results(db(), current_rules(), poll_id)
    turnout = counting.turnout(db(), poll_id, current_rules())
    closed = doc["state"] == "closed"
    # The poll's own rules (those it opened with) draw its lines, as they count it.
    rule = vr.board_rules(poll, doc["expected"], polls.rules_of(db(), poll_id, current_rules()), i18n.current())
    # Decided by tally: the fixed result's quorum once closed, the live turnout's while open.
    quorum = (doc if closed else turnout)["quorum"]
    labels = vr.labels(poll["kind"], rule.get("line_label", ""), quorum_met=not closed or doc.get("quorum_met", True))
    batch = live.batch_size(current_app, poll_id)
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
        "stages": chair_view.timeline_of_poll(db(), poll_id),
        "zero": poll["zero_report"],
        "head": _head(poll),
        "config": {
            "poll": poll_id,
            "state": doc["state"],
            "rule": rule,
            "labels": labels,
            "counted": doc["cast"],
        },
    }


def _head(poll: dict) -> str:
    """The log head the room reads out: once closed, the head at the close (its certified entry);
    before, the head now (kept up to date on the page by the `log_head` live event)."""
    entry = poll["certificate"] and json.loads(poll["certificate"]).get("log_entry")
    if entry:
        return eventlog.head_code(entry)
    with db().read() as conn:
        return eventlog.head(conn)["code"]


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


def _change_state(poll_id: str, act, said, final: bool = False):
    """Open, close or reset from the chair's page: a refusal is told on the poll's page (an unknown
    poll stays a 404); once done, the live views hear of it (with the fixed result when ``final``)
    and the page says ``said(done)``."""
    try:
        done = act()
    except Refusal as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for(".poll", poll_id=poll_id))
    live.state_changed(poll_id, final=done if final else None)
    flash(said(done), "notice")
    return redirect(url_for(".poll", poll_id=poll_id))


@bp.post("/polls/<poll_id>/open")
@login_required("admin", "chair")
def open_poll(poll_id: str):
    return _change_state(poll_id, lambda: lifecycle.open_poll(db(), actor(), poll_id, signer().rules_text),
                         lambda _done: _("The poll is open: voters can use their slips now."))


@bp.post("/polls/<poll_id>/close")
@login_required("admin", "chair")
def close_poll(poll_id: str):
    if request.form.get("confirm") != "yes":
        # Without the page's script (or when it was not confirmed there) ask here, on the server.
        page = _page(poll_id)
        return render_template("chair/close_confirm.html", **page)
    return _change_state(poll_id, lambda: lifecycle.close_poll(db(), current_rules(), actor(), poll_id, signer()),
                         lambda _done: _("The poll is closed and its result is fixed."), final=True)


@bp.post("/polls/<poll_id>/reset")
@login_required("admin", "chair")
def reset_rehearsal(poll_id: str):
    """Empty a rehearsal (ballots, tracking codes, test slips) so that it can be run again."""
    return _change_state(
        poll_id, lambda: rehearsal.reset(db(), actor(), poll_id, request.form.get("reason") or None),
        lambda done: _("The rehearsal is reset: %(ballots)s ballots and %(slips)s test slips removed. Issue new "
                       "test slips to run it again.", ballots=done["removed"]["ballots"],
                       slips=done["removed"]["slips"]))


RESULT_LABELS = {
    "candidate": _l("Candidate"), "votes": _l("Votes"), "percent": _l("Share of votes"),
    "outcome": _l("Outcome"), "agree": _l("Agree"), "disagree": _l("Disagree"),
    "abstain": _l("Abstain"), "chosen": _l(OUTCOME_WORDS["chosen"]), "runoff": _l(OUTCOME_WORDS["runoff"]), "raters": _l("Raters"),
    "score": _l("Score"), "complete": _l("Enough raters or respondents"), "respondents": _l("Respondents"),
    "satisfaction": _l("Satisfaction"), "yes": _l("Yes"), "no": _l("No"), "colon": _l(": "),
    "quorum_met": _l("Quorum met."), "quorum_not_met": _l("Quorum not met: nothing passes and nobody is chosen."),
    "sheet_heading": _l("Result sheet"), "meeting": _l("Meeting"), "place": _l("Place"), "date": _l("Date"),
    "opened": _l("Voting opened"), "closed_at": _l("Voting closed"),
    "times_local": _l("Times are local (%(zone)s)."),
    "count_expected": _l("Expected (members)"), "count_present": _l("Present (members)"), "count_issued": _l("Issued (slips)"),
    "count_returned": _l("Returned (ballots)"), "count_not_voted": _l("Not voted (slips)"), "count_blank": _l("Blank (ballots)"),
    "count_spoiled": _l("Spoiled (ballots)"), "count_voided": _l("Void (slips)"),
    "count_voided_unused": _l(" (of which %(n)s unused at the close)"),
    "counts_balance": _l("The slips reconcile: %(issued)s issued = %(returned)s returned + %(voided)s void%(unused)s."),
    "counts_imbalance": _l("The slips do NOT reconcile: %(issued)s issued ≠ %(returned)s returned + %(voided)s "
                           "void%(unused)s. Do not sign; tell the administrator."),
    "rule_line": _l("The line is %(line)s of the ballots cast, reached at or above it."),
    "rule_veto": _l("An item answered “frequent” by more than %(line)s of the raters vetoes the candidate."),
    "rule_committee": _l("A candidate passes with at least %(needed)s agreeing votes, more than half of the %(expected)s members expected."),
    "percent_note": _l("Percentages are cut off at one decimal, not rounded, so %(example)s shows as %(shown)s; one "
                       "just over a line it must exceed shows rounded up.", example="29.99%", shown="29.9%"),
    # a candidate's outcome: the kind's one set of words (tally.outcome_words), as on the dashboard
    **{f"outcome_{key}": _l(word) for key, word in OUTCOME_WORDS.items()},
    "outcome_void": _l("Void (no quorum)"),
    "role_chair": _l("Chair"), "role_scrutineer": _l("Scrutineer"), "role_teller": _l("Teller"),
    "signature": _l("Sign here"), "sign_date": _l("Date signed"),
    "digest": _l("Ballot box digest (SHA-256): "), "signing_key": _l("Signing key fingerprint: "),
    "evidence_note": _l("These three are for checking: the digest fixes every ballot in the box at the close, the "
                        "fingerprint names the key that signed this result, and the log head at the close is the one "
                        "read out in the room, which ballotroom log verify --head finds in the event log. Anyone can "
                        "download the poll's evidence bundle from the bulletin board and check with ballotroom verify "
                        "that no ballot was changed and that this server signed the result."),
    "page": _l("Page %(page)s of %(pages)s"),
    # a poll with paper ballots beside tablets (kiosk.documents.paper_ballot)
    "media_heading": _l("Ballots"), "medium_tablet": _l("Tablet"), "medium_paper": _l("Paper"),
    "medium_total": _l("In all"), "media_issued": _l("Issued"), "media_returned": _l("Returned"),
    "media_exchanged": _l("Slips exchanged for paper ballots (void): %(n)s"),
    "invalid_poll": _l("INVALID: %(returned)s ballots returned exceed %(issued)s issued (paper box: %(paper_returned)s "
                       "entered, %(paper_issued)s handed out). The poll is voted again; nobody passes or is chosen."),
    "spoiled_parts": _l("Ballots with this contest's part spoiled by an over-vote (more names ticked than allowed; "
                        "ballots spoiled whole are counted under Spoiled only): %(n)s"),
    "zero_heading": _l("Zero report at opening"),
    "zero_text": _l("The ballot box was empty when voting opened: %(ballots)s ballots, %(issued)s slips issued."),
    "zero_digest": _l("Digest of the empty ballot box: "),
    "zero_head": _l("Log head at opening: "),
    "zero_missing": _l("No zero report: the poll opened before the server made one."),
    "close_head": _l("Log head at the close: "),
    "rehearsal": _l("REHEARSAL with test slips: not a real vote, not a result"),
}


def _sheet(poll_id: str) -> dict:
    """The result sheet's model (kiosk/documents/result_sheet.py) of a closed poll, in the
    reader's language; 409 before the close."""
    doc = counting.results(db(), current_rules(), poll_id)
    if doc["state"] != "closed":
        raise Refusal(409, "state", detail=_("the result sheet exists once the poll is closed"))
    poll = polls.get(db(), poll_id)
    meeting = meetings.get(db(), poll["meeting_id"])
    kept = records.get(db(), poll_id)
    zone = settings()
    opened = localtime.local(poll["opened_at"], zone)
    record = result_sheet.Record(
        meeting_title=meeting["title"], place=kept["place"],
        date=opened.strftime("%Y-%m-%d") if opened else "",
        opened=localtime.local_text(poll["opened_at"], zone, seconds=False),
        closed=localtime.local_text(poll["closed_at"], zone, seconds=False),
        timezone=str(localtime.zone(zone)), chair=kept["chair"], scrutineers=kept["scrutineers"],
        tellers=kept["tellers"], fingerprint=evidence.fingerprint(evidence.public_key_pem(signer().key)),
        zero_report=poll["zero_report"], close_head=_head(poll), rehearsal=poll["rehearsal"])
    return result_sheet.model(doc, record, polls.rules_of(db(), poll_id, current_rules()),
                              lambda k: str(RESULT_LABELS.get(k) or vr.KIND_NAMES.get(k) or k))


@bp.get("/polls/<poll_id>/result.pdf")
@login_required("admin", "chair", "scrutineer")
def result_pdf(poll_id: str):
    """The signed-off paper: the fixed result as a PDF to print and sign."""
    pdf = result_sheet.render(_sheet(poll_id))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="result-{poll_id}.pdf"', "Cache-Control": "no-store"})


@bp.get("/polls/<poll_id>/result")
@login_required("admin", "chair", "scrutineer")
def result_print(poll_id: str):
    """The same sheet as a page to print from the browser (A4)."""
    return render_template("chair/result_sheet.html", sheet=_sheet(poll_id), poll_id=poll_id)


@bp.post("/polls/<poll_id>/records")
@login_required("admin")
def save_records(poll_id: str):
    """The poll's place and who chairs, scrutinises and counts it, for the result sheet."""
    form = request.form
    try:
        records.save(db(), actor(), poll_id, form.get("place"), form.get("chair"), form.get("scrutineers"),
                     form.get("tellers"))
    except Refusal as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_("Saved: the result sheet names them."), "notice")
    return redirect(url_for("clerk.poll", poll_id=poll_id) + "#records")
