"""The counts that reconcile (应到 / 实到 / 发出 / 收回 / 未投 / 空白 / 废票 / 作废) as every page shows
them: the admin's poll and meeting pages, the chair's dashboard and projector, the bulletin board.
One set of words (docs/glossary.md, "Counts") and one rule for which boxes show
(tally.counts.shown_fields): while open all eight; after the close 未投 is part of 作废 and shown
inside its box, so that the boxes shown add up to 发出. The figures are the ``counts`` object of
the results document or the turnout (tally.counts.reconcile), drawn as they stand.

The older figure of the slips that can still vote (the top-level ``issued``, net of lost batches)
is never called 发出: where a page needs it (more slips than members present) it says so in words.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import pgettext

from tally import counts as tc


def labels() -> dict[str, str]:
    """The box words, in the language of this request (a context of their own: 发出 on a box, not
    the 已发放 of a sentence)."""
    return {
        "expected": pgettext("count tile", "Expected"),
        "present": pgettext("count tile", "Present"),
        "issued": pgettext("count tile", "Issued"),
        "returned": pgettext("count tile", "Returned"),
        "not_voted": pgettext("count tile", "Not voted"),
        "blank": pgettext("count tile", "Blank"),
        "spoiled": pgettext("count tile", "Spoiled"),
        "voided": pgettext("count tile", "Voided"),
    }


def unused_note(counts: dict, closed: bool) -> str:
    """After the close, the part of 作废 unused at the close, in words ("其中结束时未用 999"); ""
    while open or when there is none."""
    unused = tc.unused_at_close(counts, closed=closed)
    return _("of which %(n)s unused at the close", n=unused) if unused else ""


def boxes(counts: dict | None, closed: bool, keys: tuple[str, ...] | None = None) -> list[dict]:
    """The boxes to draw, in order: ``key``, ``value`` (None when unknown: 实到 not recorded),
    ``label`` and ``note`` (the 作废 box's unused part after the close). ``keys`` narrows them
    (the projector shows fewer while voting goes on); 未投 never shows after the close."""
    if not counts:
        return []
    words = labels()
    shown = [k for k in tc.shown_fields(closed=closed) if keys is None or k in keys]
    return [{"key": k, "value": counts.get(k), "label": words[k],
             "note": unused_note(counts, closed) if k == "voided" else ""} for k in shown]


def helpers() -> dict:
    return {"count_boxes": boxes, "count_labels": labels()}
