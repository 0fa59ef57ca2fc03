"""Every API call reads its body the one strict way (kiosk.web.api.body): the same kind of bad input gets
the same refusal on every call, in the client's language, and changes nothing."""

from __future__ import annotations

import json
import logging
import re

import pytest
from conftest import contest
from test_stages_api import Run

from kiosk.web.api import body as request_body
from kiosk.web.api.openapi import document

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def calls(api):
    """Every operation that takes a body, with its path filled with real objects."""
    meeting = api.meeting(10, present=8)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    batch = api.post(f"/polls/{poll}/tokens", {"count": 2}, 201).get_json()["batch"]
    run = Run(api)
    api.headers.pop("Accept-Language", None)  # Run asks for English; these tests choose per request
    ids = {"meeting_id": meeting, "poll_id": poll, "batch_id": batch, "round_id": run.rid,
           "candidate_id": "s1", "stage": "recommendation"}
    out = []
    for path, item in document()["paths"].items():
        for method, op in item.items():
            if "requestBody" in op:
                out.append((method, re.sub(r"{(\w+)}", lambda m: ids.get(m.group(1), "1"), path)))
    assert len(out) >= 20
    return out


def send(api, method, url, data: bytes, content_type="application/json", language="zh-CN"):
    headers = {**api.headers, "Content-Type": content_type, "Accept-Language": language}
    return api.client.open(url, method=method.upper(), data=data, headers=headers)


def log_size(database) -> int:
    return database.one("SELECT COUNT(*) AS n FROM events")["n"]


