"""A draft poll that has issued no slips can be deleted (a poll made by mistake or for a test),
by the API (204) and from the administrator's poll page after a confirmation; any other poll
answers 409 and stays. The act is in the event log as a sentence with the poll's title."""

from __future__ import annotations

import re

import pytest
from conftest import contest, new_instance

from kiosk.app import create_app
from kiosk.domain import accounts
from kiosk.web.api.openapi import document

PASSWORD = "a long admin password"


def _exists(api, poll_id) -> bool:
    return api.client.get(f"/api/v1/polls/{poll_id}", headers=api.headers).status_code == 200


def _delete(api, poll_id):
    return api.client.delete(f"/api/v1/polls/{poll_id}", headers=api.headers)


def test_a_draft_without_slips_is_deleted_and_leaves_the_meeting(api):
    meeting = api.meeting(5, present=5)
    kept = api.poll(meeting, "democratic_recommendation", [contest()], title="正式推荐")
    gone = api.poll(meeting, "democratic_recommendation", [contest()], title="测试用")
    r = _delete(api, gone)
    assert r.status_code == 204 and r.data == b""
    assert not _exists(api, gone) and _exists(api, kept)
    assert [p["id"] for p in api.get(f"/meetings/{meeting}")["polls"]] == [kept]
    assert _delete(api, gone).status_code == 404
    # The event log says it, with the title, and the chain still verifies.
    entry = api.get("/log/head")
    assert entry is not None
    db = api.client.application.extensions["ballotroom_db"]
    row = db.one("SELECT type, payload FROM events ORDER BY seq DESC LIMIT 1")
    assert row["type"] == "poll.deleted" and "测试用" in row["payload"]


@pytest.mark.parametrize("state", ["slips", "open", "closed", "rehearsal with slips"])
def test_anything_but_a_draft_without_slips_is_a_409_and_stays(api, state):
    meeting = api.meeting(5, present=5)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    if state == "rehearsal with slips":
        poll = api.post(f"/polls/{poll}/rehearsal", None, 201).get_json()["id"]
    api.tokens(poll, 2)
    if state in ("open", "closed"):
        api.open(poll)
    if state == "closed":
        api.close(poll)
    r = _delete(api, poll)
    assert r.status_code == 409, r.get_json()
    assert _exists(api, poll)
    if state == "rehearsal with slips":
        # Reset, it is a draft without slips again: then it can go.
        assert "reset" in api.client.delete(f"/api/v1/polls/{poll}", headers={
            **api.headers, "Accept-Language": "en"}).get_json()["message"]
        api.post(f"/polls/{poll}/reset", {}, 200)
        assert _delete(api, poll).status_code == 204


def test_a_chair_key_cannot_delete(api, chair_key):
    poll = api.poll(api.meeting(5), "democratic_recommendation", [contest()])
    r = api.client.delete(f"/api/v1/polls/{poll}", headers={"Authorization": f"Bearer {chair_key}"})
    assert r.status_code == 403 and _exists(api, poll)


def test_the_openapi_document_has_the_delete():
    op = document()["paths"]["/api/v1/polls/{poll_id}"]["delete"]
    assert {"204", "409", "404"} <= set(op["responses"])


@pytest.fixture
def clerk(tmp_path):
    path = tmp_path / "instance"
    new_instance(path, PASSWORD)
    app = create_app(str(path), {"TESTING": True, "WTF_CSRF_ENABLED": False, "LOGIN_LIMIT": "1000 per minute"})
    client = app.test_client()
    client.get("/login?lang=zh_CN")
    assert client.post("/login", data={"name": "admin", "password": PASSWORD}).status_code == 302
    key = accounts.create_api_key(app.extensions["ballotroom_db"], "admin")
    return client, key


def test_the_poll_page_deletes_a_draft_after_a_confirmation(clerk):
    client, key = clerk
    headers = {"Authorization": f"Bearer {key}"}
    meeting = client.post("/api/v1/meetings", json={"title": "全委会", "expected": 5}, headers=headers).get_json()["id"]
    poll = client.post(f"/api/v1/meetings/{meeting}/polls", headers=headers, json={
        "title": "测试投票", "kind": "democratic_recommendation", "contests": [contest()]}).get_json()["id"]
    page = client.get(f"/admin/polls/{poll}").get_data(as_text=True)
    assert f'/admin/polls/{poll}/delete"' in page and 'data-action="delete"' in page
    confirm = client.get(f"/admin/polls/{poll}/delete").get_data(as_text=True)
    assert 'name="confirm" value="yes"' in confirm and "测试投票" in confirm
    # Without the confirmation nothing goes.
    client.post(f"/admin/polls/{poll}/delete", data={})
    assert client.get(f"/api/v1/polls/{poll}", headers=headers).status_code == 200
    done = client.post(f"/admin/polls/{poll}/delete", data={"confirm": "yes"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/admin/meetings/{meeting}")
    assert client.get(f"/api/v1/polls/{poll}", headers=headers).status_code == 404
    meeting_page = client.get(f"/admin/meetings/{meeting}").get_data(as_text=True)
    assert "草稿投票“测试投票”已删除" in meeting_page
    log = client.get("/log/").get_data(as_text=True)
    assert re.search(r"删除了草稿投票“测试投票”", log), log[-2000:]


def test_the_poll_page_offers_no_delete_once_slips_are_issued(clerk):
    client, key = clerk
    headers = {"Authorization": f"Bearer {key}"}
    meeting = client.post("/api/v1/meetings", json={"title": "全委会", "expected": 5}, headers=headers).get_json()["id"]
    poll = client.post(f"/api/v1/meetings/{meeting}/polls", headers=headers, json={
        "title": "推荐", "kind": "democratic_recommendation", "contests": [contest()]}).get_json()["id"]
    client.post(f"/api/v1/polls/{poll}/tokens", json={"count": 1}, headers=headers)
    assert 'data-action="delete"' not in client.get(f"/admin/polls/{poll}").get_data(as_text=True)
    refused = client.post(f"/admin/polls/{poll}/delete", data={"confirm": "yes"})
    assert refused.status_code == 409
    assert client.get(f"/api/v1/polls/{poll}", headers=headers).status_code == 200
