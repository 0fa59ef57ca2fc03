"""What the benchmarks share: a free port, waiting for a server, and one API call with an admin key."""

from __future__ import annotations

import json
import socket
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base: str, key: str, path: str, body=None, timeout: float = 120):
    data = json.dumps(body).encode() if body is not None else b""
    req = urllib.request.Request(base + path, data=data, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def wait_until_serving(base: str, server) -> None:
    """Until the server at ``base`` answers (or its process ``server`` has exited)."""
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/login", timeout=1)
            return
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the server did not start") from None
            time.sleep(0.05)
    raise SystemExit("the server did not answer within 30 s")


DEMOCRATIC_POLL = {"kind": "democratic_recommendation",
                   "contests": [{"id": "c1", "title": "c1", "max_choices": 1, "places": 1,
                                 "candidates": [{"id": "k1", "name": "A"}, {"id": "k2", "name": "B"}]}]}
