"""The paper ballots' entry page in Chromium: two scrutineers enter a 50-name survey ballot
(one name over-voted), the second blind to the first, and the ballot is accepted; the standing
committee's and the character test's forms draw their grids. Screenshots in tests/artifacts/."""

from __future__ import annotations

import pytest
from browser_helpers import launch, need_browser, shot

from kiosk.app import create_app
from kiosk.domain import accounts
from tests.conftest import Api, LiveServer, contest, new_instance

LAPTOP = {"width": 1366, "height": 768}
PASSWORD = "pw-scrutineer-123456789"


@pytest.fixture
def room(tmp_path):
    app = create_app(str(new_instance(tmp_path / "instance")), {"TESTING": True})
    database = app.extensions["ballotroom_db"]
    api = Api(app.test_client(), accounts.create_api_key(database, "admin"))
    for name in ("甲", "乙"):
        accounts.add_user(database, name, "scrutineer", PASSWORD)
    return app, api


def _open(api, kind, names):
    poll = api.poll(api.meeting(60, present=60), kind, [contest("c1", names=names)], title="纸质票录入")
    api.post(f"/polls/{poll}/paper/handed-out", {"count": 2}, 200)
    api.open(poll)
    return poll


def _as(page, base, name):
    page.goto(f"{base}/logout")
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form button.primary")


def _tick(page, marks):
    for name, value in marks:
        page.locator(f"input[name='{name}'][value='{value}']").check()


def test_two_scrutineers_enter_a_long_survey_ballot_in_chromium(room):
    need_browser()
    from playwright.sync_api import expect, sync_playwright

    app, api = room
    names = tuple(f"候选人{i:02d}" for i in range(1, 51))
    poll = _open(api, "survey", names)
    marks = [(f"a:k{i}", "satisfied") for i in range(1, 51, 3)] + [("a:k2", "satisfied"), ("a:k2", "dissatisfied")]
    with LiveServer(app) as server, sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=LAPTOP, locale="zh-CN")
            _as(page, server.url, "甲")
            page.goto(f"{server.url}/admin/polls/{poll}/paper")
            grid = page.locator("table.paper-grid[data-shape=answers]")
            expect(grid.locator("tbody tr")).to_have_count(50)
            assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
            _tick(page, marks)
            page.locator("table.paper-grid tbody tr").nth(40).scroll_into_view_if_needed()
            shot(page, "paper-entry-survey-scrolled", full_page=False)  # the header stays in view
            shot(page, "paper-entry-survey")
            with page.expect_navigation():
                page.click("[data-action=enter]")
            expect(page.locator("[data-waiting] li")).to_have_count(1)

            _as(page, server.url, "乙")
            page.goto(f"{server.url}/admin/polls/{poll}/paper")
            with page.expect_navigation():
                page.click("[data-waiting] a.button")
            # Blind: the second entry starts with nothing ticked.
            assert page.locator("table.paper-grid input:checked").count() == 0
            _tick(page, marks)
            with page.expect_navigation():
                page.click("[data-action=enter]")
            expect(page.locator("[data-returned]")).to_have_text("1")
            shot(page, "paper-entry-accepted", full_page=False)
        finally:
            browser.close()
    doc = api.get(f"/polls/{poll}/paper")
    assert doc["returned"] == 1 and doc["waiting"] == []


@pytest.mark.parametrize(("kind", "boxes"), [("standing_committee", 3 * 3), ("character", 3 * 10 * 3)])
def test_the_committee_and_character_forms_draw_their_grids(room, kind, boxes):
    need_browser()
    from playwright.sync_api import sync_playwright

    app, api = room
    poll = _open(api, kind, ("张伟", "王芳", "李娜"))
    with LiveServer(app) as server, sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=LAPTOP, locale="zh-CN")
            _as(page, server.url, "甲")
            page.goto(f"{server.url}/admin/polls/{poll}/paper")
            assert page.locator("table.paper-grid input[type=checkbox]").count() == boxes
            assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
            if kind == "character":
                _tick(page, [("i:k1:0", "none"), ("i:k1:0", "frequent")])
            else:
                _tick(page, [("a:k1", "agree"), ("a:k2", "disagree"), ("a:k2", "abstain")])
            shot(page, f"paper-entry-{kind}")
            with page.expect_navigation():
                page.click("[data-action=enter]")
            assert page.locator("[data-waiting] li").count() == 1
        finally:
            browser.close()


