"""The sign-in roster's pages: import the roster (名册), print the sign-in sheet, and the door page
where a clerk ticks members in on a laptop or a tablet.

The door page works without its script (each tick is a form, the search a query); with it, a tick
answers in place and the search filters as the clerk types, by name, unit or pinyin initials.
Every tick goes through kiosk.domain.roster, which writes attendance with it, and the live tally's
quorum follows (kiosk.web.live.attendance_changed).
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kiosk.documents import sign_in_sheet
from kiosk.domain import roster
from kiosk.errors import Refusal
from kiosk.store import localtime
from kiosk.web import live
from kiosk.web.context import db, settings

from .auth import actor, login_required

bp = Blueprint("roster", __name__)

SHOW = ("all", "absent", "present", "left")
SHEET_LABELS = {
    "sheet": _l("Sign-in sheet"), "number": _l("No."),
    "expected": _l("Members who should attend: %(expected)s"), "date": _l("Date:"),
    "name": _l("Name"), "post": _l("Post"), "signature": _l("Signature"), "note": _l("Note"),
    "no_unit": _l("(no unit given)"), "page": _l("Page %(page)s of %(pages)s"),
}


def local_time(stamp: str | None) -> str:
    """A stored time (UTC, ISO) as the room's clock shows it, HH:MM: the door's day is today."""
    moment = localtime.local(stamp, settings())
    return moment.strftime("%H:%M") if moment else ""


def summary(meeting_id: str) -> dict | None:
    """What the meeting's page shows of its roster; None without one."""
    if not roster.has_roster(db(), meeting_id):
        return None
    return roster.get(db(), meeting_id)["counts"]


@bp.app_context_processor
def _helpers():
    return {"roster_summary": summary, "local_time": local_time}


def _matches(member: dict, query: str) -> bool:
    q = "".join(query.lower().split())
    if not q:
        return True
    if q in member["name"].lower().replace(" ", "") or q in member["unit"].lower():
        return True
    return any(key.startswith(q) for key in roster.search_keys(member["name"]))


# --- the roster: import, overview, sheet -------------------------------------------------------------

@bp.get("/meetings/<meeting_id>/roster")
@login_required("admin", "chair")
def overview(meeting_id: str):
    return _overview_page(meeting_id)


def _overview_page(meeting_id: str, error: Refusal | None = None, typed: dict | None = None, status: int = 200,
                   form: str = "import"):
    doc = roster.get(db(), meeting_id)
    members = doc["members"]
    return render_template(
        "admin/roster/overview.html", doc=doc, error=error, typed=typed or {}, form=form,
        absent=roster.by_unit([m for m in members if m["state"] == "absent"]),
        late=[m for m in members if m["late"]], left=[m for m in members if m["state"] == "left"],
        replaceable=doc["counts"]["signed_in"] == 0), status


@bp.route("/meetings/<meeting_id>/roster/import", methods=["GET", "POST"])
@login_required("admin")
def import_roster(meeting_id: str):
    if request.method == "GET":
        return redirect(url_for(".overview", meeting_id=meeting_id))
    typed = {"paste": request.form.get("paste", "")}
    try:
        upload = request.files.get("csv_file")
        if upload is not None and upload.filename:
            text = roster.decode(upload.read())
        elif typed["paste"].strip():
            text = typed["paste"]
        else:
            raise Refusal(400, "invalid", detail=_l("choose a CSV file or paste the roster first"))
        doc = roster.replace(db(), actor(), meeting_id, roster.from_table(text))
    except Refusal as refusal:
        if refusal.status == 404:
            raise
        return _overview_page(meeting_id, refusal, typed, refusal.status, form="import")
    live.attendance_changed(meeting_id)
    flash(_("Roster imported: %(n)s members. Members who should attend: %(n)s; attendance now follows "
            "the sign-in.", n=doc["counts"]["members"]))
    return redirect(url_for(".overview", meeting_id=meeting_id), 303)


