"""Live updates over Socket.IO (docs/api.md, "Live events").

Namespace /live. Chairs and administrators (API key in `auth`, or their login
session) `watch` a poll and receive `turnout` (one by one) and `tally` (only
in batches of at least k new ballots, SECURITY.md "Secrecy"). Everyone, tablets
included, receives `state` when a poll opens or closes, and nothing else.

Ballot arrivals are coalesced by one background publisher, so the intake
path never waits for a tally to be computed.

How many connections a device, a key and the room may hold is counted in
kiosk/web/connections.py; a connection over its share is refused on `connect`
with the reason in the user's language.

With several processes (kiosk/web/cluster.py) live updates cross between them through Redis.
When that link is down (Redis stopped, or this process not yet listening to it again) nothing
the publisher sends reaches the dashboards here, while ballots are still stored: each process
then tells the dashboards connected to it, `paused` {"paused": true}, and the answer to `watch`
carries the same flag; when the link is back it sends `paused` {"paused": false} with every
watched poll's turnout and last published tally, so the page catches up at once. A dashboard
that reconnects meanwhile learns the state from the answer to its `watch`.

Why the process tells its own clients over their sockets rather than the page polling an HTTP
status: the socket between a dashboard and its process never passes through Redis, so it still
works when the queue does not, and the process knows the moment its link fails. A page that
polled when no live event had arrived for a while would have to guess "a while": with the
tally moving only every k ballots and nobody voting, silence is normal; and each poll would
land on whichever process nginx chose, which may not be the one whose link is down. A page
whose own socket is down already says so ("Reconnecting…") and asks again on reconnecting.
"""

from __future__ import annotations

import hashlib
import threading
import time
import weakref

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, SocketIO, emit, join_room

from kiosk.domain import accounts, counting, polls
from kiosk.store import eventlog
from kiosk.web import cluster, connections
from kiosk.web.context import current_rules, db

NAMESPACE = "/live"
REFRESH = 10.0  # seconds between two sendings of the published tallies, with several processes
WATCH_ROLES = ("admin", "chair")
WATCHERS = "watchers"  # the room of every connection that watches a poll (the `paused` event)


def room(poll_id: str) -> str:
    return f"poll:{poll_id}"


