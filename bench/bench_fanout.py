"""The chair's push in a large hall: one process against two behind nginx (BENCHMARKS.md,
"A large hall", the fan-out).

One run, one instance, two servers started once and measured in turns, so the shared host's
drift touches each alike: one process served directly (today's room, the control; a single
process believes no proxy's word for a client's address, so it is measured without one) and
`serve --workers 2` behind nginx with the shipped site (TLS with the room's CA) and Redis. Each
turn:

1. a fresh open poll; DASHBOARDS Socket.IO clients with chair keys (at most ten per key, the
   server's limit) watch it, and IDLE keyless clients sit connected (four per source address,
   the default limit), all websocket. Source addresses differ in their third
   octet, because nginx's ``ip_hash`` (sticky sessions) hashes the first three: so the clients
   spread over the processes as a hall's would;
2. `wrk` (bench/intake.lua) casts ballots at the room's pace: CONNECTIONS
   connections, each waiting THINK_MS between its ballots, DURATION seconds;
3. per published tally (a ``tally`` event with a cast count every dashboard received while
   the poll was open), the spread: the last dashboard's arrival minus the first's; p50, p99 and
   max over the turn, and over every turn of a server pooled; tallies any dashboard missed; every
   acknowledged ballot stored.

    .venv/bin/python bench/bench_fanout.py [--rounds 3] [--dashboards 100] [--idle 1000]
        [--duration 15] [--connections 100] [--think-ms 200]

Needs redis-server, nginx and wrk. The clients run in this one asyncio process on the same
machine as the servers, so a spread includes this process's own delay in reading 1,100 sockets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from bench_hall import new_poll, stored  # noqa: E402
from bench_sockets import run_wrk  # noqa: E402
from hall_helpers import Nginx, Workers, hall_instance, missing_tools  # noqa: E402

NS = "/live"


class Room:
    """The clients of one turn and what the dashboards received."""

    def __init__(self):
        self.tallies: dict[int, list[tuple[int, float, str]]] = {}
        self.failed: list[str] = []
        self.clients: list = []


async def connect(url: str, context, index: int, address: str, auth, poll: str, room: Room, sem) -> None:
    import aiohttp
    import socketio

    async with sem:
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(local_addr=(address, 0), ssl=context or True, limit=0))
        client = socketio.AsyncClient(reconnection=False, http_session=session, ssl_verify=True)
        if auth:
            room.tallies[index] = []

            @client.on("tally", namespace=NS)
            async def _tally(doc, index=index):
                room.tallies[index].append((doc["cast"], time.monotonic(), doc["state"]))
        try:
            await client.connect(url, namespaces=[NS], transports=["websocket"], auth=auth, wait_timeout=60)
            if auth:
                answer = await client.call("watch", {"poll": poll}, namespace=NS, timeout=60)
                if answer != {"ok": True}:
                    raise RuntimeError(f"watch answered {answer}")
        except Exception as exc:  # counted and reported, not fatal: the figures say how many
            room.failed.append(f"{address}: {type(exc).__name__}: {exc}")
            room.tallies.pop(index, None)
            await session.close()
            return
        room.clients.append((client, session))


def spreads(room: Room) -> dict:
    boards = list(room.tallies)
    seen: dict[int, list[float]] = {}
    for i in boards:
        for cast, t, state in room.tallies[i]:
            if state == "open":
                seen.setdefault(cast, []).append(t)
    every = set(seen)
    missed = sum(len(every - {c for c, _, s in room.tallies[i] if s == "open"}) for i in boards)
    values = sorted((max(ts) - min(ts)) * 1000 for ts in seen.values() if len(ts) == len(boards))
    return {"dashboards": len(boards), "tallies": len(values), "tallies_missed": missed,
            "spread_ms_p50": pct(values, 50), "spread_ms_p99": pct(values, 99),
            "spread_ms_max": round(values[-1], 1) if values else None,
            "spreads_ms": [round(v, 1) for v in values]}


def pct(values: list[float], p: float) -> float | None:
    """The p-th percentile of sorted ``values`` (nearest rank)."""
    return round(values[min(len(values) - 1, math.ceil(p / 100 * len(values)) - 1)], 1) if values else None


async def turn(name: str, url: str, context, admin: str, key: str, chair_keys: list[str], db: Path,
               work: Path, args) -> dict:
    poll, tokens = new_poll(admin, key, args.connections * args.duration * (1000 // max(1, args.think_ms) + 1))
    room = Room()
    sem = asyncio.Semaphore(50)
    opening = []
    for i in range(args.dashboards):
        address = f"127.2.{i % 250}.{1 + i // 250}"
        opening.append(connect(url, context, i, address, {"key": chair_keys[i // 10]}, poll, room, sem))
    for j in range(args.idle):
        a = j // 4  # four keyless sockets per address, the server's default limit
        address = f"127.1.{a % 250}.{1 + a // 250}"
        opening.append(connect(url, context, args.dashboards + j, address, None, poll, room, sem))
    await asyncio.gather(*opening)
    connected = len(room.clients)
    await asyncio.sleep(2)
    load = await run_wrk(url, tokens, work, args.duration, args.connections, args.think_ms)
    await asyncio.sleep(2)  # the last batch's push
    figures = {"what": "fanout", "server": name, "sockets_connected": connected,
               "sockets_failed": len(room.failed), "first_failures": room.failed[:3],
               "ballots_per_s": load["ballots_per_s"], "acknowledged": load["acknowledged"],
               "stored": stored(db, poll), **spreads(room)}
    figures["every_201_stored"] = figures["stored"] >= load["acknowledged"]
    for client, session in room.clients:
        await client.disconnect()
        await session.close()
    return figures


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dashboards", type=int, default=100)
    ap.add_argument("--idle", type=int, default=1000)
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--think-ms", type=int, default=200)
    args = ap.parse_args()
    if missing_tools("redis-server", "nginx", "wrk"):
        return 1
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    # The server's modules load once the tools are known to be there.
    from kiosk.domain import accounts
    from kiosk.store.db import Database

    made = hall_instance(Path(tempfile.mkdtemp(prefix="ballotroom-fanout-")), "bench-password-123")
    work, instance, db, redis_server, key = made.folder, made.instance, made.db, made.redis, made.key
    database = Database(db)
    chair_keys = [accounts.create_api_key(database, "chair", f"bench {i}")
                  for i in range(math.ceil(args.dashboards / 10))]
    database.close()
    one = Workers(instance, 1, work / "one.log").start()
    two = Workers(instance, 2, work / "two.log").start()
    nginx_two = Nginx(work / "nginx-two", two.ports, made.certs).start()
    servers = {"1 process, direct": (one.urls[0], None, one.urls[0]),
               "2 processes, nginx": (nginx_two.url, nginx_two.context, two.urls[0])}
    results: list[dict] = []
    try:
        for r in range(args.rounds):
            for name, (url, context, admin) in servers.items():
                figures = {"round": r, **asyncio.run(turn(name, url, context, admin, key, chair_keys, db, work, args))}
                print(json.dumps(figures, ensure_ascii=False), flush=True)
                results.append(figures)
    finally:
        for part in (nginx_two, two, one, redis_server):
            part.stop()
    summary = {}
    for name in servers:
        mine = [f for f in results if f["server"] == name]
        pooled = sorted(v for f in mine for v in f["spreads_ms"])
        summary[name] = {
            "tallies": len(pooled), "spread_ms_p50": pct(pooled, 50), "spread_ms_p99": pct(pooled, 99),
            "spread_ms_p99_per_turn": [f["spread_ms_p99"] for f in mine],
            "within_100_ms": f"{sum(v <= 100 for v in pooled)}/{len(pooled)}",
            "tallies_missed": sum(f["tallies_missed"] for f in mine),
            "every_201_stored": all(f["every_201_stored"] for f in mine)}
    print(json.dumps({"what": "summary", **summary}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
