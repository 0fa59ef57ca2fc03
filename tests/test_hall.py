"""A large hall: `ballotroom serve --workers 2` behind nginx, with Redis (kiosk/web/cluster.py,
kiosk/cli/server.py, deploy/nginx-ballotroom.conf).

Real components: redis-server, nginx serving the shipped site over TLS with the room's CA, two
server processes. Real Socket.IO clients over websocket and over long-polling reach the
processes through nginx, each device sticky to one; a dashboard on one process receives the
tallies the publisher in the other publishes; ballots cast through nginx are all acknowledged
and stored; when the publisher's process is killed another takes over. Under CI=true a missing
redis-server or nginx fails these tests; elsewhere it skips them. Nothing is timed: the
bounds only keep a broken hall from hanging the suite.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from browser_helpers import HttpApi, contest
from hall_helpers import ROOT, Nginx, Workers, hall_instance, tool

from kiosk.cli.instances import init_instance
from kiosk.domain import accounts
from kiosk.store.db import Database
from kiosk.web import cluster

pytestmark = pytest.mark.hall
NS = "/live"
LIVENESS = 90  # seconds; a generous bound, never a speed requirement


def _need_hall_tools() -> None:
    missing = [name for name in ("redis-server", "nginx") if tool(name) is None]
    if missing:
        message = f"{' and '.join(missing)} not installed (apt install redis-server nginx; .ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    with running_hall(tmp_path_factory.mktemp("hall")) as running:
        yield running


@contextlib.contextmanager
def running_hall(folder):
    """Redis, two processes and nginx on a new instance in ``folder`` (tests/test_hall_faults.py too)."""
    _need_hall_tools()
    made = hall_instance(folder)
    workers = nginx = None
    try:
        workers = Workers(made.instance, 2, folder / "serve.log").start()
        nginx = Nginx(folder / "nginx", workers.ports, made.certs).start()
        yield Hall(made.redis, workers, nginx, HttpApi(workers.urls[0], made.key), made.instance)
    finally:
        for part in (nginx, workers, made.redis):
            if part is not None:
                part.stop()


class Hall:
    def __init__(self, redis_server, workers, nginx, api, instance):
        self.redis, self.workers, self.nginx, self.api, self.instance = redis_server, workers, nginx, api, instance
        self.keys = iter(range(10_000))

    def chair_key(self) -> str:
        database = Database(self.instance / "ballotroom.db")
        try:
            return accounts.create_api_key(database, "chair", f"dashboard {next(self.keys)}")
        finally:
            database.close()

    def publisher_pid(self) -> int | None:
        holder = self.redis.client().get(cluster.LEADER_KEY)
        return int(holder.decode().split(":")[1]) if holder else None

    def pid_counting(self, key: str) -> int | None:
        """The process that counts this key's live connection (its hash in Redis)."""
        field = "k:key " + hashlib.sha256(key.encode()).hexdigest()[:12]
        client = self.redis.client()
        for name in client.scan_iter(match=cluster.PREFIX + "live:counts:*"):
            if int(client.hget(name, field) or 0) > 0:
                return int(name.decode().rsplit(":", 2)[1])
        return None

    def cast(self, token: str, source: str) -> int:
        """One ballot through nginx from ``source``: its HTTP status (201: acknowledged)."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.nginx.port, timeout=LIVENESS,
                                           context=self.nginx.context, source_address=(source, 0))
        try:
            conn.request("POST", "/api/v1/ballots", json.dumps({"token": token, "answers": {"c1": ["k1"]}}),
                         {"Content-Type": "application/json"})
            return conn.getresponse().status
        finally:
            conn.close()

    def cast_all(self, tokens: list[str]) -> list[int]:
        with ThreadPoolExecutor(16) as pool:
            return list(pool.map(lambda it: self.cast(it[1], f"127.0.{10 + it[0] % 50}.{1 + it[0] % 200}"),
                                 enumerate(tokens)))

    def stored(self, poll_id: str) -> int:
        database = Database(self.instance / "ballotroom.db")
        try:
            return database.one("SELECT count(*) AS n FROM ballots WHERE poll_id = ?", (poll_id,))["n"]
        finally:
            database.close()


class Dashboard:
    """A chair's Socket.IO client through nginx, from its own address, over one transport.

    With ``reconnect`` it behaves as the dashboard's script does: the client reconnects by
    itself and asks to `watch` again on every connection, keeping each answer in ``answers``
    (and among the events, as "watch")."""

    def __init__(self, hall: Hall, address: str, transport: str, reconnect: bool = False):
        self.hall, self.address, self.transport, self.reconnect = hall, address, transport, reconnect
        self.key = hall.chair_key()
        self.events: list[tuple[str, dict]] = []
        self.answers: list[dict] = []

    async def open(self, poll_id: str) -> dict:
        import aiohttp
        import socketio

        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(
            local_addr=(self.address, 0), ssl=self.hall.nginx.context))
        self.client = socketio.AsyncClient(reconnection=self.reconnect, reconnection_delay=0.5,
                                           reconnection_delay_max=1, http_session=self.session)
        for name in ("tally", "turnout", "paused"):
            self.client.on(name, namespace=NS)(lambda doc, name=name: self.events.append((name, doc)))
        if self.reconnect:
            def answered(answer):
                self.answers.append(answer)
                self.events.append(("watch", answer))

            async def watch_again():
                await self.client.emit("watch", {"poll": poll_id}, namespace=NS, callback=answered)
            self.client.on("connect", namespace=NS)(watch_again)
        await self.client.connect(self.hall.nginx.url, namespaces=[NS], transports=[self.transport],
                                  auth={"key": self.key}, wait_timeout=LIVENESS)
        if self.reconnect:
            await _until(lambda: self.answers, "the answer to watch")
            answer = self.answers[-1]
        else:
            answer = await self.client.call("watch", {"poll": poll_id}, namespace=NS, timeout=LIVENESS)
        assert answer.get("ok") is True, answer
        return answer

    def saw(self, cast: int) -> bool:
        return any(n == "turnout" and d.get("cast") == cast for n, d in self.events) and any(
            n == "tally" and d.get("cast", 0) >= cast - 5 and d.get("cast", 0) > 0 for n, d in self.events)

    async def close(self) -> None:
        if self.client.connected:
            await self.client.disconnect()
        await self.session.close()


async def _until(condition, what: str) -> None:
    for _ in range(LIVENESS * 10):
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {LIVENESS} s: {what}")


def _open_poll(hall: Hall, slips: int):
    return hall.api.open_poll_with_slips("democratic_recommendation", [contest("c1", ["甲", "乙"])],
                                         slips=slips, expected=slips, present=slips)


def test_dashboards_on_either_process_over_websocket_or_polling_get_the_publishers_tallies(hall):
    poll, tokens = _open_poll(hall, 100)

    async def scenario():
        # nginx's ip_hash keys on the first three parts of an address: these land on both
        # processes. Each address opens one dashboard over each transport.
        boards = [Dashboard(hall, f"127.0.{i}.1", t) for i in range(1, 9) for t in ("websocket", "polling")]
        for board in boards:
            await board.open(poll)
        where = {}
        for board in boards:  # both transports of one device on the same process: sticky
            where.setdefault(board.address, set()).add(hall.pid_counting(board.key))
        assert all(len(pids) == 1 and None not in pids for pids in where.values()), where
        where = {address: pids.pop() for address, pids in where.items()}
        assert set(where.values()) == set(hall.workers.pids()), f"all on one process: {where}"
        publisher = hall.publisher_pid()
        assert publisher in where.values()
        statuses = await asyncio.to_thread(hall.cast_all, tokens[:30])
        assert statuses == [201] * 30
        await _until(lambda: all(b.saw(30) for b in boards),
                     "every dashboard saw 30 ballots' turnout and a tally")
        # Those on the other process got them through Redis, over both transports.
        elsewhere = [b for b in boards if where[b.address] != publisher]
        assert {b.transport for b in elsewhere} == {"websocket", "polling"}
        assert all(b.client.connected for b in boards)
        await asyncio.gather(*(b.close() for b in boards))

    asyncio.run(scenario())
    assert hall.stored(poll) == 30


def test_a_burst_through_nginx_is_acknowledged_and_stored_whole(hall):
    poll, tokens = _open_poll(hall, 400)
    statuses = hall.cast_all(tokens)
    assert statuses == [201] * 400
    assert hall.stored(poll) == 400
    # A slip used once is refused at whichever process the second attempt reaches.
    assert {hall.cast(t, "127.0.99.1") for t in tokens[:10]} == {409}


def test_killing_the_publishers_process_hands_publishing_to_another(hall):
    poll, tokens = _open_poll(hall, 100)

    async def scenario():
        boards = [Dashboard(hall, f"127.0.{i}.1", "websocket") for i in range(1, 9)]
        for board in boards:
            await board.open(poll)
        old = hall.publisher_pid()
        assert old in hall.workers.pids()
        os.kill(old, signal.SIGKILL)
        # The lock lapses and another process (the other one, or the killed one started again)
        # takes it.
        await _until(lambda: hall.publisher_pid() not in (None, old), "another process publishes")
        assert hall.publisher_pid() in hall.workers.pids()
        statuses = await asyncio.to_thread(hall.cast_all, tokens[:40])
        assert statuses == [201] * 40  # nginx sends ballots around the dead process
        survivors = [b for b in boards if b.client.connected]
        assert survivors, "every dashboard was on the killed process"
        await _until(lambda: all(b.saw(40) for b in survivors), "the survivors saw the new tallies")
        await asyncio.gather(*(b.close() for b in boards))

    asyncio.run(scenario())
    assert hall.stored(poll) == 40


def test_live_counts_of_a_process_that_stops_renewing_them_lapse(hall):
    client = hall.redis.client()
    one = cluster.SharedCounts(client, ttl=1.0)
    two = cluster.SharedCounts(client, ttl=60.0)
    assert [one.admit("a:10.9.9.9", 2, "keyless", 10_000) for _ in range(2)] == [0, 0]
    assert two.admit("a:10.9.9.9", 2, "keyless", 10_000) == 1  # the address is full over both
    # `one` dies: nobody renews its counts; they lapse and the address may connect again.
    deadline = time.monotonic() + LIVENESS
    while two.admit("a:10.9.9.9", 2, "keyless", 10_000) != 0:
        assert time.monotonic() < deadline, "a dead process's counts never lapsed"
        time.sleep(0.2)


def test_the_failure_throttle_is_shared_between_processes(hall):
    from kiosk.errors import Refusal
    from kiosk.web.throttle import FailureThrottle

    a = FailureThrottle("3 per minute", hall.redis.url, "test-shared")
    b = FailureThrottle("3 per minute", hall.redis.url, "test-shared")
    a.failed("10.1.2.3")
    b.failed("10.1.2.3")
    a.failed("10.1.2.3")
    with pytest.raises(Refusal):
        b.check("10.1.2.3")  # the other process knows of all three failures
    b.check("10.1.2.4")


def test_several_processes_without_redis_are_refused_at_start(tmp_path):
    instance = tmp_path / "instance"
    init_instance(str(instance), "admin", "hall password")
    (instance / "config.toml").write_text('redis_url = "redis://127.0.0.1:1/0"\n')
    done = subprocess.run([sys.executable, "-m", "kiosk.cli.main", "serve", "--instance", str(instance),
                           "--workers", "2", "--port", "1"], cwd=ROOT, capture_output=True, text=True,
                          timeout=LIVENESS)
    assert done.returncode == 2
    assert "Redis" in done.stderr and "redis://127.0.0.1:1/0" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_with_redis_stopped_ballots_are_still_stored_and_live_updates_resume_when_it_returns(hall):
    poll, tokens = _open_poll(hall, 100)

    async def scenario():
        board = Dashboard(hall, "127.0.1.1", "websocket")
        await board.open(poll)
        hall.redis.stop()
        try:
            statuses = await asyncio.to_thread(hall.cast_all, tokens[:20])
            assert statuses == [201] * 20  # durable without Redis: it is not on a ballot's path
            assert hall.stored(poll) == 20
        finally:
            hall.redis.start()  # the same port: the processes find it again by themselves
        statuses = await asyncio.to_thread(hall.cast_all, tokens[20:40])
        assert statuses == [201] * 20
        await _until(lambda: board.saw(40) or not board.client.connected,
                     "the live view resumed (or the dashboard was told to reconnect)")
        if not board.client.connected:  # a dashboard reconnects; then it sees the tally again
            board = Dashboard(hall, "127.0.1.1", "websocket")
            await board.open(poll)
            more = await asyncio.to_thread(hall.cast_all, tokens[40:50])
            assert more == [201] * 10
            await _until(lambda: board.saw(50), "a reconnected dashboard sees the tallies")
        await board.close()

    asyncio.run(scenario())
    assert hall.stored(poll) >= 40
