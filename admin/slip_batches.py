"""Freshly issued slips, kept in the server's memory only until their PDF is downloaded.

Tokens are shown once and only their keyed hashes are stored (SECURITY.md, "One voter, one vote"). So
that the clerk can still download the printable PDF of a batch just issued, the batch's slips are
kept here: in memory (never on disk, never in the session cookie), under a random batch id, for at
most ``TTL`` seconds, and deleted by the first download. A timer deletes an expired batch even if
nobody asks for it again.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import Flask

from kiosk.documents.slips import Slip

TTL = 30 * 60  # seconds a batch is kept
FORM_TTL = 12 * 3600  # seconds a used issuing form is remembered (against a resubmitted form)
EXTENSION = "ballotroom_slip_batches"


@dataclass
class Batch:
    poll_id: str
    poll_title: str
    meeting_title: str
    slips: Sequence[Slip]
    expires: float  # time.monotonic()
    timer: threading.Timer | None = field(default=None, repr=False)


class SlipBatches:
    def __init__(self, ttl: float = TTL):
        self.ttl = ttl
        self._batches: dict[str, Batch] = {}
        self._used_forms: dict[str, float] = {}
        self._lock = threading.Lock()

    def put(self, poll_id: str, poll_title: str, meeting_title: str, slips: Sequence[Slip]) -> str:
        batch_id = secrets.token_urlsafe(18)
        batch = Batch(poll_id, poll_title, meeting_title, tuple(slips), time.monotonic() + self.ttl)
        batch.timer = threading.Timer(self.ttl, self._expire, args=(batch_id,))
        batch.timer.daemon = True
        with self._lock:
            self._purge()
            self._batches[batch_id] = batch
        batch.timer.start()
        return batch_id

    def take(self, batch_id: str, poll_id: str) -> Batch | None:
        """Remove and return the batch, or None if unknown, expired, or of another poll."""
        with self._lock:
            self._purge()
            batch = self._batches.get(batch_id)
            if batch is None or batch.poll_id != poll_id:
                return None
            del self._batches[batch_id]
        if batch.timer is not None:
            batch.timer.cancel()
        return batch

    def put_back(self, batch_id: str, batch: Batch) -> None:
        """Return a taken batch (its PDF could not be made); it keeps its expiry."""
        remaining = batch.expires - time.monotonic()
        if remaining <= 0:
            return
        batch.timer = threading.Timer(remaining, self._expire, args=(batch_id,))
        batch.timer.daemon = True
        with self._lock:
            self._batches[batch_id] = batch
        batch.timer.start()

    def __contains__(self, batch_id: str) -> bool:
        with self._lock:
            self._purge()
            return batch_id in self._batches

    def __len__(self) -> int:
        with self._lock:
            self._purge()
            return len(self._batches)

    def form_used(self, nonce: str) -> bool:
        """True if this issuing form was sent before; marks it as used otherwise."""
        now = time.monotonic()
        with self._lock:
            for key in [k for k, t in self._used_forms.items() if t < now]:
                del self._used_forms[key]
            if nonce in self._used_forms:
                return True
            self._used_forms[nonce] = now + FORM_TTL
            return False

    def _expire(self, batch_id: str) -> None:
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is not None and batch.expires <= time.monotonic() + 0.5:
                del self._batches[batch_id]

    def _purge(self) -> None:
        now = time.monotonic()
        for key in [k for k, b in self._batches.items() if b.expires <= now]:
            batch = self._batches.pop(key)
            if batch.timer is not None:
                batch.timer.cancel()


def store(app: Flask) -> SlipBatches:
    existing = app.extensions.get(EXTENSION)
    if existing is None:
        existing = app.extensions.setdefault(EXTENSION, SlipBatches())
    return existing
