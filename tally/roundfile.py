"""The round file (``"format": "ballotroom-round/1"``, docs/round-file.md): read and checked.

A second party recomputes every score from this file alone, so it is checked strictly: unknown
keys are refused (a misspelt part would otherwise silently count as missing), counts must add up,
and an error names the line of the offending candidate where it can be found.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from tally.kind_leaders import ANSWERS as LEADER_GRADES
from tally.messages import N_, Listed, Term, explain
from tally.rules import YEAR_END_GRADES, Rules, default_rules

ROUND_FORMAT = "ballotroom-round/1"
PARTS: tuple[str, ...] = (
    "character",
    "democratic",
    "interview",
    "survey",
    "performance",
    "leaders",
    "organisation",
)


class RoundFileError(ValueError):
    """A round file that cannot be scored; ``line`` is where to look, when it is known.

    ``reason`` is a sentence of the catalog filled with ``params``: the error keeps both apart
    (tally/messages.py), so the command line and the pages say it in the reader's language."""

    def __init__(
        self,
        line: int | None,
        reason: str,
        *,
        candidate: int | None = None,
        part: str | None = None,
        key: str | None = None,
        **params: object,
    ) -> None:
        reason = explain(self, reason, **params)
        super().__init__(f"line {line}: {reason}" if line is not None else reason)
        self.line = line
        self.reason = reason
        # Where in the document the fault is, so that the text can be searched for its line.
        self.candidate = candidate
        self.part = part
        self.key = key


def parse_round_file(text: str, *, rules: Rules | None = None, importable: bool = False) -> dict:
    """The round document in ``text``, checked; RoundFileError with a line number otherwise.

    Decimal numbers come back as strings ("28.5"), never as binary floats, so the document can
    be scored exactly and written out again unchanged. ``importable`` also asks what a new round
    needs (``check_importable``), so that an import keeps what the create form would refuse out.
    """
    rules = rules or default_rules()
    try:
        doc = json.loads(
            text,
            parse_float=str,
            parse_constant=_refuse_constant,
            object_pairs_hook=_refuse_duplicate_keys,
        )
    except json.JSONDecodeError as exc:
        why = next((words for start, words in JSON_WORDS.items() if exc.msg.startswith(start)), None)
        raise RoundFileError(
            exc.lineno, N_("not valid JSON: %(why)s (column %(column)s)"),
            why=Term(why or N_("not a JSON value")), column=exc.colno,
        ) from None
    except RoundFileError as exc:
        raise _with_line(exc, text, doc=None) from None
    try:
        validate_round(doc, rules)
        if importable:
            check_importable(doc)
    except RoundFileError as exc:
        raise _with_line(exc, text, doc) from None
    return doc


def check_importable(doc: dict) -> None:
    """What a valid round file must also give to become a new round, as the create form asks:
    a title, at least one candidate and each candidate's name (``ballotroom score`` scores a file
    without them; a round stored without them could not be told apart on the pages)."""
    if not doc["title"].strip():
        raise RoundFileError(None, N_("title must not be empty"), key="title")
    if not doc["candidates"]:
        raise RoundFileError(None, N_("candidates must list at least one candidate"), key="candidates")
    for index, candidate in enumerate(doc["candidates"]):
        if not candidate["name"].strip():
            raise RoundFileError(None, N_("candidate '%(id)s': name must not be empty"),
                                 candidate=index, key="name", id=candidate["id"])


# json's complaints (its ``msg``), in words that translate.
JSON_WORDS = {
    "Expecting value": N_("a value is missing or not valid"), "Expecting ',' delimiter": N_("a comma is missing"),
    "Expecting ':' delimiter": N_("a colon is missing"), "Unterminated string": N_("a string is not closed"),
    "Expecting property name": N_("a key in double quotes is expected"), "Extra data": N_("more follows the end"),
    "Invalid control character": N_("a string holds a control character"),
    "Invalid \\": N_("a backslash escape is not valid"),
}


def _refuse_constant(name: str) -> Any:
    raise RoundFileError(None, N_("%(name)s is not a number a round file may hold"), key=name, name=name)


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            # json would keep the last silently; an auditor must see the same data we score.
            raise RoundFileError(None, N_("key '%(name)s' appears twice in one object"), key=key, name=key)
        seen[key] = value
    return seen


