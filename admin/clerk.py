"""The administrator's pages: meetings, attendance, polls, tokens and their slips.

Every change goes through the services of ``kiosk`` (meetings, polls), as the API does. A refusal
is shown on the page it came from, with what was typed kept; bad input changes nothing.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from dataclasses import dataclass
from functools import partial

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.routing import BuildError

from kiosk import blocking
from kiosk.documents.slips import Slip, render_slips
from kiosk.domain import counting, issuing, lifecycle, meetings, polls
from kiosk.errors import Refusal
from kiosk.web import live
from kiosk.web.context import current_rules, db, public_base_url, signer, token_key
from tally import kinds as tk

from . import form_errors, poll_input, slip_batches
from .auth import actor, login_required
from .voters import answered_by

bp = Blueprint("clerk", __name__)


@dataclass
class PageError:
    """A message for the page, shaped like a Refusal for the templates."""

    status: int
    code: str
    message: str



def chair_poll_url(poll_id: str) -> str:
    try:
        return url_for("chair.poll", poll_id=poll_id)
    except BuildError:
        return f"/chair/polls/{poll_id}"


def chair_projector_url(poll_id: str) -> str:
    try:
        return url_for("chair.projector", poll_id=poll_id)
    except BuildError:
        return f"/chair/polls/{poll_id}/projector"


@bp.context_processor
def _helpers():
    return {
        "kind_label": poll_input.kind_label,
        "state_label": poll_input.state_label,
        "group_label": poll_input.group_label,
        "chair_poll_url": chair_poll_url,
        "chair_projector_url": chair_projector_url,
        "kinds": tk.KINDS,
        "answer_every": poll_input.ANSWER_EVERY,
        "named_kinds": poll_input.NAMED_KINDS,
    }


@bp.app_context_processor
def _form_errors():
    # On every staff page (the rounds' and the stages' too): a form's refusal beside its field.
    return form_errors.helpers()


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# --- meetings ------------------------------------------------------------------------------------

@bp.get("/")
@login_required("admin")
def home():
    return _home_page()


def _home_page(error: Refusal | PageError | None = None, typed: dict | None = None, status: int = 200):
    rows = []
    for m in meetings.all_meetings(db()):
        of_meeting = polls.for_meeting(db(), m["id"])
        states = Counter(p["state"] for p in of_meeting)
        rows.append({**m, "polls": len(of_meeting),
                     "states": [(s, states[s]) for s in ("draft", "open", "closed") if states[s]]})
    return render_template("admin/home.html", meetings=rows, error=error, typed=typed or {}), status


@bp.route("/meetings", methods=["GET", "POST"])
@login_required("admin")
def create_meeting():
    if request.method == "GET":  # the address of a refused form, opened again
        return redirect(url_for(".home"))
    typed = {"title": request.form.get("title", ""), "expected": request.form.get("expected", "")}
    try:
        meeting = meetings.create(db(), actor(), typed["title"], typed["expected"])
    except Refusal as refusal:
        # The title's bounds are the form's maxlength; anything else refused is the number.
        title_ok = 1 <= len(typed["title"].strip()) <= 200
        form_errors.place(refusal, "expected" if title_ok else "title",
                          {"title": "title", "expected": "expected"})
        return _home_page(refusal, typed, refusal.status)
    flash(_("Meeting “%(title)s” created.", title=meeting["title"]))
    return redirect(url_for(".meeting", meeting_id=meeting["id"]), 303)


@bp.get("/meetings/<meeting_id>")
@login_required("admin")
def meeting(meeting_id: str):
    return _meeting_page(meeting_id)


def _meeting_page(meeting_id: str, error=None, typed: dict | None = None, status: int = 200):
    m = meetings.get(db(), meeting_id)
    rows = []
    for p in polls.for_meeting(db(), meeting_id):
        rows.append({**p, "turnout": counting.turnout(db(), p["id"], current_rules())})
    return render_template("admin/meeting.html", meeting=m, polls=rows, error=error,
                           typed=typed or {}), status


@bp.route("/meetings/<meeting_id>/attendance", methods=["GET", "POST"])
@login_required("admin")
def attendance(meeting_id: str):
    if request.method == "GET":
        return redirect(url_for(".meeting", meeting_id=meeting_id))
    typed = {"present": request.form.get("present", ""), "reason": request.form.get("reason", "")}
    try:
        m = meetings.set_attendance(db(), actor(), meeting_id, typed["present"], typed["reason"],
                                    require_reason=True)
    except Refusal as refusal:
        if refusal.status == 404:
            raise
        form_errors.place(refusal, "present", {"present": "present", "reason": "reason"})
        return _meeting_page(meeting_id, refusal, typed, refusal.status)
    live.attendance_changed(meeting_id)
    flash(_("Attendance recorded: %(present)s of %(expected)s present.",
            present=m["present"], expected=m["expected"]))
    return redirect(url_for(".meeting", meeting_id=meeting_id), 303)


# --- a new poll ----------------------------------------------------------------------------------

NEW_POLL_FIELDS = ("title", "kind", "contest_title", "max_choices", "places", "candidates", "paste")


@bp.route("/meetings/<meeting_id>/polls/new", methods=["GET", "POST"])
@login_required("admin")
def new_poll(meeting_id: str):
    m = meetings.get(db(), meeting_id)
    if request.method == "GET":
        return _new_poll_page(m, {"kind": request.args.get("kind", "democratic_recommendation")}, [])
    form = request.form
    typed = {k: form.get(k, "") for k in NEW_POLL_FIELDS}
    action = form.get("action", "create")
    try:
        drafts = poll_input.load_drafts(form.get("drafts"))
    except Refusal as refusal:
        return _new_poll_page(m, typed, [], refusal, refusal.status)
    try:
        updated, rest = _apply_contest_inputs(action, drafts, typed)
        if action != "create":
            return _new_poll_page(m, rest, updated)
        if not updated:
            raise poll_input.invalid(_("Add at least one contest with its candidates."))
        poll = polls.create(db(), current_rules(), actor(), meeting_id, typed["title"], typed["kind"],
                            poll_input.finalize(updated))
    except Refusal as refusal:
        if form_errors.field_of(refusal) is None:
            form_errors.place(refusal, _new_poll_field(typed), {"contests": "contests"})
        return _new_poll_page(m, typed, drafts, refusal, refusal.status)
    flash(_("Poll “%(title)s” created. Issue its slips, then open it.", title=poll["title"]))
    return redirect(url_for(".poll", poll_id=poll["id"]), 303)


def _new_poll_field(typed: dict) -> str:
    """The field a refusal of polls.create that names none is about: the title and the kind have
    the form's own bounds (maxlength, a select); anything else is in the list of contests."""
    if not 1 <= len(typed["title"].strip()) <= 200:
        return "title"
    if typed["kind"] not in tk.KINDS:
        return "kind"
    return "contests"


