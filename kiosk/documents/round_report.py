"""The round report: every stage with its figures and decisions, and the source account's
closing figures computed from the data (docs/rules.md, "The four competitive stages").

The closing figures, each from what the round holds:

- ``nomination_participants``: people who took part in the units' initial nomination (the sum of
  the nominations' participants, in the current recommendation record);
- ``plenary_voters``: ballots cast at the recommendation meeting (the last valid plenary vote;
  its runoffs are listed apart);
- ``interviewed``: interviewees of the round's closed interview-recommendation polls (their cast);
- ``consulted_in_writing``: the "5+X" consultations plus the people who gave written opinions;
- ``satisfaction``: the public's satisfaction with those chosen: every survey answer about the
  chosen candidates (the round's survey part, from its poll or an imported file, and the
  inspection's survey polls), pooled, (satisfied + w × basically satisfied) / respondents.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kiosk.documents.pages import numbered
from kiosk.documents.slips import cjk_font
from kiosk.domain import counting, round_doc, rounds
from kiosk.stages import core
from kiosk.stages import deliberation as stages_deliberation
from kiosk.stages import inspection as stages_inspection
from kiosk.stages import recommendation as stages_recommendation
from kiosk.stages import timeline as stages
from kiosk.stages import vote as stages_vote
from kiosk.store import eventlog, localtime
from kiosk.store.db import Database
from tally.competitive import SurveyCounts, pooled_satisfaction
from tally.display import rate_text
from tally.percent import percent_text
from tally.rules import Rules


def _survey_counts(row: dict) -> SurveyCounts:
    return SurveyCounts(row["respondents"], row["satisfied"], row["basically_satisfied"], row["dissatisfied"])


def closing_figures(db: Database, rules: Rules, round_id: str, rec_view: dict, insp_view: dict,
                    delib_view: dict, decision: dict) -> dict:
    plenary = [p for p in rec_view["polls"] if p["role"] == "plenary" and p["state"] == "closed" and p["quorum_met"]]
    interviews = [p for p in rounds.feeding_polls(db, round_id)
                  if p["kind"] == "interview_recommendation" and p["state"] == "closed"]
    interviewed = sum(counting.results(db, rules, p["id"])["cast"] for p in interviews)

    chosen = [c["id"] for level in decision["levels"] for c in level["chosen"]]
    built = round_doc.build(db, rules, round_id)
    doc_by_id = {c["id"]: c for c in built.doc["candidates"]}
    assessments = {row["id"]: row["assessment_polls"] for level in insp_view["levels"] for row in level["candidates"]}
    per_candidate, counts = [], []
    for cid in chosen:
        mine: list[tuple[str, SurveyCounts]] = []
        survey = doc_by_id.get(cid, {}).get("survey")
        if survey is not None:
            source = built.sources.get(cid, {}).get("survey", {})
            mine.append((source.get("title") or source.get("from", "imported"), _survey_counts(survey)))
        for poll in assessments.get(cid, []):
            if poll["kind"] == "survey" and poll["state"] == "closed":
                mine.append((poll["title"], _survey_counts(poll["figures"])))
        total, value = pooled_satisfaction([c for _, c in mine], rules)
        counts += [c for _, c in mine]
        per_candidate.append({"id": cid, "name": core.names_of(built.stored)[cid]["name"],
                              "sources": [s for s, _ in mine], "respondents": total.respondents,
                              "satisfaction": rate_text(value) if value is not None else None})
    total, value = pooled_satisfaction(counts, rules)
    return {
        "nomination_participants": rec_view["participants"],
        "nominations": len(rec_view["nominations"]),
        "plenary_voters": plenary[-1]["cast"] if plenary else None,
        "plenary_runoff_voters": [p["cast"] for p in rec_view["polls"]
                                  if p["role"] == "plenary_runoff" and p["state"] == "closed"],
        "interviewed": interviewed,
        "interview_polls": len(interviews),
        "consultations": len(delib_view["consultations"]),
        "written_opinion_people": delib_view["written_people"],
        "consulted_in_writing": len(delib_view["consultations"]) + delib_view["written_people"],
        "inspection_talks": insp_view["talks"],
        "chosen": len(chosen),
        "decision_final": decision["final"],
        "satisfaction": rate_text(value) if value is not None else None,
        "satisfaction_counts": {"respondents": total.respondents, "satisfied": total.satisfied,
                                "basically_satisfied": total.basically_satisfied,
                                "dissatisfied": total.dissatisfied},
        "satisfaction_by_candidate": per_candidate,
    }


def build(db: Database, rules: Rules, round_id: str) -> dict:
    """The report document (``GET /api/v1/rounds/{id}/report``; the HTML and PDF show the same)."""
    stored = rounds.get(db, round_id)
    timeline = stages.timeline(db, round_id)
    rec_view = stages_recommendation.view(db, rules, round_id)
    insp_view = stages_inspection.view(db, rules, round_id)
    delib_view = stages_deliberation.view(db, rules, round_id)
    vote_view = stages_vote.view(db, rules, round_id)
    decision = stages_vote.decision(db, rules, round_id)
    return {
        "round": {"id": round_id, "title": stored["title"], "created_at": stored["created_at"],
                  "levels": stored["levels"], "candidates": len(stored["candidates"])},
        "made_at": eventlog.now(),
        "timeline": timeline["stages"],
        "recommendation": rec_view,
        "inspection": insp_view,
        "deliberation": delib_view,
        "vote": vote_view,
        "decision": decision,
        "figures": closing_figures(db, rules, round_id, rec_view, insp_view, delib_view, decision),
    }


# --- the PDF -------------------------------------------------------------------------------------------

def _escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_pdf(report: dict, t: Callable[..., str], settings: object = None,
           who: Callable[[str], str] = str) -> bytes:
    """The report as an A4 PDF. ``t(key, **values)`` gives each caption in the reader's language;
    times are shown on the room's clock (the instance's ``timezone`` in ``settings``); ``who``
    says who acted in words (管理员 admin), never the stored form (user:admin)."""

    def clock(at: str | None) -> str:
        return localtime.local_text(at, settings, seconds=False) if at else "—"

    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=10.5, textColor=colors.HexColor("#555555"))
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=21, spaceAfter=2 * mm)
    heading = ParagraphStyle("heading", fontName=font, fontSize=12.5, leading=16, spaceBefore=5 * mm,
                             spaceAfter=2 * mm)
    sub = ParagraphStyle("sub", fontName=font, fontSize=10.5, leading=14, spaceBefore=3 * mm, spaceAfter=1 * mm)

    def p(text: object, style=body) -> Paragraph:
        return Paragraph(_escape(text), style)

    def table(rows: list[list], widths: list[float]) -> Table:
        grid = Table([[p(cell) if not isinstance(cell, Paragraph) else cell for cell in row] for row in rows],
                     colWidths=widths, repeatRows=1)
        grid.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), font), ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return grid

    names = {}
    rec = report["recommendation"]
    for level in rec["levels"]:
        for row in (level["initial_list"] or {}).get("rows", []):
            names[row["id"]] = row["name"]
    for level in report["deliberation"]["levels"]:
        for c in level["pool"]:
            names[c["id"]] = c["name"]

    def who(ids: list[str]) -> str:
        return "、".join(names.get(i, i) for i in ids) or "—"

    def poll_block(poll: dict) -> list:
        """A generated poll: its counts, and per contest each candidate's figures and result."""
        present = "—" if poll["meeting"]["present"] is None else poll["meeting"]["present"]
        out: list = [p(t("poll_line", title=poll["title"], cast=poll["cast"], expected=poll["meeting"]["expected"],
                         present=present, state=t(f"poll_{poll['state']}")), sub)]
        if poll["state"] != "closed":
            return out
        if not poll["quorum_met"]:
            return [*out, p(t("void"), small)]
        committee = poll["kind"] == "standing_committee"
        for contest in poll["contests"]:
            head = [t("candidate"), *((t("agree"), t("disagree"), t("abstain")) if committee else (t("votes"),)),
                    t("result")]
            rows = [head]
            for cand in contest["candidates"]:
                if cand["id"] in contest.get("chosen", []):
                    result = t("chosen")
                elif cand["id"] in contest.get("runoff", []):
                    result = t("runoff")
                else:
                    result = t("passes") if committee and cand.get("passes") else "—"
                figures_ = [cand["agree"], cand["disagree"], cand["abstain"]] if committee else [cand["votes"]]
                rows.append([cand["name"], *figures_, result])
            widths = [50 * mm, 25 * mm, 25 * mm, 25 * mm, 45 * mm] if committee else [50 * mm, 30 * mm, 90 * mm]
            out += [Spacer(1, 1.5 * mm), p(contest.get("title") or contest["id"]), table(rows, widths)]
        return out

    figures = report["figures"]
    story = [p(t("title", title=report["round"]["title"] or report["round"]["id"]), title),
             p(t("made_at", at=clock(report["made_at"]), zone=str(localtime.zone(settings))), small), Spacer(1, 3 * mm)]

    story.append(p(t("figures"), heading))
    fig_rows = [[t("figure"), t("value")],
                [t("nomination_participants"), figures["nomination_participants"]],
                [t("plenary_voters"), "—" if figures["plenary_voters"] is None else figures["plenary_voters"]],
                [t("interviewed"), figures["interviewed"]],
                [t("consulted_in_writing"), t("consulted_value", n=figures["consulted_in_writing"],
                                               c=figures["consultations"], w=figures["written_opinion_people"])],
                [t("satisfaction"), t("satisfaction_value", rate=percent(figures["satisfaction"]),
                                      n=figures["chosen"], r=figures["satisfaction_counts"]["respondents"])]]
    story.append(table(fig_rows, [95 * mm, 75 * mm]))
    if not figures["decision_final"]:
        story.append(p(t("provisional"), small))

    story.append(p(t("timeline"), heading))
    rows = [[t("stage"), t("state"), t("completed")]]
    for stage in report["timeline"]:
        cur = stage["current"]
        done = f"{who(cur['completed_by'])} · {clock(cur['completed_at'])}" if cur and cur["completed_at"] else "—"
        rows.append([t(f"stage_{stage['stage']}"), t(f"state_{stage['state']}"), done])
        for old in stage["superseded"]:
            rows.append([p(t("superseded_attempt", n=old["attempt"]), small), p(clock(old["superseded_at"]), small),
                         p(t("reason", reason=old["superseded_reason"]), small)])
    story.append(table(rows, [55 * mm, 35 * mm, 80 * mm]))

    story.append(p(t("stage_recommendation"), heading))
    story.append(p(t("nominations_line", n=len(rec["nominations"]), people=rec["participants"])))
    for level in rec["levels"]:
        initial = level["initial_list"] or {}
        prog = level["progress"]
        story.append(p(t("level_line", name=level["name"], posts=level["posts"]), sub))
        story.append(p(t("initial_line", ids=who(initial.get("candidates", [])), tied=who(initial.get("tied", [])))))
        story.append(p(t("chosen_line", ids=who(prog["chosen"]))))
    for poll in rec["polls"]:
        story += poll_block(poll)

    story.append(p(t("stage_inspection"), heading))
    rows = [[t("candidate"), t("notice"), t("talks"), t("assessment"), t("looks"), t("judgement")]]
    for level in report["inspection"]["levels"]:
        for row in level["candidates"]:
            record = row["record"] or {}
            looks = "；".join(f"{t('look_' + k)} {t('grade_' + v['grade'])}" for k, v in (record.get("looks") or {}).items()
                             if v.get("grade"))
            assessment = [record.get("assessment") or ""] + [
                t("assessment_survey", rate=percent(poll["figures"]["satisfaction"]), n=poll["figures"]["respondents"])
                if poll["kind"] == "survey" else
                t("assessment_character", score=poll["figures"]["score"], n=poll["figures"]["raters"])
                for poll in row["assessment_polls"] if poll["state"] == "closed"]
            talks = record.get("talks") if record.get("talks") is not None else "—"
            rows.append([row["name"], p(record.get("notice_date") or "—", small), talks,
                         p("；".join(a for a in assessment if a) or "—", small), p(looks or "—", small),
                         p(record.get("judgement") or "—", small)])
    story.append(table(rows, [22 * mm, 20 * mm, 12 * mm, 36 * mm, 44 * mm, 36 * mm]))

    delib = report["deliberation"]
    story.append(p(t("stage_deliberation"), heading))
    story.append(p(t("department_line", date=delib["department_meeting"]["date"] or "—",
                     notes=delib["department_meeting"]["notes"] or "—")))
    story.append(p(t("secretaries_meeting_line", date=delib["secretaries_meeting"]["date"] or "—",
                     notes=delib["secretaries_meeting"]["notes"] or "—")))
    for level in delib["levels"]:
        story.append(p(t("level_line", name=level["name"], posts=level["posts"]), sub))
        story.append(p(t("secretaries_line", ids=who(level["secretaries_slate"]))))
        story.append(p(t("final_line", ids=who(level["final_slate"]))))
    if delib["consultations"]:
        rows = [[t("level"), t("role"), t("name"), t("date"), t("summary")]]
        for c in delib["consultations"]:
            rows.append([c["level"], t("role_" + c["role"]), c["name"] or "—", c["date"], p(c["summary"], small)])
        story += [p(t("consultations"), sub), table(rows, [25 * mm, 30 * mm, 22 * mm, 22 * mm, 71 * mm])]
    if delib["written_opinions"]:
        rows = [[t("source"), t("people"), t("date"), t("summary")]]
        for o in delib["written_opinions"]:
            rows.append([o["source"], o["people"], o["date"], p(o["summary"] or "—", small)])
        story += [p(t("written_opinions"), sub), table(rows, [45 * mm, 18 * mm, 22 * mm, 85 * mm])]

    story.append(p(t("stage_vote"), heading))
    for poll in report["vote"]["polls"]:
        story += poll_block(poll)
    rows = [[t("level"), t("posts"), t("decision")]]
    for level in report["decision"]["levels"]:
        rows.append([level["name"], level["posts"], "、".join(c["name"] for c in level["chosen"]) or "—"])
    story.append(table(rows, [50 * mm, 20 * mm, 100 * mm]))

    # One line per signer, each with its own date: who prepared the report and who checked it
    # sign apart, as on the result sheet.
    line = "_" * 24
    signers = [[t(who_), line, t("signed_on"), "_" * 14] for who_ in ("prepared_by", "checked_by")]
    grid = Table([[p(c) for c in row] for row in signers], colWidths=[42 * mm, 62 * mm, 16 * mm, 50 * mm],
                 rowHeights=12 * mm)
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story += [Spacer(1, 8 * mm), KeepTogether([grid])]
    heading_text = report["round"]["title"] or report["round"]["id"]

    def footer(canvas, page: int, pages: int) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillGray(0.3)
        canvas.drawString(20 * mm, 10 * mm, t("title", title=heading_text))
        canvas.drawRightString(190 * mm, 10 * mm, t("page", page=page, pages=pages))
        canvas.restoreState()

    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                      bottomMargin=18 * mm, title=heading_text).build(story, canvasmaker=numbered(footer))
    return buf.getvalue()


def percent(rate: str | None) -> str:
    """"0.8123" -> "81.2%": a rate of the report as people read it, by tally.percent's rule (one
    decimal, cut off, never rounded up to a figure it did not reach)."""
    if rate is None:
        return "—"
    return percent_text(Fraction(Decimal(rate)))