class Publisher:
    """Coalesces arrivals: wakes at most every `interval` seconds, so a busy room
    costs one recount per interval, not one per ballot.

    When the server runs as several processes (kiosk/web/cluster.py) every process has one, but
    only the one holding the publisher's lock publishes: the others pass the polls their ballots
    arrived for to Redis, and the holder takes them from there. Each loop renews the lock; a
    holder that dies stops renewing it, and within its time to live another process takes it
    and publishes every open poll that is due."""

    def __init__(self, socketio: SocketIO, app, interval: float = 1.0,
                 leadership: cluster.Leadership | None = None, dirty: cluster.DirtyPolls | None = None,
                 heartbeat=None, link: cluster.Link | None = None):
        self.socketio = socketio
        self.app = app
        self.interval = interval
        self.leadership = leadership
        self.shared_dirty = dirty
        self.heartbeat = heartbeat  # called every loop with several processes (connection counts)
        self._dirty: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._started = False
        self._refreshed = time.monotonic()
        self.link = link
        self.paused = False  # live updates do not cross between processes now (module docstring)
        self.watched: set[str] = set()  # polls watched by connections of this process

    def start(self) -> None:
        """Run the loop from now on (with several processes: so that any of them may be chosen)."""
        with self._lock:
            if not self._started:
                self._started = True
                self.socketio.start_background_task(self._run)

    def arrived(self, poll_id: str) -> None:
        with self._lock:
            self._dirty.add(poll_id)
        self.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            # With several processes the loop also runs without arrivals: the lock must be
            # renewed, and the ballots may have arrived at another process.
            self._wake.wait(None if self.leadership is None else self.interval)
            self._wake.clear()
            with self._lock:
                dirty, self._dirty = self._dirty, set()
            if self.leadership is not None:
                dirty = self._shared(dirty)
            with self.app.app_context():
                if self.link is not None:
                    self._check_link()
                for poll_id in dirty:
                    try:
                        self.flush(poll_id)
                    except Exception:  # a failed publication must not stop later ones
                        self.app.logger.exception("live publication failed for poll %s", poll_id)
                if self.leadership is not None and self.leadership.held:
                    self._refresh()
            self.socketio.sleep(self.interval)

    def _check_link(self) -> None:
        """Tell this process's dashboards when live updates stop or start crossing between the
        processes; on their return, send the watched polls' turnout and last published tally
        (nothing new is revealed: the batch rule decided what was published)."""
        paused = not self.link.up()
        if paused == self.paused:
            return
        self.paused = paused
        if paused:
            self.app.logger.warning("live updates paused: Redis is unreachable (ballots are still stored)")
        else:
            self.app.logger.warning("live updates resumed: Redis answers again")
        self._local("paused", {"paused": paused}, WATCHERS)
        if paused:
            return
        database, rules = self.app.extensions["ballotroom_db"], self.app.config["RULES"]
        for poll_id in sorted(self.watched):
            try:
                for event, data in current(database, rules, poll_id):
                    self._local(event, data, room(poll_id))
            except Exception:  # the publisher's next batch and refresh send them too
                self.app.logger.exception("live catch-up failed for poll %s", poll_id)

    def _local(self, event: str, data: dict, to: str) -> None:
        # Only to this process's own connections, not through the queue: every process sends
        # its own, and when the queue is down this is the only way that works.
        self.socketio.emit(event, data, to=to, namespace=NAMESPACE, ignore_queue=True)

    def _refresh(self) -> None:
        """Every REFRESH seconds, send each open poll's last published tally and its turnout
        again. Through Redis a message can be lost (a process resubscribing after Redis came
        back); sending what was already published again reveals nothing new and mends that."""
        now = time.monotonic()
        if now - self._refreshed < REFRESH:
            return
        self._refreshed = now
        database, rules = self.app.extensions["ballotroom_db"], self.app.config["RULES"]
        try:
            for row in database.query("SELECT id FROM polls WHERE state = 'open'"):
                for event, data in current(database, rules, row["id"]):
                    self.socketio.emit(event, data, to=room(row["id"]), namespace=NAMESPACE)
        except Exception:  # the next refresh tries again
            self.app.logger.exception("live refresh failed")

    def _shared(self, dirty: set[str]) -> set[str]:
        """Hand this process's arrivals to Redis; the polls to publish if this process holds the
        lock, else none. Redis away: keep them here (live updates pause; ballots do not)."""
        if self.heartbeat is not None:
            self.heartbeat()
        was_held = self.leadership.held
        try:
            self.shared_dirty.mark(dirty)
        except cluster.ERRORS:
            with self._lock:
                self._dirty |= dirty
            self.leadership.held = False
            return set()
        if not self.leadership.hold():
            return set()
        if not was_held:  # newly chosen: what the last holder took may never have been published
            self.app.logger.warning("this process now publishes live tallies (%s)", self.leadership.name)
            database = self.app.extensions["ballotroom_db"]
            dirty = {row["id"] for row in database.query("SELECT id FROM polls WHERE state = 'open'")}
        try:
            return dirty | self.shared_dirty.take()
        except cluster.ERRORS:
            return dirty

    def flush(self, poll_id: str) -> None:
        database = self.app.extensions["ballotroom_db"]
        self.socketio.emit("turnout", counting.turnout(database, poll_id, self.app.config["RULES"]), to=room(poll_id), namespace=NAMESPACE)
        override = self.app.config.get("TALLY_BATCH")
        doc = counting.maybe_publish(database, self.app.config["RULES"], poll_id, int(override) if override else None)
        if doc is not None:
            self.socketio.emit("tally", doc, to=room(poll_id), namespace=NAMESPACE)


def current(database, rules, poll_id: str) -> tuple[tuple[str, dict], ...]:
    """A poll's turnout and last published tally: what a watcher is sent on `watch`, on the link's
    return and at each refresh (sending what was published again reveals nothing new)."""
    return (("turnout", counting.turnout(database, poll_id, rules)),
            ("tally", counting.results(database, rules, poll_id)))


def batch_size(app, poll_id: str | None = None) -> int:
    """How many new ballots move the live tally: a test's TALLY_BATCH, else the rules poll
    ``poll_id`` opened with (a changed rules file does not change an open poll's batches), else
    the server's."""
    if app.config.get("TALLY_BATCH"):
        return int(app.config["TALLY_BATCH"])
    rules = app.config["RULES"]
    if poll_id is not None:
        rules = polls.rules_of(app.extensions["ballotroom_db"], poll_id, rules)
    return rules.live_batch_size


def _publisher():
    return current_app.extensions["ballotroom_publisher"]


def ballot_arrived(poll_id: str) -> None:
    """After a ballot is committed: schedule turnout and, in batches, the tally. A failure here
    is logged, never reported to the voter, whose ballot is stored."""
    try:
        _publisher().arrived(poll_id)
    except Exception:
        current_app.logger.exception("live publication could not be scheduled")


def turnout_changed(poll_id: str) -> None:
    _publisher().arrived(poll_id)


