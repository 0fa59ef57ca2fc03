"""What the chair's pages draw beside the tally: the reconciled counts as tiles, and each selection
round's four stages, read-only.

Count tiles: the results document's and the turnout's ``counts`` object (tally.counts decides it),
drawn as it stands, in the order of tally.counts.FIELDS. While a poll is open the projector shows
only what moves with turnout (no blank: that comes with the tally).

Stages: the timeline is the stages' own (kiosk.stages.timeline); the chair's pages only draw it
(templates/chair/_stages.html). A poll belongs to a round when it feeds the round's score sheet
(polls.round_id) or when a stage generated it (stage_polls).
"""

from __future__ import annotations

from kiosk.domain import rounds
from kiosk.stages import timeline as stage_timeline
from kiosk.stages.core import STAGE_LABELS
from kiosk.store.db import Database
from kiosk.web import count_words
from tally.counts import FIELDS as COUNT_FIELDS

STATE_LABELS = stage_timeline.STATE_LABELS


def count_labels() -> dict[str, str]:
    """The tile words (kiosk.web.count_words, the one source every page's counts take them from)."""
    return count_words.labels()


# The projector while voting goes on: turnout only (no blank: it comes with the tally), and 作废 so
# that the boxes shown add up to 发出.
PROJECTOR_OPEN = ("expected", "present", "issued", "returned", "not_voted", "voided")


def round_of_poll(db: Database, poll_id: str) -> str | None:
    row = db.one(
        "SELECT coalesce(p.round_id, (SELECT rs.round_id FROM stage_polls sp"
        " JOIN round_stages rs ON rs.id = sp.stage_id WHERE sp.poll_id = p.id LIMIT 1)) AS round_id"
        " FROM polls p WHERE p.id = ?", (poll_id,))
    return row["round_id"] if row else None


def timeline_of_poll(db: Database, poll_id: str) -> dict | None:
    """The timeline of the round this poll belongs to, if any."""
    round_id = round_of_poll(db, poll_id)
    return stage_timeline.timeline(db, round_id) if round_id else None


def all_timelines(db: Database) -> list[dict]:
    """Every round's timeline, newest round first."""
    return [stage_timeline.timeline(db, r["id"]) for r in rounds.all_rounds(db)]


def helpers() -> dict:
    return {"stage_name": lambda stage: str(STAGE_LABELS.get(stage, stage)),
            "stage_state_name": lambda state: str(STATE_LABELS.get(state, state)),
            "count_fields": COUNT_FIELDS, "count_labels": count_labels(), "projector_open_counts": PROJECTOR_OPEN}
