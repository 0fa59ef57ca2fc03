"""Who has answered a named poll (interview recommendation, leadership evaluation).

Named polls record who answered by design (SECURITY.md, "Secrecy"); only the administrator sees it.
A secret poll records nobody, and this module refuses to be asked about one.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kiosk.domain import polls
from kiosk.errors import Refusal
from kiosk.store.db import Database


def answered_by(db: Database, poll_id: str) -> list[dict]:
    """Every named voter of the poll with whether their slip was used, by group then name."""
    poll = polls.get(db, poll_id)
    if poll["secret"]:
        raise Refusal(409, "state", detail=_l("this poll is secret: who voted is never recorded"))
    rows = db.query(
        "SELECT voter_name, voter_group, state FROM tokens WHERE poll_id = ?", (poll_id,))
    voters = [
        {"name": r["voter_name"] or "", "group": r["voter_group"] or "", "state": r["state"],
         "answered": r["state"] == "used"}
        for r in rows
    ]
    voters.sort(key=lambda v: (v["group"], v["name"]))
    return voters
