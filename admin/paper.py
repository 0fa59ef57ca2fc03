"""The paper ballots' pages: print them, record how many were handed out (or take back unused
ones), exchange a slip that failed on a tablet, enter each paper ballot twice (double entry) and
close the paper box.

An entry form is blind: the second scrutineer never sees the first entry, only its number; when
the two differ both enter the ballot again under the same number, told which parts differed. Every act goes through
kiosk.domain.paper; a refusal is shown on the page and changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kiosk.documents import paper_ballot
from kiosk.domain import meetings, paper, polls
from kiosk.errors import Refusal
from kiosk.web import i18n, live
from kiosk.web.api.paper import pdf_response
from kiosk.web.context import current_rules, db, token_key
from tally import paper as tp

from .auth import actor, login_required

bp = Blueprint("paper", __name__)

STAFF = ("admin", "chair")
ENTERERS = ("admin", "chair", "scrutineer")


def _shape(poll: dict) -> dict:
    """What the entry form draws for the poll's kind: its shape, the answer words of its boxes
    and the character items (the rules the poll is counted under), in the reader's language."""
    if not paper.takes(poll["kind"], current_rules()):
        return {"shape": None, "words": [], "items": []}
    rules = polls.rules_of(db(), poll["id"], current_rules())
    chinese = i18n.current() == "zh_CN"
    return {"shape": tp.shape_of(poll["kind"]), "words": list(tp.words_of(poll["kind"])),
            "items": [item.zh if chinese else item.en for item in rules.character_items]}


def _page(poll_id: str, *, error: Refusal | None = None, number: int | None = None, differ=(), status: int = 200,
          confirm: Refusal | None = None):
    """``confirm``: a number of paper ballots the domain asks to confirm (its sentence says why)."""
    poll = polls.get(db(), poll_id)
    box = paper.status(db(), current_rules(), poll_id)
    return render_template("admin/paper/box.html", poll=poll, meeting=meetings.get(db(), poll["meeting_id"]), box=box,
                           error=error, number=number, differ=list(differ), sizes=list(paper_ballot.SIZES),
                           max_copies=paper_ballot.MAX_COPIES, again=number in box["again"], confirm=confirm,
                           **_shape(poll)), status


@bp.app_context_processor
def _takes_paper():
    return {"takes_paper": lambda kind: paper.takes(kind, current_rules())}


@bp.context_processor
def _reasons():
    return {"reason_words": {"unreadable": _("Cannot be read"), "marked": _("Bears a mark that could identify the voter")}}


@bp.app_template_filter("contest_title")
def contest_title(contest_id: str, poll: dict) -> str:
    """A part's name for a mismatch's sentence: a contest's title, or a candidate's name for the
    per-candidate kinds ("spoiled": the whole ballot)."""
    if contest_id == "spoiled":
        return _("whether the whole ballot is spoiled")
    if _shape(poll)["shape"] in ("answers", "items"):
        names = {k["id"]: k["name"] for c in poll["contests"] for k in c["candidates"]}
    else:
        names = {c["id"]: c.get("title") or c["id"] for c in poll["contests"]}
    return names.get(contest_id, contest_id)


@bp.get("/polls/<poll_id>/paper")
@login_required(*ENTERERS)
def box(poll_id: str):
    number = request.args.get("number", type=int)
    return _page(poll_id, number=number)


@bp.get("/polls/<poll_id>/paper/ballots.pdf")
@login_required(*STAFF)
def ballots_pdf(poll_id: str):
    size = request.args.get("size", "A4")
    copies = request.args.get("copies", "1")
    if size not in paper_ballot.SIZES or not copies.isdigit() or not 1 <= int(copies) <= paper_ballot.MAX_COPIES:
        refusal = Refusal(400, "invalid", "field", field="copies" if size in paper_ballot.SIZES else "size",
                          problem=paper.COPIES_PROBLEM if size in paper_ballot.SIZES else paper.SIZE_PROBLEM)
        return _page(poll_id, error=refusal, status=400)
    try:
        return pdf_response(poll_id, size, int(copies))
    except Refusal as refusal:
        if refusal.status == 404:
            raise
        return _page(poll_id, error=refusal, status=refusal.status)


def _act(poll_id: str, do, done: str, **page):
    try:
        result = do()
    except Refusal as refusal:
        if refusal.status == 404 and refusal.code == "not_found":
            raise
        if refusal.params.get("confirm"):  # asked on the page, not shown as an error
            return _page(poll_id, confirm=refusal, status=refusal.status, **page)
        return _page(poll_id, error=refusal, status=refusal.status, **page)
    live.turnout_changed(poll_id)
    if done:
        flash(done, "notice")
    return result


