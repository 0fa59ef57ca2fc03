"""The administrator's pages of a selection round: levels and posts, candidates, the entries no
ballot gives, polls that feed the round, the score sheet and its downloads, import and export.

Every change goes through ``kiosk.domain.rounds`` / ``kiosk.domain.round_doc``, as the API does; a refusal is
shown on the page it came from, with what was typed kept.
"""

from __future__ import annotations

from fractions import Fraction

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kiosk.documents import round_sheet
from kiosk.domain import meetings, polls, round_doc, round_input, rounds
from kiosk.errors import Refusal
from kiosk.web.context import current_rules, db
from tally.display import fixed
from tally.poll import ballot_names
from tally.ratios import initial_places
from tally.roundfile import PARTS
from tally.rules import YEAR_END_GRADES
from tally.score import SHEET_PARTS

from . import form_errors
from .auth import actor, login_required
from .poll_input import decode_table, kind_label, state_label

bp = Blueprint("rounds", __name__)

KNOWN_LEVELS = tuple(round_input.LEVEL_NAMES)
LEVEL_LABELS = {"section_chief": _l("Section chief (正科级)"),
                "deputy_section_chief": _l("Deputy section chief (副科级)"),
                "general_cadre": _l("General cadre (一般干部)")}
PART_LABELS = {
    "character": _l("Character"), "public": _l("Public appraisal"),
    "democratic": _l("Democratic recommendation"), "interview": _l("Interview recommendation"),
    "survey": _l("Opinion survey"), "performance": _l("Performance"), "leaders": _l("Leadership evaluation"),
    "organisation": _l("Organisational appraisal"),
}
GRADE_LABELS = {"outstanding": _l("Outstanding (优秀)"), "competent": _l("Competent (称职)"),
                "basically_competent": _l("Basically competent (基本称职)"),
                "incompetent": _l("Incompetent (不称职)")}
SKIP_LABELS = {"draft": _l("not yet opened: only a closed poll feeds the sheet"),
               "open": _l("still open: only a closed poll feeds the sheet"),
               "no_quorum": _l("the meeting did not reach its quorum, so its votes count for nothing"),
               "duplicate": _l("the candidate already has this part from another poll")}
MAX_UPLOAD = 4 * 1024 * 1024



def _number(value: Fraction) -> str:
    """3 -> "3", 3/2 -> "1.5": a rules number as people write it."""
    text = fixed(value, 2)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _share(value: Fraction) -> str:
    return f"{_number(value * 100)}%"


def reason_label(code: str) -> str:
    """A reason code of the score sheet in words, with the rule's own number."""
    rules = current_rules()
    if code.endswith("_missing"):
        part = code.removesuffix("_missing")
        return _("%(part)s missing", part=PART_LABELS.get(part, part))
    texts = {
        "character_veto": lambda: _("Character veto: an item was reported as frequent by more than "
                                    "%(share)s of raters", share=_share(rules.character_veto_share)),
        "character_incomplete": lambda: _("Character assessment incomplete: fewer than %(n)s raters",
                                          n=rules.character_min_raters),
        "democratic_below_bar": lambda: _("Democratic recommendation below %(bar)s",
                                          bar=_share(rules.democratic_bar)),
        "interview_below_bar": lambda: _("Interview recommendation below %(bar)s",
                                         bar=_share(rules.interview_bar)),
        "survey_below_bar": lambda: _("Opinion survey satisfaction below %(bar)s", bar=_share(rules.survey_bar)),
        "survey_incomplete": lambda: _("Opinion survey incomplete: fewer than %(n)s respondents",
                                       n=rules.survey_min_respondents),
        "grades_below_competent": lambda: _("A year-end grade of the last %(n)s is below competent",
                                            n=rules.organisation_grades_considered),
    }
    return texts[code]() if code in texts else code


@bp.context_processor
def _helpers():
    return {"part_label": lambda p: str(PART_LABELS.get(p, p)), "reason_label": reason_label,
            "grade_label": lambda g: str(GRADE_LABELS.get(g, g)), "kind_label": kind_label,
            "state_label": state_label,
            "level_name": rounds.level_name, "skip_label": lambda why: str(SKIP_LABELS.get(why, why)),
            "sheet_parts": SHEET_PARTS, "entry_parts": round_input.ENTRY_PARTS, "round_parts": PARTS,
            "year_end_grades": YEAR_END_GRADES}


# --- the list, a new round, an imported round ---------------------------------------------------

@bp.get("/")
@login_required("admin")
def home():
    return _home_page()


def _home_page(error: Refusal | None = None, typed: dict | None = None, status: int = 200):
    return render_template("admin/rounds/home.html", rounds=rounds.all_rounds(db()), error=error,
                           typed=typed or {}, known_levels=KNOWN_LEVELS,
                           level_labels={k: str(v) for k, v in LEVEL_LABELS.items()}), status


