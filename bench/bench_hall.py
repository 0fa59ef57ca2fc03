"""A large hall in one run: one process against two behind nginx, with Redis (BENCHMARKS.md,
"A large hall").

Three servers on one instance, started once and measured in turns so that the shared host's
drift touches each alike: one process served directly (today's room, the control); one process
behind nginx (the site in deploy/, TLS with the room's CA); two processes behind nginx
(`serve --workers 2`, Redis). For each, in each of ROUNDS rounds:

- intake: `wrk` (bench/intake.lua), 100 connections, closed loop, DURATION seconds, a fresh
  poll; ballots/s from the database afterwards (every 201 must be a stored ballot);
- then, for the two behind nginx, a burst: BURST ballots from BURST/10 connections opened at
  once, each casting 10 in turn (aiohttp over TLS); the wall time from the first request to
  the last answer, the per-request p99, every status counted, every 201 stored;
- the close of the burst's poll (POST .../close, which returns with the result fixed and
  signed): its wall time.

    .venv/bin/python bench/bench_hall.py [--rounds 3] [--duration 10] [--burst 10000]

Needs redis-server, nginx and wrk (apt install redis-server nginx wrk). Prints one JSON line
per measurement and a summary of medians and ratios against the control.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from benchlib import DEMOCRATIC_POLL, call  # noqa: E402
from hall_helpers import Nginx, Workers, hall_instance, missing_tools  # noqa: E402


def new_poll(base: str, key: str, tokens: int) -> tuple[str, list[str]]:
    meeting = call(base, key, "/api/v1/meetings", {"title": "bench", "expected": 100000})
    poll = call(base, key, f"/api/v1/meetings/{meeting['id']}/polls", {"title": "bench", **DEMOCRATIC_POLL})
    codes: list[str] = []
    while len(codes) < tokens:
        codes += call(base, key, f"/api/v1/polls/{poll['id']}/tokens", {"count": min(5000, tokens - len(codes))})["tokens"]
    call(base, key, f"/api/v1/polls/{poll['id']}/open")
    return poll["id"], codes


def stored(db: Path, poll: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM ballots WHERE poll_id = ?", (poll,)).fetchone()[0]


def intake(name: str, url: str, admin: str, key: str, db: Path, work: Path, duration: int) -> dict:
    poll, codes = new_poll(admin, key, 2500 * duration)
    tokens = work / f"tokens-{poll}.txt"
    tokens.write_text("\n".join(codes) + "\n")
    env = {**os.environ, "TOKENS": str(tokens), "THREADS": "2", "THINK_MS": "0"}
    out = subprocess.run(["wrk", "-t", "2", "-c", "100", "-d", f"{duration}s", "--latency", "--timeout", "10s",
                          "-s", str(HERE / "intake.lua"), url], env=env, capture_output=True, text=True,
                         check=True).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    refused = int(non2xx.group(1)) if non2xx else 0
    n = stored(db, poll)
    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    return {"what": "intake", "server": name, "ballots_per_s": round(n / duration, 1), "stored": n,
            "acknowledged": requests - refused, "all_201_stored": requests - refused <= n,
            "p50": pct.get("50"), "p99": pct.get("99")}


async def _burst(url: str, codes: list[str], connections: int, context) -> tuple[float, list[float], dict]:
    import aiohttp

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    per = len(codes) // connections
    start = asyncio.Event()

    async def one(session, mine):
        await start.wait()
        for code in mine:
            t = time.perf_counter()
            async with session.post(url + "/api/v1/ballots", json={"token": code, "answers": {"c1": ["k1"]}}) as r:
                await r.read()
                statuses[r.status] = statuses.get(r.status, 0) + 1
            latencies.append(time.perf_counter() - t)

    sessions = [aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context, limit=1),
                                      timeout=aiohttp.ClientTimeout(total=300)) for _ in range(connections)]
    tasks = [asyncio.create_task(one(s, codes[i * per:(i + 1) * per])) for i, s in enumerate(sessions)]
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - began
    await asyncio.gather(*(s.close() for s in sessions))
    return wall, latencies, statuses


def burst(name: str, nginx: Nginx, admin: str, key: str, db: Path, size: int) -> list[dict]:
    poll, codes = new_poll(admin, key, size)
    wall, latencies, statuses = asyncio.run(_burst(nginx.url, codes, size // 10, nginx.context))
    latencies.sort()
    n = stored(db, poll)
    began = time.perf_counter()
    result = call(admin, key, f"/api/v1/polls/{poll}/close", {})
    closed = time.perf_counter() - began
    return [{"what": "burst", "server": name, "ballots": size, "connections": size // 10,
             "wall_s": round(wall, 2), "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
             "statuses": statuses, "stored": n, "all_201_stored": statuses.get(201, 0) == n == size},
            {"what": "close", "server": name, "ballots": n, "close_s": round(closed, 3),
             "signed": bool(result.get("signature") or result.get("certificate") or result)}]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--burst", type=int, default=10000)
    args = ap.parse_args()
    if missing_tools("redis-server", "nginx", "wrk"):
        return 1
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    made = hall_instance(Path(tempfile.mkdtemp(prefix="ballotroom-hall-")), "bench-password-123")
    work, instance, db, redis_server, key = made.folder, made.instance, made.db, made.redis, made.key
    one = Workers(instance, 1, work / "one.log").start()
    two = Workers(instance, 2, work / "two.log").start()
    nginx_one = Nginx(work / "nginx-one", one.ports, made.certs).start()
    nginx_two = Nginx(work / "nginx-two", two.ports, made.certs).start()
    servers = {"1 process, direct": (one.urls[0], one.urls[0]),
               "1 process, nginx": (nginx_one.url, one.urls[0]),
               "2 processes, nginx": (nginx_two.url, two.urls[0])}
    results: list[dict] = []
    try:
        for r in range(args.rounds):
            for name, (url, admin) in servers.items():
                figures = {"round": r, **intake(name, url, admin, key, db, work, args.duration)}
                print(json.dumps(figures, ensure_ascii=False), flush=True)
                results.append(figures)
        for name, nginx, admin in (("1 process, nginx", nginx_one, one.urls[0]),
                                   ("2 processes, nginx", nginx_two, two.urls[0])):
            for figures in burst(name, nginx, admin, key, db, args.burst):
                print(json.dumps(figures, ensure_ascii=False), flush=True)
                results.append(figures)
    finally:
        for part in (nginx_two, nginx_one, two, one, redis_server):
            part.stop()
    medians = {name: statistics.median(f["ballots_per_s"] for f in results
                                       if f["what"] == "intake" and f["server"] == name) for name in servers}
    control = medians["1 process, direct"]
    print(json.dumps({"what": "summary", "median_ballots_per_s": medians,
                      "ratio_to_1_direct": {n: round(m / control, 2) for n, m in medians.items()},
                      "ratio_2_to_1_behind_nginx": round(medians["2 processes, nginx"] / medians["1 process, nginx"], 2),
                      "every_201_stored": all(f.get("all_201_stored", True) for f in results)},
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
