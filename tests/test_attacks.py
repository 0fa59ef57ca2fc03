"""Attacks tried (issue 5): each must be refused and change nothing."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import ADMIN_PASSWORD, contest

from kiosk.app import create_app

PUBLIC_ENDPOINTS = {"static", "auth.login", "auth.logout", "api.openapi", "api.submit_ballot"}
PUBLIC_BLUEPRINTS = {"voter", "board", "trust"}
STAFF_BLUEPRINTS = {"clerk", "chair", "rounds", "auth"}


def _url(rule) -> str:
    values = {arg: "x1" for arg in rule.arguments}
    path = rule.rule
    for arg in rule.arguments:
        path = path.replace(f"<{arg}>", values[arg])
        for conv in ("int", "string", "path"):
            path = path.replace(f"<{conv}:{arg}>", "1" if conv == "int" else values[arg])
    return path


def _staff_rules(app):
    for rule in app.url_map.iter_rules():
        bp = rule.endpoint.split(".")[0] if "." in rule.endpoint else ""
        if rule.endpoint in PUBLIC_ENDPOINTS or bp in PUBLIC_BLUEPRINTS or bp == "api":
            continue
        yield rule


def test_every_staff_route_is_refused_without_login(app, client):
    """Generated from the URL map, so a new page cannot be forgotten."""
    rules = list(_staff_rules(app))
    assert len(rules) >= 10
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = client.open(_url(rule), method=method)
            assert r.status_code in (302, 303, 400, 401, 403, 405), (rule.rule, method, r.status_code)
            if r.status_code in (302, 303):
                assert "/login" in r.headers["Location"], (rule.rule, method)


def test_every_api_route_but_the_voters_is_refused_without_a_key(app, client):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = client.open(_url(rule), method=method, json={})
            assert r.status_code == 401, (rule.rule, method, r.status_code)
            assert r.get_json()["error"] == "unauthorized"


def test_a_scrutineer_cannot_use_the_administrators_pages(instance, database):
    from kiosk.domain import accounts
    accounts.add_user(database, "watcher", "scrutineer", "scrutineer-pass-1")
    client = create_app(str(instance), {"WTF_CSRF_ENABLED": False}).test_client()
    client.post("/login", data={"name": "watcher", "password": "scrutineer-pass-1"})
    assert client.get("/admin/").status_code == 403


@pytest.fixture
def csrf_app(instance):
    return create_app(str(instance), {"TESTING": True, "WTF_CSRF_ENABLED": True})


def test_every_state_changing_form_refuses_a_missing_csrf_token(csrf_app, database):
    client = csrf_app.test_client()
    # Log in with a real token taken from the login page.
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD,
                                       "csrf_token": token}).status_code == 302
    before = database.one("SELECT count(*) FROM events")[0]
    posts = [r for r in csrf_app.url_map.iter_rules()
             if "POST" in r.methods and not r.rule.startswith("/api/")]
    assert len(posts) >= 8
    for rule in posts:
        r = client.post(_url(rule), data={"title": "x", "expected": "3", "count": "2"})
        assert r.status_code == 400, (rule.rule, r.status_code)
        forged = client.post(_url(rule), data={"csrf_token": "forged", "title": "x"})
        assert forged.status_code == 400, (rule.rule, forged.status_code)
    assert database.one("SELECT count(*) FROM events")[0] == before


def test_a_thousand_parallel_uses_of_one_token_store_one_ballot(api, live_server, database):
    meeting = api.meeting(10, present=10)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    token = api.tokens(poll, 1)[0]
    api.open(poll)
    body = json.dumps({"token": token, "answers": {"c1": ["k1"]}}).encode()

    def submit(_):
        req = urllib.request.Request(f"{live_server.url}/api/v1/ballots", data=body,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=64) as pool:
        statuses = list(pool.map(submit, range(1000)))
    assert statuses.count(201) == 1 and statuses.count(409) == 999
    assert database.one("SELECT count(*) FROM ballots WHERE poll_id = ?", (poll,))[0] == 1


def test_guessing_codes_is_throttled(app, api):
    """30 failed attempts a minute per address (TOKEN_FAILURE_LIMIT); then 429 for every try."""
    from kiosk.domain import tokens
    client = app.test_client()
    statuses = [client.post("/api/v1/ballots", json={"token": tokens.display(tokens.generate()),
                                                     "answers": {}}).status_code for _ in range(40)]
    assert statuses[:30] == [404] * 30
    assert statuses[30:] == [429] * 10
    r = client.post("/api/v1/ballots", json={"token": "x", "answers": {}})
    assert r.status_code == 429 and r.get_json()["error"] == "rate_limited"
    # The tablet pages share the same budget.
    assert client.get(f"/t/{tokens.display(tokens.generate())}").status_code == 429


def test_clients_outside_the_room_are_refused(app):
    client = app.test_client()
    for address in ("8.8.8.8", "2001:db8::1", "100.64.0.1"):
        r = client.get("/", environ_base={"REMOTE_ADDR": address})
        assert r.status_code == 403, address
    for address in ("127.0.0.1", "10.1.2.3", "192.168.1.20", "172.16.5.5", "fe80::1", "fd00::5"):
        assert client.get("/", environ_base={"REMOTE_ADDR": address}).status_code == 200, address


def test_valid_tokens_are_never_throttled(app, api):
    meeting = api.meeting(80, present=80)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    toks = api.tokens(poll, 60)
    api.open(poll)
    client = app.test_client()
    assert all(client.post("/api/v1/ballots", json={"token": t, "answers": {"c1": ["k1"]}}).status_code == 201
               for t in toks)


def test_failed_logins_are_throttled(instance):
    client = create_app(str(instance), {"WTF_CSRF_ENABLED": False}).test_client()
    statuses = [client.post("/login", data={"name": "admin", "password": "wrong guess"}).status_code
                for _ in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    # Even the right password waits out the window: the throttle is by address, not by luck.
    assert client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD}).status_code == 429


def test_socketio_is_refused_outside_the_room_too(app):
    """The engine.io handshake never reaches Flask's hooks: the guard must sit in front of it."""
    client = app.test_client()
    r = client.get("/socket.io/?EIO=4&transport=polling", environ_base={"REMOTE_ADDR": "8.8.8.8"})
    assert r.status_code == 403
    ok = client.get("/socket.io/?EIO=4&transport=polling", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert ok.status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/ballots", "/api/v1/meetings"])
def test_json_nested_too_deep_is_a_400_not_a_500(client, admin_key, path):
    r = client.post(path, data="[" * 5000, content_type="application/json",
                    headers={"Authorization": f"Bearer {admin_key}"})
    assert r.status_code == 400 and r.get_json()["error"] == "malformed"


def test_tablet_form_nested_too_deep_is_refused_politely(instance):
    client = create_app(str(instance), {"WTF_CSRF_ENABLED": False}).test_client()
    for path in ("/ballot/submit", "/ballot/change"):
        r = client.post(path, data={"answers": "[" * 5000, "token": "x"})
        assert r.status_code == 400, path