def _posts(text: str) -> object:
    text = text.strip()
    return int(text) if text.isdigit() else text


@bp.post("/")
@login_required("admin")
def create():
    typed = {"title": request.form.get("title", ""),
             **{f"posts_{lid}": request.form.get(f"posts_{lid}", "") for lid in KNOWN_LEVELS}}
    levels = [{"id": lid, "posts": _posts(typed[f"posts_{lid}"])}
              for lid in KNOWN_LEVELS if typed[f"posts_{lid}"].strip() not in ("", "0")]
    try:
        if not levels:
            raise round_input.invalid("levels", _("give the number of posts of at least one level"))
        created = rounds.create(db(), actor(), typed["title"], levels)
    except Refusal as refusal:
        first_level = f"posts_{levels[0]['id'] if levels else KNOWN_LEVELS[0]}"
        form_errors.place(refusal, first_level, lambda path: form_errors.level_field(path, levels))
        form_errors.said_as(refusal, form_errors.level_words(levels))
        return _home_page(refusal, typed, refusal.status)
    flash(_("Round “%(title)s” created. Add its candidates next.", title=created["title"]))
    return redirect(url_for(".round_page", round_id=created["id"]), 303)


@bp.route("/import", methods=["GET", "POST"])
@login_required("admin")
def import_round():
    if request.method == "GET":
        return redirect(url_for(".home"))
    upload = request.files.get("round_file")
    try:
        if upload is not None and upload.filename:
            data = upload.read(MAX_UPLOAD + 1)
            if len(data) > MAX_UPLOAD:
                raise round_input.invalid("round file", _("the file is larger than 4 MB"))
            text = decode_table(data)
        else:
            text = request.form.get("round_text", "")
        if not text.strip():
            raise round_input.invalid("round file", _("choose a round file, or paste its text"))
        imported = round_doc.import_text(db(), current_rules(), actor(), text)
    except Refusal as refusal:
        form_errors.place(refusal, "round_text")
        return _home_page(refusal, {"round_text": request.form.get("round_text", "")}, refusal.status)
    flash(_("Round “%(title)s” imported with %(n)s candidates.", title=imported["title"] or imported["id"],
            n=imported["candidates"]))
    return redirect(url_for(".round_page", round_id=imported["id"]), 303)


# --- one round ------------------------------------------------------------------------------------

@bp.get("/<round_id>")
@login_required("admin")
def round_page(round_id: str):
    return _round_page(round_id)


def _round_page(round_id: str, error: Refusal | None = None, typed: dict | None = None, status: int = 200):
    built = round_doc.build(db(), current_rules(), round_id)
    return render_template(
        "admin/rounds/round.html", r=built.stored, built=built, error=error, typed=typed or {},
        meetings=meetings.all_meetings(db()), feeding_kinds=tuple(rounds.FEEDING_KINDS),
        places={lv["id"]: initial_places(lv["posts"], current_rules()) for lv in built.stored["levels"]},
        levels_by_id={lv["id"]: lv for lv in built.stored["levels"]},
    ), status


def candidates_from_paste(text: str, levels: list[dict]) -> list[dict]:
    """Lines ``id,name,level,unit`` (comma, Chinese comma or tab); the level by id or by name.

    A first line that names the columns (id / 编号 ...) is skipped.
    """
    by_name = {}
    for lv in levels:
        by_name[lv["id"]] = lv["id"]
        by_name[rounds.level_name(lv)] = lv["id"]
    out = []
    lines = [(n, line) for n, line in enumerate(text.replace("\ufeff", "").splitlines(), 1) if line.strip()]
    if lines and lines[0][1].split(",")[0].strip().lower() in ("id", "编号", "代码", "序号"):
        lines = lines[1:]
    for n, line in lines:
        sep = "\t" if "\t" in line else ","
        cells = [c.strip() for c in line.replace("，", ",").split(sep)]
        if len(cells) < 3 or len(cells) > 4:
            raise round_input.invalid("candidates", _("line %(n)s: write id, name, level and unit, separated by commas",
                                                 n=n))
        level = by_name.get(cells[2], cells[2])
        item = {"id": cells[0], "name": cells[1], "level": level}
        if len(cells) == 4 and cells[3]:
            item["unit"] = cells[3]
        out.append(item)
    return out