@bp.route("/meetings/<meeting_id>/roster/add", methods=["GET", "POST"])
@login_required("admin")
def add_member(meeting_id: str):
    if request.method == "GET":
        return redirect(url_for(".overview", meeting_id=meeting_id))
    typed = {f"add_{f}": request.form.get(f, "") for f in roster.FIELDS}
    try:
        done = roster.add(db(), actor(), meeting_id, {f: request.form.get(f, "") for f in roster.FIELDS})
    except Refusal as refusal:
        if refusal.status == 404:
            raise
        return _overview_page(meeting_id, refusal, typed, refusal.status, form="add")
    live.attendance_changed(meeting_id)
    flash(_("%(name)s is added to the roster. Members who should attend: %(n)s.",
            name=done["member"]["name"], n=done["expected"]))
    return redirect(url_for(".overview", meeting_id=meeting_id), 303)


@bp.get("/meetings/<meeting_id>/roster/sheet.pdf")
@login_required("admin", "chair")
def sheet(meeting_id: str):
    doc = roster.get(db(), meeting_id)
    if not doc["members"]:
        raise Refusal(409, "state", detail=_("import the roster first"))
    pdf = sign_in_sheet.render(doc["title"], doc["expected"], roster.by_unit(doc["members"]),
                               lambda key: str(SHEET_LABELS[key]))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="sign-in-{meeting_id}.pdf"', "Cache-Control": "no-store"})


# --- at the door ---------------------------------------------------------------------------------

@bp.get("/meetings/<meeting_id>/roster/door")
@login_required("admin", "chair")
def door(meeting_id: str):
    doc = roster.get(db(), meeting_id)
    query = request.args.get("q", "")[:100]
    show = request.args.get("show", "all")
    show = show if show in SHOW else "all"
    members = [m for m in doc["members"] if (show == "all" or m["state"] == show) and _matches(m, query)]
    return render_template("admin/roster/door.html", doc=doc, members=members, query=query, show=show,
                           keys={m["id"]: " ".join(roster.search_keys(m["name"])) for m in members})


@bp.route("/meetings/<meeting_id>/roster/<member_id>/<action>", methods=["GET", "POST"])
@login_required("admin", "chair")
def act(meeting_id: str, member_id: str, action: str):
    back = url_for(".door", meeting_id=meeting_id, q=request.form.get("q") or None,
                   show=request.form.get("show") or None)
    if request.method == "GET" or action not in roster.ACTS:
        return redirect(back)
    try:
        done = roster.act(db(), actor(), meeting_id, member_id, action)
    except Refusal as refusal:
        if refusal.status == 404:
            raise
        if _wants_json():
            return _answer(meeting_id, member_id, refusal.message, refusal.status, refusal.code)
        flash(refusal.message)
        return redirect(back, 303)
    live.attendance_changed(meeting_id)
    message = _done_message(action, done["member"])
    if _wants_json():
        return _answer(meeting_id, member_id, message, 200)
    flash(message)
    return redirect(back, 303)


def _done_message(action: str, member: dict) -> str:
    name = member["name"]
    if action == "sign_in":
        return _("%(name)s signed in at %(time)s.", name=name, time=local_time(member["signed_in_at"]))
    if action == "leave":
        return _("%(name)s left at %(time)s.", name=name, time=local_time(member["left_at"]))
    return _("The sign-in of %(name)s is cancelled.", name=name)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _answer(meeting_id: str, member_id: str, message: str, status: int, error: str | None = None):
    """The ticked member's row as the page draws it, the counts and what happened."""
    doc = roster.get(db(), meeting_id)
    member = next(m for m in doc["members"] if m["id"] == member_id)
    row = render_template("admin/roster/_member.html", doc=doc, m=member, query="", show="all",
                          keys={member_id: " ".join(roster.search_keys(member["name"]))})
    body = {"message": message, "row": row, "counts": doc["counts"], "present": doc["present"]}
    if error:
        body["error"] = error
    return jsonify(body), status