def _apply_contest_inputs(action: str, drafts: list[dict], typed: dict) -> tuple[list[dict], dict]:
    """The drafts after this submission, and what stays typed in the form."""
    updated = list(drafts)
    rest = dict(typed)
    if action.startswith("remove:"):
        index = action.partition(":")[2]
        if index.isdigit() and int(index) < len(updated):
            del updated[int(index)]
        return updated, rest
    if action == "add" or (action in ("create", "update") and typed["candidates"].strip()):
        updated.append(poll_input.contest_from_form(
            typed["contest_title"], typed["max_choices"], typed["places"], typed["candidates"]))
        poll_input.check_titles(updated, "contest_title")
        rest.update(contest_title="", max_choices="", places="", candidates="")
    upload = request.files.get("csv_file")
    if upload is not None and upload.filename:
        try:
            imported = poll_input.contests_from_table(poll_input.decode_table(upload.read()), "csv_file")
        except Refusal as refusal:
            raise form_errors.place(refusal, "csv_file") from None
        if not imported:
            raise poll_input.invalid(_("The file holds no rows."), "csv_file")
        updated.extend(imported)
        poll_input.check_titles(updated, "csv_file")
    if typed["paste"].strip():
        updated.extend(poll_input.contests_from_table(typed["paste"]))
        poll_input.check_titles(updated, "paste")
        rest["paste"] = ""
    if action == "import" and len(updated) == len(drafts):
        raise poll_input.invalid(_("Choose a CSV file or paste a list first."), "paste")
    if len(updated) > poll_input.MAX_CONTESTS:
        raise poll_input.invalid(_("A poll can have at most %(n)s contests.", n=poll_input.MAX_CONTESTS),
                                 "contests")
    return updated, rest


