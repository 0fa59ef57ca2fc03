"""What the clerk types or uploads, read into the shapes the poll services take.

Nothing here touches the database: text in, plain lists and dicts out. Anything that cannot be
read raises a Refusal (400) whose message names the line and what to fix, so the page can show it
and keep what was typed.

Contests being put together on the "new poll" page travel in the form itself as a hidden JSON list
of *drafts* (``{"title", "max_choices", "places", "candidates": [{"id" | None, "name"}]}``);
candidate ids left empty are given at the end by :func:`finalize`, so ids typed in one contest and
ids generated for another never collide.
"""

from __future__ import annotations

import csv
import json

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kiosk.domain import polls
from kiosk.errors import Refusal
from tally import kinds as tk
from tally.kind_names import NAMES as KIND_NAMES

from . import form_errors

# A kind's name has one source (tally.kind_names), said here in the page's language.
KIND_LABELS = {kind: _l(name) for kind, name in KIND_NAMES.items()}
STATE_LABELS = {"draft": _l("Draft"), "open": _l("Open"), "closed": _l("Closed")}
GROUP_LABELS = {"unit": _l("Unit leaders"), "city": _l("City-level leaders")}
# Printed on the slip next to the voter's name: slips are printed in Chinese (kiosk/documents/slips.py).
GROUP_ON_SLIP = {"unit": "单位领导", "city": "市级领导"}
# What a clerk may type for the leaders' groups.
GROUP_ALIASES = {
    "unit": "unit", "单位": "unit", "本单位": "unit", "单位领导": "unit",
    "city": "city", "市级": "city", "市": "city", "市级领导": "city", "市领导": "city",
}

# Kinds whose ballots answer every candidate: max_choices has no meaning for them.
ANSWER_EVERY = frozenset({"standing_committee", "character", "survey", "leaders"})
NAMED_KINDS = tk.NAMED_KINDS

MAX_CANDIDATES = 2000
MAX_CONTESTS = 50
MAX_VOTERS = 5000

POSITIONAL = ("contest", "name", "id", "max_choices", "places")
OPTIONAL = frozenset({"id", "max_choices", "places"})
# The header row the new-poll page shows as its example, in each language of the interface. The
# page's hint is made from these words and the parser reads them, so a header copied from the hint
# is always understood (tests/test_poll_input.py keeps the two in step).
HINT_HEADERS = {
    "en": ("contest", "name", "id", "max_choices", "places"),
    "zh_CN": ("职位", "姓名", "编号", "限选人数", "名额"),
}
# Other column names a header may use (English, and what a Chinese spreadsheet is likely to say).
OTHER_HEADERS = {
    "contest": ("title", "level", "层级", "类别", "项目", "档次", "职位名称", "岗位"),
    "name": ("candidate", "姓名", "名字", "候选人", "候选人姓名"),
    "id": ("序号", "代码", "候选人编号"),
    "max_choices": ("max", "最多可选", "最多可选人数", "限选", "应选", "应选人数", "可选人数"),
    "places": ("posts", "职数", "职位数", "名额数"),
}
HEADER_ALIASES = {word.lower(): column
                  for words in HINT_HEADERS.values() for column, word in zip(POSITIONAL, words, strict=True)}
HEADER_ALIASES.update({word.lower(): column for column, words in OTHER_HEADERS.items() for word in words})


def _header_words(locale: str | None = None) -> dict[str, str]:
    """Each column's name in the hint of this language (the interface's language by default)."""
    if locale is None:
        locale = str(get_locale() or "zh_CN")
    return dict(zip(POSITIONAL, HINT_HEADERS.get(locale, HINT_HEADERS["zh_CN"]), strict=True))


def hint_header(locale: str | None = None) -> str:
    """The example header row, e.g. 职位,姓名,编号,限选人数,名额."""
    return ",".join(_header_words(locale).values())


def hint_columns(locale: str | None = None) -> str:
    """The row's shape with the optional columns in brackets, e.g. 职位,姓名[,编号][,限选人数][,名额]."""
    words = _header_words(locale)
    return "".join(("[,%s]" if c in OPTIONAL else ",%s") % words[c] for c in POSITIONAL).lstrip(",")


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


def group_label(group: str | None) -> str:
    if not group:
        return ""
    return str(GROUP_LABELS.get(group, group))


def invalid(message: str, field: str | None = None) -> Refusal:
    """A refusal of what was typed; ``field`` is the form field it belongs beside."""
    refusal = Refusal(400, "invalid", detail=message)
    return form_errors.place(refusal, field)


def _whole(text: object, what: str, *, default: int | None = None, where: str = "",
           field: str | None = None) -> int | None:
    value = str(text if text is not None else "").strip()
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= MAX_CANDIDATES:
        raise invalid(_("%(where)s%(what)s must be a whole number of at least 1, not “%(value)s”.",
                        where=where, what=what, value=value[:20]), field)
    return int(value)


def _cells(line: str) -> list[str]:
    """One pasted line: tabs (copied from a spreadsheet) or commas, Chinese commas included."""
    if "\t" in line:
        parts = line.split("\t")
    else:
        parts = next(csv.reader([line.replace("，", ",")]), [])
    return [p.strip() for p in parts]


