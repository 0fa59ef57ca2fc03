"""The door page in Chromium: a clerk on a tablet finds a member by pinyin initials and ticks them
in without leaving the page; the roster's pages fit a tablet and a laptop, in Chinese and English."""

from __future__ import annotations

import pytest
from browser_helpers import TABLET, launch, need_browser, shot

from kiosk.app import create_app
from kiosk.domain import accounts
from tests.conftest import ADMIN_PASSWORD, Api, LiveServer, new_instance

MEMBERS = [{"name": "张伟", "unit": "城关镇", "post": "党委书记"},
           {"name": "单雄信", "unit": "城关镇", "post": "镇长"},
           {"name": "王芳", "unit": "县财政局", "post": "局长"},
           {"name": "欧阳明远", "unit": "县教育局", "post": "党组书记、局长"},
           *({"name": f"委员{i:02d}", "unit": "县直机关工委", "post": "委员"} for i in range(14))]


@pytest.fixture
def room(tmp_path):
    app = create_app(str(new_instance(tmp_path / "instance")), {"TESTING": True})
    api = Api(app.test_client(), accounts.create_api_key(app.extensions["ballotroom_db"], "admin"))
    meeting = api.meeting(30, title="中共某县委全体会议")
    r = api.client.put(f"/api/v1/meetings/{meeting}/roster", json={"members": MEMBERS}, headers=api.headers)
    assert r.status_code == 200
    ids = {m["name"]: m["id"] for m in r.get_json()["members"]}
    api.post(f"/meetings/{meeting}/roster/{ids['王芳']}/sign-in", None, 200)
    api.post(f"/meetings/{meeting}/roster/{ids['委员03']}/sign-in", None, 200)
    api.post(f"/meetings/{meeting}/roster/{ids['委员03']}/leave", None, 200)
    return app, api, meeting


def _login(page, url: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    with page.expect_navigation():
        page.click("form button.primary")


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{width} px wide at {page.viewport_size['width']}"


def test_a_clerk_finds_a_member_by_initials_and_ticks_them_in_on_a_tablet(room):
    need_browser()
    from playwright.sync_api import expect, sync_playwright

    app, api, meeting = room
    with LiveServer(app) as server, sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=TABLET, locale="zh-CN")
            _login(page, server.url)
            page.goto(f"{server.url}/admin/meetings/{meeting}/roster/door")
            assert page.locator("html").get_attribute("lang") == "zh-CN"
            expect(page.locator("[data-roster-counts] [data-count=present] b")).to_have_text("1")
            _fits(page)
            shot(page, "roster-door-800", full_page=False)
            page.fill("[data-search]", "sxx")  # 单雄信, 单 read as a surname
            visible = page.locator("li.member:visible")
            expect(visible).to_have_count(1)
            expect(visible.locator(".name")).to_have_text("单雄信")
            shot(page, "roster-door-search-800", full_page=False)
            visible.locator("button.sign-in").click()
            expect(page.locator("[data-door-message]")).to_contain_text("单雄信 于")
            expect(page.locator("[data-roster-counts] [data-count=present] b")).to_have_text("2")
            expect(page.locator('li.member[data-state="present"] .name', has_text="单雄信")).to_be_visible()
            expect(page.locator("[data-search]")).to_have_value("")  # ready for the next at the door
            shot(page, "roster-door-ticked-800", full_page=False)
            assert api.get(f"/meetings/{meeting}")["present"] == 2
            # A second tick of the same member (another clerk's page) is refused, and said so.
            other = browser.new_page(viewport=TABLET, locale="zh-CN")
            _login(other, server.url)
            other.goto(f"{server.url}/admin/meetings/{meeting}/roster/door?show=absent")
            page.fill("[data-search]", "zw")
            page.locator("li.member:visible button.sign-in").click()
            expect(page.locator("[data-door-message]")).to_contain_text("张伟 于")
            other.locator("li.member", has_text="张伟").locator("button.sign-in").click()
            expect(other.locator("[data-door-message]")).to_have_text("当前无法执行此操作：张伟 已签到")
            assert api.get(f"/meetings/{meeting}")["present"] == 3
        finally:
            browser.close()


@pytest.mark.parametrize("lang,viewport", [("zh_CN", {"width": 1366, "height": 768}), ("en", {"width": 1366, "height": 768}),
                                           ("zh_CN", TABLET)])
def test_the_roster_pages_fit_in_both_languages(room, lang, viewport):
    need_browser()
    from playwright.sync_api import sync_playwright

    app, _api, meeting = room
    with LiveServer(app) as server, sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=viewport)
            _login(page, server.url)
            page.goto(f"{server.url}/admin/meetings/{meeting}/roster?lang={lang}")
            text = page.locator("main").inner_text()
            assert ("未到（16 人）" if lang == "zh_CN" else "Absent (16)") in text
            assert ("提前离场" if lang == "zh_CN" else "Left early") in text
            _fits(page)
            shot(page, f"roster-overview-{lang}-{viewport['width']}")
            page.goto(f"{server.url}/admin/meetings/{meeting}/roster/door")
            _fits(page)
            shot(page, f"roster-door-{lang}-{viewport['width']}", full_page=False)
            page.goto(f"{server.url}/admin/meetings/{meeting}")
            _fits(page)
            shot(page, f"roster-meeting-{lang}-{viewport['width']}", full_page=False)
        finally:
            browser.close()
