"""One door, two front ends: the ballot lane (POST /api/v1/ballots) and the tablet's pages
(POST /ballot/submit) give the same answer to the same token, answers, credential and address,
count the same failures against the address, and announce the same ballots (kiosk/web/admission.py)."""

from __future__ import annotations

import json
import re

import pytest
from conftest import Api, contest

from kiosk.app import create_app
from kiosk.domain import accounts, devices, tokens
from kiosk.web import live

ERROR = re.compile(r'data-error="([^"]+)"')
TRACKING = re.compile(r'data-tracking="([^"]+)"')
GOOD = {"c1": ["k1"]}


@pytest.fixture
def room(instance, monkeypatch):
    """Enrollment on, one failure a minute allowed; an open, a draft and a closed poll."""
    app = create_app(str(instance), {"TESTING": True, "WTF_CSRF_ENABLED": False, "ENROLLMENT": True,
                                     "TOKEN_FAILURE_LIMIT": "1 per minute"})
    database = app.extensions["ballotroom_db"]
    api = Api(app.test_client(), accounts.create_api_key(database, "admin"))
    meeting = api.meeting(50, present=50)
    polls = {}
    for name in ("open", "draft", "closed"):
        polls[name] = api.poll(meeting, "democratic_recommendation", [contest()])
    toks = {name: api.tokens(poll, 8) for name, poll in polls.items()}
    api.open(polls["open"])
    api.open(polls["closed"])
    api.close(polls["closed"])
    _, credential = devices.enroll(database, devices.new_enrollment_code(database, "admin"))
    used = api.client.post("/api/v1/ballots", json={"token": toks["open"][7], "answers": GOOD},
                           headers={devices.HEADER: credential})
    assert used.status_code == 201
    announced = []
    monkeypatch.setattr(live, "ballot_arrived", lambda poll_id: announced.append(poll_id))
    return {"app": app, "db": database, "polls": polls, "tokens": toks, "credential": credential,
            "announced": announced}


def _lane(app, address, token, answers, header=None, cookie=None):
    client = app.test_client()
    if cookie is not None:
        client.set_cookie(devices.COOKIE, cookie)
    r = client.post("/api/v1/ballots", json={"token": token, "answers": answers},
                    headers={devices.HEADER: header} if header is not None else {},
                    environ_base={"REMOTE_ADDR": address})
    body = r.get_json()
    return r.status_code, body.get("error") if r.status_code != 201 else "receipt"


def _pages(app, address, token, answers, header=None, cookie=None):
    client = app.test_client()
    if cookie is not None:
        client.set_cookie(devices.COOKIE, cookie)
    r = client.post("/ballot/submit", data={"token": token, "answers": json.dumps(answers)},
                    headers={devices.HEADER: header} if header is not None else {},
                    environ_base={"REMOTE_ADDR": address})
    page = r.get_data(as_text=True)
    if r.status_code == 200:
        assert TRACKING.search(page)
        return 201, "receipt"  # the page's 200 is the lane's 201
    return r.status_code, ERROR.search(page).group(1)


DOORS = {"lane": _lane, "pages": _pages}

# kind: (token for door i, answers, credential as (header, cookie), expected (status, code), counted).
# Tokens of the open poll: 0-5 unused (two per accepted case, one per door), 6 never accepted,
# 7 used; "cred" is the enrolled tablet's credential, "stale" one that was never issued.
CASES = {
    "valid": (lambda t, i: t["open"][i], GOOD, ("cred", None), (201, "receipt"), False),
    "valid_by_cookie": (lambda t, i: t["open"][2 + i], GOOD, (None, "cred"), (201, "receipt"), False),
    # The header first: a valid header is not overruled by a stale cookie ...
    "header_valid_cookie_stale": (lambda t, i: t["open"][4 + i], GOOD, ("cred", "stale"), (201, "receipt"), False),
    "typo": (lambda t, i: "ABCD-EFGH", GOOD, ("cred", None), (400, "token_typo"), True),
    "unknown": (lambda t, i: tokens.display(tokens.generate()), GOOD, ("cred", None), (404, "token_unknown"), True),
    "used": (lambda t, i: t["open"][7], GOOD, ("cred", None), (409, "token_used"), False),
    "not_open": (lambda t, i: t["draft"][i], GOOD, ("cred", None), (423, "poll_not_open"), False),
    "closed": (lambda t, i: t["closed"][i], GOOD, ("cred", None), (423, "poll_closed"), False),
    "bad_answers": (lambda t, i: t["open"][6], {"c1": ["k1", "k2"]}, ("cred", None), (422, "bad_answers"), False),
    "unenrolled": (lambda t, i: t["open"][6], GOOD, (None, None), (403, "enrollment"), False),
    "wrong_header": (lambda t, i: t["open"][6], GOOD, ("stale", None), (403, "enrollment"), False),
    # ... and a valid cookie does not rescue a wrong header.
    "header_stale_cookie_valid": (lambda t, i: t["open"][6], GOOD, ("stale", "cred"), (403, "enrollment"), False),
}


def _credential(value, room):
    return room["credential"] if value == "cred" else value


@pytest.mark.parametrize("kind", list(CASES))
def test_both_doors_answer_alike(room, kind):
    choose, answers, (header, cookie), expected, counted = CASES[kind]
    app, throttle = room["app"], room["app"].extensions["ballotroom_throttle"]
    seen = {}
    for index, (name, door) in enumerate(DOORS.items()):
        token = choose(room["tokens"], index)
        address = f"10.9.{index}.{len(kind)}"
        before = list(room["announced"])
        seen[name] = door(app, address, token, answers, _credential(header, room), _credential(cookie, room))
        assert seen[name] == expected, (name, kind)
        # A refusal that is a failed try spends the address's one failure; nothing else does.
        assert throttle.window.test(throttle.item, address) is (not counted), (name, kind)
        assert room["announced"][len(before):] == ([room["polls"]["open"]] if expected[0] == 201 else [])
    assert seen["lane"] == seen["pages"]


def test_a_throttled_address_is_refused_at_both_doors(room):
    app = room["app"]
    for index, (name, door) in enumerate(DOORS.items()):
        address = f"10.8.0.{index}"
        assert door(app, address, "ABCD-EFGH", GOOD, room["credential"]) == (400, "token_typo")
        # Even a good token waits out the window: the throttle is by address.
        assert door(app, address, room["tokens"]["open"][index], GOOD, room["credential"]) == (429, "rate_limited"), name
    assert room["announced"] == []


def test_a_lapsed_form_is_not_a_failed_try(instance):
    """Only refusals of the ballot path count: a tablet form refused for its CSRF token is not a
    guess at a code (the pages used to count every 400 response)."""
    app = create_app(str(instance), {"TOKEN_FAILURE_LIMIT": "1 per minute"})
    throttle = app.extensions["ballotroom_throttle"]
    r = app.test_client().post("/ballot/submit", data={"token": "ABCD-EFGH", "answers": "{}"},
                               environ_base={"REMOTE_ADDR": "10.7.0.1"})
    assert r.status_code == 400 and ERROR.search(r.get_data(as_text=True)).group(1) == "csrf"
    assert throttle.window.test(throttle.item, "10.7.0.1")
