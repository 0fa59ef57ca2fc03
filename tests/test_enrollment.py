"""Tablet enrollment: with it on, only enrolled tablets may open and submit ballots."""

from __future__ import annotations

import re

import pytest
from conftest import ADMIN_PASSWORD, Api, contest

from kiosk.app import create_app
from kiosk.domain import accounts, devices


@pytest.fixture
def room(instance):
    app = create_app(str(instance), {"WTF_CSRF_ENABLED": False, "ENROLLMENT": True})
    database = app.extensions["ballotroom_db"]
    api = Api(app.test_client(), accounts.create_api_key(database, "admin"))
    meeting = api.meeting(10, present=10)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    toks = api.tokens(poll, 3)
    api.open(poll)
    return app, database, toks


def _enroll(app) -> tuple:
    admin = app.test_client()
    admin.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD})
    page = admin.post("/admin/tablets/enroll").get_data(as_text=True)
    url = re.search(r'class="enroll-url">([^<]+)<', page).group(1)
    tablet = app.test_client()
    r = tablet.get(url[url.index("/enroll/"):])
    return admin, tablet, r


def test_an_unenrolled_tablet_is_refused_everywhere(room):
    app, database, toks = room
    stranger = app.test_client()
    for path in ("/", f"/t/{toks[0]}"):
        r = stranger.get(path)
        assert r.status_code == 403 and 'data-error="enrollment"' in r.get_data(as_text=True)
    r = stranger.post("/api/v1/ballots", json={"token": toks[0], "answers": {"c1": ["k1"]}})
    assert r.status_code == 403 and r.get_json()["error"] == "enrollment"
    assert database.one("SELECT count(*) FROM ballots")[0] == 0


def test_an_enrolled_tablet_votes_and_a_revoked_one_cannot(room):
    app, database, toks = room
    admin, tablet, r = _enroll(app)
    assert r.status_code == 200 and devices.COOKIE in r.headers["Set-Cookie"]
    assert "HttpOnly" in r.headers["Set-Cookie"]
    assert tablet.get("/").status_code == 200
    assert tablet.post("/api/v1/ballots", json={"token": toks[0], "answers": {"c1": ["k1"]}}).status_code == 201
    # The code works once.
    again = app.test_client().get(r.request.path)
    assert again.status_code == 404 and 'data-error="enrollment_code"' in again.get_data(as_text=True)
    device = devices.all_devices(database)[0]
    admin.post(f"/admin/tablets/{device['id']}/revoke")
    assert tablet.post("/api/v1/ballots", json={"token": toks[1], "answers": {"c1": ["k1"]}}).status_code == 403


def test_enrollment_never_touches_the_ballots(room):
    app, database, toks = room
    _, tablet, _ = _enroll(app)
    tablet.post("/api/v1/ballots", json={"token": toks[0], "answers": {"c1": ["k1"]}})
    cred_hashes = {r[0] for r in database.query("SELECT credential_hash FROM devices")}
    ids = {r[0] for r in database.query("SELECT id FROM devices")}
    dump = "\n".join(database.conn.iterdump())
    ballot_lines = [line for line in dump.splitlines() if '"ballots"' in line or "INTO ballots" in line]
    assert ballot_lines and not any(h in line or i in line for line in ballot_lines for h in cred_hashes for i in ids)


def test_the_demo_and_loopback_need_no_enrollment(client, api):
    meeting = api.meeting(3)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    token = api.tokens(poll, 1)[0]
    api.open(poll)
    assert client.get("/").status_code == 200
    assert api.vote(token, {"c1": ["k1"]}).status_code == 201