# --- one contest typed in the form ---------------------------------------------------------------

def candidates_from_lines(text: str) -> list[dict]:
    """One candidate a line: a name, or "id,name"."""
    out = []
    for number, raw in enumerate((text or "").replace("\ufeff", "").splitlines(), 1):
        if not raw.strip():
            continue
        cells = _cells(raw)
        if len(cells) == 1:
            cid, name = None, cells[0]
        elif len(cells) == 2:
            cid, name = cells[0] or None, cells[1]
        else:
            raise invalid(_("Candidates, line %(n)s: write a name, or an id and a name separated by a comma.", n=number),
                          "candidates")
        _check_candidate(cid, name, _("Candidates, line %(n)s: ", n=number), "candidates")
        out.append({"id": cid, "name": name})
    if len(out) > MAX_CANDIDATES:
        raise invalid(_("At most %(n)s candidates can be entered at once.", n=MAX_CANDIDATES), "candidates")
    return out


def _check_candidate(cid: str | None, name: str, where: str, field: str | None = None) -> None:
    if not name:
        raise invalid(where + _("the name is missing."), field)
    if len(name) > 100:
        raise invalid(where + _("the name is longer than 100 characters."), field)
    if cid is not None and (len(cid) > 64 or any(ch.isspace() for ch in cid)):
        raise invalid(where + _("the id must be at most 64 characters without spaces."), field)


def check_names(draft: dict, field: str) -> dict:
    """Refuse a contest in which two candidates share a name, as the poll would be refused when
    created (tally decides which names are the same), but while the list is still on the page."""
    twice = tk.duplicate_name([tk.Candidate(id="", name=c["name"]) for c in draft["candidates"]])
    if twice is not None:
        raise form_errors.place(polls.duplicate_name_refusal(draft["title"] or "", twice), field)
    return draft


def check_titles(drafts: list[dict], field: str) -> list[dict]:
    """Refuse two contests of the poll with one title, as the poll would be refused when created
    (tally decides which titles are the same), but as soon as the second one is added. An untitled
    contest is named "Contest n" at the end (``finalize``), so it clashes with none."""
    titled = [d["title"] for d in drafts if d["title"]]
    twice = tk.duplicate_title(titled)
    if twice is not None:
        raise form_errors.place(polls.duplicate_title_refusal(titled[twice]), field)
    return drafts


def contest_from_form(title: str, max_choices: str, places: str, candidates_text: str) -> dict:
    """The contest typed in the form's fields, as a draft."""
    title = (title or "").strip()
    if len(title) > 200:
        raise invalid(_("The contest title must have at most 200 characters."), "contest_title")
    candidates = candidates_from_lines(candidates_text)
    if not candidates:
        raise invalid(_("Type the candidates of the contest, one name a line."), "candidates")
    most = _whole(max_choices, _("Max choices"), default=1, field="max_choices")
    return check_names({
        "title": title,
        "max_choices": most,
        "places": _whole(places, _("Places"), default=most, field="places"),
        "candidates": candidates,
    }, "candidates")


# --- a list pasted or a CSV file -----------------------------------------------------------------

