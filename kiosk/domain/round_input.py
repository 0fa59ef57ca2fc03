"""Reading what a caller sends about a round: levels, candidates and the entries no ballot gives
(performance, the organisational appraisal), each checked with a refusal that names the field.

The same checks serve the API, the pages and the round file's import, so a figure refused in
one is refused in all.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from kiosk.errors import Refusal, enumerated, explained
from tally.performance import RecordError, performance_from_record
from tally.roundfile import ROUND_FORMAT, RoundFileError, decimal_value, validate_round
from tally.rules import YEAR_END_GRADES, Rules

# The three levels of docs/rules.md; a round may name others, these get their Chinese name by default.
LEVEL_NAMES = {"section_chief": "正科级", "deputy_section_chief": "副科级", "general_cadre": "一般干部"}


ENTRY_PARTS = ("performance", "organisation")


ENTRY_FIELDS = {"performance": ("base", "bonus"), "organisation": ("score", "grades")}


MAX_LEVELS = 20


MAX_POSTS = 1000


MAX_CANDIDATES = 5000


MAX_NOTE = 1000


MAX_DECIMAL_TEXT = 20


# Ids appear in addresses (/rounds/{id}/candidates/{cid}/entries).
NOT_IN_IDS = frozenset("/?#")


def invalid(field: str, message) -> Refusal:
    """A 400 whose ``detail.field`` is the path of what to fix and whose sentence names it in the
    user's words (kiosk.errors.field_words); ``message`` is a translatable fragment (``_l``)."""
    return Refusal(400, "invalid", "field", field=field, problem=message)