@bp.route("/<round_id>/candidates", methods=["GET", "POST"])
@login_required("admin")
def add_candidates(round_id: str):
    if request.method == "GET":
        return redirect(url_for(".round_page", round_id=round_id))
    stored = rounds.get(db(), round_id)
    typed = {k: request.form.get(k, "") for k in ("id", "name", "level", "unit", "paste")}
    try:
        if typed["paste"].strip():
            candidates = candidates_from_paste(typed["paste"], stored["levels"])
        else:
            candidates = [{"id": typed["id"], "name": typed["name"], "level": typed["level"],
                           "unit": typed["unit"] or None}]
        added = rounds.add_candidates(db(), actor(), round_id, candidates)
    except Refusal as refusal:
        form_errors.place(refusal, *(("paste",) if typed["paste"].strip() else ("name", form_errors.CANDIDATE_FIELDS)))
        form_errors.said_as(refusal, (lambda path: None) if typed["paste"].strip() else form_errors.one_record)
        return _round_page(round_id, refusal, typed, refusal.status)
    flash(_("%(n)s candidates added.", n=added["added"]))
    return redirect(url_for(".round_page", round_id=round_id) + "#candidates", 303)


@bp.route("/<round_id>/polls", methods=["GET", "POST"])
@login_required("admin")
def new_poll(round_id: str):
    """A poll of the round's candidates, one contest per level, that feeds the round."""
    if request.method == "GET":
        return redirect(url_for(".round_page", round_id=round_id))
    stored = rounds.get(db(), round_id)
    form = request.form
    typed = {"poll_title": form.get("poll_title", ""), "meeting": form.get("meeting", ""),
             "kind": form.get("kind", ""), "poll_levels": form.getlist("poll_levels")}
    try:
        if not typed["meeting"]:
            raise round_input.invalid("meeting", _("choose the meeting the poll is held at (create one first)"))
        contests = []
        for lv in stored["levels"]:
            if typed["poll_levels"] and lv["id"] not in typed["poll_levels"]:
                continue
            shown = ballot_names([(c["id"], c["name"], c.get("unit")) for c in stored["candidates"] if c["level"] == lv["id"]])
            names = [{"id": cid, "name": name} for cid, name in shown.items()]
            if names:
                choices = min(lv["posts"], len(names))
                contests.append({"id": lv["id"], "title": rounds.level_name(lv), "max_choices": choices,
                                 "places": choices, "candidates": names})
        if not contests:
            raise round_input.invalid("poll_levels", _("the chosen levels have no candidates yet"))
        poll = polls.create(db(), current_rules(), actor(), typed["meeting"], typed["poll_title"], typed["kind"],
                            contests, round_id)
    except Refusal as refusal:
        if refusal.status == 400:  # the title has the form's maxlength; the rest is about the levels
            form_errors.place(refusal, "poll_levels" if 1 <= len(typed["poll_title"].strip()) <= 200
                              else "poll_title", form_errors.ROUND_POLL_FIELDS)
        return _round_page(round_id, refusal, typed, refusal.status)
    flash(_("Poll “%(title)s” created for this round. Issue its slips, then open it.", title=poll["title"]))
    return redirect(url_for("clerk.poll", poll_id=poll["id"]), 303)


# --- entries of one candidate ---------------------------------------------------------------------

@bp.route("/<round_id>/candidates/<candidate_id>", methods=["GET", "POST"])
@login_required("admin")
def entries(round_id: str, candidate_id: str):
    stored = rounds.get(db(), round_id)
    candidate = next((c for c in stored["candidates"] if c["id"] == candidate_id), None)
    if candidate is None:
        raise Refusal(404, "not_found")
    if request.method == "GET":
        return _entries_page(stored, candidate)
    form = request.form
    typed = {k: form.get(k, "") for k in ("base", "bonus", "performance_note", "score", "organisation_note")}
    typed["grades"] = [form.get(f"grade{i}", "") for i in range(current_rules().organisation_grades_considered)]
    awards = [name for name, _points in current_rules().performance_example.bonus_by_award]
    typed.update({"class": form.get("class", ""), "ranking": form.get("ranking", "")})
    typed.update({f"award_{a}": form.get(f"award_{a}", "") for a in awards})
    body: dict = {}
    if typed["class"]:
        # The record, not the points: base and bonus come from the rules file's table.
        counts = {a: typed[f"award_{a}"].strip() for a in awards if typed[f"award_{a}"].strip()}
        record = {"class": typed["class"], "ranking": typed["ranking"] or None,
                  "awards": {a: int(v) if v.isdigit() else v for a, v in counts.items()}}
        body["performance"] = {"record": record, "note": typed["performance_note"]}
    elif any(typed[k].strip() for k in ("base", "bonus", "performance_note")):
        body["performance"] = {"base": typed["base"], "bonus": typed["bonus"] or "0",
                               "note": typed["performance_note"]}
    if typed["score"].strip() or typed["organisation_note"].strip() or any(typed["grades"]):
        body["organisation"] = {"score": typed["score"], "grades": typed["grades"],
                                "note": typed["organisation_note"]}
    try:
        if not body:
            raise round_input.invalid("performance", _("enter performance, the organisational appraisal, or both"))
        # A part sent back as it stands is not entered again: its "entered by" stays true.
        body = {part: value for part, value in body.items()
                if "record" in value or not _unchanged(candidate["entries"].get(part), value)}
        if body:
            rounds.set_entries(db(), current_rules(), actor(), round_id, candidate_id, body)
    except Refusal as refusal:
        form_errors.place(refusal, "base", form_errors.entry_field)
        return _entries_page(stored, candidate, refusal, typed, refusal.status)
    flash(_("Scores of %(name)s saved.", name=candidate["name"]))
    return redirect(url_for(".round_page", round_id=round_id) + "#candidates", 303)


