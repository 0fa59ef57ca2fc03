"""Open connections never stop ballot intake (kiosk/cli/server.py, kiosk/web/connections.py).

Against the real `ballotroom serve` in its own process: hundreds of Socket.IO clients stay open
while ballots are cast, and every ballot is acknowledged; one address that opens more live
connections than it may is refused with a reason while ballots from elsewhere still flow.
Nothing here is timed: the timeouts only keep a broken server from hanging the suite.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

aiohttp = pytest.importorskip("aiohttp")
socketio = pytest.importorskip("socketio")

from browser_helpers import HttpApi, Server, contest  # noqa: E402

from kiosk.cli.instances import init_instance  # noqa: E402
from kiosk.domain import accounts  # noqa: E402
from kiosk.store.db import Database  # noqa: E402
from kiosk.store.instance import Settings  # noqa: E402

NS = "/live"
PASSWORD = "room capacity password"
LIVENESS = 120  # seconds; a generous bound, never a speed requirement
WS_TIMEOUT = aiohttp.ClientWSTimeout(ws_receive=LIVENESS, ws_close=LIVENESS)


@pytest.fixture
def room(tmp_path):
    instance = tmp_path / "instance"
    init_instance(str(instance), "admin", PASSWORD)
    database = Database(instance / "ballotroom.db")
    admin = accounts.create_api_key(database, "admin")
    chairs = [accounts.create_api_key(database, "chair", f"chair {i}") for i in range(4)]
    database.close()
    with Server(instance, tmp_path / "server.log") as server:
        yield server, HttpApi(server.url, admin), chairs


def cast(base: str, token: str, source: str = "127.0.0.1") -> int:
    """POST one ballot from `source`; the HTTP status (201: acknowledged)."""
    host, port = base.rsplit("/", 1)[1].split(":")
    import http.client
    conn = http.client.HTTPConnection(host, int(port), timeout=LIVENESS, source_address=(source, 0))
    try:
        conn.request("POST", "/api/v1/ballots", json.dumps({"token": token, "answers": {"c1": ["k1"]}}),
                     {"Content-Type": "application/json"})
        return conn.getresponse().status
    finally:
        conn.close()


class Live:
    """A real Socket.IO client over websocket, from a chosen loopback address."""

    def __init__(self, base: str, address: str, auth: dict | None = None, language: str = "zh-CN"):
        self.base, self.address, self.auth, self.language = base, address, auth, language
        self.events: list[tuple[str, dict]] = []
        self.refusal: dict | None = None

    async def open(self) -> bool:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(self.address, 0)))
        self.client = socketio.AsyncClient(reconnection=False, http_session=self.session)
        for name in ("tally", "turnout", "state"):
            self.client.on(name, namespace=NS)(lambda doc, name=name: self.events.append((name, doc)))

        @self.client.on("connect_error", namespace=NS)
        def _refused(data):
            self.refusal = data

        try:
            await self.client.connect(self.base, namespaces=[NS], transports=["websocket"], auth=self.auth,
                                      headers={"Accept-Language": self.language}, wait_timeout=LIVENESS)
        except socketio.exceptions.ConnectionError:
            await self.session.close()
            return False
        return True

    async def close(self) -> None:
        await self.client.disconnect()
        await self.session.close()


def test_three_hundred_open_sockets_and_every_ballot_is_acknowledged(room):
    server, api, chairs = room
    poll, tokens = api.open_poll_with_slips("democratic_recommendation", [contest("c1", ["甲", "乙"])],
                                            slips=60, expected=60, present=60)

    async def scenario():
        clients = []
        # 40 staff (10 per chair key, the default limit) and 260 keyless, four per address.
        for i in range(300):
            if i < 40:
                clients.append(Live(server.url, f"127.0.1.{1 + i}", {"key": chairs[i // 10]}))
            else:
                clients.append(Live(server.url, f"127.0.2.{1 + (i - 40) // 4}"))
        opened = await asyncio.gather(*(c.open() for c in clients))
        assert all(opened), [c.refusal for c, ok in zip(clients, opened, strict=True) if not ok][:3]
        watched = await asyncio.gather(*(c.client.call("watch", {"poll": poll}, namespace=NS, timeout=LIVENESS)
                                         for c in clients[:40]))
        assert watched == [{"ok": True}] * 40
        # Ballots while all 300 stay open: each from its own thread, so they overlap.
        with ThreadPoolExecutor(10) as pool:
            statuses = await asyncio.gather(*(asyncio.wrap_future(pool.submit(cast, server.url, t))
                                              for t in tokens[:50]))
        assert statuses == [201] * 50
        assert all(c.client.connected for c in clients), "a socket was dropped while ballots were cast"
        api.close(poll)
        # Every dashboard gets the final tally with the 50 ballots; every keyless client the state.
        for _ in range(LIVENESS * 10):
            done = all(any(n == "tally" and d["state"] == "closed" and d["cast"] == 50 for n, d in c.events)
                       for c in clients[:40])
            done = done and all(any(n == "state" and d["state"] == "closed" for n, d in c.events)
                                for c in clients[40:])
            if done:
                break
            await asyncio.sleep(0.1)
        assert done, "not every client heard the poll close"
        assert not any(n in ("tally", "turnout") for c in clients[40:] for n, _ in c.events)
        await asyncio.gather(*(c.close() for c in clients))

    asyncio.run(scenario())
    assert api.results(poll)["cast"] == 50


def test_one_address_over_its_limit_is_refused_and_ballots_from_another_still_flow(room):
    server, api, _ = room
    limit = Settings().live_keyless_per_address
    poll, tokens = api.open_poll_with_slips("democratic_recommendation", [contest("c1", ["甲", "乙"])],
                                            slips=20, expected=20, present=20)

    async def scenario():
        allowed = [Live(server.url, "127.0.3.7") for _ in range(limit)]
        assert all(await asyncio.gather(*(c.open() for c in allowed)))
        chinese, english = Live(server.url, "127.0.3.7"), Live(server.url, "127.0.3.7", language="en")
        assert not await chinese.open()
        assert not await english.open()
        assert chinese.refusal["data"]["error"] == "live_address_full"
        assert chinese.refusal["data"]["limit"] == limit
        assert "连接" in chinese.refusal["message"], chinese.refusal
        assert f"already has {limit} live connections" in english.refusal["message"], english.refusal
        # Another device is not affected, and ballots from yet another address are acknowledged.
        neighbour = Live(server.url, "127.0.3.8")
        assert await neighbour.open()
        statuses = [await asyncio.to_thread(cast, server.url, t, "127.0.3.9") for t in tokens[:5]]
        assert statuses == [201] * 5
        # The address that was refused is refused no more once one of its sockets closes.
        await allowed[0].close()
        again = Live(server.url, "127.0.3.7")
        for _ in range(LIVENESS * 10):
            if await again.open():
                break
            await asyncio.sleep(0.1)
        assert again.client.connected
        await asyncio.gather(*(c.close() for c in [*allowed[1:], neighbour, again]))

    asyncio.run(scenario())
    api.close(poll)
    assert api.results(poll)["cast"] == 5
    log = server.log()
    assert "live connection refused (live_address_full" in log and "127.0.3.7" in log


def test_raw_transports_without_a_namespace_are_bounded_per_address(room):
    """A device that opens Engine.IO websockets and never joins /live still cannot hold more than
    its address's share: the gate answers 429 before any handshake."""
    server, _, _ = room
    settings = Settings()
    share = settings.live_keyless_per_address + settings.live_staff_per_key
    url = server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"

    async def scenario():
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=("127.0.4.1", 0)))
        held = []
        try:
            for _ in range(share):
                ws = await session.ws_connect(url, timeout=WS_TIMEOUT)
                assert (await ws.receive_str(timeout=LIVENESS)).startswith("0{")  # Engine.IO open packet
                held.append(ws)
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(url, timeout=WS_TIMEOUT)
            assert refused.value.status == 429
            with urllib.request.urlopen(server.url + "/login", timeout=LIVENESS) as answer:
                assert answer.status == 200
        finally:
            for ws in held:
                await ws.close()
            await session.close()

    asyncio.run(scenario())