def _identifier(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 64:
        raise invalid(field, _l("must be text of 1 to 64 characters"))
    text = value.strip()
    if any(ch.isspace() or ord(ch) < 32 or ch in NOT_IN_IDS for ch in text):
        raise invalid(field, _l("must not contain spaces, control characters or / ? #"))
    return text


def _text(value: object, field: str, high: int, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise invalid(field, _l("must be text"))
    text = value.strip()
    if required and not text:
        raise invalid(field, _l("must not be empty"))
    if len(text) > high:
        raise invalid(field, _l("must have at most %(limit)s characters", limit=high))
    return text if text or required else None


def _whole(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid(field, _l("must be a whole number from %(low)s to %(high)s", low=low, high=high))
    return value


def read_title(value: object) -> str:
    title = _text(value, "title", 200)
    assert title is not None
    return title


def parse_levels(raw: object) -> list[dict]:
    """``[{"id", "posts", "name"?}]`` checked; a known level id gets its Chinese name."""
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_LEVELS:
        raise invalid("levels", _l("must list 1 to %(n)s levels, each with its posts", n=MAX_LEVELS))
    levels: list[dict] = []
    for index, level in enumerate(raw):
        field = f"levels[{index}]"
        if not isinstance(level, dict):
            raise invalid(field, _l("must give the level and its posts"))
        for key in level:
            if key not in ("id", "posts", "name"):
                raise invalid(f"{field}.{key}", _l("is not something a level has"))
        lid = _identifier(level.get("id"), f"{field}.id")
        if any(lv["id"] == lid for lv in levels):
            raise invalid(f"{field}.id", _l("gives the level %(level)s twice", level=lid))
        posts = _whole(level.get("posts"), f"{field}.posts", 1, MAX_POSTS)
        name = _text(level.get("name"), f"{field}.name", 100, required=False) or LEVEL_NAMES.get(lid)
        levels.append({"id": lid, "name": name, "posts": posts})
    return levels


def _decimal_text(value: object, field: str, high: Any) -> int | str:
    """A decimal as the caller wrote it (an int, or a string such as "28.5"), checked exactly."""
    if isinstance(value, str):
        value = value.strip()
        if len(value) > MAX_DECIMAL_TEXT:
            raise invalid(field, _l("is too long for a number"))
    number = decimal_value(value)
    if number is None or number < 0:
        raise invalid(field, _l("must be a number, 0 or more (e.g. 28.5)"))
    if number > high:
        raise invalid(field, _l("must be at most %(limit)s", limit=high))
    return value  # type: ignore[return-value]


def parse_entries(body: object, rules: Rules) -> dict[str, tuple[dict, str | None]]:
    """``{"performance": {...}, "organisation": {...}}`` (either or both) as {part: (data, note)}."""
    if not isinstance(body, dict):
        raise Refusal(400, "malformed")
    for key in body:
        if key not in ENTRY_PARTS:
            raise invalid(key, _l("is not a part entered by hand (only performance and the organisational appraisal are)"))
    parts = {key: body[key] for key in ENTRY_PARTS if body.get(key) is not None}
    if not parts:
        raise invalid("performance", _l("give performance, the organisational appraisal or both"))
    out: dict[str, tuple[dict, str | None]] = {}
    for part, value in parts.items():
        if not isinstance(value, dict):
            raise invalid(part, _l("must give its figures"))
        if part == "performance" and "record" in value:
            value = {**_performance_from_record(value["record"], rules),
                     **{k: v for k, v in value.items() if k != "record"}}
        allowed = (*ENTRY_FIELDS[part], "note")
        for key in value:
            if key not in allowed:
                raise invalid(f"{part}.{key}", _l("is not something this part has"))
        for key in ENTRY_FIELDS[part]:
            if key not in value or value[key] is None:
                raise invalid(f"{part}.{key}", _l("is missing"))
        note = _text(value.get("note"), f"{part}.note", MAX_NOTE, required=False)
        if part == "performance":
            cap = rules.points.performance
            data: dict = {"base": _decimal_text(value["base"], "performance.base", cap),
                          "bonus": _decimal_text(value["bonus"], "performance.bonus", cap)}
        else:
            grades = value["grades"]
            wanted = rules.organisation_grades_considered
            if (not isinstance(grades, list) or len(grades) != wanted
                    or not all(isinstance(g, str) and g in YEAR_END_GRADES for g in grades)):
                raise invalid("organisation.grades",
                              _l("must be the last %(n)s year-end grades, oldest first, each outstanding, "
                                 "competent, basically competent or incompetent", n=wanted))
            data = {"score": _decimal_text(value["score"], "organisation.score", rules.points.organisation),
                    "grades": list(grades)}
        _check_as_round_file(part, data, rules)
        out[part] = (data, note)
    return out


def _performance_from_record(record: object, rules: Rules) -> dict:
    """Base and bonus computed from the rules file's table (the candidate's class, ranking and
    awards), for clerks who enter the record rather than the points."""

    try:
        base, bonus = performance_from_record(record, rules)
    except RecordError as exc:
        raise invalid(f"performance.{exc.key}", explained(exc)) from None
    as_text = lambda f: format(Decimal(f.numerator) / Decimal(f.denominator), "f")  # noqa: E731
    return {"base": as_text(base), "bonus": as_text(bonus)}


def _check_as_round_file(part: str, data: dict, rules: Rules) -> None:
    """The round file's own check, so that whatever is entered exports as a valid file."""
    doc = {"format": ROUND_FORMAT, "title": "", "levels": [{"id": "x", "posts": 1}],
           "candidates": [{"id": "x", "name": "", "level": "x", part: data}]}
    try:
        validate_round(doc, rules)
    except RoundFileError as exc:
        field = f"{part}.{exc.key}" if exc.key else part
        raise invalid(field, explained(exc)) from None


def parse_candidates(raw: object, level_ids: Iterable[str], level_names: dict[str, str] | None = None) -> list[dict]:
    """Candidates checked; a wrong level is refused naming the round's levels as people know
    them (``level_names``: 正科级), never by their ids."""
    levels = set(level_ids)
    names = level_names or {}
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_CANDIDATES:
        raise invalid("candidates", _l("must list 1 to %(n)s candidates", n=MAX_CANDIDATES))
    out: list[dict] = []
    seen: set[str] = set()
    for index, cand in enumerate(raw):
        field = f"candidates[{index}]"
        if not isinstance(cand, dict):
            raise invalid(field, _l("must give the candidate's number, name, level and unit"))
        for key in cand:
            if key not in ("id", "name", "level", "unit"):
                raise invalid(f"{field}.{key}", _l("is not something a candidate has"))
        cid = _identifier(cand.get("id"), f"{field}.id")
        if cid in seen:
            raise invalid(f"{field}.id", _l("gives the candidate number %(id)s twice", id=cid))
        seen.add(cid)
        name = _text(cand.get("name"), f"{field}.name", 100)
        level = cand.get("level")
        if not isinstance(level, str) or level.strip() not in levels:
            raise invalid(f"{field}.level", _l("must be one of the round's levels: %(levels)s",
                                                          levels=enumerated(names.get(lid) or LEVEL_NAMES.get(lid, lid)
                                                                            for lid in sorted(levels))))
        unit = _text(cand.get("unit"), f"{field}.unit", 200, required=False)
        out.append({"id": cid, "name": name, "level": level.strip(), "unit": unit})
    return out

