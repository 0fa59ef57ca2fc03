"""When an open secret poll's live tally may move (SECURITY.md, Secrecy)."""

from __future__ import annotations

from tally.rules import Rules


def publish_due(cast: int, published_cast: int, rules: Rules) -> bool:
    """True once at least k new ballots (5 by default) arrived since the last published batch.

    Moving in batches means a watcher of the screen cannot tie one change to one voter. On
    closing, the final count is published whatever the batch: the glue does that, not this.
    """
    return cast - published_cast >= rules.live_batch_size
