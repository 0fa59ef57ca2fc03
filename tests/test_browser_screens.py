"""The screens in Chromium at the sizes of the room: the tablet for every member (800 x 1280), the
chair's dashboard and the projector (1366 x 768, 1920 x 1080).

Tablet: four text sizes (the default at least 4.9 mm, see kiosk/static/css/app.css), high
contrast, both back to default for the next voter; an inactivity warning and the return to the
start screen with the slip still valid (Playwright's clock runs the settings' real timings, no
waiting). Dashboard and projector: the width of the screen used, names large on the projector,
the reconciled count tiles, the blank tile's note, the round's stages.

With BALLOTROOM_SCREENSHOTS=1 the screenshots also go to docs/screenshots/ (the README's); a
normal run writes them to tests/artifacts/ only.
"""

from __future__ import annotations

import os
import shutil
import time

import pytest
from browser_helpers import (
    ROOT,
    TABLET,
    HttpApi,
    chromium_session,
    contest,
    login,
    serve_room,
    shot,
)
from test_stages_api import round_file

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "correct horse battery"
CHAIR_PASSWORD = "staple gun orchestra"
LAPTOP = {"width": 1366, "height": 768}
MONITOR = {"width": 1920, "height": 1080}
# The tablet's sizes in CSS px (kiosk/static/css/app.css: 5.884 CSS px per mm on a 10.1-inch
# 800 x 1280 tablet; at the default a Chinese character, 0.9 of the font size, is over 4.9 mm high).
TEXT_PX = {"1": 34, "2": 40, "3": 48, "4": 58}
PX_PER_MM = 1509.4 / 10.1 / 25.4
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏"]
ROUND_NAMES = NAMES + ["周婷", "吴昊", "郑丽", "孙强"]
DOCS_SHOTS = ROOT / "docs" / "screenshots"


def screenshot(page, name: str, full_page: bool = False) -> None:
    """A screenshot in tests/artifacts/, and in docs/screenshots/ when BALLOTROOM_SCREENSHOTS=1."""
    path = shot(page, name, full_page=full_page)
    if os.environ.get("BALLOTROOM_SCREENSHOTS") == "1":
        DOCS_SHOTS.mkdir(exist_ok=True)
        shutil.copyfile(path, DOCS_SHOTS / path.name)


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """A fresh instance with an administrator and a chair, served on a free port."""
    yield from serve_room(tmp_path_factory, "browser-screens", CHAIR_PASSWORD, ADMIN_PASSWORD)


@pytest.fixture(scope="module")
def browser(room):
    yield from chromium_session()


@pytest.fixture
def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def cast(api: HttpApi, code: str, answers: dict) -> None:
    api.call("POST", "/ballots", {"token": code, "answers": answers}, 201)


