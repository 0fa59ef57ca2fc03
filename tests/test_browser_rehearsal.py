"""A rehearsal, the zero report and the log head in Chromium, on a real server (`ballotroom serve`).

The projector shows a rehearsal's 测试 banner, the zero report (the box empty at opening, the
empty box's digest, the slips issued, the head at opening) and the log's head large enough to be
read out from the back of the room, and takes a new head from the `log_head` live event. The
tablet shows 测试 on a rehearsal's ballot. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import pytest
from browser_helpers import (
    TABLET,
    chromium_session,
    contest,
    login,
    serve_room,
    shot,
)

pytestmark = pytest.mark.browser

CHAIR_PASSWORD = "staple gun orchestra"
NAMES = ["张伟", "王芳", "李娜", "刘洋"]


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """A fresh instance with an administrator and a chair, served on a free port."""
    yield from serve_room(tmp_path_factory, "browser-rehearsal", CHAIR_PASSWORD, "correct horse battery")


@pytest.fixture(scope="module")
def browser(room):
    # A page fulfilled by a test's route has no address, so Chromium would take it for a public
    # page and refuse its connections to 127.0.0.1 (local network access checks).
    yield from chromium_session("--disable-features=LocalNetworkAccessChecks")


def test_the_projector_shows_the_rehearsal_the_zero_report_and_the_head_live(room, browser):
    from playwright.sync_api import expect

    api = room.api
    meeting = api.meeting(10, present=9, title="全委会")
    real = api.poll(meeting, "democratic_recommendation", [contest("正科级", NAMES)], title="正科级干部民主推荐")
    rehearsal = api.call("POST", f"/polls/{real}/rehearsal", None, 201)["id"]
    slips = api.call("POST", f"/polls/{rehearsal}/tokens", {"count": 4}, 201)["tokens"]
    report = api.call("POST", f"/polls/{rehearsal}/open", None, 200)["zero_report"]
    head_now = api.call("GET", "/log/head", None, 200)["code"]

    for size in ({"width": 1366, "height": 768}, {"width": 1920, "height": 1080}):
        context = browser.new_context(viewport=size, locale="zh-CN")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc, seen=errors: seen.append(str(exc)))
        page.on("console", lambda msg, seen=errors: seen.append(msg.text) if msg.type == "error" else None)
        login(page, room.url, "chair", CHAIR_PASSWORD)
        # The page as served carries a stale head: the live event must replace it with the head now.
        url = f"{room.url}/chair/polls/{rehearsal}/projector?lang=zh_CN"

        def stale(route):
            response = route.fetch()
            body = response.text().replace(f'data-log-head>{head_now}<', "data-log-head>0000-0000-0000-0000<")
            route.fulfill(response=response, body=body)
        page.route(url, stale)
        page.goto(url)
        expect(page.locator("#log-head")).to_have_text(head_now)
        assert not errors, errors
        expect(page.locator("[data-rehearsal]")).to_contain_text("测试")
        zero = page.locator("[data-zero-report]")
        expect(zero).to_contain_text(report["digest"])
        expect(zero).to_contain_text(report["log_head"]["code"])
        expect(zero).to_contain_text("票箱为空")
        # Large enough to read aloud from the back of a hall: at least 48 px on a 1366 px screen.
        px = page.evaluate("parseFloat(getComputedStyle(document.getElementById('log-head')).fontSize)")
        assert px >= 48, px
        box = page.locator("#log-head").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
        shot(page, f"projector-rehearsal-{size['width']}", full_page=True)
        context.close()

    tablet = browser.new_context(viewport=TABLET, locale="zh-CN")
    page = tablet.new_page()
    page.goto(f"{room.url}/t/{slips[0]}")
    expect(page.locator("[data-rehearsal]")).to_contain_text("测试")
    shot(page, "tablet-rehearsal")
    tablet.close()

    # Closed: the dashboard offers the reset and no board link; the result sheet says rehearsal
    # and prints the zero report and the head at the close.
    api.call("POST", "/ballots", {"token": slips[1], "answers": {"正科级": ["k1"]}}, 201)
    api.call("POST", f"/polls/{rehearsal}/close", None, 200)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    login(page, room.url, "chair", CHAIR_PASSWORD)
    page.goto(f"{room.url}/chair/polls/{rehearsal}?lang=zh_CN")
    expect(page.locator("[data-rehearsal]")).to_contain_text("测试")
    expect(page.locator("#reset-form button")).to_be_visible()
    assert page.locator(f"a[href$='/board/polls/{rehearsal}']").count() == 0
    shot(page, "dashboard-rehearsal-closed-1366", full_page=True)
    page.goto(f"{room.url}/chair/polls/{rehearsal}/result?lang=zh_CN")
    expect(page.locator("[data-rehearsal]")).to_be_visible()
    expect(page.locator("[data-zero-report]")).to_contain_text(report["log_head"]["code"])
    shot(page, "result-sheet-rehearsal", full_page=True)
    context.close()
