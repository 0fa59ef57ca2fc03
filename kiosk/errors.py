"""Refusals: what went wrong, in words a person can act on.

Every refusal carries an HTTP status, a stable machine code (the API's
``error``) and a message looked up in the user's language at the moment it
is shown (Flask-Babel lazy strings).
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from tally.kind_names import NAMES as KIND_NAMES
from tally.messages import Listed, Term

MESSAGES = {
    # Ballot intake (docs/api.md, "Casting a ballot": status codes of POST /api/v1/ballots)
    "malformed": _l("The request could not be read. Check the form and try again."),
    "malformed_because": _l("The request could not be read: %(reason)s. Nothing was changed."),
    "unsupported_media_type": _l("Send the body as JSON, with the header Content-Type: application/json. Nothing was changed."),
    "too_large": _l("The request is larger than %(limit)s bytes. Nothing was changed."),
    "field": _l("“%(field)s” %(problem)s. Nothing was changed."),
    "internal": _l("The server met a fault and did not apply this request; nothing was changed. The fault has been logged: tell the administrator."),
    "token_typo": _l("This code has a typing error. Check each character against the slip and type it again."),
    "token_unknown": _l("This code was never issued. Check the slip, or ask the clerk for help."),
    "token_used": _l("This code has already been used; your ballot was recorded. Ask the clerk if you believe this is wrong."),
    "poll_not_open": _l("Voting on this poll has not started yet. Wait for the chair to open it, then scan again."),
    "poll_closed": _l("Voting on this poll has closed; this slip can no longer be used."),
    "bad_answers": _l("The answers do not fit this ballot. Review your choices and submit again."),
    "too_many_choices": _l("Too many names chosen: at most %(max)s may be chosen in “%(contest)s”."),
    "missing_answer": _l("Every candidate must be answered before you submit."),
    # Administration
    "not_found": _l("That item does not exist. Go back to the list and choose again."),
    "invalid": _l("Some of the entries are not valid: %(detail)s"),
    "state": _l("This cannot be done now: %(detail)s"),
    "conflict": _l("This conflicts with what already exists: %(detail)s"),
    "unauthorized": _l("Log in first, or use a valid API key."),
    "forbidden": _l("Your role does not allow this."),
    "rate_limited": _l("Too many attempts. Wait a minute and try again."),
    "enrollment": _l("This tablet is not enrolled. Ask the clerk to enroll it."),
    "enrollment_code": _l("This enrollment code is unknown, used or expired. Ask the clerk for a new one."),
    "network": _l("This address is outside the meeting room's network."),
}


class Refusal(Exception):
    """A request refused with a reason; nothing was changed."""

    def __init__(self, status: int, code: str, message_key: str | None = None, **params: object):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message_key = message_key or code
        self.params = params

    @property
    def message(self) -> str:
        template = MESSAGES.get(self.message_key, MESSAGES["invalid"])
        params = {k: v for k, v in self.params.items()}
        params.setdefault("detail", "")
        if isinstance(params.get("field"), str):
            # The machine path stays in detail.field; the sentence names the field in the user's words.
            params["field"] = field_words(params["field"])
        try:
            return str(template) % params
        except (KeyError, TypeError, ValueError):
            return str(template)

    def to_json(self) -> dict:
        body: dict = {"error": self.code, "message": self.message}
        extra = {k: v for k, v in self.params.items() if k != "detail" and _jsonable(v)}
        if extra:
            body["detail"] = extra
        return body


def _jsonable(v: object) -> bool:
    return isinstance(v, (str, int, float, bool, type(None), list, dict))


# --- fields in the user's words ----------------------------------------------------------------
# A refusal's ``field`` is the API's path (``contests[0].max_choices``); its sentence names the
# field as the person who typed it knows it (第 1 个职位的限选人数), never by the path.

FIELD_WORDS = {
    # meetings, polls, slips
    "title": _l("title"), "expected": _l("members expected"), "present": _l("members present"),
    "kind": _l("kind of poll"), "contests": _l("contests"), "candidates": _l("candidates"),
    "name": _l("name"), "id": _l("number"), "max_choices": _l("choices allowed"), "places": _l("places"),
    "voters": _l("voters"), "group": _l("group"), "count": _l("number of slips"), "token": _l("voting code"),
    "answers": _l("choices"), "reason": _l("reason"), "meeting": _l("meeting"), "meeting_id": _l("meeting"),
    "poll": _l("poll"), "members": _l("members"), "post": _l("post"), "unit": _l("unit"), "role": _l("role"),
    "state": _l("state"), "format": _l("file format"), "(body)": _l("request"),
    "place": _l("place"), "chair": _l("chair"), "scrutineers": _l("scrutineers"), "tellers": _l("tellers"),
    # rounds and their parts
    "round": _l("round"), "round_id": _l("round"), "levels": _l("levels"), "level": _l("level"),
    "posts": _l("posts"), "performance": _l("performance"), "base": _l("base points"),
    "bonus": _l("bonus points"), "organisation": _l("organisational appraisal"), "score": _l("score"),
    "grades": _l("year-end grades"), "note": _l("note"), "notes": _l("notes"), "date": _l("date"),
    "record": _l("work record"), "class": _l("class"), "ranking": _l("ranking"), "awards": _l("awards"),
    "character": _l("character assessment"), "democratic": _l("democratic recommendation"),
    "interview": _l("interview recommendation"), "survey": _l("opinion survey"),
    "leaders": _l("leadership evaluation"), "public": _l("public appraisal"),
    # the stages
    "nominations": _l("nominations"), "participants": _l("members taking part"),
    "assessment": _l("democratic assessment"), "talks": _l("individual talks"),
    "verification": _l("verification"), "judgement": _l("overall judgement"), "looks": _l("five looks"),
    "grade": _l("grade"), "notice_date": _l("notice date"), "department_meeting": _l("department meeting"),
    "secretaries_meeting": _l("secretaries' meeting"), "secretaries_slate": _l("secretaries' slate"),
    "final_slate": _l("final slate"), "important_levels": _l("levels with important posts"),
    "consultations": _l("consultations"), "written_opinions": _l("written opinions"),
    "source": _l("source"), "people": _l("number of people"), "summary": _l("summary"),
    "leave_unfilled": _l("leave places unfilled"), "revote_reason": _l("reason for voting again"),
    # a poll's counts and slips
    "issued": _l("slips issued"), "cast": _l("ballots returned"), "returned": _l("ballots returned"),
    "blank": _l("blank ballots"), "spoiled": _l("spoiled ballots"), "voided": _l("slips voided"),
    "unused": _l("slips unused"), "used": _l("slips used"), "not_voted": _l("members who did not vote"),
    "counts": _l("counts"), "polls": _l("polls"), "batches": _l("batches of slips"),
    "void_reason": _l("reason for voiding"), "quorum_met": _l("quorum reached"),
    "cast_count": _l("ballots returned"), "cast_live": _l("ballots returned so far"),
    # paper ballots beside tablets
    "choices": _l("names ticked"), "exchanged": _l("slips exchanged for paper ballots"),
    "items": _l("boxes ticked per item"),
    "invalid": _l("poll invalid"), "paper": _l("paper ballots"), "spoiled_parts": _l("spoiled parts"),
    "tablet_issued": _l("slips issued for tablets"), "tablet_returned": _l("tablet ballots returned"),
    "size": _l("page size"), "copies": _l("copies"),
    # rehearsals, the zero report, the log head and the rules a poll keeps
    "rehearsal": _l("rehearsal"), "zero_report": _l("zero report"), "ballots": _l("ballots"),
    "log_head": _l("log head"), "seq": _l("log entry number"), "hash": _l("hash"), "code": _l("short form"),
    "rules_sha256": _l("rules hash"), "removed": _l("removed"), "slips": _l("slips"),
    "tracking_codes": _l("tracking codes"),
    # the five looks and the three usual levels, which appear in paths as keys
    "test_results": _l("test results"), "personality": _l("personality"), "ability": _l("ability"),
    "work_results": _l("work results"), "public_standing": _l("public standing"),
    "round file": _l("round file"), "votes": _l("votes"),
    "section_chief": _l("section chief"), "deputy_section_chief": _l("deputy section chief"),
    "general_cadre": _l("general cadre"),
}

# One item of a list field, for "the 2nd candidate".
ITEM_WORDS = {
    "contests": _l("contest"), "candidates": _l("candidate"), "voters": _l("voter"), "levels": _l("level"),
    "members": _l("member"), "nominations": _l("nomination"), "consultations": _l("consultation"),
    "written_opinions": _l("written opinion"), "grades": _l("year-end grade"), "answers": _l("choice"),
    "polls": _l("poll"), "items": _l("item"),
}

# Values of the API's choices (enums), as people say them.
VALUE_WORDS = {
    **{kind: _l(name) for kind, name in KIND_NAMES.items()},  # a kind's name has one source
    "draft": _l("Draft"), "open": _l("Open"), "closed": _l("Closed"),
    "admin": _l("administrator"), "chair": _l("chair"), "scrutineer": _l("scrutineer"),
    "unit": _l("Unit leaders"), "city": _l("City-level leaders"),
    "good": _l("Good"), "fair": _l("Fair"), "weak": _l("Weak"),
    "outstanding": _l("Outstanding (优秀)"), "competent": _l("Competent (称职)"),
    "basically_competent": _l("Basically competent (基本称职)"), "incompetent": _l("Incompetent (不称职)"),
    "mayor": _l("Mayor"), "deputy_secretary": _l("Deputy secretary"),
    "discipline_secretary": _l("Discipline secretary"),
    "organisation_head": _l("Head of the organisation department"),
    "leader_in_charge": _l("City leader in charge"), "department_head": _l("Head of a department concerned"),
    "other": _l("Other"),
}

NTH = _l("%(item)s %(n)s")
OF = _l("%(outer)s: %(inner)s")
ITEM = _l("item")
_PATH = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def field_words(path: str) -> str:
    """``contests[0].max_choices`` as people say it: "contest 1: choices allowed" (第 1 个职位的限选人数).

    A key that is no field name (a level's or a candidate's id the caller chose) is shown as they
    wrote it."""
    words: list[str] = []
    last = None
    for name, index in _PATH.findall(path or ""):
        if index:
            item = ITEM_WORDS.get(last, ITEM)
            if words:
                words.pop()
            words.append(str(NTH) % {"item": item, "n": int(index) + 1})
            last = None
            continue
        label = FIELD_WORDS.get(name)
        words.append(str(label) if label is not None else name)  # a key the caller chose, as written
        last = name
    if not words:
        return str(FIELD_WORDS["(body)"])
    text = words[0]
    for inner in words[1:]:
        text = str(OF) % {"inner": inner, "outer": text}
    return text


CLAUSES = _l("; ")  # between the problems of one message: "；" in Chinese, "; " in English


def listed(problems) -> str:
    """Several problems as one sentence's clauses, joined as the reader's language writes them
    (第 1 行：…；第 3 行：…), in the language of the request that makes the message."""
    return str(CLAUSES).join(str(problem) for problem in problems)


ITEMS = _l(", ")  # between the items of one list: "、" in Chinese, ", " in English


def enumerated(items) -> str:
    """Several names as one list (正科级、副科级), in the language of the request."""
    return str(ITEMS).join(str(item) for item in items)


def explained(error: Exception):
    """A tally refusal's sentence in the user's language: tally keeps the template and its values
    apart (tally/messages.py), so the catalog's translation applies; otherwise its own text."""
    template = getattr(error, "template", None)
    if isinstance(template, str) and template:
        # A value that is itself a word of the catalog (tally.messages.Term) is said in it too.
        # Several values (tally.messages.Listed) are joined as the reader writes a list (、).
        params = {k: _l(v) if isinstance(v, Term) else enumerated(v.items) if isinstance(v, Listed) else v
                  for k, v in getattr(error, "params", {}).items()}
        return _l(template, **params)
    return getattr(error, "reason", None) or str(error)