def root_px(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")


def name_px(page, selector: str) -> float:
    return page.evaluate("(s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)", selector)


def fits_the_screen(page) -> list[str]:
    """What a projector would not show (it cannot scroll): a page wider or taller than the screen,
    the log head code or a shown contest's last row past the edge; [] when everything fits."""
    return page.evaluate("""() => {
        const out = [], w = innerWidth, h = innerHeight, root = document.documentElement;
        if (root.scrollWidth > w || root.scrollHeight > h) out.push(`page ${root.scrollWidth}x${root.scrollHeight}`);
        const code = document.querySelector('#log-head').getBoundingClientRect();
        if (code.right > w || code.bottom > h || code.left < 0) out.push(`log head at ${code.right},${code.bottom}`);
        const area = document.querySelector('[data-proj-pages]');
        const limit = area ? area.getBoundingClientRect().bottom : h;
        document.querySelectorAll('.contest-board:not([hidden]) .cand:last-child').forEach(c => {
            if (c.getBoundingClientRect().bottom > limit + 1) out.push(`a contest cut at ${c.getBoundingClientRect().bottom}`);
        });
        document.querySelectorAll('.counts b').forEach(b => {
            if (b.scrollWidth > b.parentElement.clientWidth) out.push(`count ${b.textContent} spills`);
        });
        return out;
    }""")


def shown_name_px(page, selector: str) -> float:
    """A name's size as drawn: its font size times the zoom of a contest drawn smaller to fit."""
    return page.evaluate("""(s) => { const n = document.querySelector(s);
        const zoom = parseFloat(n.closest('.contest-board').style.zoom || '1');
        return parseFloat(getComputedStyle(n).fontSize) * zoom; }""", selector)


def used_width(page, selector: str) -> float:
    return page.evaluate("(s) => document.querySelector(s).getBoundingClientRect().width", selector)


# --- the tablet ----------------------------------------------------------------------------------

def test_tablet_text_size_and_contrast_then_default_for_the_next_voter(room, browser, expect):
    api = room.api
    poll_id, codes = api.open_poll_with_slips(
        "democratic_recommendation", [contest("正科级", NAMES[:6], max_choices=2)], slips=2, expected=10,
        present=8, title="2026年正科级干部民主推荐")
    context = browser.new_context(viewport=TABLET, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{room.url}/?lang=zh_CN")
        assert root_px(page) == TEXT_PX["1"]
        assert TEXT_PX["1"] * 0.9 / PX_PER_MM >= 4.9  # a Chinese character's height at the default
        screenshot(page, "tablet-01-start")
        bar = page.locator("[data-display-bar]")
        expect(bar).to_be_visible()

        page.goto(f"{room.url}/t/{codes[0]}")
        expect(page.locator("form#ballot")).to_be_visible()
        screenshot(page, "tablet-02-ballot")
        for size, px in TEXT_PX.items():
            bar.locator(f"[data-text-size='{size}']").click()
            assert root_px(page) == px
            expect(bar.locator(f"[data-text-size='{size}']")).to_have_attribute("aria-pressed", "true")
        bar.locator("[data-contrast]").click()
        assert page.evaluate("() => document.documentElement.classList.contains('contrast')")
        background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(0, 0, 0)"
        page.locator("label.choice", has_text=NAMES[1]).click()
        screenshot(page, "tablet-03-largest-high-contrast")

        # The choice carries to the review page, and the receipt hands the next voter the default.
        page.locator("form#ballot button.primary").click()
        expect(page.locator("#cast")).to_be_visible()
        assert root_px(page) == TEXT_PX["4"]
        page.locator("#cast").click()
        expect(page.locator("[data-tracking]")).to_be_visible()
        page.goto(f"{room.url}/")
        assert root_px(page) == TEXT_PX["1"]
        assert not page.evaluate("() => document.documentElement.classList.contains('contrast')")
        expect(bar.locator("[data-text-size='1']")).to_have_attribute("aria-pressed", "true")
    finally:
        context.close()
    api.close(poll_id)


def test_inactivity_warns_then_returns_to_the_start_and_the_slip_stays_valid(room, browser, expect):
    """The settings' timings (120 s, then 30 s) run on Playwright's clock: no real waiting."""
    api = room.api
    poll_id, codes = api.open_poll_with_slips(
        "democratic_recommendation", [contest("正科级", NAMES[:4])], slips=1, expected=5, present=5)
    context = browser.new_context(viewport=TABLET, locale="zh-CN")
    page = context.new_page()
    try:
        page.clock.install()
        page.goto(f"{room.url}/t/{codes[0]}?lang=zh_CN")
        expect(page.locator("form#ballot")).to_be_visible()
        page.locator("[data-display-bar] [data-text-size='3']").click()
        page.locator("label.choice", has_text=NAMES[0]).click()
        warning = page.locator("#idle-warning")
        page.clock.run_for(119_000)
        expect(warning).to_be_hidden()
        page.clock.run_for(1_500)
        expect(warning).to_be_visible()
        expect(warning.locator(".idle-countdown")).to_contain_text("30")
        screenshot(page, "tablet-04-inactivity-warning")

        # A touch carries on, with the choice kept; left alone again, the tablet goes back.
        warning.locator("[data-still-here]").click()
        expect(warning).to_be_hidden()
        expect(page.locator("label.choice", has_text=NAMES[0]).locator("input")).to_be_checked()
        page.clock.run_for(120_500)
        expect(warning).to_be_visible()
        with page.expect_navigation():
            page.clock.run_for(31_000)
        expect(page.locator("#scan-start")).to_be_visible()
        assert root_px(page) == TEXT_PX["1"]

        # Nothing was used up: the same slip opens its ballot again and casts.
        page.goto(f"{room.url}/t/{codes[0]}")
        expect(page.locator("form#ballot")).to_be_visible()
        assert api.results(poll_id)["cast"] == 0
    finally:
        context.close()
    api.close(poll_id)


# --- the chair's dashboard and the projector -------------------------------------------------------

def _busy_poll(api: HttpApi) -> tuple[str, list[str]]:
    """An open democratic recommendation of a round (so the dashboard shows the round's stages, the
    first one started), two levels of four, 13 of 20 slips used: two published batches of 5."""
    doc = round_file()
    for candidate, name in zip(doc["candidates"], ROUND_NAMES, strict=False):
        candidate["name"] = name
        candidate.pop("democratic")  # from this poll
    rid = api.call("POST", "/rounds/import", doc, 201)["id"]
    api.call("POST", f"/rounds/{rid}/stages/recommendation/start", None, 201)
    levels = {"section_chief": "正科级", "deputy_section_chief": "副科级"}
    contests = [{"id": lv, "title": title, "max_choices": 2, "places": 2,
                 "candidates": [{"id": c["id"], "name": c["name"]} for c in doc["candidates"] if c["level"] == lv]}
                for lv, title in levels.items()]
    meeting_id = api.meeting(expected=22, present=20, title="中共某县委全委会（扩大）")
    poll_id = api.call("POST", f"/meetings/{meeting_id}/polls", {
        "title": "2026年科级干部民主推荐", "kind": "democratic_recommendation", "contests": contests,
        "round": rid}, 201)["id"]
    codes = api.tokens(poll_id, 20)
    api.open(poll_id)
    for i, code in enumerate(codes[:13]):
        picks = {lv: [f"{lv[0]}{(i + j) % 4 + 1}" for j in range(1 + i % 2)] for lv in levels}
        cast(api, code, picks if i % 6 else {lv: [] for lv in levels})
    # The publisher releases batches in the background: wait until both are out (a bound of
    # liveness for a loaded machine, returning as soon as they are).
    deadline = time.monotonic() + 60
    while api.results(poll_id)["cast"] < 10 and time.monotonic() < deadline:
        time.sleep(0.1)
    return poll_id, codes


def test_dashboard_and_projector_use_the_screen(room, browser, expect):
    api = room.api
    poll_id, codes = _busy_poll(api)
    context = browser.new_context(viewport=LAPTOP, locale="zh-CN")
    page = context.new_page()
    try:
        login(page, room.url, "chair", CHAIR_PASSWORD)
        for viewport, tag in ((LAPTOP, "1366"), (MONITOR, "1920")):
            page.set_viewport_size(viewport)
            page.goto(f"{room.url}/chair/polls/{poll_id}?lang=zh_CN")
            published = api.results(poll_id)["cast"]  # the batches the publisher released
            assert published >= 5
            expect(page.locator("#tally-board .cand").first).to_be_visible()
            # The page spans the screen: the grid uses at least 95% of the width.
            assert used_width(page, ".dash-grid") >= 0.95 * viewport["width"] - 60
            # Tiles of the reconciled counts, drawn as the turnout's counts say.
            counts = api.results(poll_id)["counts"]
            for key in ("expected", "present", "issued", "returned", "not_voted", "blank", "spoiled", "voided"):
                expect(page.locator(f"[data-count='{key}']")).to_have_text(str(counts[key]))
            expect(page.locator("[data-blank-note]")).to_be_visible()
            expect(page.locator("[data-round-stages] [data-stage]")).to_have_count(4)
            expect(page.locator("[data-stage='recommendation']")).to_have_attribute("data-state", "in_progress")
            assert name_px(page, "#tally-board .cand .name") >= 20
            screenshot(page, f"dashboard-open-{tag}")

        # One more ballot moves 收回 and 未投 live, without a reload.
        cast(api, codes[13], {"section_chief": ["s1"], "deputy_section_chief": []})
        expect(page.locator("[data-count='returned']")).to_have_text("14")
        expect(page.locator("[data-count='not_voted']")).to_have_text("6")

        projector = context.new_page()
        for viewport, tag in ((LAPTOP, "1366"), (MONITOR, "1920")):
            projector.set_viewport_size(viewport)
            projector.goto(f"{room.url}/chair/polls/{poll_id}/projector?lang=zh_CN")
            expect(projector.locator("[data-count='returned']")).to_have_text("14")
            expect(projector.locator("[data-count='blank']")).to_have_count(0)  # no tally while open
            # The boxes shown add up: 发出 = 收回 + 未投 + 作废.
            expect(projector.locator("[data-count='voided']")).to_have_text("0")
            assert fits_the_screen(projector) == [], tag
            screenshot(projector, f"projector-open-{tag}")

        # The open projector reloads itself when the poll closes; a test's own navigation racing that
        # reload is cancelled by it, so the projector leaves the poll before it closes.
        projector.goto("about:blank")
        page.goto("about:blank")  # the dashboard too
        api.close(poll_id)
        for viewport, tag in ((LAPTOP, "1366"), (MONITOR, "1920")):
            projector.set_viewport_size(viewport)
            projector.goto(f"{room.url}/chair/polls/{poll_id}/projector?lang=zh_CN")
            expect(projector.locator(".tally-board .cand").first).to_be_visible()
            # A projector cannot scroll: everything fits, the log head code and the last row of
            # every contest shown included; a name stays readable from the back of the room.
            assert fits_the_screen(projector) == [], tag
            assert shown_name_px(projector, ".tally-board .contest-board:not([hidden]) .cand .name") >= 0.035 * viewport["height"]
            expect(projector.locator("[data-count='not_voted']")).to_have_count(0)  # inside 作废 after the close
            screenshot(projector, f"projector-closed-{tag}")
            if projector.locator("[data-pager]").is_visible():  # more contests than fit: pages turn by hand too
                first = projector.locator("[data-page-of]").inner_text()
                projector.keyboard.press("ArrowRight")
                expect(projector.locator("[data-page-of]")).not_to_have_text(first)
                assert fits_the_screen(projector) == [], tag
        page.set_viewport_size(MONITOR)
        page.goto(f"{room.url}/chair/polls/{poll_id}?lang=zh_CN")
        expect(page.locator("[data-blank-note]")).to_have_count(0)
        screenshot(page, "dashboard-closed-1920")
        page.set_viewport_size(LAPTOP)
        page.goto(f"{room.url}/chair/?lang=zh_CN")
        expect(page.locator("[data-round-stages]").first).to_be_visible()
        screenshot(page, "chair-home-1366", full_page=True)
    finally:
        context.close()
