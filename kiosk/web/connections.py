"""Who may hold a live connection open, and how many (the room's capacity).

Two layers, both sized by the instance settings (``live_*`` in kiosk/store/instance.py):

- :class:`SocketGate`, WSGI middleware in front of Socket.IO, admits at most
  ``live_keyless_total + live_staff_total`` Socket.IO transports at once (an open
  websocket, or a long-poll request in flight), and from one address at most
  ``live_keyless_per_address + live_staff_per_key``. The server's connection pool is
  this capacity plus the idle keep-alive connections plus ``http_connections``
  (kiosk/cli/server.py), so sockets can never take the room that pages, the API and ballots
  need. Over the limit the request is answered at once with 429 or 503 and a sentence
  saying why.
- :class:`LiveLimits`, consulted by the ``connect`` handler of ``/live``: connections
  without a key are limited per address and in total; staff connections (an API key in
  ``auth``, or a logged-in session) per key or user and in total. When the server runs as
  several processes these counts are over all of them, kept in Redis with an expiry so a dead
  process's connections stop counting (kiosk/web/cluster.py); the gate stays per process, since
  it guards that process's own pool. A refused connection
  gets a Socket.IO connect error whose ``message`` is in the user's language and whose
  ``data.error`` is a stable code.

Every refusal is logged (at most once a minute per reason and address, so a device that
keeps trying cannot flood the log).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from kiosk.web import cluster

log = logging.getLogger(__name__)

MESSAGES = {
    "live_address_full": _l(
        "This device already has %(limit)s live connections open, the most one device may "
        "have. Close other pages of this server on it, or wait a minute and reload."),
    "live_keyless_full": _l(
        "The room's live connections for tablets are all in use (%(limit)s). The page still "
        "works; reload it in a minute to get live updates again."),
    "live_key_full": _l(
        "This key or login already has %(limit)s live connections open, the most allowed. "
        "Close a dashboard you no longer need, then reload."),
    "live_staff_full": _l(
        "The room's live connections for chairs and administrators are all in use "
        "(%(limit)s). Close a dashboard you no longer need, then reload."),
    "live_server_full": _l(
        "The server holds as many live connections as it can (%(limit)s). Reload the page "
        "in a minute."),
}

LOG_EVERY = 60.0  # seconds between two log lines for the same reason and source


@dataclass(frozen=True)
class LiveCapacity:
    keyless_per_address: int
    keyless_total: int
    staff_per_key: int
    staff_total: int

    @classmethod
    def from_settings(cls, settings) -> LiveCapacity:
        return cls(settings.live_keyless_per_address, settings.live_keyless_total,
                   settings.live_staff_per_key, settings.live_staff_total)

    @property
    def transports(self) -> int:
        """Socket.IO transports the server holds at once (threads of its pool)."""
        return self.keyless_total + self.staff_total

    @property
    def transports_per_address(self) -> int:
        """Transports one address may hold: its keyless share plus one key's staff share, so a
        chair's computer with several dashboards open is never refused at this layer."""
        return self.keyless_per_address + self.staff_per_key


class Refused(Exception):
    def __init__(self, code: str, limit: int):
        super().__init__(code)
        self.code = code
        self.limit = limit

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % {"limit": self.limit}


class _LogThrottle:
    def __init__(self):
        self._last: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def warn(self, code: str, source: str, text: str, *args) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last.get((code, source), -LOG_EVERY) < LOG_EVERY:
                return
            self._last[(code, source)] = now
            if len(self._last) > 10000:  # forget old sources; the log is only throttled
                self._last = {k: v for k, v in self._last.items() if now - v < LOG_EVERY}
        log.warning(text, *args)