@bp.post("/polls/<poll_id>/paper/handed-out")
@login_required(*STAFF)
def handed_out(poll_id: str):
    count = request.form.get("count", "").strip()
    value = int(count) if count.isdigit() else count
    confirmed = request.form.get("confirm") == "yes"
    answer = _act(poll_id, lambda: paper.hand_out(db(), current_rules(), actor(), poll_id, value, confirmed),
                  _("Recorded: the paper ballots handed out count as issued."))
    return answer if isinstance(answer, tuple) else redirect(url_for(".box", poll_id=poll_id), 303)


@bp.post("/polls/<poll_id>/paper/taken-back")
@login_required(*STAFF)
def taken_back(poll_id: str):
    count = request.form.get("count", "").strip()
    value = int(count) if count.isdigit() else count
    answer = _act(poll_id, lambda: paper.take_back(db(), current_rules(), actor(), poll_id, value,
                                                   request.form.get("reason", "")),
                  _("Taken back: the paper ballots handed out are fewer by as many; the reason is in the event log."))
    return answer if isinstance(answer, tuple) else redirect(url_for(".box", poll_id=poll_id), 303)


@bp.post("/polls/<poll_id>/paper/exchange")
@login_required(*STAFF)
def exchange(poll_id: str):
    form = request.form
    answer = _act(poll_id, lambda: paper.exchange(db(), token_key(), current_rules(), actor(), poll_id,
                                                  form.get("token", ""), form.get("reason", "")),
                  _("The slip is void; hand the member one paper ballot."))
    return answer if isinstance(answer, tuple) else redirect(url_for(".box", poll_id=poll_id), 303)


def _entry_from_form(poll_id: str) -> dict:
    """The form's ticks as the domain reads an entry (tally.paper.read_entry): per part the boxes
    ticked, or the reason the whole ballot is spoiled. Boxes are named ``c:CONTEST`` (names),
    ``a:CANDIDATE`` (answers) and ``i:CANDIDATE:ITEM`` (items), their values what they stand for."""
    sp = polls.spec(db(), poll_id)
    form = request.form
    spoiled = form.get("spoiled") or None
    if not paper.takes(sp.kind, current_rules()):
        return {"choices": {}, "spoiled": spoiled}  # refused by the domain, which says why
    shape = tp.shape_of(sp.kind)
    candidates = [k.id for c in sp.contests for k in c.candidates]
    if shape == "names":
        ticks: dict = {c.id: form.getlist(f"c:{c.id}") for c in sp.contests}
    elif shape == "answers":
        ticks = {cid: form.getlist(f"a:{cid}") for cid in candidates}
    else:
        items = len(polls.rules_of(db(), poll_id, current_rules()).character_items)
        ticks = {cid: [form.getlist(f"i:{cid}:{n}") for n in range(items)] for cid in candidates}
    return {tp.ENTRY_KEYS[shape]: ticks, "spoiled": spoiled}


@bp.post("/polls/<poll_id>/paper/entries")
@login_required(*ENTERERS)
def enter(poll_id: str):
    number = request.form.get("number", type=int)
    entry = _entry_from_form(poll_id)
    answer = _act(poll_id, lambda: paper.enter(db(), current_rules(), actor(), poll_id, entry, number), "",
                  number=number)
    if isinstance(answer, tuple):
        return answer
    if answer["outcome"] == "waiting":
        flash(_("Entered as ballot %(n)s. Write %(n)s on the paper ballot and hand it to the second scrutineer, "
                "who enters it under that number.", n=answer["number"]), "notice")
    elif answer["outcome"] == "accepted":
        flash(_("The two entries agree: ballot %(n)s is accepted.", n=answer["number"]), "notice")
    else:
        return _page(poll_id, differ=answer["differ"], number=answer["number"], status=409)
    return redirect(url_for(".box", poll_id=poll_id), 303)


@bp.post("/polls/<poll_id>/paper/close")
@login_required(*STAFF)
def close(poll_id: str):
    answer = _act(poll_id, lambda: paper.close_box(db(), current_rules(), actor(), poll_id),
                  _("The paper box is closed. The poll can now be closed."))
    return answer if isinstance(answer, tuple) else redirect(url_for(".box", poll_id=poll_id), 303)
