"""Intake of two processes hit directly, without nginx, against one (BENCHMARKS.md, "A large
hall"): whether the proxy is what keeps `--workers 2` from beating one process.

One run, one instance, Redis; `serve --workers 1` and `serve --workers 2` started once and
measured in turns, ROUNDS times: a fresh poll each turn; for one process one `wrk` with 100
connections on its port, for two one `wrk` per port with 50 connections each, each on its own
half of the slips (bench/intake.lua, closed loop, DURATION seconds); ballots/s from the
database afterwards. Prints each turn and the median ratio.

    .venv/bin/python bench/bench_two_direct.py [--rounds 3] [--duration 10]

Needs redis-server and wrk.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from bench_hall import new_poll, stored  # noqa: E402
from hall_helpers import Workers, hall_instance, missing_tools  # noqa: E402


def wrk(url: str, tokens: Path, connections: int, duration: int) -> subprocess.Popen:
    env = {**os.environ, "TOKENS": str(tokens), "THREADS": "1", "THINK_MS": "0"}
    return subprocess.Popen(["wrk", "-t", "1", "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s",
                             "-s", str(HERE / "intake.lua"), url], env=env, stdout=subprocess.PIPE, text=True)


def turn(workers: Workers, key: str, db: Path, work: Path, duration: int) -> float:
    poll, codes = new_poll(workers.urls[0], key, 2500 * duration)
    loads = []
    for i, url in enumerate(workers.urls):
        part = work / f"tokens-{poll}-{i}.txt"
        part.write_text("\n".join(codes[i::len(workers.urls)]) + "\n")
        loads.append(wrk(url, part, 100 // len(workers.urls), duration))
    for load in loads:
        load.communicate()
    return stored(db, poll) / duration


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10)
    args = ap.parse_args()
    if missing_tools("redis-server", "wrk"):
        return 1
    made = hall_instance(Path(tempfile.mkdtemp(prefix="ballotroom-two-direct-")), "bench-password-123")
    work, key, db, redis_server, instance = made.folder, made.key, made.db, made.redis, made.instance
    one = Workers(instance, 1, work / "one.log").start()
    two = Workers(instance, 2, work / "two.log").start()
    figures: dict[str, list[float]] = {"1 process": [], "2 processes": []}
    try:
        for r in range(args.rounds):
            for name, workers in (("1 process", one), ("2 processes", two)):
                figures[name].append(round(turn(workers, key, db, work, args.duration), 1))
                print(json.dumps({"round": r, "server": name, "ballots_per_s": figures[name][-1]}), flush=True)
    finally:
        for part in (two, one, redis_server):
            part.stop()
    medians = {name: statistics.median(values) for name, values in figures.items()}
    print(json.dumps({"what": "summary", **figures, "ratio": round(medians["2 processes"] / medians["1 process"], 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