def _new_poll_page(m: dict, typed: dict, drafts: list[dict], error=None, status: int = 200):
    preview = poll_input.finalize(drafts) if drafts else []
    return render_template(
        "admin/poll_new.html", meeting=m, typed=typed, preview=preview,
        drafts_json=json.dumps(drafts, ensure_ascii=False), error=error,
        # The hint is made from the parser's own header words (poll_input.HINT_HEADERS).
        csv_columns=Markup("<code>{}</code>").format(poll_input.hint_columns()),
        csv_header=Markup("<code data-csv-header>{}</code>").format(poll_input.hint_header()),
    ), status


# --- a poll --------------------------------------------------------------------------------------

@bp.get("/polls/<poll_id>")
@login_required("admin")
def poll(poll_id: str):
    return _poll_page(poll_id)


def _poll_page(poll_id: str, *, error=None, typed: dict | None = None, batch: dict | None = None,
               status: int = 200, template: str = "admin/poll.html"):
    p = polls.get(db(), poll_id)
    m = meetings.get(db(), p["meeting_id"])
    turnout = counting.turnout(db(), poll_id, current_rules())
    fixed = counting.results(db(), current_rules(), poll_id) if p["state"] == "closed" else None
    voters = None if p["secret"] else answered_by(db(), poll_id)
    html = render_template(
        template, poll=p, meeting=m, turnout=turnout, fixed=fixed, voters=voters,
        batches=issuing.batches(db(), poll_id),
        error=error, typed=typed or {}, batch=batch, issue_form=secrets.token_urlsafe(12),
        # Offer a slip for each member present who has none yet; never more.
        suggested_count=max((turnout["present"] or 0) - turnout["issued"], 0) or "",
    )
    return _no_store(make_response(html, status))


@bp.route("/polls/<poll_id>/open", methods=["GET", "POST"])
@login_required("admin")
def open_poll(poll_id: str):
    if request.method == "GET":
        return redirect(url_for(".poll", poll_id=poll_id))
    try:
        lifecycle.open_poll(db(), actor(), poll_id, signer().rules_text)
    except Refusal as refusal:
        if refusal.status == 404:
            raise
        return _poll_page(poll_id, error=refusal, status=refusal.status)
    live.state_changed(poll_id)
    flash(_("Voting is open. Voters can now use their slips."))
    return redirect(url_for(".poll", poll_id=poll_id), 303)


@bp.route("/polls/<poll_id>/close", methods=["GET", "POST"])
@login_required("admin")
def close_poll(poll_id: str):
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return _poll_page(poll_id, template="admin/poll_close.html")
    try:
        doc = lifecycle.close_poll(db(), current_rules(), actor(), poll_id, signer())
    except Refusal as refusal:
        if refusal.status == 404:
            raise
        return _poll_page(poll_id, error=refusal, status=refusal.status)
    live.state_changed(poll_id, final=doc)
    flash(_("Voting is closed: %(cast)s ballots cast; unused slips are void.", cast=doc["cast"]))
    return redirect(url_for(".poll", poll_id=poll_id), 303)


