"""State the server's processes share when it runs as several (``ballotroom serve --workers N``).

One process (the default) keeps everything in memory and never touches Redis. With several,
each is a gunicorn gevent worker of its own behind a proxy (deploy/nginx-ballotroom.conf), all
sharing the one SQLite database (WAL; each process has its own group-commit writer), and Redis
(the ``redis_url`` setting) carries what they must agree on:

- Socket.IO's messages between processes (Flask-SocketIO's ``message_queue``);
- which process publishes live tallies (:class:`Leadership`: a lock with a time to live, renewed
  by its holder; when the holder dies the lock lapses and another process takes it);
- the polls waiting for publication (:class:`DirtyPolls`), marked by whichever process stored the
  ballot and taken by the publisher;
- the failure throttle's windows (``limits``' Redis storage, kiosk/web/throttle.py);
- the counts of open live connections (:class:`SharedCounts`): each process keeps its own counts
  in a hash that expires unless the process renews it, so a dead process's counts lapse with it.

When Redis goes away, ballots are still stored and acknowledged (none of this is on their path
but the throttle, which then counts in memory); live updates pause until it is back, and every
process tells the dashboards connected to it so (:class:`Link`, kiosk/web/live.py).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid

import redis
import socketio

log = logging.getLogger(__name__)

PREFIX = "ballotroom:"
LEADER_KEY = PREFIX + "publisher"
LEADER_TTL = 5.0  # seconds: a dead publisher is replaced within this and one publishing interval
DIRTY_KEY = PREFIX + "dirty"
WORKERS_KEY = PREFIX + "live:workers"
COUNTS_TTL = 20.0  # seconds: a dead process's live connection counts lapse after this
QUEUE_CHANNEL = "flask-socketio"  # Flask-SocketIO's own channel name, as every process uses it
QUEUE_RETRY = 1.0  # seconds between two attempts to listen to the queue again
ERRORS = (redis.RedisError, OSError)


def connect(url: str) -> redis.Redis:
    # Short timeouts: a Redis that has gone must cost a ballot milliseconds, not a hang.
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2,
                                health_check_interval=10)


def check(url: str) -> str | None:
    """None when Redis answers at ``url``; otherwise why not, in a sentence."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
    except (ValueError, *ERRORS) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


class Queue(socketio.RedisManager):
    """Socket.IO's message queue between the processes: the one Flask-SocketIO would make for a
    ``redis://`` message queue, but for how it listens. The stock listener waits twice as long
    after each failed attempt, up to a minute, so a process could stay deaf to the tallies the
    publisher sends for a minute after Redis came back, while its dashboards said the live view
    was running. This one tries again every second and says whether it is listening
    (``listening``: None until the first live client starts it, then True or False), which
    :class:`Link` reads. Publishing keeps the stock path, with timeouts: a Redis that hangs
    costs a publication seconds, never a stuck publisher."""

    def __init__(self, url: str, channel: str = QUEUE_CHANNEL):
        super().__init__(url, channel=channel,
                         redis_options={"socket_connect_timeout": 2, "socket_timeout": 2})
        self.listening: bool | None = None

    def _listen(self):
        # The hook python-socketio's PubSubManager leaves to its backends: yield each message.
        channel = self.channel.encode()
        while True:
            client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=2, socket_keepalive=True)
            try:
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                self.listening = True
                for message in pubsub.listen():
                    if message["channel"] == channel and message["type"] == "message" and "data" in message:
                        yield message["data"]
            except Exception as exc:  # whatever broke the subscription, listen again
                if self.listening is not False:
                    log.warning("live queue: not listening to Redis (%s); trying every %s s", exc, QUEUE_RETRY)
            finally:
                self.listening = False
                client.close()
            time.sleep(QUEUE_RETRY)


class Link:
    """Whether live updates cross between the processes now: Redis answers and this process
    listens to the queue. When either fails, what the publisher (in whichever process) sends
    does not reach this process's dashboards."""

    def __init__(self, client: redis.Redis, queue):
        self.client = client
        self.queue = queue

    def up(self) -> bool:
        if getattr(self.queue, "listening", None) is False:
            return False
        try:
            return bool(self.client.ping())
        except ERRORS:
            return False


