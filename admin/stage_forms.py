"""Reading the stage pages' forms into the bodies the stage modules take (the same bodies the API
takes), so a page and a script are checked by the same code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kiosk.stages.inspection import FIELDS as INSPECTION_FIELDS

# The meeting choice of a poll form that means "a new meeting, with the figures below".
NEW_MEETING = "__new__"


def number(text: str) -> object:
    text = (text or "").strip()
    return int(text) if text.isdigit() else (text or None)


def meeting_choice(form, prefix: str = "") -> object:
    """The meeting field of a poll form: an existing meeting's id, or a new one's figures."""
    choice = form.get(f"{prefix}meeting", "")
    if choice != NEW_MEETING:
        return choice or None
    new = {"title": form.get(f"{prefix}new_title", ""), "expected": number(form.get(f"{prefix}new_expected", ""))}
    present = number(form.get(f"{prefix}new_present", ""))
    if present is not None:
        new["present"] = present
    return new


def consultation(form) -> dict:
    return {"level": form.get("level", ""), "role": form.get("role", ""), "name": form.get("name", ""),
            "date": form.get("date") or None, "summary": form.get("summary", "")}


def opinion(form) -> dict:
    return {"source": form.get("source", ""), "people": number(form.get("people", "")),
            "date": form.get("opinion_date") or None, "summary": form.get("opinion_summary", "")}


# The deliberation's two lists, edited an entry at a time from the page, by path: the endpoints'
# noun, the service's list, the entry read from the form, what is said when one is added and when
# one is removed, and the page's anchor.
LISTS = {
    "consultations": ("consultation", "consultations", consultation, _l("Consultation recorded."),
                      _l("Consultation removed."), "#consultations"),
    "opinions": ("opinion", "written_opinions", opinion, _l("Written opinion recorded."),
                 _l("Written opinion removed."), "#opinions"),
}


# The nomination form's field for the API's path of a refused nomination (admin.form_errors.place).
NOMINATION_FIELDS = {"nominations.unit": "unit", "nominations.level": "level",
                     "nominations.participants": "participants", "nominations.candidates": "candidates",
                     "nominations.note": "nomination_note"}


def inspection_field(path: str) -> str | None:
    """The inspection form's field for the API's path: looks.ability.grade is grade_ability."""
    if path.startswith("looks."):
        parts = path.split(".")
        return f"{parts[2] if len(parts) > 2 else 'grade'}_{parts[1]}" if len(parts) > 1 else None
    return path if path in INSPECTION_FIELDS else None