@bp.route("/polls/<poll_id>/tokens", methods=["GET", "POST"])
@login_required("admin")
def issue_tokens(poll_id: str):
    if request.method == "GET":  # never shows a batch again
        return redirect(url_for(".poll", poll_id=poll_id))
    p = polls.get(db(), poll_id)
    m = meetings.get(db(), p["meeting_id"])
    typed = {"count": request.form.get("count", ""), "voters": request.form.get("voters", "")}
    store = slip_batches.store(current_app)
    try:
        if p["secret"]:
            count = typed["count"].strip()
            if not count.isdigit() or not 1 <= int(count) <= issuing.MAX_TOKENS_PER_BATCH:
                raise poll_input.invalid(_("The number of slips must be a whole number from 1 to %(n)s.",
                                           n=issuing.MAX_TOKENS_PER_BATCH), "count")
            arguments = {"count": int(count)}
        else:
            arguments = {"voters": poll_input.voters_from_lines(typed["voters"], p["kind"])}
        form_id = request.form.get("issue_form", "")
        if form_id and store.form_used(form_id):
            raise Refusal(409, "state", detail=_(
                "this form was already sent and its slips were issued then. They are not shown "
                "again; to issue more slips, fill in the form below"))
        issued = issuing.issue_tokens(db(), token_key(), actor(), poll_id, **arguments)
    except Refusal as refusal:
        if refusal.status == 404:
            raise
        if refusal.status == 400 and form_errors.field_of(refusal) is None:
            form_errors.place(refusal, "count" if p["secret"] else "voters")
        return _poll_page(poll_id, error=refusal, typed=typed, status=refusal.status)
    live.turnout_changed(poll_id)
    base = public_base_url()
    slips = [Slip(url=f"{base}/t/{t['token']}", code=t["token"], voter=poll_input.slip_voter(t))
             for t in issued]
    batch_id = store.put(poll_id, p["title"], m["title"], slips)
    batch = {"id": batch_id, "tokens": issued, "minutes": int(store.ttl // 60), "base": base}
    return _poll_page(poll_id, batch=batch)


@bp.route("/polls/<poll_id>/batches/<batch_id>/void", methods=["GET", "POST"])
@login_required("admin")
def void_batch(poll_id: str, batch_id: str):
    if request.method == "GET":
        return redirect(url_for(".poll", poll_id=poll_id))
    try:
        done = issuing.void_batch(db(), actor(), poll_id, batch_id, request.form.get("reason", ""))
    except Refusal as refusal:
        if refusal.status == 404:
            raise
        if refusal.status == 400:  # one form per batch: beside this batch's reason
            form_errors.place(refusal, f"reason:{batch_id}")
        return _poll_page(poll_id, error=refusal, status=refusal.status)
    live.turnout_changed(poll_id)
    flash(_("%(n)s unused slips of that batch are void; they can no longer vote.", n=done["voided"]))
    return redirect(url_for(".poll", poll_id=poll_id) + "#batches", 303)


@bp.get("/polls/<poll_id>/slips/<batch_id>.pdf")
@login_required("admin")
def slips_pdf(poll_id: str, batch_id: str):
    poll = polls.get(db(), poll_id)
    store = slip_batches.store(current_app)
    batch = store.take(batch_id, poll_id)
    if batch is None:
        error = PageError(404, "slips_gone", _(
            "These slips are no longer available: a batch can be downloaded once, within %(n)s "
            "minutes of being issued, and the codes are not kept. If they were not printed, issue "
            "new slips.", n=int(store.ttl // 60)))
        return _no_store(make_response(render_template("error.html", refusal=error), 404))
    try:
        # A thousand slips take a second or two of reportlab: in a native thread, so the server's
        # loop goes on taking ballots meanwhile (kiosk/blocking.py).
        pdf = blocking.run(partial(render_slips, batch.poll_title, list(batch.slips),
                                   meeting_title=batch.meeting_title, rehearsal=poll["rehearsal"]))
    except Exception:  # the PDF library failed: keep the batch for another try
        current_app.logger.exception("slips PDF failed for poll %s", poll_id)
        store.put_back(batch_id, batch)
        error = PageError(503, "slips_failed", _(
            "The slips PDF could not be made. The codes are kept for a while: try the download again."))
        return _no_store(make_response(render_template("error.html", refusal=error), 503))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="slips-{poll_id}.pdf"'
    return _no_store(response)
