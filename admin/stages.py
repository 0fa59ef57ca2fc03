"""The administrator's pages of the four competitive stages (四差额) of a round: the timeline, one
page per stage, and the round report (HTML and PDF).

Every change goes through the ``kiosk.stages.timeline*`` services, as the API does; a refusal is shown on
the page it came from, with what was typed kept. The generated polls are run on the ordinary poll
pages (slips, open, close) and the chair's dashboard; each stage page links to them.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kiosk.documents import round_report
from kiosk.domain import meetings, rounds
from kiosk.errors import Refusal
from kiosk.stages import core as stages_core
from kiosk.stages import deliberation as stages_deliberation
from kiosk.stages import inspection as stages_inspection
from kiosk.stages import recommendation, vote
from kiosk.stages import timeline as stages
from kiosk.store.localtime import local_text
from kiosk.web.context import current_rules, db, settings
from tally.competitive import CONSULTED_ROLES, FIVE_ROLES, LOOK_GRADES, LOOKS, STAGES

from . import form_errors, log_texts, stage_forms
from .auth import actor, login_required
from .poll_input import kind_label, state_label
from .stage_forms import LISTS, NEW_MEETING, meeting_choice, number
from .stage_texts import (
    GRADE_LABELS,
    LOOK_LABELS,
    LOOK_SHORT,
    PROGRESS_LABELS,
    ROLE_LABELS,
    ROLE_OF_POLL,
    STATE_LABELS,
    missing_label,
    pdf_text,
    rules_number,
    share,
)

bp = Blueprint("stages", __name__)


@bp.context_processor
def _helpers():
    return {
        "stage_label": stages_core.stage_label, "stage_state_label": lambda s: str(STATE_LABELS.get(s, s)),
        "look_label": lambda k: str(LOOK_LABELS.get(k, k)), "look_short": lambda k: str(LOOK_SHORT.get(k, k)),
        "look_grade_label": lambda g: str(GRADE_LABELS.get(g, g)) if g else "—",
        "role_label": lambda r: str(ROLE_LABELS.get(r, r)), "progress_label": lambda s: str(PROGRESS_LABELS.get(s, s)),
        "poll_role_label": lambda r: str(ROLE_OF_POLL.get(r, r)), "missing_label": missing_label,
        "kind_label": kind_label, "state_label": state_label, "looks": LOOKS, "look_grades": LOOK_GRADES,
        "consulted_roles": CONSULTED_ROLES, "five_roles": FIVE_ROLES, "all_stages": STAGES,
        "when": lambda at: local_text(at, settings(), seconds=False), "acted_by": log_texts.actor_words(db().query),
        "new_meeting": NEW_MEETING, "rules_number": rules_number, "percent": round_report.percent, "share": share,
    }


def _go(round_id: str, stage: str | None = None, anchor: str = ""):
    target = url_for(".stage_page", round_id=round_id, stage=stage) if stage else url_for(".timeline",
                                                                                         round_id=round_id)
    return redirect(target + anchor, 303)


# --- the timeline, and moving a stage on ---------------------------------------------------------------

@bp.get("/<round_id>/stages")
@login_required("admin")
def timeline(round_id: str):
    return _timeline_page(round_id)


def _timeline_page(round_id: str, error: Refusal | None = None, typed: dict | None = None, status: int = 200):
    tl = stages.timeline(db(), round_id)
    return render_template("admin/stages/timeline.html", r=rounds.get(db(), round_id), tl=tl, error=error,
                           typed=typed or {}, summaries=_summaries(round_id), rules=current_rules()), status


def _summaries(round_id: str) -> dict:
    """One line per stage for the timeline: what it holds now."""
    rules = current_rules()
    rec = recommendation.view(db(), rules, round_id)
    insp = stages_inspection.view(db(), rules, round_id)
    delib = stages_deliberation.view(db(), rules, round_id)
    vt = vote.decision(db(), rules, round_id)
    return {
        "recommendation": {"nominations": len(rec["nominations"]), "participants": rec["participants"],
                           "polls": len(rec["polls"]), "chosen": sum(len(lv["progress"]["chosen"]) for lv in rec["levels"])},
        "inspection": {"candidates": sum(len(lv["candidates"]) for lv in insp["levels"]),
                       "recorded": sum(1 for lv in insp["levels"] for c in lv["candidates"] if not c["missing"])},
        "deliberation": {"final": sum(len(lv["final_slate"]) for lv in delib["levels"]),
                         "consultations": len(delib["consultations"])},
        "vote": {"polls": len(vt["polls"]), "chosen": sum(len(lv["chosen"]) for lv in vt["levels"])},
    }


def _stage_action(round_id: str, stage: str, act):
    try:
        act()
    except Refusal as refusal:
        if stage in STAGES:
            return _stage_page(round_id, stage, refusal, dict(request.form), refusal.status)
        return _timeline_page(round_id, refusal, dict(request.form), refusal.status)
    return None


@bp.route("/<round_id>/stages/<stage>/start", methods=["GET", "POST"])
@login_required("admin")
def start(round_id: str, stage: str):
    if request.method == "GET":
        return _go(round_id)
    failed = _stage_action(round_id, stage, lambda: stages.start(db(), actor(), round_id, stage))
    if failed:
        return failed
    flash(_("The %(stage)s stage has started.", stage=stages_core.stage_label(stage)))
    return _go(round_id, stage)


@bp.route("/<round_id>/stages/<stage>/complete", methods=["GET", "POST"])
@login_required("admin")
def complete(round_id: str, stage: str):
    if request.method == "GET":
        return _go(round_id, stage if stage in STAGES else None)
    body = {"note": request.form.get("note", ""), "leave_unfilled": request.form.get("leave_unfilled") == "yes"}
    failed = _stage_action(round_id, stage, lambda: stages.complete(db(), current_rules(), actor(), round_id, stage, body))
    if failed:
        return failed
    flash(_("The %(stage)s stage is complete. Its outcome is fixed; to change it, supersede it with a reason.",
            stage=stages_core.stage_label(stage)))
    return _go(round_id)


@bp.route("/<round_id>/stages/<stage>/supersede", methods=["GET", "POST"])
@login_required("admin")
def supersede(round_id: str, stage: str):
    if request.method == "GET":
        return _go(round_id)
    body = {"reason": request.form.get("reason", "")}
    try:
        stages.supersede(db(), actor(), round_id, stage, body)
    except Refusal as refusal:
        return _timeline_page(round_id, refusal, {**request.form, "stage": stage}, refusal.status)
    flash(_("The %(stage)s stage was superseded; its earlier record is kept with the reason. Correct it, then "
            "complete it again.", stage=stages_core.stage_label(stage)))
    return _go(round_id, stage)


# --- one page per stage -------------------------------------------------------------------------------

@bp.get("/<round_id>/stages/<stage>")
@login_required("admin")
def stage_page(round_id: str, stage: str):
    stages_core.check_stage(stage)
    return _stage_page(round_id, stage)


def _stage_page(round_id: str, stage: str, error: Refusal | None = None, typed: dict | None = None,
                status: int = 200):
    rules = current_rules()
    views = {"recommendation": recommendation.view, "inspection": stages_inspection.view,
             "deliberation": stages_deliberation.view, "vote": vote.view}
    view = views[stage](db(), rules, round_id)
    stored = rounds.get(db(), round_id)
    tl = stages.timeline(db(), round_id)
    extra = {}
    if stage == "vote":
        extra["decision"] = vote.decision(db(), rules, round_id)
    return render_template(f"admin/stages/{stage}.html", r=stored, tl=tl, v=view, stage=stage, error=error,
                           typed=typed or {}, meetings=meetings.all_meetings(db()),
                           names=stages_core.names_of(stored), rules=rules,
                           this=next(s for s in tl["stages"] if s["stage"] == stage), **extra), status


def _act(round_id: str, stage: str, act, done: str, anchor: str = "", paths=None, one: bool = False):
    """Run a stage form's service call; a refusal shows the page again, its message beside the field
    ``paths`` gives (form_errors.place), named as the form does when it sends ``one`` record."""
    try:
        act()
    except Refusal as refusal:
        form_errors.place(refusal, None, paths)
        if one:
            form_errors.said_as(refusal, form_errors.one_record)
        return _stage_page(round_id, stage, refusal, {**request.form, "_lists": {
            k: request.form.getlist(k) for k in request.form}}, refusal.status)
    flash(done)
    return _go(round_id, stage, anchor)


# --- competitive recommendation ------------------------------------------------------------------------

@bp.route("/<round_id>/stages/recommendation/nominations", methods=["GET", "POST"])
@login_required("admin")
def add_nomination(round_id: str):
    if request.method == "GET":
        return _go(round_id, "recommendation")
    form = request.form
    item = {"unit": form.get("unit", ""), "level": form.get("level", ""),
            "participants": number(form.get("participants", "")),
            "candidates": [c for c in form.getlist("candidates") if c], "note": form.get("nomination_note", "")}
    item["participants"] = "" if item["participants"] is None else item["participants"]
    return _act(round_id, "recommendation",
                lambda: recommendation.add_nominations(db(), current_rules(), actor(), round_id, {"nominations": [item]}),
                _("Nomination of %(unit)s recorded.", unit=item["unit"].strip()), "#nominations", stage_forms.NOMINATION_FIELDS, one=True)



@bp.route("/<round_id>/stages/recommendation/nominations/<nomination_id>/delete", methods=["GET", "POST"])
@login_required("admin")
def delete_nomination(round_id: str, nomination_id: str):
    if request.method == "GET":
        return _go(round_id, "recommendation")
    return _act(round_id, "recommendation",
                lambda: recommendation.delete_nomination(db(), current_rules(), actor(), round_id, nomination_id),
                _("Nomination removed."), "#nominations")


@bp.route("/<round_id>/stages/recommendation/plenary", methods=["GET", "POST"])
@login_required("admin")
def plenary(round_id: str):
    if request.method == "GET":
        return _go(round_id, "recommendation")
    body = {"meeting": meeting_choice(request.form), "title": request.form.get("title") or None}
    if request.form.get("revote_reason", "").strip():
        body["revote_reason"] = request.form["revote_reason"]
    return _act(round_id, "recommendation",
                lambda: recommendation.generate_plenary(db(), current_rules(), actor(), round_id, body),
                _("The plenary poll was generated. Issue its slips and open it from the poll's page."), "#polls")


@bp.route("/<round_id>/stages/recommendation/runoff", methods=["GET", "POST"])
@login_required("admin")
def plenary_runoff(round_id: str):
    if request.method == "GET":
        return _go(round_id, "recommendation")
    return _act(round_id, "recommendation",
                lambda: recommendation.generate_runoff(db(), current_rules(), actor(), round_id, {}),
                _("The runoff poll was generated among the tied. Issue its slips and open it."), "#polls")


# --- competitive inspection ------------------------------------------------------------------------------

@bp.route("/<round_id>/stages/inspection/candidates/<candidate_id>", methods=["GET", "POST"])
@login_required("admin")
def inspection_candidate(round_id: str, candidate_id: str):
    if request.method == "GET":
        return _candidate_page(round_id, candidate_id)
    form = request.form
    body = {"notice_date": form.get("notice_date") or None, "assessment": form.get("assessment", ""),
            "talks": number(form.get("talks", "")), "verification": form.get("verification", ""),
            "judgement": form.get("judgement", ""),
            "looks": {look: {"grade": form.get(f"grade_{look}") or None, "note": form.get(f"note_{look}", "")}
                      for look in LOOKS}}
    try:
        stages_inspection.put_record(db(), current_rules(), actor(), round_id, candidate_id, body)
    except Refusal as refusal:
        form_errors.place(refusal, None, stage_forms.inspection_field)
        return _candidate_page(round_id, candidate_id, refusal, dict(form), refusal.status)
    name = stages_core.names_of(rounds.get(db(), round_id))[candidate_id]["name"]
    flash(_("Inspection record of %(name)s saved.", name=name))
    return _go(round_id, "inspection", f"#c-{candidate_id}")


def _candidate_page(round_id: str, candidate_id: str, error: Refusal | None = None, typed: dict | None = None,
                    status: int = 200):
    row = stages_inspection.candidate_view(db(), current_rules(), round_id, candidate_id)
    if typed is None:
        record = row["record"] or {"looks": {}}
        typed = {"notice_date": record.get("notice_date") or "", "assessment": record.get("assessment") or "",
                 "talks": "" if record.get("talks") is None else str(record["talks"]),
                 "verification": record.get("verification") or "", "judgement": record.get("judgement") or ""}
        for look in LOOKS:
            value = record["looks"].get(look) or {}
            typed[f"grade_{look}"] = value.get("grade") or ""
            typed[f"note_{look}"] = value.get("note") or ""
    stored = rounds.get(db(), round_id)
    return render_template("admin/stages/inspection_candidate.html", r=stored, c=row, error=error, typed=typed,
                           meetings=meetings.all_meetings(db()), tl=stages.timeline(db(), round_id),
                           stage="inspection"), status


@bp.route("/<round_id>/stages/inspection/candidates/<candidate_id>/assessment", methods=["GET", "POST"])
@login_required("admin")
def assessment(round_id: str, candidate_id: str):
    if request.method == "GET":
        return redirect(url_for(".inspection_candidate", round_id=round_id, candidate_id=candidate_id), 303)
    body = {"kind": request.form.get("kind", ""), "meeting": meeting_choice(request.form)}
    try:
        made = stages_inspection.generate_assessment(db(), current_rules(), actor(), round_id, candidate_id, body)
    except Refusal as refusal:
        return _candidate_page(round_id, candidate_id, refusal, None, refusal.status)
    flash(_("The assessment poll was generated. Issue its slips and open it from the poll's page."))
    return redirect(url_for("clerk.poll", poll_id=made["poll"]["id"]), 303)


# --- competitive deliberation ----------------------------------------------------------------------------

@bp.route("/<round_id>/stages/deliberation/record", methods=["GET", "POST"])
@login_required("admin")
def deliberation_record(round_id: str):
    if request.method == "GET":
        return _go(round_id, "deliberation")
    form = request.form
    stored = rounds.get(db(), round_id)
    body = {
        "department_meeting": {"date": form.get("department_date") or None, "notes": form.get("department_notes", "")},
        "secretaries_meeting": {"date": form.get("secretaries_date") or None,
                                "notes": form.get("secretaries_notes", "")},
        "important_levels": form.getlist("important"),
        "secretaries_slate": {lv["id"]: form.getlist(f"secretaries_{lv['id']}") for lv in stored["levels"]
                              if form.getlist(f"secretaries_{lv['id']}")},
        "final_slate": {lv["id"]: form.getlist(f"final_{lv['id']}") for lv in stored["levels"]
                        if form.getlist(f"final_{lv['id']}")},
    }
    return _act(round_id, "deliberation",
                lambda: stages_deliberation.put(db(), current_rules(), actor(), round_id, body),
                _("Deliberation saved."), "#slates")


@login_required("admin")
def edit_list(round_id: str, path: str, item_id: str | None = None):
    """Add an entry to a deliberation list (no ``item_id``) or remove one. The list is read,
    changed and written in one transaction (``kiosk.stages.deliberation.edit_list``), so two clerks
    adding at once both keep their entry."""
    if request.method == "GET":
        return _go(round_id, "deliberation")
    _noun, which, from_form, added, removed, anchor = LISTS[path]
    if item_id is None:
        item = from_form(request.form)

        def change(items):
            return [*items, item]
    else:
        def change(items):
            return [entry for entry in items if entry["id"] != item_id]
    return _act(round_id, "deliberation",
                lambda: stages_deliberation.edit_list(db(), current_rules(), actor(), round_id, which, change),
                str(added if item_id is None else removed), anchor)


for _path, _spec in LISTS.items():
    bp.add_url_rule(f"/<round_id>/stages/deliberation/{_path}", f"add_{_spec[0]}", edit_list,
                    methods=["GET", "POST"], defaults={"path": _path})
    bp.add_url_rule(f"/<round_id>/stages/deliberation/{_path}/<item_id>/delete", f"delete_{_spec[0]}",
                    edit_list, methods=["GET", "POST"], defaults={"path": _path})


# --- competitive vote --------------------------------------------------------------------------------------

@bp.route("/<round_id>/stages/vote/committee", methods=["GET", "POST"])
@login_required("admin")
def committee(round_id: str):
    if request.method == "GET":
        return _go(round_id, "vote")
    body = {"meeting": meeting_choice(request.form), "title": request.form.get("title") or None}
    present = number(request.form.get("present", ""))
    if present is not None:
        body["present"] = present
    if request.form.get("revote_reason", "").strip():
        body["revote_reason"] = request.form["revote_reason"]
    return _act(round_id, "vote", lambda: vote.generate_committee(db(), current_rules(), actor(), round_id, body),
                _("The standing committee's poll was generated. Issue its slips and open it from the poll's "
                  "page."), "#polls")


@bp.route("/<round_id>/stages/vote/runoff", methods=["GET", "POST"])
@login_required("admin")
def committee_runoff(round_id: str):
    if request.method == "GET":
        return _go(round_id, "vote")
    return _act(round_id, "vote", lambda: vote.generate_runoff(db(), current_rules(), actor(), round_id, {}),
                _("The runoff poll was generated. Issue its slips and open it."), "#polls")


# --- the round report -------------------------------------------------------------------------------------

@bp.get("/<round_id>/report")
@login_required("admin")
def report(round_id: str):
    doc = round_report.build(db(), current_rules(), round_id)
    return render_template("admin/stages/report.html", r=rounds.get(db(), round_id), rep=doc,
                           names=stages_core.names_of(rounds.get(db(), round_id)), rules=current_rules())


@bp.get("/<round_id>/report.pdf")
@login_required("admin")
def report_pdf(round_id: str):
    doc = round_report.build(db(), current_rules(), round_id)
    response = Response(round_report.to_pdf(doc, pdf_text, settings(), log_texts.actor_words(db().query)), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="report-{round_id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
