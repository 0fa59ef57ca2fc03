"""When an open secret poll's live tally may move (SECURITY.md, Secrecy): the one rule the server
ships (kiosk/domain/counting.maybe_publish calls it)."""

from __future__ import annotations


def batch_due(cast: int, published_cast: int, batch: int) -> bool:
    """At least ``batch`` new ballots (5 by default, rules.live_batch_size) arrived since the last
    published batch. Only the first half of ``publish_due``: the server checks it before
    recounting, as a cheap way to skip most arrivals."""
    return cast - published_cast >= batch


def publish_due(cast: int, published_cast: int, issued: int, batch: int) -> bool:
    """May the live tally move now? Two conditions, both in ballots:

    - at least ``batch`` new ballots since the last published batch, so a watcher of the screen
      cannot tie one change to one voter;
    - at least ``batch`` issued slips still unused, so the end of the vote stays hidden too: the
      final result, shown at the close, then differs from the last published tally by at least
      ``batch`` ballots whenever the slips issued are used, and cannot single out the last ones.

    On closing, the final count is published whatever the batch: the glue does that, not this.
    """
    return batch_due(cast, published_cast, batch) and issued - cast >= batch
