"""The live tally's batch rule as the server ships it (tally/live.py, called by
kiosk/domain/counting.maybe_publish): batches of k new ballots, and never the last k slips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tally.live import batch_due, publish_due
from tally.rules import default_rules

K = default_rules().live_batch_size  # 5


@pytest.mark.parametrize(
    ("cast", "published", "issued", "due", "why"),
    [
        (4, 0, 100, False, "4 new ballots are not a batch"),
        (5, 0, 100, True, "the 5th new ballot makes a batch"),
        (9, 5, 100, False, "4 since the last batch"),
        (10, 5, 100, True, "5 since the last batch"),
        (5, 0, 10, True, "5 slips still unused: exactly k is enough"),
        (6, 0, 10, False, "4 slips unused: the end of the vote stays hidden"),
        (10, 0, 10, False, "every slip used: only the close shows the result"),
        (20, 5, 24, False, "a batch is due but only 4 slips remain"),
        (20, 5, 25, True, "a batch is due and 5 slips remain"),
        (0, 0, 0, False, "nothing issued, nothing cast"),
    ],
)
def test_boundaries(cast, published, issued, due, why):
    assert publish_due(cast, published, issued, K) is due, why


@given(
    published=st.integers(0, 500),
    new=st.integers(0, 500),
    unused=st.integers(0, 500),
    batch=st.integers(1, 50),
)
def test_due_exactly_when_a_batch_arrived_and_a_batch_of_slips_is_left(published, new, unused, batch):
    cast = published + new
    issued = cast + unused
    assert publish_due(cast, published, issued, batch) is (new >= batch and unused >= batch)
    # The cheap pre-check never refuses what the whole rule allows.
    assert batch_due(cast, published, batch) or not publish_due(cast, published, issued, batch)


@given(published=st.integers(0, 500), new=st.integers(0, 500), batch=st.integers(1, 50))
def test_the_published_tally_hides_each_of_the_last_batch(published, new, batch):
    """Whatever the slips issued, a published tally is at least k ballots behind the last slip
    and at least k ahead of the previous tally: no publication isolates fewer than k ballots."""
    cast = published + new
    for issued in range(cast, cast + 2 * batch):
        if publish_due(cast, published, issued, batch):
            assert cast - published >= batch and issued - cast >= batch


def test_polls_ship_this_rule():
    """kiosk/domain/counting.maybe_publish decides with tally.live, not with a copy of it."""
    import inspect

    from kiosk.domain import counting

    source = inspect.getsource(counting.maybe_publish)
    assert "tl.publish_due(" in source and "tl.batch_due(" in source
    assert "< batch" not in source and ">= batch" not in source
