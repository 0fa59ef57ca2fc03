"""A poll's record for its result sheet: where it was held, and who chaired it (主持人),
scrutinised it (监票人) and counted it (计票人). The administrator enters the names; each person
signs the sheet on a line of their own. Nothing here touches slips or ballots."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from kiosk.errors import Refusal
from kiosk.store import eventlog
from kiosk.store.db import Database

MAX_NAMES = 9  # per role: a sheet has room for this many signature lines
MAX_NAME = 50
MAX_PLACE = 200

# One name a line; a list typed on one line with the Chinese or Western separators works too.
_SEPARATORS = re.compile(r"[\n\r,，、;；]+")


def names(text: str | None) -> list[str]:
    """The names stored for a role, in the order entered."""
    return [n.strip() for n in _SEPARATORS.split(text or "") if n.strip()]


def _names(value: object, field: str, label, *, most: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Refusal(400, "invalid", detail=_l("%(role)s: give the names as text, one a line", role=label), field=field)
    found = names(value)
    if len(found) > most:
        raise Refusal(400, "invalid", detail=_l("%(role)s: at most %(n)s names", role=label, n=most), field=field)
    for name in found:
        if len(name) > MAX_NAME:
            raise Refusal(400, "invalid", detail=_l("%(role)s: a name has at most %(n)s characters", role=label, n=MAX_NAME),
                          field=field)
    return "\n".join(found)


ROLE_LABELS = {"chair_name": _l("Chair"), "scrutineer_names": _l("Scrutineers"), "teller_names": _l("Tellers")}


def get(db: Database, poll_id: str) -> dict:
    row = db.one("SELECT place, chair_name, scrutineer_names, teller_names FROM polls WHERE id = ?", (poll_id,))
    if row is None:
        raise Refusal(404, "not_found")
    return {"place": row["place"], "chair": names(row["chair_name"]),
            "scrutineers": names(row["scrutineer_names"]), "tellers": names(row["teller_names"])}


def save(db: Database, actor: str, poll_id: str, place: object, chair: object, scrutineers: object,
         tellers: object) -> dict:
    """Store the record (any state: names are often settled after the count); bad input changes
    nothing and names the field."""
    if place is None:
        place = ""
    if not isinstance(place, str) or len(place.strip()) > MAX_PLACE:
        raise Refusal(400, "invalid", detail=_l("the place has at most %(n)s characters", n=MAX_PLACE), field="place")
    values = {
        "place": " ".join(place.split()),
        "chair_name": _names(chair, "chair", ROLE_LABELS["chair_name"], most=1),
        "scrutineer_names": _names(scrutineers, "scrutineers", ROLE_LABELS["scrutineer_names"], most=MAX_NAMES),
        "teller_names": _names(tellers, "tellers", ROLE_LABELS["teller_names"], most=MAX_NAMES),
    }
    with db.write() as conn:
        if conn.execute("SELECT 1 FROM polls WHERE id = ?", (poll_id,)).fetchone() is None:
            raise Refusal(404, "not_found")
        conn.execute("UPDATE polls SET place = ?, chair_name = ?, scrutineer_names = ?, teller_names = ? WHERE id = ?",
                     (*values.values(), poll_id))
        eventlog.append(conn, actor, "poll.records", {"poll": poll_id, **values})
    return get(db, poll_id)