def _unchanged(current: dict | None, typed: dict) -> bool:
    if current is None:
        return False
    same_note = (current.get("note") or "") == (typed.get("note") or "").strip()
    return same_note and all(
        [str(v) for v in current[key]] == [str(v).strip() for v in typed[key]] if isinstance(typed[key], list)
        else str(current[key]) == str(typed[key]).strip()
        for key in typed if key != "note")


def _entries_page(stored: dict, candidate: dict, error: Refusal | None = None, typed: dict | None = None,
                  status: int = 200):
    current = candidate["entries"]
    if typed is None:
        perf, org = current.get("performance") or {}, current.get("organisation") or {}
        typed = {"base": perf.get("base", ""), "bonus": perf.get("bonus", ""),
                 "performance_note": perf.get("note") or "", "score": org.get("score", ""),
                 "organisation_note": org.get("note") or "",
                 "grades": list(org.get("grades") or [""] * current_rules().organisation_grades_considered)}
    level = next(lv for lv in stored["levels"] if lv["id"] == candidate["level"])
    return render_template("admin/rounds/entries.html", r=stored, c=candidate, level=level, error=error,
                           typed=typed, current=current, rules=current_rules()), status


# --- the score sheet and its downloads ------------------------------------------------------------

def _sheet(round_id: str):
    built = round_doc.build(db(), current_rules(), round_id)
    sheet = round_doc.score(built, current_rules())
    return built, sheet, round_sheet.levels_of(built.doc, sheet, current_rules())


@bp.get("/<round_id>/scores")
@login_required("admin")
def scores(round_id: str):
    built, _score_doc, levels = _sheet(round_id)
    return render_template("admin/rounds/scores.html", r=built.stored, built=built, levels=levels,
                           ratio=_number(current_rules().ratio_initial))


def _headers() -> dict[str, str]:
    return {"level": _("Level"), "rank": _("Rank"), "id": _("ID"), "name": _("Name"), "unit": _("Unit"),
            **{p: str(PART_LABELS[p]) for p in SHEET_PARTS}, "total": _("Total"), "eligible": _("Eligible"),
            "shortlist": _("Shortlist"), "tied_at_cut": _("Tied at the cut"), "reasons": _("Reasons"),
            "reason_codes": _("Reason codes"), "status": _("Status")}


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<round_id>/round.json")
@login_required("admin")
def export(round_id: str):
    built = round_doc.build(db(), current_rules(), round_id)
    return _download(round_doc.export_text(built.doc), "application/json", f"round-{round_id}.json")


@bp.get("/<round_id>/scores.csv")
@login_required("admin")
def scores_csv(round_id: str):
    levels = _sheet(round_id)[2]
    body = round_sheet.to_csv(levels, _headers(), reason_label, (_("yes"), _("no")))
    return _download(body, "text/csv", f"scores-{round_id}.csv")


@bp.get("/<round_id>/scores.pdf")
@login_required("admin")
def scores_pdf(round_id: str):
    built, _score_doc, levels = _sheet(round_id)
    texts = {
        "level_line": _("{name}: {posts} post(s), initial list of {places}, {shortlisted} shortlisted"),
        "shortlisted": _("Shortlisted"), "tied": _("Tied at the cut: decide"),
        "not_eligible": _("Not eligible: %(reasons)s"), "no_candidates": _("No candidates at this level."),
        "legend": _("Ranks compare exact totals within a level among eligible candidates. The shortlist is "
                    "the top ceil(posts × %(ratio)s) eligible candidates; everyone tied at the cut goes "
                    "through and is flagged.", ratio=_number(current_rules().ratio_initial)),
        "signatures": _("Prepared by: ____________    Checked by (scrutineers): ____________    "
                        "Date: ____________"),
    }
    title = built.stored["title"] or built.stored["id"]
    pdf = round_sheet.to_pdf(_("Score sheet: %(title)s", title=title), levels, _headers(), reason_label, texts)
    return _download(pdf, "application/pdf", f"scores-{round_id}.pdf")
