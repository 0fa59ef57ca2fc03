"""Throttling of failed token attempts (guessing codes), per client address.

Only failures count (a typo, an unknown code), so a room voting at full speed
is never slowed down, while guessing is capped. Flask-Limiter's decorator
costs about a millisecond per request on the ballot path; the `limits`
library underneath it, called directly, costs microseconds. Memory storage:
nothing about who tried what is written anywhere. When the server runs as several processes
(``serve --workers N``) the windows live in Redis instead, so a guesser cannot multiply the
limit by the number of processes; Redis keeps them in memory and they expire with the window.
If Redis cannot be reached, the process counts in its own memory meanwhile: the ballot path
never fails because the throttle's storage did.
"""

from __future__ import annotations

import logging
import time

from limits import parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from redis import RedisError

from kiosk.errors import Refusal

FAILURE_STATUSES = (400, 404)
# What a storage that lost its Redis raises.
_UNREACHABLE = (StorageError, RedisError, OSError)
log = logging.getLogger(__name__)
RETRY_AFTER = 5.0


class FailureThrottle:
    def __init__(self, limit: str, redis_url: str | None = None, name: str = "tokens"):
        self.item = parse(limit)
        self.window = self.local = MovingWindowRateLimiter(MemoryStorage())
        self._away_until = 0.0
        if redis_url:
            storage = storage_from_string(redis_url, key_prefix=f"ballotroom:throttle:{name}",
                                          socket_connect_timeout=2, socket_timeout=2)
            self.window = MovingWindowRateLimiter(storage)

    def _ask(self, method: str, client: str) -> bool:
        # After Redis failed, this process counts alone for RETRY_AFTER seconds before asking
        # Redis again, so a Redis that is gone costs the ballot path nothing.
        if self.window is not self.local and time.monotonic() >= self._away_until:
            try:
                return getattr(self.window, method)(self.item, client)
            except _UNREACHABLE:
                log.warning("failure throttle: Redis unreachable, counting in this process for %s s",
                            RETRY_AFTER)
                self._away_until = time.monotonic() + RETRY_AFTER
        return getattr(self.local, method)(self.item, client)

    def check(self, client: str) -> None:
        """Refuse (429) a client that has failed too often lately."""
        if not self._ask("test", client):
            raise Refusal(429, "rate_limited")

    def failed(self, client: str) -> None:
        self._ask("hit", client)

    def observe(self, client: str, status: int) -> None:
        if status in FAILURE_STATUSES:
            self.failed(client)
