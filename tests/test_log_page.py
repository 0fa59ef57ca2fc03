"""The event log page: every type a sentence, local time, filters, the raw form on demand."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from conftest import ADMIN_PASSWORD, Api, contest, new_instance

from admin.log_texts import SENTENCES, TYPE_LABELS
from kiosk.app import create_app
from kiosk.domain import accounts
from kiosk.store.localtime import local_text

ROOT = Path(__file__).resolve().parent.parent
HAN = re.compile(r"[\u4e00-\u9fff]")


def written_types() -> dict[str, str]:
    """Every event type any module appends, with where. A type passed as a literal is read from
    the call; a module that passes a variable has its types among its own string constants
    (a table of acts), which are read as types when they look like one."""
    found: dict[str, str] = {}
    variable: list[tuple[Path, ast.AST]] = []
    for top in ("kiosk", "admin", "tally"):
        for path in (ROOT / top).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "append" and isinstance(node.func.value, ast.Name)
                        and node.func.value.id == "eventlog"):
                    arg = node.args[2] if len(node.args) > 2 else None
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found[arg.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
                    else:
                        variable.append((path, tree))
    prefixes = {t.split(".")[0] for t in found}
    for path, tree in variable:
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and re.fullmatch(r"[a-z]+\.[a-z_]+", node.value) and node.value.split(".")[0] in prefixes):
                found.setdefault(node.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_the_scan_finds_the_types_it_should():
    types = written_types()
    assert {"meeting.created", "poll.closed", "stage.superseded"} <= set(types)
    assert not {"kiosk.app", "tally.rules"} & set(types)


@pytest.mark.parametrize("type_", sorted(written_types()))
def test_every_type_written_has_a_sentence_and_a_label(type_):
    assert type_ in SENTENCES, f"{written_types()[type_]}: add a sentence for {type_} to admin/log_texts.py"
    assert type_ in TYPE_LABELS, f"{written_types()[type_]}: add a label for {type_} to admin/log_texts.py"


@pytest.fixture
def room(tmp_path):
    app = create_app(str(new_instance(tmp_path / "instance")), {"TESTING": True, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    api = Api(client, accounts.create_api_key(app.extensions["ballotroom_db"], "admin"))
    meeting = api.meeting(5, present=4, title="全委会")
    poll = api.poll(meeting, "democratic_recommendation", [contest()], title="民主推荐投票")
    tokens = api.tokens(poll, 3)
    api.open(poll)
    api.vote(tokens[0], {"c1": ["k1"]})
    api.close(poll)
    other = api.meeting(7, title="常委会")
    assert client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD}).status_code == 302
    return app, client, {"meeting": meeting, "poll": poll, "other": other}


def _sentences(html: str) -> list[str]:
    return re.findall(r'<p class="sentence">(.*?)</p>', html)


def test_entries_read_as_chinese_sentences_on_the_rooms_clock(room):
    app, client, ids = room
    html = client.get("/log/").get_data(as_text=True)
    sentences = _sentences(html)
    assert "结束了投票“民主推荐投票”" in html and "应到 5 人" in html, sentences
    for text in sentences:
        assert HAN.search(text), text
        assert not re.search(r"\b[a-z]+\.[a-z_]+\b", text), f"a raw type in a sentence: {text}"
        assert not re.search(r"[,.:;()]", text.replace("...", "")), f"Western punctuation: {text}"
    stored = app.extensions["ballotroom_db"].query("SELECT at FROM events ORDER BY seq DESC LIMIT 1")[0]["at"]
    assert f">{local_text(stored)}</time>" in html  # Asia/Shanghai unless the instance says
    # The raw form on demand.
    assert "<details>" in html and "poll.closed" in html and "&#34;digest&#34;" in html


def test_filters_by_meeting_poll_and_type(room):
    _, client, ids = room
    poll_only = _sentences(client.get(f"/log/?poll={ids['poll']}").get_data(as_text=True))
    assert poll_only and all("民主推荐投票" in s for s in poll_only)
    other = _sentences(client.get(f"/log/?meeting={ids['other']}").get_data(as_text=True))
    assert len(other) == 1 and "常委会" in other[0]
    meeting = _sentences(client.get(f"/log/?meeting={ids['meeting']}").get_data(as_text=True))
    assert len(meeting) == len(poll_only) + 2  # created and attendance, then the poll's own entries
    closed = _sentences(client.get("/log/?type=poll.closed").get_data(as_text=True))
    assert len(closed) == 1 and "结束了投票" in closed[0]


def test_the_page_speaks_english_when_chosen(room):
    _, client, _ = room
    html = client.get("/log/?lang=en").get_data(as_text=True)
    assert "closed voting on the poll “民主推荐投票”" in html


def test_a_broken_chain_is_named_in_words(room):
    app, client, _ = room
    database = app.extensions["ballotroom_db"]
    with database.write() as conn:  # a forger with the database file in hand drops the guard first
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute("UPDATE events SET payload = ? WHERE seq = 3", (json.dumps({"meeting": "x", "present": 9}),))
    html = client.get("/log/").get_data(as_text=True)
    assert 'data-chain="broken"' in html and "第 3 条记录与其哈希值不符" in html


def test_the_page_fits_a_1366_screen_in_chromium(room):
    from browser_helpers import launch, need_browser, shot
    need_browser()
    from conftest import LiveServer
    from playwright.sync_api import sync_playwright
    app, _, ids = room
    with LiveServer(app) as server, sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="en-US")
            page.goto(f"{server.url}/login")
            page.fill("input[name=name]", "admin")
            page.fill("input[name=password]", ADMIN_PASSWORD)
            with page.expect_navigation():
                page.click("form button.primary")
            page.goto(f"{server.url}/log/")
            assert page.locator("html").get_attribute("lang") == "zh-CN"  # an English browser, Chinese page
            page.locator("details").first.click()  # the widest entry's raw form, opened
            page.locator("details").nth(1).click()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 1366, f"the event log is {width} px wide at 1366"
            shot(page, "log-1366", full_page=False)
        finally:
            browser.close()
