"""The words of the stage pages and of the round report's PDF (admin/stages.py): labels of
states, looks, grades, roles and progress, and the numbers of the rules as people write them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tally.display import fixed

STATE_LABELS = {"not_started": _l("Not started"), "in_progress": _l("In progress"), "complete": _l("Completed"),
                "superseded": _l("Superseded")}
LOOK_LABELS = {
    "test_results": _l("Test results ↔ public support (看测评结果，比群众基础)"),
    "personality": _l("Personality and strengths ↔ fit for the post (看个性特长，比适岗能力)"),
    "ability": _l("Quality and ability ↔ potential (看素质能力，比发展潜力)"),
    "work_results": _l("Work results ↔ record (看工作实绩，比政绩优劣)"),
    "public_standing": _l("Public standing ↔ character (看社会评价，比品德状况)"),
}
LOOK_SHORT = {"test_results": _l("Test results"), "personality": _l("Personality"), "ability": _l("Ability"),
              "work_results": _l("Work results"), "public_standing": _l("Public standing")}
GRADE_LABELS = {"good": _l("Good"), "fair": _l("Fair"), "weak": _l("Weak")}
ROLE_LABELS = {"mayor": _l("Mayor"), "deputy_secretary": _l("Deputy secretary"),
               "discipline_secretary": _l("Discipline secretary"),
               "organisation_head": _l("Head of the organisation department"),
               "leader_in_charge": _l("City leader in charge"),
               "department_head": _l("Head of a department concerned"), "other": _l("Other")}
PROGRESS_LABELS = {"needs_vote": _l("To be voted"), "waiting": _l("Voting under way"),
                   "runoff": _l("Runoff needed"), "settled": _l("Settled")}
ROLE_OF_POLL = {"plenary": _l("Plenary vote"), "plenary_runoff": _l("Plenary runoff"),
                "assessment": _l("Democratic assessment"),
    "assessment_survey": _l("survey on tablets: satisfaction %(rate)s of %(n)s"),
    "assessment_character": _l("character assessment on tablets: %(score)s points, %(n)s raters"), "committee": _l("Standing committee vote"),
                "committee_runoff": _l("Standing committee runoff")}
MISSING_LABELS = {"notice_date": _l("notice date"), "assessment": _l("democratic assessment"),
                  "talks": _l("individual talks"), "verification": _l("verification"),
                  "judgement": _l("overall judgement")}


def missing_label(code: str) -> str:
    if code.startswith("looks."):
        return str(LOOK_SHORT.get(code[6:], code))
    return str(MISSING_LABELS.get(code, code))


def share(value) -> str:
    """A rules share as people write it: 1/2 -> "50%", 2/3 -> "2/3" (never a rounded 66.67%)."""
    if (value * 100).denominator == 1:
        return f"{value * 100}%"
    return f"{value.numerator}/{value.denominator}"


def rules_number(value) -> str:
    """3 -> "3", 3/2 -> "1.5": a rules number as people write it."""
    text = fixed(value, 2)
    return text.rstrip("0").rstrip(".") if "." in text else text


PDF_TEXTS = {
    "title": _l("Round report: %(title)s"), "made_at": _l("Made at %(at)s (%(zone)s)"),
    "figures": _l("Closing figures"), "figure": _l("Figure"), "value": _l("Value"),
    "nomination_participants": _l("People who took part in initial nomination"),
    "plenary_voters": _l("People who voted at the recommendation meeting"),
    "interviewed": _l("People interviewed (interview recommendation)"),
    "consulted_in_writing": _l("People consulted in writing"),
    "consulted_value": _l("%(n)s (%(c)s “5+X” consultations, %(w)s people in written opinions)"),
    "satisfaction": _l("Public satisfaction with those chosen"),
    "satisfaction_value": _l("%(rate)s (%(n)s chosen, %(r)s survey answers)"),
    "provisional": _l("The vote stage is not complete: the decision and the satisfaction figure are provisional."),
    "timeline": _l("Stages"), "stage": _l("Stage"), "state": _l("State"), "completed": _l("Completed by, at"),
    "superseded_attempt": _l("attempt %(n)s superseded"), "reason": _l("Reason: %(reason)s"),
    "stage_recommendation": _l("Competitive recommendation"), "stage_inspection": _l("Competitive inspection"),
    "stage_deliberation": _l("Competitive deliberation"), "stage_vote": _l("Competitive vote"),
    "state_not_started": _l("Not started"), "state_in_progress": _l("In progress"), "state_complete": _l("Completed"),
    "nominations_line": _l("%(n)s nominations by units; %(people)s people took part in initial nomination."),
    "level_line": _l("%(name)s: %(posts)s post(s)"),
    "initial_line": _l("Initial list: %(ids)s. Tied at the cut: %(tied)s."),
    "chosen_line": _l("Inspection candidates: %(ids)s"),
    "poll_line": _l("%(title)s: %(cast)s ballots cast; %(present)s of %(expected)s present; %(state)s"),
    "poll_draft": _l("voting not started"), "poll_open": _l("voting open"), "poll_closed": _l("voting closed"),
    "candidate": _l("Candidate"), "notice": _l("Notice"), "talks": _l("Talks"), "looks": _l("Five looks"),
    "judgement": _l("Overall judgement"),
    "department_line": _l("Department meeting (%(date)s): %(notes)s"),
    "secretaries_meeting_line": _l("Secretaries' meeting (%(date)s): %(notes)s"),
    "assessment": _l("Democratic assessment"),
    "assessment_survey": _l("survey on tablets: satisfaction %(rate)s of %(n)s"),
    "assessment_character": _l("character assessment on tablets: %(score)s points, %(n)s raters"),
    "secretaries_line": _l("Secretaries' meeting slate: %(ids)s"),
    "final_line": _l("Sent to the standing committee: %(ids)s"),
    "consultations": _l("“5+X” consultations"), "written_opinions": _l("Opinions asked for in writing"),
    "level": _l("Level"), "role": _l("Consulted"), "name": _l("Name"), "date": _l("Date"),
    "summary": _l("Opinion"), "source": _l("From"), "people": _l("People"), "posts": _l("Posts"),
    "decision": _l("Chosen"), "void": _l("Void: the meeting did not reach its quorum; nothing was decided."),
    "agree": _l("Agree"), "disagree": _l("Disagree"), "abstain": _l("Abstain"), "votes": _l("Votes"),
    "result": _l("Result"), "chosen": _l("chosen"), "runoff": _l("runoff"), "passes": _l("passes"),
    "prepared_by": _l("Prepared by (signature)"), "checked_by": _l("Checked by (signature)"),
    "signed_on": _l("Date"),
    "page": _l("Page %(page)s of %(pages)s"),
}


def pdf_text(key: str, **values) -> str:
    if key.startswith("look_"):
        return str(LOOK_SHORT.get(key[5:], key))
    if key.startswith("grade_"):
        return str(GRADE_LABELS.get(key[6:], key))
    if key.startswith("role_"):
        return str(ROLE_LABELS.get(key[5:], key))
    template = PDF_TEXTS.get(key)
    if template is None:
        return key
    return str(template) % values if values else str(template)
