"""Intake benchmark: durable ballots per second and latency from 100 concurrent clients.

Method: a fresh instance on local disk, `ballotroom serve` in its own process (the real
server, WAL + synchronous FULL), one open democratic recommendation poll with enough tokens,
then `wrk` (C, from Debian) with 100 connections on 2 threads for DURATION seconds, each
request casting one ballot with its own token (bench/intake.lua). Afterwards the database is
read back: every 201 must be a stored ballot. Prints one JSON line of figures.

    .venv/bin/python bench/bench_intake.py [--duration 15] [--connections 100]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import DEMOCRATIC_POLL, call, free_port, wait_until_serving

HERE = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--tokens", type=int, default=40000)
    ap.add_argument("--think-ms", type=int, default=0,
                    help="pause between a connection's requests (0: closed loop, as fast as possible)")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 1
    sys.path.insert(0, str(HERE.parent))
    from kiosk.cli.instances import init_instance
    from kiosk.domain import accounts
    from kiosk.store.db import Database

    work = Path(tempfile.mkdtemp(prefix="ballotroom-bench-"))
    inst = work / "instance"
    init_instance(str(inst), "admin", "bench-password-123")
    key = accounts.create_api_key(Database(inst / "ballotroom.db"), "admin")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "kiosk.cli.main", "serve", "--no-tls", "--instance", str(inst),
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(base, server)
        meeting = call(base, key, "/api/v1/meetings", {"title": "bench", "expected": 100000})
        poll = call(base, key, f"/api/v1/meetings/{meeting['id']}/polls", {
            "title": "bench", **DEMOCRATIC_POLL})
        tokens = []
        while len(tokens) < args.tokens:
            n = min(5000, args.tokens - len(tokens))
            tokens += call(base, key, f"/api/v1/polls/{poll['id']}/tokens", {"count": n})["tokens"]
        call(base, key, f"/api/v1/polls/{poll['id']}/open")
        token_file = work / "tokens.txt"
        token_file.write_text("\n".join(tokens) + "\n")
        threads = 2
        env = {**os.environ, "TOKENS": str(token_file), "THREADS": str(threads),
               "THINK_MS": str(args.think_ms)}
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(args.connections), "-d", f"{args.duration}s",
             "--latency", "--timeout", "10s", "-s", str(HERE / "intake.lua"), base],
            env=env, capture_output=True, text=True, check=True).stdout
    finally:
        server.terminate()
        server.wait()
    conn = sqlite3.connect(inst / "ballotroom.db")
    stored = conn.execute("SELECT count(*) FROM ballots").fetchone()[0]
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    refused = int(non2xx.group(1)) if non2xx else 0
    pct = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    figures = {
        "connections": args.connections, "duration_s": args.duration, "think_ms": args.think_ms,
        "requests": requests, "refused": refused, "stored": stored,
        "ballots_per_s": round(stored / args.duration, 1),
        "latency_p50": pct.get("50"), "latency_p90": pct.get("90"), "latency_p99": pct.get("99"),
        "all_201_stored": requests - refused <= stored,
    }
    print(out)
    print(json.dumps(figures))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