def test_handing_out_asks_before_a_large_number_and_numbers_are_never_reused_in_chromium(room):
    """The reviewer's drive: 1000 for a meeting of 10 is refused in Chinese, a number beyond members
    present is asked to confirm, a mistaken number is taken back with a reason; a ballot whose two
    entries differ keeps its number, and the next new paper gets a new one."""
    need_browser()
    from playwright.sync_api import expect, sync_playwright

    app, api = room
    database = app.extensions["ballotroom_db"]
    accounts.add_user(database, "主持", "chair", PASSWORD)
    poll = api.poll(api.meeting(10, present=8), "democratic_recommendation",
                    [{**contest("c1", names=("张伟", "王芳", "李娜")), "title": "正科级"}], title="纸质票发放")
    with LiveServer(app) as server, sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=LAPTOP, locale="zh-CN")
            _as(page, server.url, "主持")
            page.goto(f"{server.url}/admin/polls/{poll}/paper")
            page.fill("form[action$='handed-out'] input[name=count][type=number]", "1000")
            with page.expect_navigation():
                page.click("[data-action=handed-out]")
            expect(page.locator("[data-error]")).to_contain_text("最多还可发放 10 张纸质选票")
            expect(page.locator("[data-handed-out]")).to_have_text("0")
            page.fill("form[action$='handed-out'] input[name=count][type=number]", "9")
            with page.expect_navigation():
                page.click("[data-action=handed-out]")
            expect(page.locator("[data-confirm]")).to_contain_text("多于实到的 8 人")
            shot(page, "paper-handed-out-confirm", full_page=False)
            with page.expect_navigation():
                page.click("[data-action=confirm-handed-out]")
            expect(page.locator("[data-handed-out]")).to_have_text("9")
            page.fill("form[action$='taken-back'] input[name=count]", "7")
            page.fill("form[action$='taken-back'] input[name=reason]", "张数输错")
            with page.expect_navigation():
                page.click("[data-action=taken-back]")
            expect(page.locator("[data-handed-out]")).to_have_text("2")
            api.open(poll)

            def enter(name, number=None):
                if number is None:
                    page.goto(f"{server.url}/admin/polls/{poll}/paper")
                else:
                    page.goto(f"{server.url}/admin/polls/{poll}/paper?number={number}")
                page.locator(f"input[name='c:c1'][value='{name}']").check()
                with page.expect_navigation():
                    page.click("[data-action=enter]")

            _as(page, server.url, "甲")
            enter("k1")
            enter("k2")
            _as(page, server.url, "乙")
            enter("k3", 1)  # differs from 甲's reading of ballot 1
            expect(page.locator("[data-mismatch]")).to_contain_text("保留编号 1")
            shot(page, "paper-entry-mismatch", full_page=False)
            enter("k2", 2)
            enter("k2")  # a new paper: number 3, never 1 or 2 again
            expect(page.locator("p.notice").first).to_contain_text("第 3 张")
            expect(page.locator("[data-again] li")).to_have_count(1)
            expect(page.locator("[data-again] li")).to_contain_text("第 1 张选票")
            shot(page, "paper-entry-again", full_page=True)
        finally:
            browser.close()
    box = api.get(f"/polls/{poll}/paper")
    assert box["again"] == [1] and [w["number"] for w in box["waiting"]] == [3] and box["returned"] == 1