def attendance_changed(meeting_id: str) -> None:
    """Quorum depends on attendance: republish the live tally when that reveals no new ballot."""
    socketio = current_app.extensions["socketio"]
    for poll in polls.for_meeting(db(), meeting_id):
        if poll["state"] == "closed":
            continue
        doc = counting.republish_same_ballots(db(), current_rules(), poll["id"])
        if doc is not None:
            socketio.emit("tally", doc, to=room(poll["id"]), namespace=NAMESPACE)
        _publisher().arrived(poll["id"])


def state_changed(poll_id: str, final: dict | None = None) -> None:
    socketio = current_app.extensions["socketio"]
    t = counting.turnout(db(), poll_id, current_rules())
    socketio.emit("state", {"poll": poll_id, "state": t["state"]}, namespace=NAMESPACE)
    # The log's head after every change of state, for the projector to show and the room to read
    # out: a log cut short or rewritten later no longer holds it (kiosk/domain/witness.py).
    socketio.emit("log_head", log_head(poll_id), to=room(poll_id), namespace=NAMESPACE)
    if final is not None:
        socketio.emit("tally", final, to=room(poll_id), namespace=NAMESPACE)
    socketio.emit("turnout", t, to=room(poll_id), namespace=NAMESPACE)


def log_head(poll_id: str) -> dict:
    with db().read() as conn:
        head = eventlog.head(conn)
    return {"poll": poll_id, "seq": head["seq"], "code": head["code"]}


def _role_of_connection(auth) -> tuple[str | None, str | None]:
    """The connection's role and the key it is counted under (kiosk/web/connections.py): an API
    key by its hash's prefix, a login by its user; (None, None) without either."""
    if isinstance(auth, dict) and auth.get("key"):
        key = str(auth["key"])
        role = accounts.api_key_role(db(), key)
        return (role, "key " + hashlib.sha256(key.encode()).hexdigest()[:12]) if role else (None, None)
    user_id = session.get("user_id")
    if user_id:
        user = accounts.get_user(db(), user_id)
        return (user.role, f"user {user_id}") if user else (None, None)
    return None, None


_roles: dict[str, str | None] = {}


_registered: weakref.WeakSet = weakref.WeakSet()


def register(socketio: SocketIO) -> None:
    # The SocketIO object outlives apps (tests build many), but each init_app makes a new
    # server, and `socketio.on` binds to the server of the moment: register once per server.
    if socketio.server in _registered:
        return
    _registered.add(socketio.server)
    @socketio.on("connect", namespace=NAMESPACE)
    def _connect(auth=None):
        role, counted_as = _role_of_connection(auth)
        try:
            current_app.extensions["ballotroom_live_limits"].admit(
                request.sid, request.remote_addr or "", counted_as if role in WATCH_ROLES else None)
        except connections.Refused as refused:
            raise ConnectionRefusedError(refused.message, {"error": refused.code, "limit": refused.limit}) from None
        _roles[request.sid] = role

    @socketio.on("disconnect", namespace=NAMESPACE)
    def _disconnect(*_args):
        current_app.extensions["ballotroom_live_limits"].release(request.sid)
        _roles.pop(request.sid, None)

    @socketio.on("watch", namespace=NAMESPACE)
    def _watch(data):
        if _roles.get(request.sid) not in WATCH_ROLES:
            return {"error": "unauthorized"}
        poll_id = data.get("poll") if isinstance(data, dict) else None
        if not isinstance(poll_id, str) or db().one("SELECT 1 FROM polls WHERE id = ?", (poll_id,)) is None:
            return {"error": "not_found"}
        join_room(room(poll_id))
        join_room(WATCHERS)
        publisher = _publisher()
        publisher.watched.add(poll_id)
        # To this connection, which is on this process: not through the queue, which may be down.
        for event, data in current(db(), current_rules(), poll_id):
            emit(event, data, ignore_queue=True)
        emit("log_head", log_head(poll_id), ignore_queue=True)
        # "paused" only while paused: scripts that compare the answer with {"ok": true} keep working.
        return {"ok": True, "paused": True} if publisher.paused else {"ok": True}


def init_publisher(app, socketio: SocketIO) -> None:
    client = app.extensions.get("ballotroom_redis")
    if client is None:  # one process: everything here, started by the first ballot
        app.extensions["ballotroom_publisher"] = Publisher(socketio, app)
        return
    publisher = Publisher(socketio, app, leadership=cluster.Leadership(client), dirty=cluster.DirtyPolls(client),
                          # looked up when called: the limits are installed after the publisher
                          heartbeat=lambda: app.extensions["ballotroom_live_limits"].renew(),
                          link=cluster.Link(client, socketio.server.manager))
    publisher.paused = not publisher.link.up()  # a process started while Redis is away says so at once
    app.extensions["ballotroom_publisher"] = publisher
    publisher.start()