BAD_BODIES = [
    # (what, bytes, content type, status, error code)
    ("valid JSON sent as text/plain", b'{"title": "t"}', "text/plain", 415, "unsupported_media_type"),
    ("a form", b"title=t", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ("nested 10,000 deep", b"[" * 10000 + b"]" * 10000, "application/json", 400, "malformed"),
    ("nested 17 deep", b'{"a":' * 17 + b"1" + b"}" * 17, "application/json", 400, "malformed"),
    ("invalid UTF-8 in a value", b'{"title": "\xff\xfe"}', "application/json", 400, "malformed"),
    ("a lone surrogate escape", b'{"title": "\\ud800"}', "application/json", 400, "malformed"),
    ("NaN", b'{"title": NaN}', "application/json", 400, "malformed"),
    ("not JSON", b"{title", "application/json", 400, "malformed"),
    ("a key given twice", b'{"title": "a", "title": "b"}', "application/json", 400, "invalid"),
    ("an array, not an object", b"[1, 2]", "application/json", 400, "malformed"),
    ("larger than the limit", b'{"title": "' + b"x" * request_body.MAX_BYTES + b'"}', "application/json",
     413, "too_large"),
]


@pytest.mark.parametrize("what,data,content_type,status,code", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_the_same_bad_body_gets_the_same_refusal_on_every_call(api, database, calls, what, data,
                                                               content_type, status, code):
    before = log_size(database)
    for method, url in calls:
        r = send(api, method, url, data, content_type)
        if url.endswith("/rounds/import") and code == "malformed" and r.status_code == 400:
            # The round file's own reader names the line where it could not read the file.
            assert r.get_json()["error"] in ("malformed", "invalid"), (url, r.get_json())
            continue
        assert r.status_code == status, (what, method, url, r.status_code, r.get_json())
        answer = r.get_json()
        assert answer["error"] == code, (what, url, answer)
        assert CJK.search(answer["message"]), answer  # Chinese by default
    assert log_size(database) == before  # nothing was changed


def test_a_refusal_speaks_the_clients_language_and_names_the_field(api, calls):
    meeting = next(url for method, url in calls if url.endswith("/api/v1/meetings"))
    body = json.dumps({"title": "全委会", "expected": "12"}).encode()
    zh = send(api, "post", meeting, body).get_json()
    en = send(api, "post", meeting, body, language="en").get_json()
    assert zh["error"] == en["error"] == "invalid"
    assert zh["detail"]["field"] == en["detail"]["field"] == "expected"
    assert CJK.search(zh["message"]) and "整数" in zh["message"], zh
    assert not CJK.search(en["message"]) and "whole number" in en["message"], en


@pytest.mark.parametrize("path,body,field", [
    ("/meetings", {"title": "会", "expected": "12"}, "expected"),
    ("/meetings", {"title": "会", "expected": 100001}, "expected"),
    ("/meetings", {"title": "会", "expected": True}, "expected"),
    ("/meetings", {"title": "   ", "expected": 5}, "title"),
    ("/rounds", {"title": "r", "levels": [{"id": "a b", "posts": 1}]}, "levels[0].id"),
    ("/rounds", {"title": "r", "levels": [{"id": "a/b", "posts": 1}]}, "levels[0].id"),
    ("/rounds", {"title": "r", "levels": [{"id": "a", "posts": "1"}]}, "levels[0].posts"),
    ("/rounds", {"title": "r", "levels": [{"id": "a", "posts": 1, "seats": 2}]}, "levels[0].seats"),
])
def test_strict_types_and_stated_limits(api, path, body, field):
    r = api.post(path, body)
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["detail"]["field"] == field


def test_a_string_is_never_a_number_on_any_call(api):
    meeting = api.meeting(10)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    for path, body, field in [(f"/polls/{poll}/tokens", {"count": "5"}, "count"),
                              (f"/meetings/{meeting}/attendance", {"present": "5"}, "present"),
                              ("/meetings", {"title": "x", "expected": "5"}, "expected")]:
        r = api.post(path, body)
        assert (r.status_code, r.get_json()["detail"]["field"]) == (400, field), (path, r.get_json())


def test_the_documents_limits_are_the_servers(api, app):
    """At a limit the document states, the server accepts; one past it, the server refuses."""
    doc = document(app.config["RULES"])
    expected = doc["paths"]["/api/v1/meetings"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    high = expected["properties"]["expected"]["maximum"]
    assert api.post("/meetings", {"title": "大会", "expected": high}).status_code == 201
    assert api.post("/meetings", {"title": "大会", "expected": high + 1}).status_code == 400
    run = Run(api)
    entries = doc["paths"]["/api/v1/rounds/{round_id}/candidates/{candidate_id}/entries"]["put"]
    base = entries["requestBody"]["content"]["application/json"]["schema"]["properties"]["performance"]
    cap = base["properties"]["base"]["oneOf"][1]["maximum"]
    assert cap == int(app.config["RULES"].points.performance)
    url = f"/rounds/{run.rid}/candidates/s1/entries"
    assert run.put("/candidates/s1/entries", {"performance": {"base": cap, "bonus": 0}}).status_code == 200, url
    over = run.put("/candidates/s1/entries", {"performance": {"base": cap + 1, "bonus": 0}})
    assert over.status_code == 400 and over.get_json()["detail"]["field"] == "performance.base"


def test_a_real_fault_is_a_500_that_says_nothing_was_applied_and_is_logged(api, app, monkeypatch, caplog):
    from kiosk.domain import meetings

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a fault")

    monkeypatch.setattr(meetings, "create", broken)
    with caplog.at_level(logging.ERROR):
        zh = api.post("/meetings", {"title": "会", "expected": 5})
    assert zh.status_code == 500
    answer = zh.get_json()
    assert answer["error"] == "internal" and CJK.search(answer["message"])
    assert not re.search(r"[A-Za-z]{3,}", answer["message"]), answer  # one language, no English words
    assert "填写有误" not in answer["message"]  # never "entries not valid" for a fault
    api.headers["Accept-Language"] = "en"
    en = api.post("/meetings", {"title": "会", "expected": 5}).get_json()
    assert "not apply" in en["message"] and not CJK.search(en["message"]), en
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def test_the_ballot_lane_reads_bodies_the_same_way(client):
    for data, content_type, status in [(b'{"token": "x", "answers": {}}', "text/plain", 415),
                                       (b"[" * 10000, "application/json", 400),
                                       (b'{"token": "a", "token": "b", "answers": {}}', "application/json", 400),
                                       (b'{"answers": {}}', "application/json", 400)]:
        r = client.post("/api/v1/ballots", data=data, content_type=content_type)
        assert r.status_code == status, (data[:40], r.get_json())
    r = client.post("/api/v1/ballots", data=b'{"answers": {}}', content_type="application/json")
    assert r.get_json()["detail"]["field"] == "token"