def decode_table(data: bytes) -> str:
    """A CSV file's text: UTF-8 with or without BOM, else GB18030 (a superset of GBK and GB2312,
    which is what Excel in China saves as "CSV")."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise invalid(_("The file could not be read as text. Save it as CSV (UTF-8 or GBK) and try again."))


def contests_from_table(text: str, field: str = "paste") -> list[dict]:
    """Rows ``contest,name[,id][,max_choices][,places]`` (a header row naming the columns is
    optional and may put them in any order). A row with an empty contest belongs to the contest of
    the row above, as merged cells come out of a spreadsheet. Contests keep the order in which they
    first appear. A refusal belongs beside ``field`` (the pasted text or the file)."""
    try:
        return [check_names(draft, field) for draft in _table(text)]
    except Refusal as refusal:
        raise form_errors.place(refusal, field) from None


def _table(text: str) -> list[dict]:
    text = (text or "").replace("\ufeff", "")
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        return []
    columns = list(POSITIONAL)
    first = [c.strip().lower() for c in _cells(lines[0][1])]
    if any(HEADER_ALIASES.get(c) in ("contest", "name") for c in first):
        columns = [HEADER_ALIASES.get(c, "") for c in first]
        if "contest" not in columns or "name" not in columns:
            words = _header_words()
            raise invalid(_("The header row must name at least the columns %(contest)s and %(name)s, as in %(header)s.",
                            contest=words["contest"], name=words["name"], header=hint_header()))
        lines = lines[1:]
    drafts: dict[str, dict] = {}
    previous = ""
    count = 0
    for number, line in lines:
        cells = _cells(line)
        if len(cells) > len(columns) and any(cells[len(columns):]):
            raise invalid(_("Line %(n)s has more columns than %(header)s.", n=number, header=hint_header()))
        row = {col: (cells[i] if i < len(cells) else "") for i, col in enumerate(columns) if col}
        where = _("Line %(n)s: ", n=number)
        contest = row.get("contest", "") or previous
        if not contest:
            raise invalid(where + _("the contest is missing."))
        if len(contest) > 200:
            raise invalid(where + _("the contest title must have at most 200 characters."))
        previous = contest
        cid, name = row.get("id") or None, row.get("name", "")
        _check_candidate(cid, name, where)
        draft = drafts.setdefault(contest, {"title": contest, "max_choices": None, "places": None,
                                            "candidates": []})
        for field in ("max_choices", "places"):
            value = _whole(row.get(field), _header_words()[field], where=where)
            if value is None:
                continue
            if draft[field] not in (None, value):
                raise invalid(where + _("contest “%(contest)s” already has %(field)s %(old)s, this line says %(new)s.",
                                        contest=contest, field=_header_words()[field], old=draft[field],
                                        new=value))
            draft[field] = value
        draft["candidates"].append({"id": cid, "name": name})
        count += 1
        if count > MAX_CANDIDATES or len(drafts) > MAX_CONTESTS:
            raise invalid(_("The list is too long: at most %(n)s candidates in %(m)s contests.",
                            n=MAX_CANDIDATES, m=MAX_CONTESTS))
    out = []
    for draft in drafts.values():
        most = draft["max_choices"] or 1
        out.append({**draft, "max_choices": most, "places": draft["places"] or most})
    return out


# --- drafts carried by the form ------------------------------------------------------------------

def load_drafts(raw: str | None) -> list[dict]:
    """The drafts in the form's hidden field, checked again (the browser could have changed them)."""
    if not raw:
        return []
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    broken = invalid(_("The list of contests on the page could not be read. Start the poll again."), "contests")
    if not isinstance(data, list) or len(data) > MAX_CONTESTS:
        raise broken
    out = []
    for d in data:
        if not isinstance(d, dict) or not isinstance(d.get("title"), str):
            raise broken
        numbers = [d.get("max_choices"), d.get("places")]
        if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in numbers):
            raise broken
        cands = d.get("candidates")
        if not isinstance(cands, list) or not cands:
            raise broken
        kept = []
        for c in cands:
            if (not isinstance(c, dict) or not isinstance(c.get("name"), str)
                    or not (c.get("id") is None or isinstance(c.get("id"), str))):
                raise broken
            _check_candidate(c.get("id"), c["name"].strip(), "", "contests")
            kept.append({"id": c.get("id"), "name": c["name"].strip()})
        out.append({"title": d["title"].strip()[:200], "max_choices": numbers[0],
                    "places": numbers[1], "candidates": kept})
    return out


def finalize(drafts: list[dict]) -> list[dict]:
    """The contests as ``polls.create`` takes them: contest ids contest-1, contest-2, ...; each
    candidate keeps a typed id, the others get c1, c2, ... across the whole poll, skipping any id
    that was typed."""
    typed = {c["id"] for d in drafts for c in d["candidates"] if c.get("id")}
    counter = 0
    out = []
    for i, d in enumerate(drafts, 1):
        candidates = []
        for c in d["candidates"]:
            cid = c.get("id")
            if not cid:
                counter += 1
                while f"c{counter}" in typed:
                    counter += 1
                cid = f"c{counter}"
            candidates.append({"id": cid, "name": c["name"]})
        out.append({"id": f"contest-{i}", "title": d["title"] or _("Contest %(n)s", n=i),
                    "max_choices": d["max_choices"], "places": d["places"],
                    "candidates": candidates})
    return out


# --- named voters --------------------------------------------------------------------------------

def voters_from_lines(text: str, kind: str) -> list[dict]:
    """One voter a line, "name,group"; for leaders the group is unit or city (单位 / 市级 accepted)."""
    out = []
    for number, raw in enumerate((text or "").replace("\ufeff", "").splitlines(), 1):
        if not raw.strip():
            continue
        cells = _cells(raw)
        name = cells[0]
        group = cells[1] if len(cells) > 1 else ""
        where = _("Voters, line %(n)s: ", n=number)
        if len(cells) > 2 and any(cells[2:]):
            raise invalid(where + _("write a name and a group separated by a comma."))
        if not name:
            raise invalid(where + _("the name is missing."))
        if len(name) > 100 or len(group) > 64:
            raise invalid(where + _("the name or the group is too long."))
        if kind == "leaders":
            canonical = GROUP_ALIASES.get(group.lower())
            if canonical is None:
                raise invalid(where + _("the group must be unit or city (unit leaders or city-level leaders)."))
            group = canonical
        out.append({"name": name, "group": group})
    if not out:
        raise invalid(_("Type the voters, one a line: name,group."))
    if len(out) > MAX_VOTERS:
        raise invalid(_("At most %(n)s voters can be entered at once.", n=MAX_VOTERS))
    return out


def slip_voter(token: dict) -> str | None:
    """What a named slip prints as its holder: "name（group）"."""
    name = token.get("name")
    if name is None:
        return None
    group = token.get("group")
    if not group:
        return name
    return f"{name}（{GROUP_ON_SLIP.get(group, group)}）"
