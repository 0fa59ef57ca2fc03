"""kill -9 under load, many times: every acknowledged ballot must be stored (BENCHMARKS.md, "A
large hall: kill -9 under load").

A hall on this machine as tests/test_hall_faults.py has it (redis-server, `serve --workers 2`,
nginx serving the shipped site over TLS), and ballots cast through nginx from THREADS threads,
each on its own keep-alive connection (tests/hall_helpers.Load). Two kinds of cycle, each
repeated CYCLES times on its own poll:

- one: SIGKILL to one process's gevent worker, the two in turns, after 30 more ballots were
  acknowledged; gunicorn's master (the worker's parent) starts a new worker on the same port.
  Counted: the outage (from the kill until the port answers again), the ballots the other
  process acknowledged meanwhile, the answers lost (502 from nginx or none) with the kill. The
  next cycle waits until nginx sends ballots to the new worker again (its site's fail_timeout).
- all: SIGKILL to the whole server at once (the supervisor, both gunicorn masters and their
  workers: its process group), then `ballotroom serve --workers 2` started again on the same
  instance and ports; nginx and Redis stay. Counted: the outage until the load is acknowledged
  again.

Afterwards, from the database: every 201's tracking code among the poll's receipts; ballots
stored against ballots acknowledged (a ballot whose answer the kill cut off may be stored
without having been acknowledged, never the reverse).

    .venv/bin/python bench/bench_kill.py [--cycles 50] [--kinds one,all] [--threads 6]

Needs redis-server and nginx. Prints one JSON line per cycle and one summary per kind.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from bench_hall import new_poll  # noqa: E402
from hall_helpers import STARTUP, Load, Nginx, Workers, _answers, hall_instance, missing_tools  # noqa: E402

ANSWERS = {"c1": ["k1"]}  # bench_hall's poll (benchlib.DEMOCRATIC_POLL)
BEFORE = 30  # ballots acknowledged between two kills


def recovered(url: str) -> float:
    """When the process at ``url`` answers again: its port queues requests while it restarts."""
    deadline = time.monotonic() + STARTUP
    while not _answers(url + "/login"):
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not come back within {STARTUP} s")
    return time.monotonic()


def kill_one(load: Load, workers: Workers, cycle: int) -> dict:
    port, other = workers.ports[cycle % 2], workers.ports[1 - cycle % 2]
    load.until_acknowledged(BEFORE)
    victim = workers.worker_on(port)
    sent = len(load.casts)
    killed = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    back = recovered(f"http://127.0.0.1:{port}")
    during = [c for c in load.acknowledged() if c.started >= killed and c.ended <= back]
    load.until_served_again(port, back)
    lost = [c for c in load.casts[sent:] if c.status != 201]
    return {"kind": "one", "cycle": cycle, "outage_s": round(back - killed, 3),
            "acknowledged_by_the_other_meanwhile": sum(c.port == other for c in during),
            "answers_lost": len(lost), "statuses_lost": sorted({str(c.status) for c in lost})}


def kill_all(load: Load, workers: Workers, cycle: int) -> dict:
    load.until_acknowledged(BEFORE)
    sent = len(load.casts)
    killed = time.monotonic()
    workers.kill()
    workers.start()
    started = time.monotonic()
    load.until(lambda acked: any(c.started > started for c in acked), "a ballot acknowledged again")
    again = min(c.ended for c in load.acknowledged() if c.started > started)
    lost = [c for c in load.casts[sent:] if c.status != 201]
    return {"kind": "all", "cycle": cycle, "restart_s": round(started - killed, 3),
            "outage_s": round(again - killed, 3), "answers_lost": len(lost),
            "statuses_lost": sorted({str(c.status) for c in lost})}


def stored(db: Path, poll: str) -> tuple[set[str], int]:
    with sqlite3.connect(db) as conn:
        codes = {row[0] for row in conn.execute("SELECT code FROM receipts WHERE poll_id = ?", (poll,))}
        ballots = conn.execute("SELECT count(*) FROM ballots WHERE poll_id = ?", (poll,)).fetchone()[0]
    return codes, ballots


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cycles", type=int, default=50)
    ap.add_argument("--kinds", default="one,all")
    ap.add_argument("--threads", type=int, default=6)
    args = ap.parse_args()
    if missing_tools("redis-server", "nginx"):
        return 1
    made = hall_instance(Path(tempfile.mkdtemp(prefix="ballotroom-kill-")), "bench-password-123")
    work, instance, db, redis_server, key = made.folder, made.instance, made.db, made.redis, made.key
    workers = Workers(instance, 2, work / "serve.log").start()
    nginx = Nginx(work / "nginx", workers.ports, made.certs).start()
    ok = True
    try:
        for kind in args.kinds.split(","):
            cycle_of = {"one": kill_one, "all": kill_all}[kind]
            # Enough slips for the load to run through every cycle (about 200 ballots/s with 6
            # threads; nginx holds a failed process out for 5 s after each kill).
            poll, codes = new_poll(workers.urls[0], key, args.cycles * 2000)
            load = Load(nginx, codes, ANSWERS, threads=args.threads).start()
            cycles = []
            try:
                for cycle in range(args.cycles):
                    figures = cycle_of(load, workers, cycle)
                    print(json.dumps(figures), flush=True)
                    cycles.append(figures)
            finally:
                load.stop()
            acknowledged = load.acknowledged()
            receipts, ballots = stored(db, poll)
            missing_codes = len({c.code for c in acknowledged} - receipts)
            ok = ok and missing_codes == 0
            print(json.dumps({
                "what": "summary", "kind": kind, "cycles": len(cycles), "threads": args.threads,
                "sent": len(load.casts), "acknowledged": len(acknowledged), "stored": ballots,
                "acknowledged_missing": missing_codes,
                "stored_without_acknowledgement": ballots - len(acknowledged),
                "answers_lost": sum(c["answers_lost"] for c in cycles),
                "statuses_lost": sorted({s for c in cycles for s in c["statuses_lost"]}),
                "outage_s_median": statistics.median(c["outage_s"] for c in cycles),
                "outage_s_max": max(c["outage_s"] for c in cycles),
                **({"acknowledged_by_the_other_meanwhile_min": min(c["acknowledged_by_the_other_meanwhile"] for c in cycles)}
                   if kind == "one" else
                   {"restart_s_median": statistics.median(c["restart_s"] for c in cycles)}),
            }), flush=True)
    finally:
        for part in (nginx, workers, redis_server):
            part.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
