"""The event log page: the hash-chained record in sentences, and whether the chain holds.

Each entry reads as a sentence on the room's clock (admin/log_texts.py); its raw form (type,
payload, hash) opens on demand. Filters by meeting, poll and type. The API and
``ballotroom log`` keep the raw form.
"""

from __future__ import annotations

import json

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from kiosk.store import eventlog
from kiosk.web.context import db

from .auth import login_required
from .log_texts import TYPE_LABELS, Names, local, sentence, subject

bp = Blueprint("log", __name__)
PAGE = 100

PROBLEMS = {
    "sequence": _l("Entry %(seq)s is out of sequence: an entry before it was removed or moved."),
    "link": _l("Entry %(seq)s does not point at the entry before it: an entry was removed, added or moved."),
    "content": _l("Entry %(seq)s does not match its hash: its contents were changed."),
}


@bp.get("/")
@login_required("admin", "chair", "scrutineer")
def index():
    rows = db().query("SELECT * FROM events ORDER BY seq")
    problems = eventlog.verify(rows)
    names = Names(db().query)
    chosen = {key: request.args.get(key, "") for key in ("meeting", "poll", "type")}
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    entries = []
    for row in reversed(rows):
        entry = _entry(row, names)
        if _shown(entry, chosen):
            entries.append(entry)
    pages = max(1, -(-len(entries) // PAGE))
    page = min(page, pages)
    for entry in entries[(page - 1) * PAGE: page * PAGE]:
        entry["sentence"] = sentence(entry, names)
        entry["local"] = local(entry["at"])
    return render_template(
        "admin/log.html", entries=entries[(page - 1) * PAGE: page * PAGE], total=len(rows),
        shown=len(entries), problems=[_problem(p) for p in problems[:20]], broken=bool(problems),
        page=page, pages=pages, chosen=chosen, names=names,
        types=sorted({r["type"] for r in rows}, key=lambda t: str(TYPE_LABELS.get(t, t))),
        type_label=lambda t: str(TYPE_LABELS.get(t, t)))


def _entry(row, names: Names) -> dict:
    entry = dict(row)
    try:
        entry["payload_obj"] = json.loads(row["payload"])
    except ValueError:
        entry["payload_obj"] = {}
    if not isinstance(entry["payload_obj"], dict):
        entry["payload_obj"] = {}
    entry["meeting"], entry["poll"], entry["round"] = subject(row["type"], entry["payload_obj"], names)
    entry["payload_pretty"] = json.dumps(entry["payload_obj"], ensure_ascii=False, indent=1, sort_keys=True)
    return entry


def _shown(entry: dict, chosen: dict) -> bool:
    if chosen["meeting"] and entry["meeting"] != chosen["meeting"]:
        return False
    if chosen["poll"] and entry["poll"] != chosen["poll"]:
        return False
    return not chosen["type"] or entry["type"] == chosen["type"] or entry["type"].startswith(chosen["type"] + ".")


def _problem(problem: str) -> str:
    """A problem of eventlog.verify in the page's language (it says "entry N: ..." in English)."""
    seq = problem.split(":", 1)[0].removeprefix("entry ").strip()
    if "sequence" in problem:
        return str(PROBLEMS["sequence"]) % {"seq": seq}
    if "previous" in problem:
        return str(PROBLEMS["link"]) % {"seq": seq}
    return str(PROBLEMS["content"]) % {"seq": seq}
