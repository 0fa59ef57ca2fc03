"""Messages made of parts read as the reader's language writes them: in Chinese, problems of one
message joined with "；" and nothing after "：", in English "; " and a space after ":"."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po
from conftest import new_instance
from flask_babel import force_locale

from kiosk.app import create_app
from kiosk.errors import listed

PO = "kiosk/translations/zh_CN/LC_MESSAGES/messages.po"
PASSWORD = "a long admin password"


def _strings():
    with open(PO, "rb") as f:
        for message in read_po(f):
            if message.id and message.string:
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                yield message.id, strings


def test_no_chinese_translation_puts_a_space_after_a_full_width_colon_or_joins_with_ascii():
    bad = [(mid, s) for mid, strings in _strings() for s in strings
           if re.search(r"：[ \u00a0]", s) or re.search(r"[\u4e00-\u9fff）”]; ", s)]
    assert not bad, bad


@pytest.mark.parametrize(("lang", "joined"), [("zh_CN", "甲；乙；丙"), ("en", "甲; 乙; 丙")])
def test_listed_joins_in_the_readers_language(app, lang, joined):
    with app.test_request_context("/"), force_locale(lang):
        assert listed(["甲", "乙", "丙"]) == joined


def test_a_faulty_roster_lists_its_problems_with_a_chinese_semicolon(api):
    meeting = api.meeting(30)
    r = api.client.put(f"/api/v1/meetings/{meeting}/roster", headers={**api.headers, "Accept-Language": "zh-CN"},
                       json={"members": [{"name": n, "unit": "城关镇"} for n in ("张伟", "王芳", "张伟", "王芳")]})
    assert r.status_code == 400
    message = r.get_json()["message"]
    assert "; " not in message and "；" in message, message


@pytest.fixture
def clerk(tmp_path):
    path = tmp_path / "instance"
    new_instance(path, PASSWORD)
    app = create_app(str(path), {"TESTING": True, "WTF_CSRF_ENABLED": False, "LOGIN_LIMIT": "1000 per minute"})
    client = app.test_client()
    client.get("/login?lang=zh_CN")
    assert client.post("/login", data={"name": "admin", "password": PASSWORD}).status_code == 302
    return client


def test_a_line_numbered_refusal_has_no_space_after_the_colon(clerk):
    meeting = clerk.post("/admin/meetings", data={"title": "全委会", "expected": "20"}).headers["Location"].rsplit("/", 1)[-1]
    r = clerk.post(f"/admin/meetings/{meeting}/polls/new", data={
        "title": "民主推荐", "kind": "democratic_recommendation", "action": "add", "candidates": "张" * 101})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "候选人第 1 行：姓名超过" in page, re.findall(r"候选人第.{0,20}", page)
