"""Shared fixtures: a fresh instance, app and clients per test (flaskr's pattern).

A test's instance is a copy of a template built once per session and password (init_instance:
keys, migrations, the administrator's argon2 hash), not built again: the copy costs a
millisecond, the build a quarter of a second. Every copy shares the template's secret key and
signing key, which is fine for tests (each test still has its own folder and database); tests
of the instance's own creation call ``init_instance`` themselves.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from kiosk.app import create_app
from kiosk.cli.instances import init_instance
from kiosk.domain import accounts
from kiosk.store.db import Database

ADMIN_PASSWORD = "correct horse battery"


_templates: dict[tuple[str, str], Path] = {}
_template_lock = threading.Lock()


def _template(admin: str, password: str) -> Path:
    with _template_lock:
        path = _templates.get((admin, password))
        if path is None:
            root = Path(tempfile.mkdtemp(prefix="ballotroom-template-"))
            atexit.register(shutil.rmtree, root, True)
            path = root / "instance"
            init_instance(str(path), admin, password)
            # Everything into the main file, so the copy needs no -wal or -shm file.
            conn = sqlite3.connect(path / "ballotroom.db")
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
            _templates[(admin, password)] = path
        return path


def new_instance(path, password: str = ADMIN_PASSWORD, admin: str = "admin") -> Path:
    """What ``init_instance(path, admin, password)`` makes, copied from the session's template."""
    path = Path(path)
    shutil.copytree(_template(admin, password), path,
                    ignore=shutil.ignore_patterns("*-wal", "*-shm", "*-journal"))
    return path


@pytest.fixture
def instance(tmp_path):
    return new_instance(tmp_path / "instance")


@pytest.fixture
def app(instance):
    return create_app(str(instance), {"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def database(app) -> Database:
    return app.extensions["ballotroom_db"]


@pytest.fixture
def admin_key(database):
    return accounts.create_api_key(database, "admin")


@pytest.fixture
def chair_key(database):
    return accounts.create_api_key(database, "chair")


class Api:
    """A thin client of /api/v1 for tests."""

    def __init__(self, client, key):
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def post(self, path, json=None, expect=None):
        r = self.client.post(f"/api/v1{path}", json=json, headers=self.headers)
        if expect is not None:
            assert r.status_code == expect, (r.status_code, r.get_json())
        return r

    def get(self, path, expect=200):
        r = self.client.get(f"/api/v1{path}", headers=self.headers)
        assert r.status_code == expect, (r.status_code, r.get_json())
        return r.get_json()

    def meeting(self, expected, present=None, title="全委会"):
        m = self.post("/meetings", {"title": title, "expected": expected}, 201).get_json()
        if present is not None:
            self.post(f"/meetings/{m['id']}/attendance", {"present": present}, 200)
        return m["id"]

    def poll(self, meeting_id, kind, contests, title="投票"):
        body = {"title": title, "kind": kind, "contests": contests}
        return self.post(f"/meetings/{meeting_id}/polls", body, 201).get_json()["id"]

    def tokens(self, poll_id, count=None, voters=None):
        body = {"count": count} if voters is None else {"voters": voters}
        return self.post(f"/polls/{poll_id}/tokens", body, 201).get_json()["tokens"]

    def open(self, poll_id):
        return self.post(f"/polls/{poll_id}/open", None, 200).get_json()

    def close(self, poll_id):
        return self.post(f"/polls/{poll_id}/close", None, 200).get_json()

    def vote(self, token, answers):
        return self.client.post("/api/v1/ballots", json={"token": token, "answers": answers})

    def results(self, poll_id):
        return self.get(f"/polls/{poll_id}/results")


@pytest.fixture
def api(client, admin_key):
    return Api(client, admin_key)


def candidates(*names):
    return [{"id": f"k{i}", "name": n} for i, n in enumerate(names, 1)]


def contest(cid="c1", max_choices=1, places=None, names=("甲", "乙", "丙")):
    return {"id": cid, "title": cid, "max_choices": max_choices,
            "places": places if places is not None else max_choices, "candidates": candidates(*names)}


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server


def browser_required() -> bool:
    """Under CI=true browser tests must run, never skip."""
    return os.environ.get("CI") == "true"
