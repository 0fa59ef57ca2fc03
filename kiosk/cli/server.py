"""Serving: gunicorn, one worker process, gevent; ballot commits in native threads.

One process by default, because the live publisher, the failure throttle and the ballot writer
live in memory and Socket.IO needs every client on the same process. Werkzeug's own server is
for development only.

Several processes (``serve --workers N``, for halls of thousands): N gunicorn servers, each
with one gevent worker, on N consecutive ports from ``--port`` (plain http on loopback), behind
the room's proxy (deploy/nginx-ballotroom.conf), which terminates TLS, keeps each device's
Socket.IO transports on one process (sticky by address) and spreads ballots and pages over all.
They share the one SQLite database (WAL, each with its own group-commit writer, every ballot
durable before its 201) and, through Redis (``redis_url``), Socket.IO's messages, the one live
publisher, the throttle and the live connection counts (kiosk/web/cluster.py). Not gunicorn's own
``workers = N``: its processes share one listening socket, so a long-polling client's requests
would land on processes that do not know its session. This process supervises the N servers
and starts one again if it exits; each server starts its worker again if it dies.

Why gevent. Every open Socket.IO connection is held for as long as it is open. Under gthread
(what served before) each one held a pool thread (all HTTP stopped at 200 sockets with the
old 200 threads) and, with Flask-SocketIO's threading mode and simple-websocket, three more
threads of its own. Giving sockets a pool of their own beside a reserved HTTP pool removes
the stall, but 2,000 sockets are then 8,000 threads in the one process, and intake fell to
0.41-0.64 of its rate without sockets (bench/bench_sockets.py on the shared 2-core container:
two runs with 2,000 sockets, 100 of them staff, and 1,000 keep-alive tablets; 0.41 in a third
with 2,000 idle keyless sockets alone: server CPU was the same, each ballot cost more than
twice as much).
Under gevent a connection is a greenlet: a prototype gave 0.96 and 0.96 in the same bench and
host, and this code 0.996, 0.96 and 0.94 (three runs, about 1,300-1,600 ballots/s either way),
75 KiB a socket (115 KiB threaded), no thread per socket, every tally to every dashboard,
fan-out spread p99 26-58 ms with the server saturated on a quiet host (BENCHMARKS.md, "Room
capacity"). One thing gevent would make worse is the disk: a COMMIT with
``synchronous = FULL`` waits for fsync, and in the loop that would stop every other
connection for that time (0.60 in the same bench); so the ballot writer's transaction runs in
gevent's pool of native threads (``kiosk.blocking``), and each ballot is still durable before
its 201. Reads stay in the loop (the ballot path's are indexed lookups). The cost of the
choice: Python work that runs long without yielding (a PDF of a thousand slips, about 1.5 s)
now delays everything else for that time instead of sharing the CPU; such work usually happens
before a poll opens or after it closes.

Capacity comes from the instance settings (kiosk/store/instance.py): the worker's connection pool
holds the live transports the gate admits (``live_keyless_total + live_staff_total``, see
kiosk/web/connections.py), ``keepalive_connections`` idle keep-alive connections, and
``http_connections`` more for pages, the API and ballots. The gate bounds the sockets, so they
never take the room intake needs. Idle keep-alive connections are not counted apart: more of
them than ``keepalive_connections`` would share the last ``http_connections`` with intake until
``keepalive_seconds`` closes them.

gevent must patch the standard library before the app's locks, queues and threads exist, so
the worker builds its own app (with the same instance and overrides, recorded by create_app)
after gunicorn's gevent worker has patched; the app made in the main process only checked the
configuration.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
import warnings

from gunicorn.app.base import BaseApplication

from kiosk.cli.language import say as _
from kiosk.web.connections import LiveCapacity


class _Gunicorn(BaseApplication):
    def __init__(self, make_app, options: dict):
        self.make_app = make_app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Called in the worker, after gevent has patched the standard library.
        return self.make_app()


def options_for(settings) -> dict:
    """gunicorn's sizes from the instance settings."""
    live = LiveCapacity.from_settings(settings)
    return {
        # gevent's pool: every connection held at once, whatever it is doing.
        "worker_connections": live.transports + settings.keepalive_connections + settings.http_connections,
        "keepalive": settings.keepalive_seconds,
    }


def _worker_app(created_with: tuple[str, dict], shared: dict | None = None):
    def make():
        # Imported here, in the worker, after gevent has patched the standard library: the app
        # and its threads must be built on the patched modules.
        from gevent import get_hub

        from kiosk import blocking
        from kiosk.app import create_app

        pool = get_hub().threadpool
        blocking.use(lambda function, *args: pool.apply(function, args))
        path, overrides = created_with
        return create_app(path, {**overrides, **(shared or {}), "LIVE_ASYNC_MODE": "gevent"})
    return make


def serve(app, host: str, port: int, certfile: str | None = None,
          keyfile: str | None = None, access_log: bool = False, workers: int = 1,
          redis_url: str | None = None) -> None:
    options = {
        "bind": [_bind(host, port)],
        "workers": 1,
        "worker_class": "gevent",
        **options_for(app.config["SETTINGS"]),
        "timeout": 120,
        "graceful_timeout": 10,
        "control_socket_disable": True,
        # The access log would carry addresses and token paths; it stays off
        # unless asked for, and even then the vote path is filtered out.
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "warning",
    }
    if certfile:
        options.update(certfile=certfile, keyfile=keyfile)
    # The worker patches after ssl was imported by HTTP client libraries (urllib3, aiohttp) that
    # the server never uses; its own TLS context is made after the patch, from gevent's ssl.
    warnings.filterwarnings("ignore", message="Monkey-patching ssl after ssl has already been imported")
    if workers == 1:
        _Gunicorn(_worker_app(app.config["CREATED_WITH"]), options).run()
        return
    shared = {"REDIS_URL": redis_url, "BEHIND_PROXY": True}
    _supervise([(lambda i=i: _Gunicorn(_worker_app(app.config["CREATED_WITH"], shared),
                                       {**options, "bind": [_bind(host, port + i)]}).run())
                for i in range(workers)])


def _bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _supervise(servers) -> None:
    """Run each server in a process of its own; start one again when it exits, until told to stop."""
    context = multiprocessing.get_context("fork")  # the servers inherit the checked configuration
    running = {i: context.Process(target=run, daemon=False) for i, run in enumerate(servers)}
    for process in running.values():
        process.start()
    stopping = False

    def stop(signum, _frame):
        nonlocal stopping
        stopping = True
        for process in running.values():
            if process.is_alive():
                os.kill(process.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        time.sleep(0.5)
        for i, process in running.items():
            if not process.is_alive() and not stopping:
                print("ballotroom: " + _("server %(n)s exited (%(status)s); starting it again", n=i,
                                         status=process.exitcode), file=sys.stderr, flush=True)
                running[i] = context.Process(target=servers[i], daemon=False)
                running[i].start()
    for process in running.values():
        process.join(15)