def test_refused_transport_says_why_in_the_clients_language(room):
    server, _, _ = room
    # Over HTTP the same gate answers long-polling clients: fill one address's share first.
    settings = Settings()
    share = settings.live_keyless_per_address + settings.live_staff_per_key
    url = server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"

    async def scenario():
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=("127.0.4.2", 0)))
        held = [await session.ws_connect(url, timeout=WS_TIMEOUT) for _ in range(share)]
        try:
            answers = {}
            for language in ("zh-CN", "en"):
                async with session.get(server.url + "/socket.io/?EIO=4&transport=polling",
                                       headers={"Accept-Language": language}) as answer:
                    answers[language] = (answer.status, await answer.json())
        finally:
            for ws in held:
                await ws.close()
            await session.close()
        return answers

    answers = asyncio.run(scenario())
    assert answers["en"][0] == 429 and answers["en"][1]["error"] == "live_address_full"
    assert "live connections" in answers["en"][1]["message"]
    assert answers["zh-CN"][0] == 429 and "连接" in answers["zh-CN"][1]["message"]


def test_settings_refuse_nonsense_limits(tmp_path):
    from kiosk.store.instance import Instance, InstanceError
    instance = tmp_path / "instance"
    init_instance(str(instance), "admin", PASSWORD)
    (instance / "config.toml").write_text("live_keyless_per_address = 0\n", encoding="utf-8")
    with pytest.raises(InstanceError, match="the setting live_keyless_per_address must be between"):
        Instance(instance).settings()
    (instance / "config.toml").write_text("live_staff_total = \"many\"\n", encoding="utf-8")
    with pytest.raises(InstanceError, match="the setting live_staff_total must be a whole number"):
        Instance(instance).settings()