class LiveLimits:
    """Counts of open ``/live`` connections, by address (keyless) and by key (staff)."""

    def __init__(self, capacity: LiveCapacity, shared: cluster.SharedCounts | None = None):
        self.capacity = capacity
        # Several processes (serve --workers N): the counts are checked over all of them in Redis.
        self.shared = shared
        self._lock = threading.Lock()
        self._by_sid: dict[str, tuple[str, str]] = {}  # sid -> ("keyless", address) | ("staff", key)
        self._keyless: dict[str, int] = {}
        self._staff: dict[str, int] = {}
        self._keyless_total = 0
        self._staff_total = 0
        self._log = _LogThrottle()

    def admit(self, sid: str, address: str, staff_key: str | None) -> None:
        """Count the connection in, or raise :class:`Refused` (logged)."""
        c = self.capacity
        if staff_key is None:
            entry, limits = ("keyless", address), (c.keyless_per_address, c.keyless_total)
            codes = ("live_address_full", "live_keyless_full")
        else:
            entry, limits = ("staff", staff_key), (c.staff_per_key, c.staff_total)
            codes = ("live_key_full", "live_staff_full")
        over = self._over_shared(entry, limits) if self.shared is not None else None
        with self._lock:
            kind, who = entry
            counts = self._keyless if kind == "keyless" else self._staff
            total = self._keyless_total if kind == "keyless" else self._staff_total
            if over is None:  # one process, or Redis away: this process's own counts
                over = 1 if counts.get(who, 0) >= limits[0] else 2 if total >= limits[1] else 0
            if not over:
                counts[who] = counts.get(who, 0) + 1
                if kind == "keyless":
                    self._keyless_total += 1
                else:
                    self._staff_total += 1
                self._by_sid[sid] = entry
                return
        refused = Refused(codes[over - 1], limits[over - 1])
        who = f"address {address}" if staff_key is None else f"{staff_key} (from {address})"
        self._log.warn(refused.code, staff_key or address, "live connection refused (%s, limit %s): %s",
                       refused.code, refused.limit, who)
        raise refused

    def _over_shared(self, entry: tuple[str, str], limits: tuple[int, int]) -> int | None:
        """Checked and counted over every process (kiosk/web/cluster.py); None if Redis is away."""
        try:
            return self.shared.admit(_field(entry), limits[0], entry[0], limits[1])
        except cluster.ERRORS:
            self._log.warn("redis", "", "live connection counts: Redis unreachable, counting in this process only")
            return None

    def renew(self) -> None:
        """Keep this process's counts alive in Redis (called every few seconds)."""
        with self._lock:
            counts = {_field(("keyless", a)): n for a, n in self._keyless.items()}
            counts.update({_field(("staff", k)): n for k, n in self._staff.items()})
            counts.update(keyless=self._keyless_total, staff=self._staff_total)
        try:
            self.shared.renew(counts)
        except cluster.ERRORS:
            pass  # lapses; set right on the next renewal after Redis is back

    def release(self, sid: str) -> None:
        with self._lock:
            entry = self._by_sid.pop(sid, None)
            if entry is None:
                return
            kind, who = entry
            counts = self._keyless if kind == "keyless" else self._staff
            counts[who] -= 1
            if not counts[who]:
                del counts[who]
            if kind == "keyless":
                self._keyless_total -= 1
            else:
                self._staff_total -= 1
        if self.shared is not None:
            try:
                self.shared.release(_field(entry), kind)
            except cluster.ERRORS:
                pass  # the next renewal rewrites this process's counts whole

    def counts(self) -> dict:
        with self._lock:
            return {"keyless": self._keyless_total, "staff": self._staff_total}


def _field(entry: tuple[str, str]) -> str:
    kind, who = entry
    return ("a:" if kind == "keyless" else "k:") + who


class SocketGate:
    """WSGI middleware: bounds the Socket.IO transports held open, per address and in total."""

    def __init__(self, app, inner, capacity: LiveCapacity, path: str = "/socket.io"):
        self.app = app
        self.inner = inner
        self.capacity = capacity
        self.path = path.rstrip("/") + "/"
        self._lock = threading.Lock()
        self._open: dict[str, int] = {}
        self._total = 0
        self._log = _LogThrottle()

    def __call__(self, environ, start_response):
        if not (environ.get("PATH_INFO") or "").startswith(self.path):
            return self.inner(environ, start_response)
        address = environ.get("REMOTE_ADDR") or ""
        c = self.capacity
        with self._lock:
            if self._open.get(address, 0) >= c.transports_per_address:
                refused = Refused("live_address_full", c.transports_per_address)
            elif self._total >= c.transports:
                refused = Refused("live_server_full", c.transports)
            else:
                refused = None
                self._open[address] = self._open.get(address, 0) + 1
                self._total += 1
        if refused is not None:
            self._log.warn(refused.code, address, "live transport refused (%s, limit %s): address %s",
                           refused.code, refused.limit, address)
            return self._refuse(environ, start_response, refused)
        try:
            # A websocket runs inside this call for as long as it is open; a long-poll until
            # its answer is sent. Either way the count is released when the call returns.
            result = self.inner(environ, start_response)
            try:
                return list(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            with self._lock:
                self._total -= 1
                left = self._open[address] - 1
                if left:
                    self._open[address] = left
                else:
                    del self._open[address]

    def open_transports(self) -> int:
        with self._lock:
            return self._total

    def _refuse(self, environ, start_response, refused: Refused):
        status = "429 Too Many Requests" if refused.code == "live_address_full" else "503 Service Unavailable"
        with self.app.request_context(environ):  # the sentence in the client's language
            body = json.dumps({"error": refused.code, "message": refused.message,
                               "detail": {"limit": refused.limit}}, ensure_ascii=False).encode("utf-8")
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                                ("Cache-Control", "no-store"), ("Retry-After", "60")])
        return [body]


def install(app) -> None:
    """Put the gate around Socket.IO's middleware (inside the room's network check)."""
    capacity = LiveCapacity.from_settings(app.config["SETTINGS"])
    redis_client = app.extensions.get("ballotroom_redis")
    app.extensions["ballotroom_live_limits"] = LiveLimits(
        capacity, cluster.SharedCounts(redis_client) if redis_client is not None else None)
    gate = SocketGate(app, app.wsgi_app, capacity)
    app.extensions["ballotroom_socket_gate"] = gate
    app.wsgi_app = gate
