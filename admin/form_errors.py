"""Which field of a page's form a refusal belongs beside.

A refusal from the services names what is wrong in ``detail.field`` as the API's path
(``contests[0].candidates``, ``performance.base``); a page's form has its own field names. The page
handler says which form field the refusal is about (``place``), from that path or from what was
typed, and the template draws the message beside that field (``field_error``) as well as at the top
of the page. A refusal that belongs to no field (a conflict, a closed poll) stays at the top only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from jinja2 import pass_context
from markupsafe import Markup, escape

from kiosk.errors import Refusal

ATTRIBUTE = "form_field"
_INDEX = re.compile(r"\[\d+\]")


def api_path(refusal: Refusal) -> str:
    """The refusal's ``detail.field`` (the API's path), or ""."""
    field = refusal.params.get("field") if isinstance(refusal, Refusal) else None
    return field if isinstance(field, str) else ""


def place(refusal: Refusal, default: str | None = None,
          paths: Mapping[str, str] | Callable[[str], str | None] | None = None) -> Refusal:
    """Mark the form field ``refusal`` belongs beside and return it. ``paths`` maps the API's path
    (indices removed: ``contests.candidates``) to a form field, or is a function of the full path;
    without a match the field is ``default``."""
    path = api_path(refusal)
    field = None
    if path and paths is not None:
        if callable(paths):
            field = paths(path)
        else:
            plain = _INDEX.sub("", path)
            field = paths.get(plain) or paths.get(plain.split(".", 1)[0])
    setattr(refusal, ATTRIBUTE, field or default)
    return refusal


def field_of(error: object) -> str | None:
    return getattr(error, ATTRIBUTE, None)


@pass_context
def field_error(context, name: str) -> Markup:
    """The page's error, drawn beside the field ``name`` when it belongs there."""
    error = context.get("error")
    if error is None or field_of(error) != name:
        return Markup("")
    return Markup('<span class="field-error" data-field-error="{0}" id="error-{0}">{1}</span>').format(
        escape(name), error.message)


# --- the API's paths of the rounds' forms --------------------------------------------------------

CANDIDATE_FIELDS = {"candidates.id": "id", "candidates.name": "name", "candidates.level": "level",
                    "candidates.unit": "unit"}
ROUND_POLL_FIELDS = {"meeting": "meeting", "poll_levels": "poll_levels", "contests": "poll_levels"}
ENTRY_FIELDS = {"performance.base": "base", "performance.bonus": "bonus", "performance.note": "performance_note",
                "performance": "base", "organisation.score": "score", "organisation.note": "organisation_note",
                "organisation": "score", "organisation.grades": "grade0"}


def entry_field(path: str) -> str | None:
    """The entries form's field for the API's path of a refused entry (organisation.grades[1] is grade1)."""
    if path.startswith("organisation.grades["):
        return "grade" + path[len("organisation.grades["):].split("]", 1)[0]
    if path.startswith("performance.record"):
        return "class"
    return ENTRY_FIELDS.get(path)


def level_field(path: str, levels: list[dict]) -> str | None:
    """The new-round form's field for the API's path: levels[i].posts is that level's posts box."""
    if path == "title":
        return "title"
    if path.startswith("levels["):
        index = path[len("levels["):].split("]", 1)[0]
        if index.isdigit() and int(index) < len(levels):
            return f"posts_{levels[int(index)]['id']}"
    return None


def said_as(refusal: Refusal, words_path: Callable[[str], str | None]) -> Refusal:
    """Name the refused field in the sentence as the form shows it, not by its position in the
    API's body: ``words_path`` turns the path (levels[0].posts) into one the user's words render
    (section_chief.posts: 正科级的职数). Call after ``place``, which reads the API's path."""
    path = api_path(refusal)
    said = words_path(path) if path else None
    if said:
        refusal.params["field"] = said
    return refusal


def level_words(levels: list[dict]) -> Callable[[str], str | None]:
    """levels[i].… of the new-round form said as that level (正科级的职数)."""
    def words(path: str) -> str | None:
        found = re.match(r"levels\[(\d+)\](.*)", path)
        if found and int(found[1]) < len(levels):
            return levels[int(found[1])]["id"] + found[2]
        return None
    return words


def one_record(path: str) -> str | None:
    """candidates[0].name of a form that adds one record said as its field alone (姓名)."""
    found = re.match(r"[a-z_]+\[0\]\.(.+)", path)
    return found[1] if found else None


def helpers() -> dict:
    return {"field_error": field_error, "error_field": field_of}
