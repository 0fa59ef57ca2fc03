"""Room capacity benchmark: ballot intake with thousands of live connections open.

Method (one run, one server): a fresh instance, `ballotroom serve --no-tls` in its own process,
two open democratic recommendation polls with enough tokens.

1. Intake without sockets: `wrk` (bench/intake.lua, 100 connections, closed loop) casts ballots
   on poll B, ROUNDS times DURATION seconds.
2. Then open SOCKETS real Socket.IO clients (python-socketio's asyncio client, websocket
   transport, no reconnection): STAFF of them with chair keys (KEYS keys, STAFF / KEYS
   connections each) watching poll A, the rest without a key, FOUR per source address
   (127.1.x.y; all of 127/8 is loopback on Linux). And TABLETS idle keep-alive HTTP clients
   (127.3.x.y), each sending `GET /` on its one connection every TABLET_EVERY seconds. Server
   memory (worker RSS) and threads are read before and after.
3. Intake with all of them open: the same wrk load ROUNDS times, on poll A, whose tallies go to
   every dashboard; then once at the room's pace (THINK_MS between a connection's ballots, about
   500 ballots/s, as bench_intake's room-like load). Then poll A is closed: every dashboard must
   receive the final tally, every keyless socket the `state` event.
4. Sockets and tablets closed; intake without sockets again (ROUNDS times, poll B).

Figures: ballots/s (2xx answers per second, per wrk run), medians per phase, and the ratio of
phase 3 to phases 1 and 4; tallies missed by any dashboard; fan-out spread (per tally, last
dashboard's arrival minus the first's) p50/p99/max, apart for the saturated runs and the
room-pace run; tablets whose connection was kept; memory
per socket. Prints one JSON line at the end.

    .venv/bin/python bench/bench_sockets.py [--sockets 2000] [--staff 100] [--tablets 1000]
        [--duration 10] [--rounds 3]

One file of over 400 lines on purpose: a benchmark is read and run as one script, its method in
one place beside the code that carries it out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import resource
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import DEMOCRATIC_POLL, call, free_port, wait_until_serving

HERE = Path(__file__).resolve().parent
NS = "/live"


def raise_nofile(want: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    new = hard if hard == resource.RLIM_INFINITY else min(hard, max(soft, want))
    resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    return new


def worker_pid(master: int) -> int | None:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return None
    return int(children[0]) if children else None


def proc_status(pid: int) -> dict:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "Threads"):
            out[name] = int(value.split()[0])
    return out


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- load --------------------------------------------------------------------------------------

async def run_wrk(base: str, tokens: list[str], work: Path, duration: int, connections: int,
                  think_ms: int = 0) -> dict:
    path = work / f"tokens-{time.monotonic_ns()}.txt"
    path.write_text("\n".join(tokens) + "\n")
    threads = 2
    env = {**os.environ, "TOKENS": str(path), "THREADS": str(threads), "THINK_MS": str(think_ms)}
    proc = await asyncio.create_subprocess_exec(
        "wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency",
        "--timeout", "10s", "-s", str(HERE / "intake.lua"), base,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    out = out.decode()
    if proc.returncode != 0:
        raise SystemExit(f"wrk failed: {err.decode()}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    refused = int(non2xx.group(1)) if non2xx else 0
    errors = re.search(r"Socket errors: (.*)", out)
    pct = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
    path.unlink()
    return {"ballots_per_s": round((requests - refused) / duration, 1), "acknowledged": requests - refused,
            "refused": refused, "p50": pct.get("50"), "p99": pct.get("99"),
            "socket_errors": errors.group(1) if errors else None}


class Dashboards:
    """Every live client of the run and what it received."""

    def __init__(self):
        self.tallies: dict[int, list[tuple[int, float, str]]] = {}  # client -> [(cast, t, state)]
        self.states: dict[int, list[str]] = {}
        self.connected = 0
        self.failed: list[str] = []
        self.dropped = 0
        self.clients: list = []


async def open_socket(base, index, address, auth, poll, board: Dashboards, sem):
    import aiohttp
    import socketio

    async with sem:
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address, 0), limit=0))
        client = socketio.AsyncClient(reconnection=False, http_session=session)
        board.tallies[index] = []
        board.states[index] = []

        @client.on("tally", namespace=NS)
        async def _tally(doc, index=index):
            board.tallies[index].append((doc["cast"], time.monotonic(), doc["state"]))

        @client.on("state", namespace=NS)
        async def _state(doc, index=index):
            board.states[index].append(doc["state"])

        @client.on("disconnect", namespace=NS)
        async def _gone(*_args):
            board.dropped += 1

        try:
            await client.connect(base, namespaces=[NS], transports=["websocket"], auth=auth, wait_timeout=60)
            if auth:
                answer = await client.call("watch", {"poll": poll}, namespace=NS, timeout=60)
                if answer != {"ok": True}:
                    raise RuntimeError(f"watch answered {answer}")
        except Exception as exc:  # counted, reported
            board.failed.append(f"{address}: {type(exc).__name__}: {exc}")
            await session.close()
            return
        board.connected += 1
        board.clients.append((client, session))


class Tablets:
    """Idle keep-alive HTTP clients: one connection each, one request every `every` seconds."""

    def __init__(self):
        self.opened = 0
        self.requests = 0
        self.closed_by_server = 0
        self.failed: list[str] = []
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task] = []

    async def one(self, host, port, address, every, sem, delay):
        try:
            async with sem:
                reader, writer = await asyncio.open_connection(host, port, local_addr=(address, 0))
        except OSError as exc:
            self.failed.append(f"{address}: {exc}")
            return
        self.opened += 1
        first = True
        try:
            while not self.stop.is_set():
                writer.write(f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Language: zh-CN\r\n\r\n".encode())
                await writer.drain()
                head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)).decode("latin-1").lower()
                length = int(re.search(r"content-length:\s*(\d+)", head).group(1))
                await reader.readexactly(length)
                self.requests += 1
                if "connection: close" in head:
                    self.closed_by_server += 1
                    return
                wait = delay if first else every
                first = False
                try:
                    await asyncio.wait_for(self.stop.wait(), wait)
                except TimeoutError:
                    pass
        except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
            self.closed_by_server += 1
            self.failed.append(f"{address}: {type(exc).__name__}")
        finally:
            writer.close()


def spread_figures(board: Dashboards, staff: list[int], windows: dict[str, tuple[float, float]]) -> dict:
    seen: dict[int, list[float]] = {}
    for i in staff:
        for cast, t, state in board.tallies[i]:
            if state == "open":
                seen.setdefault(cast, []).append(t)
    every = set(seen)
    missed = sum(len(every - {c for c, _, s in board.tallies[i] if s == "open"}) for i in staff)
    out = {"tallies_published": len(every), "tallies_missed": missed}
    for name, (start, end) in windows.items():
        spreads = sorted((max(ts) - min(ts)) * 1000 for ts in seen.values()
                         if len(ts) == len(staff) and start <= min(ts) <= end)
        def pct(p, spreads=spreads):
            return round(spreads[min(len(spreads) - 1, math.ceil(p / 100 * len(spreads)) - 1)], 1) if spreads else None
        out[name] = {"tallies": len(spreads), "spread_ms_p50": pct(50), "spread_ms_p99": pct(99),
                     "spread_ms_max": round(spreads[-1], 1) if spreads else None}
    return out


async def bench(args) -> dict:
    sys.path.insert(0, str(HERE.parent))
    from kiosk.cli.instances import init_instance
    from kiosk.domain import accounts
    from kiosk.store.db import Database

    work = Path(tempfile.mkdtemp(prefix="ballotroom-sockets-"))
    inst = work / "instance"
    init_instance(str(inst), "admin", "bench-password-123")
    database = Database(inst / "ballotroom.db")
    key = accounts.create_api_key(database, "admin")
    chair_keys = [accounts.create_api_key(database, "chair", f"bench {i}") for i in range(args.keys)]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(work / "server.log", "wb")  # noqa: SIM115
    command = (shlex.split(args.server_cmd.format(python=sys.executable, instance=inst, port=port))
               if args.server_cmd else
               [sys.executable, "-m", "kiosk.cli.main", "serve", "--no-tls", "--instance", str(inst), "--port", str(port)])
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=HERE.parent)
    figures: dict = {"sockets": args.sockets, "staff": args.staff, "keys": args.keys, "tablets": args.tablets,
                     "duration_s": args.duration, "rounds": args.rounds, "wrk_connections": args.connections}
    try:
        wait_until_serving(base, server)
        meeting = call(base, key, "/api/v1/meetings", {"title": "bench", "expected": 100000})
        per_run = args.duration * args.tokens_per_second
        polls = {}
        for name, runs in (("A", args.rounds + 1), ("B", 2 * args.rounds)):
            poll = call(base, key, f"/api/v1/meetings/{meeting['id']}/polls", {
                "title": f"bench {name}", **DEMOCRATIC_POLL})["id"]
            tokens: list[str] = []
            while len(tokens) < runs * per_run:
                n = min(5000, runs * per_run - len(tokens))
                tokens += call(base, key, f"/api/v1/polls/{poll}/tokens", {"count": n})["tokens"]
            call(base, key, f"/api/v1/polls/{poll}/open")
            polls[name] = (poll, [tokens[i * per_run:(i + 1) * per_run] for i in range(runs)])
        poll_a, runs_a = polls["A"]
        poll_b, runs_b = polls["B"]
        worker = None
        for _ in range(100):
            worker = worker_pid(server.pid)
            if worker:
                break
            time.sleep(0.1)
        worker = worker or server.pid

        quiet = []
        cpu0, t0 = cpu_seconds(worker), time.monotonic()
        for r in range(args.rounds):
            quiet.append(await run_wrk(base, runs_b[r], work, args.duration, args.connections))
            print("no sockets:", quiet[-1], flush=True)
        figures["server_cpu_percent_quiet"] = round(100 * (cpu_seconds(worker) - cpu0) / (time.monotonic() - t0), 1)

        before = proc_status(worker)
        board = Dashboards()
        sem = asyncio.Semaphore(args.open_concurrency)
        staff = list(range(args.staff))
        per_key = max(1, math.ceil(args.staff / args.keys))
        opening = []
        started = time.monotonic()
        for i in range(args.sockets):
            if i < args.staff:
                address, auth = f"127.2.{i // 250}.{1 + i % 250}", {"key": chair_keys[i // per_key]}
            else:
                j = (i - args.staff) // 4  # four keyless sockets per address, the default limit
                address, auth = f"127.1.{j // 250}.{1 + j % 250}", None
            opening.append(open_socket(base, i, address, auth, poll_a, board, sem))
        await asyncio.gather(*opening)
        figures["open_seconds"] = round(time.monotonic() - started, 1)
        tablets = Tablets()
        tsem = asyncio.Semaphore(args.open_concurrency)
        for i in range(args.tablets):
            address = f"127.3.{i // 250}.{1 + i % 250}"
            delay = args.tablet_every * i / max(1, args.tablets)
            tablets.tasks.append(asyncio.create_task(
                tablets.one("127.0.0.1", port, address, args.tablet_every, tsem, delay)))
        await asyncio.sleep(3)
        print(f"sockets connected {board.connected}/{args.sockets} (failed {len(board.failed)}), "
              f"tablets {tablets.opened}/{args.tablets}", flush=True)
        if board.failed:
            print("first failures:", board.failed[:5], flush=True)
        after = proc_status(worker)
        cpu0, t0 = cpu_seconds(worker), time.monotonic()
        await asyncio.sleep(args.idle_seconds)
        idle_cpu = (cpu_seconds(worker) - cpu0) / (time.monotonic() - t0)
        figures.update(
            sockets_connected=board.connected, sockets_failed=len(board.failed),
            tablets_opened=tablets.opened,
            server_rss_mib_before=round(before["VmRSS"] / 1024, 1), server_rss_mib_open=round(after["VmRSS"] / 1024, 1),
            server_threads_before=before["Threads"], server_threads_open=after["Threads"],
            kib_per_socket=round((after["VmRSS"] - before["VmRSS"]) / max(1, board.connected), 1),
            idle_cpu_percent_of_a_core=round(100 * idle_cpu, 1))

        loaded = []
        cpu0, own0, t0 = cpu_seconds(worker), time.process_time(), time.monotonic()
        for r in range(args.rounds):
            loaded.append(await run_wrk(base, runs_a[r], work, args.duration, args.connections))
            print("with sockets:", loaded[-1], flush=True)
        elapsed = time.monotonic() - t0
        windows = {"fanout_saturated": (t0, t0 + elapsed)}
        # The clients share the machine with the server: their CPU is the bench's own cost.
        figures.update(server_cpu_percent_loaded=round(100 * (cpu_seconds(worker) - cpu0) / elapsed, 1),
                       clients_cpu_percent_loaded=round(100 * (time.process_time() - own0) / elapsed, 1))
        # The room's own pace: every wrk connection waits THINK ms between ballots (bench_intake).
        t1 = time.monotonic()
        paced = await run_wrk(base, runs_a[args.rounds], work, args.duration, args.connections, args.think_ms)
        windows["fanout_room_pace"] = (t1, time.monotonic())
        print("with sockets, room pace:", paced, flush=True)
        figures["room_pace"] = {"think_ms": args.think_ms, **paced}
        await asyncio.sleep(2)  # the publisher's last batch
        await asyncio.to_thread(call, base, key, f"/api/v1/polls/{poll_a}/close")
        deadline = time.monotonic() + 60
        keyless = [i for i in range(args.staff, args.sockets) if i in board.tallies]
        def finished():
            finals = all(any(s == "closed" for _, _, s in board.tallies[i]) for i in staff if board.tallies.get(i) is not None)
            states = all("closed" in board.states[i] for i in keyless)
            return finals and states
        while time.monotonic() < deadline and not finished():
            await asyncio.sleep(0.2)
        stored_a = sqlite3.connect(inst / "ballotroom.db").execute(
            "SELECT count(*) FROM ballots WHERE poll_id = ?", (poll_a,)).fetchone()[0]
        final_ok = sum(1 for i in staff if any(s == "closed" and c == stored_a for c, _, s in board.tallies.get(i, [])))
        state_ok = sum(1 for i in keyless if "closed" in board.states[i])
        figures.update(spread_figures(board, [i for i in staff if i in board.tallies], windows))
        figures.update(final_tally_received=f"{final_ok}/{args.staff}", state_received=f"{state_ok}/{len(keyless)}",
                       sockets_dropped_while_open=board.dropped)
        tablets.stop.set()
        await asyncio.gather(*tablets.tasks)
        figures.update(tablets_kept=tablets.opened - tablets.closed_by_server, tablet_requests=tablets.requests)
        for client, session in board.clients:
            await client.disconnect()
            await session.close()
        await asyncio.sleep(2)

        after_close = []
        for r in range(args.rounds):
            after_close.append(await run_wrk(base, runs_b[args.rounds + r], work, args.duration, args.connections))
            print("no sockets again:", after_close[-1], flush=True)
        rate = [q["ballots_per_s"] for q in quiet + after_close]
        rate_loaded = [q["ballots_per_s"] for q in loaded]
        figures.update(
            ballots_per_s_no_sockets=[q["ballots_per_s"] for q in quiet],
            ballots_per_s_with_sockets=rate_loaded,
            ballots_per_s_no_sockets_after=[q["ballots_per_s"] for q in after_close],
            median_no_sockets=statistics.median(rate), median_with_sockets=statistics.median(rate_loaded),
            ratio=round(statistics.median(rate_loaded) / statistics.median(rate), 3) if statistics.median(rate) else None,
            p99_no_sockets=[q["p99"] for q in quiet + after_close], p99_with_sockets=[q["p99"] for q in loaded],
            refused=sum(q["refused"] for q in quiet + loaded + after_close))
        conn = sqlite3.connect(inst / "ballotroom.db")
        stored = conn.execute("SELECT count(*) FROM ballots").fetchone()[0]
        figures["all_201_stored"] = sum(q["acknowledged"] for q in quiet + loaded + [paced] + after_close) <= stored
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    if args.keep:
        figures["work"] = str(work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sockets", type=int, default=2000, help="open Socket.IO clients, staff included")
    ap.add_argument("--staff", type=int, default=100, help="of them, chair clients watching the poll")
    ap.add_argument("--keys", type=int, default=10, help="chair keys the staff clients share")
    ap.add_argument("--tablets", type=int, default=1000, help="idle keep-alive HTTP clients")
    ap.add_argument("--tablet-every", type=float, default=60.0, help="seconds between a tablet's requests")
    ap.add_argument("--duration", type=int, default=10, help="seconds of one wrk run")
    ap.add_argument("--rounds", type=int, default=3, help="wrk runs per phase")
    ap.add_argument("--connections", type=int, default=100, help="wrk connections")
    ap.add_argument("--think-ms", type=int, default=180,
                    help="the room-pace run: pause between a connection's ballots (about 500 ballots/s)")
    ap.add_argument("--tokens-per-second", type=int, default=2500, help="tokens prepared per second of a run")
    ap.add_argument("--open-concurrency", type=int, default=100, help="clients connecting at once")
    ap.add_argument("--idle-seconds", type=float, default=5.0, help="server CPU measured over this idle time")
    ap.add_argument("--server-cmd", help="start the server with this command instead "
                    "({python}, {instance} and {port} are filled in)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (server.log)")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 1
    limit = raise_nofile(args.sockets + args.tablets + 4 * args.connections + 1000)
    if limit < args.sockets + args.tablets + 500:
        print(f"open files limited to {limit}: raise the hard limit (ulimit -Hn)", file=sys.stderr)
        return 1
    figures = asyncio.run(bench(args))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