def process_name() -> str:
    """Who holds the publisher's lock: host, process and a nonce (a restarted process is new)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Leadership:
    """The live publisher's lock: taken if free, renewed while held, lost if not renewed."""

    def __init__(self, client: redis.Redis, name: str | None = None, ttl: float = LEADER_TTL):
        self.client = client
        self.name = name or process_name()
        self.ttl_ms = int(ttl * 1000)
        self._renew = client.register_script(
            "if redis.call('get', KEYS[1]) == ARGV[1] then "
            "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end")
        self.held = False

    def hold(self) -> bool:
        """Renew the lock if this process holds it, else try to take it; whether it is held."""
        try:
            if self.held and self._renew(keys=[LEADER_KEY], args=[self.name, self.ttl_ms]):
                return True
            self.held = bool(self.client.set(LEADER_KEY, self.name, nx=True, px=self.ttl_ms))
        except ERRORS:
            self.held = False
        return self.held

    def holder(self) -> str | None:
        value = self.client.get(LEADER_KEY)
        return value.decode() if value else None


class DirtyPolls:
    """Polls with ballots not yet published, shared by every process."""

    def __init__(self, client: redis.Redis):
        self.client = client

    def mark(self, poll_ids) -> None:
        if poll_ids:
            self.client.sadd(DIRTY_KEY, *poll_ids)

    def take(self) -> set[str]:
        pipe = self.client.pipeline(transaction=True)
        pipe.smembers(DIRTY_KEY)
        pipe.delete(DIRTY_KEY)
        members, _ = pipe.execute()
        return {m.decode() for m in members}


# Counts of open live connections over every live process, checked and taken in one step.
# KEYS: the workers' sorted set, this worker's hash. ARGV: this worker's id, the hash's time to
# live (ms), the field of this address or key, its limit, the field of the total, its limit.
# Returns 0 when admitted, 1 when the address or key is full, 2 when the total is.
_ADMIT = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms)
local mine, total = 0, 0
for _, worker in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local counts = redis.call('HMGET', ARGV[7] .. worker, ARGV[3], ARGV[5])
  mine = mine + (tonumber(counts[1]) or 0)
  total = total + (tonumber(counts[2]) or 0)
end
if mine >= tonumber(ARGV[4]) then return 1 end
if total >= tonumber(ARGV[6]) then return 2 end
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
redis.call('HINCRBY', KEYS[2], ARGV[5], 1)
redis.call('ZADD', KEYS[1], ms + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 0
"""


class SharedCounts:
    """This process's live connection counts, kept in Redis beside every other process's."""

    def __init__(self, client: redis.Redis, ttl: float = COUNTS_TTL):
        self.client = client
        self.worker = process_name()
        self.ttl_ms = int(ttl * 1000)
        self.hash_prefix = PREFIX + "live:counts:"
        self.key = self.hash_prefix + self.worker
        self._admit = client.register_script(_ADMIT)

    def admit(self, field: str, limit: int, total_field: str, total_limit: int) -> int:
        """0 admitted (counted), 1 over ``limit`` for ``field``, 2 over ``total_limit``."""
        return int(self._admit(keys=[WORKERS_KEY, self.key],
                               args=[self.worker, self.ttl_ms, field, limit, total_field, total_limit,
                                     self.hash_prefix]))

    def release(self, field: str, total_field: str) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.hincrby(self.key, field, -1)
        pipe.hincrby(self.key, total_field, -1)
        pipe.execute()

    def renew(self, counts: dict[str, int]) -> None:
        """Keep this process among the living, its counts as they are here (rewritten whole, so
        a count that drifted while Redis was away is set right)."""
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(self.key)
        live = {k: v for k, v in counts.items() if v}
        if live:
            pipe.hset(self.key, mapping=live)
            pipe.pexpire(self.key, self.ttl_ms)
        pipe.zadd(WORKERS_KEY, {self.worker: _now_ms(self.client) + self.ttl_ms})
        pipe.execute()


def _now_ms(client: redis.Redis) -> int:
    seconds, micros = client.time()
    return int(seconds) * 1000 + int(micros) // 1000


class FromProxy:
    """WSGI middleware for a process behind the room's proxy on the same machine: the client's
    address is the one the proxy names in ``X-Real-IP`` (what the room's network check, the
    throttle and the live limits key on), and the scheme its ``X-Forwarded-Proto``. Believed
    only from a loopback peer, so a client that reaches the process directly cannot claim
    another address."""

    def __init__(self, inner):
        self.inner = inner

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR") or ""
        if peer.startswith("127.") or peer == "::1":
            real = environ.get("HTTP_X_REAL_IP")
            if real:
                environ["REMOTE_ADDR"] = real.strip()
            proto = environ.get("HTTP_X_FORWARDED_PROTO")
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        return self.inner(environ, start_response)
