"""Throttling of failed token attempts (guessing codes), per client address.

Only failures count (a typo, an unknown code), so a room voting at full speed
is never slowed down, while guessing is capped. Flask-Limiter's decorator
costs about a millisecond per request on the ballot path; the `limits`
library underneath it, called directly, costs microseconds. Memory storage:
nothing about who tried what is written anywhere.
"""

from __future__ import annotations

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from kiosk.errors import Refusal

FAILURE_STATUSES = (400, 404)


class FailureThrottle:
    def __init__(self, limit: str):
        self.item = parse(limit)
        self.window = MovingWindowRateLimiter(MemoryStorage())

    def check(self, client: str) -> None:
        """Refuse (429) a client that has failed too often lately."""
        if not self.window.test(self.item, client):
            raise Refusal(429, "rate_limited")

    def failed(self, client: str) -> None:
        self.window.hit(self.item, client)

    def observe(self, client: str, status: int) -> None:
        if status in FAILURE_STATUSES:
            self.failed(client)