# --- checking ---------------------------------------------------------------------------------


def validate_round(doc: Any, rules: Rules) -> None:
    """Raise RoundFileError (without a line) if ``doc`` is not a valid round document."""
    if not isinstance(doc, dict):
        raise RoundFileError(None, N_("a round file must be a JSON object"))
    _only_keys(doc, {"format", "title", "levels", "candidates"}, None)
    if doc.get("format") != ROUND_FORMAT:
        raise RoundFileError(None, N_('format must be "%(format)s"'), key="format", format=ROUND_FORMAT)
    if not isinstance(doc.get("title"), str):
        raise RoundFileError(None, N_("title must be a string"), key="title")
    levels = doc.get("levels")
    if not isinstance(levels, list) or not levels:
        raise RoundFileError(None, N_("levels must be a list of at least one level"), key="levels")
    level_ids: dict[str, str] = {}  # each level's id and the name people know it by
    for index, level in enumerate(levels):
        if not isinstance(level, dict):
            raise RoundFileError(None, N_("level %(n)s must be an object"), key="levels", n=index + 1)
        _only_keys(level, {"id", "posts", "name"}, index)
        lid = level.get("id")
        if not isinstance(lid, str) or not lid:
            raise RoundFileError(None, N_("level %(n)s: id must be a non-empty string"), key="levels", n=index + 1)
        if lid in level_ids:
            raise RoundFileError(None, N_("level id '%(id)s' is used twice"), key=lid, id=lid)
        if "name" in level and not isinstance(level["name"], str):
            raise RoundFileError(None, N_("level '%(id)s': name must be a string"), key=lid, id=lid)
        level_ids[lid] = level.get("name") or lid
        posts = level.get("posts")
        if not _is_int(posts) or posts < 1:
            # The level by the name people know it by (正科级), its id only when it has none.
            raise RoundFileError(None, N_("level '%(id)s': posts must be a whole number, 1 or more"), key=lid,
                                 id=level.get("name") or lid)
    candidates = doc.get("candidates")
    if not isinstance(candidates, list):
        raise RoundFileError(None, N_("candidates must be a list"), key="candidates")
    seen: set[str] = set()
    for index, candidate in enumerate(candidates):
        _check_candidate(index, candidate, level_ids, seen, rules)


def _check_candidate(
    index: int, candidate: Any, level_ids: dict[str, str], seen: set[str], rules: Rules
) -> None:
    def fail(reason: str, part: str | None = None, key: str | None = None, **params: object) -> RoundFileError:
        return RoundFileError(None, reason, candidate=index, part=part, key=key, **params)

    if not isinstance(candidate, dict):
        raise fail(N_("candidate %(n)s must be an object"), n=index + 1)
    cid = candidate.get("id")
    if not isinstance(cid, str) or not cid:
        raise fail(N_("candidate %(n)s: id must be a non-empty string"), n=index + 1)
    who = f"candidate {cid!r}"
    for key in sorted(candidate):
        if key not in {"id", "name", "level", "unit", *PARTS}:
            raise fail(N_("candidate '%(id)s': unknown key '%(name)s'; parts are character, democratic, interview, "
                          "survey, performance, leaders, organisation"), key=key, id=cid, name=key)
    if cid in seen:
        raise fail(N_("candidate '%(id)s' appears twice; candidate ids must be unique"), id=cid)
    seen.add(cid)
    if not isinstance(candidate.get("name"), str):
        raise fail(N_("candidate '%(id)s': name must be a string"), key="name", id=cid)
    if "unit" in candidate and not isinstance(candidate["unit"], str):
        raise fail(N_("candidate '%(id)s': unit must be a string"), key="unit", id=cid)
    if candidate.get("level") not in level_ids:
        raise fail(N_("candidate '%(id)s': level must be one of the round's levels (%(levels)s)"),
                   key="level", id=cid, levels=Listed(level_ids.values()))
    for part in PARTS:
        value = candidate.get(part)
        if value is None:
            continue  # absent (or null): the part is missing, which the score sheet reports
        try:
            _PART_CHECKS[part](value, rules)
        except _Bad as bad:
            error = fail(f"{who}: {part}{bad.where}: {bad.reason}", part=part, key=bad.key)
            error.template, error.params = bad.template, bad.params  # the part's own sentence, translatable
            raise error from None


