"""Chinese by default whatever the browser says; staff keep their choice; a tablet forgets the
voter's choice after each ballot; the API follows Accept-Language."""

from __future__ import annotations

import pytest
from conftest import contest

from kiosk.app import create_app
from kiosk.store.instance import Instance, InstanceError

ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9"}


def _lang(response) -> str:
    html = response.get_data(as_text=True)
    return "zh" if 'lang="zh-CN"' in html else "en" if 'lang="en"' in html else "?"


@pytest.mark.parametrize("path", ["/", "/login", "/board/"])
def test_an_english_browser_gets_chinese(client, path):
    assert _lang(client.get(path, headers=ENGLISH_BROWSER)) == "zh"


def test_the_default_is_a_setting(instance):
    (instance / "config.toml").write_text('default_locale = "en"\n', encoding="utf-8")
    client = create_app(str(instance), {"TESTING": True}).test_client()
    assert _lang(client.get("/login", headers={"Accept-Language": "zh-CN"})) == "en"
    assert _lang(client.get("/login?lang=zh_CN")) == "zh"


def test_an_unknown_default_is_refused_at_start(instance):
    (instance / "config.toml").write_text('default_locale = "fr"\n', encoding="utf-8")
    with pytest.raises(InstanceError, match="default_locale"):
        Instance(instance).settings()


def test_staff_keep_their_choice(client):
    assert _lang(client.get("/login?lang=en")) == "en"
    assert _lang(client.get("/login")) == "en"
    assert _lang(client.get("/board/")) == "en"
    # The staff's choice is not a voter's: a tablet page in the same browser starts in Chinese.
    assert _lang(client.get("/")) == "zh"


def test_a_tablet_returns_to_the_default_after_each_ballot(api):
    client = api.client
    meeting = api.meeting(3, present=3)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    tokens = api.tokens(poll, 2)
    api.open(poll)
    # The first voter chooses English on the start screen and keeps it through the ballot.
    assert _lang(client.get("/?lang=en")) == "en"
    ballot = client.get(f"/t/{tokens[0]}")
    assert ballot.status_code == 200 and _lang(ballot) == "en"
    refused = client.get("/t/AAAA-AAAA")  # a typing error on the way is shown in the voter's choice too
    assert _lang(refused) == "en"
    # The receipt returns to the start screen, which the next voter sees in Chinese.
    assert _lang(client.get("/", headers=ENGLISH_BROWSER)) == "zh"
    assert _lang(client.get(f"/t/{tokens[1]}", headers=ENGLISH_BROWSER)) == "zh"


def test_the_api_follows_accept_language(api):
    body = {"title": "x", "expected": -5}
    zh = api.client.post("/api/v1/meetings", json=body, headers=api.headers).get_json()["message"]
    en = api.client.post("/api/v1/meetings", json=body,
                         headers={**api.headers, **ENGLISH_BROWSER}).get_json()["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en)
