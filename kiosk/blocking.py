"""Where work that blocks runs: a commit's fsync, a password hash, a long computation.

By default, right here (the caller's thread). The production server (kiosk/cli/server.py) serves
every connection on one gevent loop, where a call that blocks without yielding stops every other
connection, ballots included; it therefore hands such calls to gevent's pool of native threads
with ``use``. The work must not need a request or app context (a native thread has none): it
takes plain values and returns plain values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def _here(function: Callable[..., T], *args: Any) -> T:
    return function(*args)


_runner: Callable[..., Any] = _here


def run(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)``, wherever blocking work runs in this process."""
    return _runner(function, *args)


def use(runner: Callable[..., Any]) -> None:
    """Run blocking work with ``runner(function, *args)`` from now on (the gevent server's pool)."""
    global _runner
    _runner = runner