class _Bad(Exception):
    def __init__(self, reason: str, key: str | None = None, **params: object) -> None:
        self.reason = explain(self, reason, **params)
        self.key = key
        self.where = f".{key}" if key else ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _only_keys(obj: dict, allowed: set[str], level: int | None) -> None:
    """Unknown keys of the round (``level`` None) or of its ``level``-th level (from 0)."""
    for key in sorted(obj):
        if key not in allowed:
            if level is None:
                raise RoundFileError(None, N_("the round: unknown key '%(name)s'"), key=key, name=key)
            raise RoundFileError(None, N_("level %(n)s: unknown key '%(name)s'"), key=key, n=level + 1, name=key)


def _fields(value: Any, required: set[str], optional: frozenset[str] = frozenset()) -> dict:
    if not isinstance(value, dict):
        raise _Bad(N_("must give %(fields)s"), fields=", ".join(sorted(required)))
    for key in sorted(value):
        if key not in required | optional:
            raise _Bad(N_("is not a field here"), key)
    for key in sorted(required):
        if key not in value:
            raise _Bad(N_("is missing"), key)
    return value


def _count(value: dict, key: str) -> int:
    number = value[key]
    if not _is_int(number) or number < 0:
        raise _Bad(N_("must be a whole number, 0 or more"), key)
    return number


def decimal_value(value: Any) -> Fraction | None:
    """The exact value of a round-file decimal (a JSON number or a string such as "28.5")."""
    if _is_int(value):
        return Fraction(value)
    if isinstance(value, str) and re.fullmatch(
        r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*", value
    ):
        try:
            return Fraction(Decimal(value))
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            return None
    return None


def _decimal(value: dict, key: str, high: Fraction | None = None) -> Fraction:
    number = decimal_value(value[key])
    if number is None or number < 0:
        raise _Bad(N_("must be a number, 0 or more (e.g. 28.5)"), key)
    if high is not None and number > high:
        raise _Bad(N_("must be at most %(limit)s"), key, limit=high)
    return number


def _counts_list(value: dict, key: str, length: int) -> list[int]:
    numbers = value[key]
    if (
        not isinstance(numbers, list)
        or len(numbers) != length
        or not all(_is_int(n) and n >= 0 for n in numbers)
    ):
        raise _Bad(N_("must be a list of %(n)s whole numbers, 0 or more (one per character item)"), key, n=length)
    return numbers


def _words(value: dict, key: str, allowed: tuple[str, ...]) -> list[str]:
    words = value[key]
    if not isinstance(words, list) or not all(isinstance(w, str) and w in allowed for w in words):
        raise _Bad(N_("must be a list of: %(words)s"), key, words=", ".join(allowed))
    return words


def _check_character(value: Any, rules: Rules) -> None:
    part = _fields(value, {"raters", "occasional", "frequent"})
    raters = _count(part, "raters")
    items = len(rules.character_items)
    occasional = _counts_list(part, "occasional", items)
    frequent = _counts_list(part, "frequent", items)
    for index, (occ, freq) in enumerate(zip(occasional, frequent, strict=True)):
        if occ + freq > raters:
            raise _Bad(N_("item %(n)s: occasional + frequent (%(occasional)s + %(frequent)s) is more than raters "
                          "(%(raters)s)"), n=index + 1, occasional=occ, frequent=freq, raters=raters)


def _check_democratic(value: Any, rules: Rules) -> None:
    part = _fields(value, {"votes", "cast"})
    if _count(part, "votes") > _count(part, "cast"):
        raise _Bad(N_("votes are more than ballots cast"), "votes")


def _check_interview(value: Any, rules: Rules) -> None:
    part = _fields(value, {"named", "interviewed"})
    if _count(part, "named") > _count(part, "interviewed"):
        raise _Bad(N_("named is more than interviewed"), "named")


