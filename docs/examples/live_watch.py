"""Watch one poll over Socket.IO and print the first `turnout` and `tally` events, then stop.

    python docs/examples/live_watch.py URL KEY POLL

URL is the server (http://127.0.0.1:5000), KEY a chair or admin API key
(`ballotroom apikey create --role chair`), POLL a poll id (`ballotroom polls`). Needs the
Socket.IO client: `pip install "python-socketio[client]"` (`make install-test` installs it).
docs/api.md explains the events; a test runs this file against a served instance.
"""

from __future__ import annotations

import json
import sys
import threading

import socketio


def main(url: str, key: str, poll: str) -> int:
    received: dict[str, dict] = {}
    both = threading.Event()
    client = socketio.Client()

    def keep(name: str):
        def handler(payload: dict) -> None:
            received.setdefault(name, payload)
            if {"turnout", "tally"} <= received.keys():
                both.set()
        return handler

    client.on("turnout", keep("turnout"), namespace="/live")
    client.on("tally", keep("tally"), namespace="/live")
    client.connect(url, namespaces=["/live"], auth={"key": key}, transports=["websocket"])
    try:
        answer = client.call("watch", {"poll": poll}, namespace="/live", timeout=10)
        if not answer.get("ok"):  # {"error": "unauthorized"} or {"error": "not_found"}
            print(f"watch refused: {answer}", file=sys.stderr)
            return 1
        if not both.wait(timeout=10):
            print("no turnout and tally within 10 seconds", file=sys.stderr)
            return 1
    finally:
        client.disconnect()
    for name in ("turnout", "tally"):
        print(name, json.dumps(received[name], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
