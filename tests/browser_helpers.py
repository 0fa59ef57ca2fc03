"""Helpers of the browser tests (tests/test_browser.py): a real server, Chromium, slips' QR codes.

The server runs as it does in a room: `python -m kiosk.cli.main serve` (gunicorn, gthread) in its own
process group, so Socket.IO websockets work exactly as on the appliance.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import browser_required

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TABLET = {"width": 800, "height": 1280}
ARTIFACTS = Path(__file__).parent / "artifacts"
ROOT = Path(__file__).resolve().parent.parent


def need_browser() -> None:
    """Skip without Chromium or Playwright, except under CI=true: there the test fails."""
    reason = None
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        reason = f"no Chromium at {CHROMIUM}"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "Python Playwright is not installed"
    if reason is None:
        return
    if browser_required():
        pytest.fail(f"browser tests must run under CI=true: {reason}")
    pytest.skip(reason)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`ballotroom serve` on a free port of 127.0.0.1, stopped with its whole process group."""

    def __init__(self, instance: Path, log_path: Path):
        self.instance = instance
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = dict(os.environ)
        env.pop("BALLOTROOM_ACCESS_LOG", None)
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli.main", "serve", "--instance", str(self.instance),
             "--port", str(self.port)],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}): {self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/login", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"the server did not answer /login in 30 s: {self.log()}")
            time.sleep(0.1)

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-4000:]
        return ""

    def __exit__(self, *exc) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._log.close()
        self.process = None


def shot(page, name: str, full_page: bool = True) -> Path:
    """A screenshot under tests/artifacts/ (kept out of git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def qr_urls(pdf: bytes, dpi: int = 150) -> list[str]:
    """Every QR code of a PDF, decoded from its rasterised pages."""
    import pypdfium2 as pdfium
    import zxingcpp

    found = []
    document = pdfium.PdfDocument(pdf)
    try:
        for page in document:
            image = page.render(scale=dpi / 72, grayscale=True).to_pil()
            found.extend(r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode))
    finally:
        document.close()
    return found


def login(page, base: str, name: str, password: str) -> None:
    page.goto(f"{base}/login?lang=en")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button.primary")
    assert "/login" not in page.url, page.content()


class HttpApi:
    """/api/v1 of a running server, over HTTP, with an administrator's key."""

    def __init__(self, base: str, key: str):
        self.base = base
        self.key = key

    def call(self, method: str, path: str, body: object | None = None, expect: int | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base}/api/v1{path}", data=data, method=method,
            headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status, text = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        document = json.loads(text) if text else None
        if expect is not None:
            assert status == expect, (method, path, status, document)
        return document

    def meeting(self, expected: int, present: int | None = None, title: str = "全委会") -> str:
        meeting_id = self.call("POST", "/meetings", {"title": title, "expected": expected}, 201)["id"]
        if present is not None:
            self.call("POST", f"/meetings/{meeting_id}/attendance", {"present": present}, 200)
        return meeting_id

    def poll(self, meeting_id: str, kind: str, contests: list[dict], title: str = "投票") -> str:
        body = {"title": title, "kind": kind, "contests": contests}
        return self.call("POST", f"/meetings/{meeting_id}/polls", body, 201)["id"]

    def tokens(self, poll_id: str, count: int) -> list[str]:
        tokens = self.call("POST", f"/polls/{poll_id}/tokens", {"count": count}, 201)["tokens"]
        return [t if isinstance(t, str) else t["token"] for t in tokens]

    def open(self, poll_id: str) -> None:
        self.call("POST", f"/polls/{poll_id}/open", None, 200)

    def close(self, poll_id: str) -> dict:
        return self.call("POST", f"/polls/{poll_id}/close", None, 200)

    def results(self, poll_id: str) -> dict:
        return self.call("GET", f"/polls/{poll_id}/results", None, 200)

    def open_poll_with_slips(self, kind: str, contests: list[dict], slips: int, expected: int,
                             present: int | None = None, title: str = "投票") -> tuple[str, list[str]]:
        meeting_id = self.meeting(expected, present)
        poll_id = self.poll(meeting_id, kind, contests, title)
        codes = self.tokens(poll_id, slips)
        self.open(poll_id)
        return poll_id, codes


def contest(cid: str, names: list[str], max_choices: int = 1, places: int | None = None) -> dict:
    return {"id": cid, "title": cid, "max_choices": max_choices,
            "places": max_choices if places is None else places,
            "candidates": [{"id": f"k{i}", "name": n} for i, n in enumerate(names, 1)]}


def serve_room(tmp_path_factory, name: str, chair_password: str, admin_password: str = "correct horse battery",
               config: str | None = None):
    """A fresh instance with an administrator (and an admin API key, ``server.api``) and a chair,
    served on a free port; module-scoped fixtures ``yield from`` it."""
    from kiosk.cli.instances import init_instance
    from kiosk.domain import accounts
    from kiosk.store.db import Database

    need_browser()
    path = tmp_path_factory.mktemp(name) / "instance"
    init_instance(str(path), "admin", admin_password)
    if config:
        (path / "config.toml").write_text(config)
    database = Database(path / "ballotroom.db")
    try:
        accounts.add_user(database, "chair", "chair", chair_password)
        key = accounts.create_api_key(database, "admin")
    finally:
        database.close()
    with Server(path, path.parent / "server.log") as server:
        server.api = HttpApi(server.url, key)
        yield server


def chromium_session(*extra_args: str):
    """Debian's Chromium through Playwright for as long as the fixture lasts."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])
        yield chromium
        chromium.close()