def _check_survey(value: Any, rules: Rules) -> None:
    part = _fields(value, {"respondents", "satisfied", "basically_satisfied", "dissatisfied"})
    answers = sum(_count(part, key) for key in ("satisfied", "basically_satisfied", "dissatisfied"))
    if answers != _count(part, "respondents"):
        raise _Bad(N_("satisfied + basically_satisfied + dissatisfied (%(answers)s) must equal respondents"),
                   "respondents", answers=answers)


def _check_performance(value: Any, rules: Rules) -> None:
    part = _fields(value, {"base", "bonus"}, frozenset({"note"}))
    _decimal(part, "base")
    _decimal(part, "bonus")
    if "note" in part and not isinstance(part["note"], str):
        raise _Bad(N_("must be text"), "note")


def _check_leaders(value: Any, rules: Rules) -> None:
    part = _fields(value, {"unit", "city"})
    _words(part, "unit", LEADER_GRADES)
    _words(part, "city", LEADER_GRADES)


def _check_organisation(value: Any, rules: Rules) -> None:
    part = _fields(value, {"score", "grades"}, frozenset({"note"}))
    _decimal(part, "score", rules.points.organisation)
    _words(part, "grades", YEAR_END_GRADES)
    if "note" in part and not isinstance(part["note"], str):
        raise _Bad(N_("must be text"), "note")


_PART_CHECKS = {
    "character": _check_character,
    "democratic": _check_democratic,
    "interview": _check_interview,
    "survey": _check_survey,
    "performance": _check_performance,
    "leaders": _check_leaders,
    "organisation": _check_organisation,
}


# --- finding the line -------------------------------------------------------------------------


def _line_at(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _key_positions(text: str, key: str, start: int = 0, end: int | None = None) -> list[int]:
    pattern = re.compile(r'"' + re.escape(json.dumps(key)[1:-1]) + r'"\s*:')
    return [m.start() for m in pattern.finditer(text, start, len(text) if end is None else end)]


def _with_line(error: RoundFileError, text: str, doc: Any) -> RoundFileError:
    """The same error with the line it most likely comes from, found by searching the text."""
    line = _find_line(error, text, doc)
    if line is None:
        return error
    found = RoundFileError(
        line, error.reason, candidate=error.candidate, part=error.part, key=error.key
    )
    if hasattr(error, "template"):  # the sentence, translatable, goes with it
        found.template, found.params = error.template, error.params  # type: ignore[attr-defined]
    return found


def _find_line(error: RoundFileError, text: str, doc: Any) -> int | None:
    if doc is None:  # raised while parsing: a duplicate key or NaN; search for its first use
        if error.key in ("NaN", "Infinity", "-Infinity"):
            found = text.find(error.key)
            return _line_at(text, found) if found >= 0 else None
        return None
    if error.candidate is None:
        if error.key:
            value_at = re.search(r'"' + re.escape(json.dumps(error.key)[1:-1]) + r'"', text)
            if value_at:
                return _line_at(text, value_at.start())
        return 1
    candidates_at = _key_positions(text, "candidates")
    start = candidates_at[-1] if candidates_at else 0
    entry = doc["candidates"][error.candidate]
    cid = entry.get("id") if isinstance(entry, dict) else None
    if not isinstance(cid, str):
        return _line_at(text, start)
    # The n-th candidate with this id (duplicates point at the second copy).
    nth = sum(
        1
        for c in doc["candidates"][: error.candidate]
        if isinstance(c, dict) and c.get("id") == cid
    )
    id_pattern = re.compile(r'"id"\s*:\s*' + re.escape(json.dumps(cid)))
    hits = [m.start() for m in id_pattern.finditer(text, start)]
    if len(hits) <= nth:
        return _line_at(text, start)
    here = hits[nth]
    following = re.compile(r'"id"\s*:').search(text, here + 1)
    end = following.start() if following else len(text)
    # Narrow down from the candidate to its part, then to the key within the part.
    for key in (error.part, error.key):
        if key:
            inside = _key_positions(text, key, here, end)
            if inside:
                here = inside[0]
    return _line_at(text, here)
