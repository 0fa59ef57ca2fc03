"""Serving: gunicorn with one worker process and many threads.

One process, because the live publisher, the failure throttle and the write
queue live in memory and Socket.IO needs every client on the same process;
threads (gthread), because Flask-SocketIO's threading mode with
simple-websocket runs on them (eventlet is deprecated). Werkzeug's own server
is for development only.
"""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, app, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def serve(app, host: str, port: int, threads: int = 200, certfile: str | None = None,
          keyfile: str | None = None, access_log: bool = False) -> None:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options = {
        "bind": [bind],
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        # A tablet may keep its connection open between ballots.
        "keepalive": 75,
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
    _Gunicorn(app, options).run()
