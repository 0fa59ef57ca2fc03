"""The four competitive stages in Chromium, as the administrator walks them.

A real server (`ballotroom serve`) holds a round imported with its figures; the administrator
starts each stage from the timeline, records nominations, generates the plenary poll and its
runoff, records an inspection, ticks the deliberation's slates, generates the standing committee's
poll, completes every stage, reads the report and downloads its PDF, and supersedes a stage with a
reason. Ballots are cast over HTTP with the polls' tokens, as the tablets do (the tablets' own pages
are tested in test_browser.py). Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import HttpApi, launch, login, serve_room, shot
from test_stages_api import (
    LEVELS,
    LOOKS,
    POSTS,
    choice_ballots,
    committee_ballots,
    inspection_record,
    round_file,
)

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "correct horse battery"
IDS = {lv: [f"{lv[0]}{i}" for i in range(1, 5)] for lv in LEVELS}


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    yield from serve_room(tmp_path_factory, "browser-stages", "stage chair password", ADMIN_PASSWORD)


def cast(api: HttpApi, poll_id: str, ballots: list[dict]) -> None:
    """Tokens issued, the poll opened, each ballot cast with its token, the poll closed."""
    tokens = api.tokens(poll_id, len(ballots))
    api.open(poll_id)
    for token, answers in zip(tokens, ballots, strict=True):
        api.call("POST", "/ballots", {"token": token, "answers": answers}, 201)
    api.close(poll_id)


def interviews(api: HttpApi, rid: str) -> None:
    meeting = api.meeting(10, 10, "谈话推荐")
    contests = [{"id": lv, "title": lv, "max_choices": POSTS,
                 "candidates": [{"id": c, "name": f"候选人{c}"} for c in IDS[lv]]} for lv in LEVELS]
    poll = api.call("POST", f"/meetings/{meeting}/polls", {"title": "谈话推荐", "kind": "interview_recommendation",
                                                           "contests": contests, "round": rid}, 201)["id"]
    tokens = api.call("POST", f"/polls/{poll}/tokens",
                      {"voters": [{"name": f"谈话对象{i}"} for i in range(10)]}, 201)["tokens"]
    api.open(poll)
    for i, token in enumerate(tokens):
        answers = {lv: IDS[lv][:2] if i < 5 else IDS[lv][2:] for lv in LEVELS}
        api.call("POST", "/ballots", {"token": token, "answers": answers}, 201)
    api.close(poll)


def click_and_wait(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def test_the_administrator_walks_the_four_stages(room):
    from playwright.sync_api import expect, sync_playwright

    api, base = room.api, room.url
    rid = api.call("POST", "/rounds/import", round_file(), 201)["id"]
    interviews(api, rid)

    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        login(page, base, "admin", ADMIN_PASSWORD)

        # From the round's page to its timeline: four stages, only the first may start.
        page.goto(f"{base}/admin/rounds/{rid}")
        click_and_wait(page, "a[data-link=stages]")
        expect(page.locator("[data-timeline] > li")).to_have_count(4)
        expect(page.locator("[data-action=start]")).to_have_count(1)
        shot(page, "stages-01-timeline")
        click_and_wait(page, "button[data-action=start][data-stage=recommendation]")
        assert page.url.endswith("/stages/recommendation")

        # 1. Recommendation: a nomination per level through the form, a bad one refused first.
        page.fill("form[data-form=nomination] input[name=unit]", "财政局")
        page.fill("form[data-form=nomination] input[name=participants]", "thirty")
        click_and_wait(page, "form[data-form=nomination] button.primary")
        expect(page.locator("[data-error=invalid]")).to_contain_text("members taking part")
        expect(page.locator("form[data-form=nomination] input[name=unit]")).to_have_value("财政局")
        for unit, level, people in (("财政局", "section_chief", "35"), ("交通局", "deputy_section_chief", "40"),
                                    ("水利局", "general_cadre", "31")):
            page.fill("form[data-form=nomination] input[name=unit]", unit)
            page.select_option("form[data-form=nomination] select[name=level]", level)
            page.fill("form[data-form=nomination] input[name=participants]", people)
            click_and_wait(page, "form[data-form=nomination] button.primary")
        expect(page.locator("[data-participants-total]")).to_have_text("106")
        page.fill("form[data-form=plenary] input[name=new_title]", "市委全会（扩大会）")
        page.fill("form[data-form=plenary] input[name=new_expected]", "30")
        page.fill("form[data-form=plenary] input[name=new_present]", "25")
        click_and_wait(page, "button[data-action=plenary]")
        plenary = page.locator("[data-stage-poll]").first.get_attribute("data-stage-poll")
        # The session votes on tablets: 3 to choose per level, a tie at the cut in the first level.
        cast(api, plenary, choice_ballots(25, {
            "section_chief": {"s1": 20, "s2": 18, "s3": 10, "s4": 10},
            "deputy_section_chief": {"d1": 22, "d2": 15, "d3": 12, "d4": 6},
            "general_cadre": {"g1": 21, "g2": 19, "g3": 14, "g4": 9}}))
        page.reload()
        expect(page.locator("[data-next]")).to_have_attribute("data-next", "runoff")
        expect(page.locator("[data-progress] tr[data-level=section_chief]")).to_have_attribute("data-status", "runoff")
        shot(page, "stages-02-plenary-tie")
        click_and_wait(page, "button[data-action=runoff]")
        runoff = page.locator("[data-role=plenary_runoff]").get_attribute("data-stage-poll")
        cast(api, runoff, choice_ballots(25, {"section_chief": {"s3": 14, "s4": 11}}))
        page.reload()
        expect(page.locator("[data-next]")).to_have_attribute("data-next", "complete")
        page.locator("details.complete-form summary").click()
        click_and_wait(page, "button[data-action=complete]")
        expect(page.locator("[data-stage=recommendation]").first).to_have_attribute("data-state", "complete")

        # 2. Inspection: one record through the form, the others by the team's script.
        click_and_wait(page, "button[data-action=start][data-stage=inspection]")
        for cid in ("s2", "s3", "d1", "d2", "d3", "g1", "g2", "g3"):
            api.call("PUT", f"/rounds/{rid}/inspection/{cid}", inspection_record(cid, 6), 200)
        click_and_wait(page, "a[data-record-link=s1]")
        page.fill("input[name=notice_date]", "2026-03-02")
        page.fill("input[name=talks]", "15")
        page.fill("textarea[name=assessment]", "民主测评：称职以上票占 95%")
        page.fill("textarea[name=verification]", "个人有关事项经核实无问题")
        page.fill("textarea[name=judgement]", "政治坚定，敢于担当，实绩突出")
        for look in LOOKS:
            page.locator(f"tr[data-look={look}] input[value=good]").check()
        shot(page, "stages-03-inspection-record")
        click_and_wait(page, "button[data-action=save-inspection]")
        expect(page.locator("tr[data-candidate=s1].complete")).to_have_count(1)
        shot(page, "stages-04-inspection")
        page.locator("details.complete-form summary").click()
        click_and_wait(page, "button[data-action=complete]")

        # 3. Deliberation: too few ticked is refused; then the slates, "5+X" and the written opinions.
        click_and_wait(page, "button[data-action=start][data-stage=deliberation]")
        page.fill("textarea[name=department_notes]", "部务会听取考察情况汇报，确定考察对象评价意见")
        page.locator("input[name=secretaries_section_chief][value=s1]").check()
        click_and_wait(page, "button[data-action=save-deliberation]")
        expect(page.locator("[data-error=invalid]")).to_contain_text("secretaries' slate: section chief")
        for lv, ids in (("section_chief", ["s1", "s2", "s3"]), ("deputy_section_chief", ["d1", "d2", "d3"]),
                        ("general_cadre", ["g1", "g2", "g3"])):
            for cid in ids:
                page.locator(f"input[name=secretaries_{lv}][value={cid}]").check()
                page.locator(f"input[name=final_{lv}][value={cid}]").check()
        page.locator("input[name=important][value=section_chief]").check()
        click_and_wait(page, "button[data-action=save-deliberation]")
        expect(page.locator("[data-missing-roles=section_chief]")).to_be_visible()
        for role in ("mayor", "deputy_secretary", "discipline_secretary", "organisation_head", "leader_in_charge"):
            page.select_option("form[data-form=consultation] select[name=role]", role)
            page.fill("form[data-form=consultation] input[name=date]", "2026-03-22")
            page.fill("form[data-form=consultation] textarea[name=summary]", "同意提交常委会票决")
            click_and_wait(page, "button[data-action=add-consultation]")
        expect(page.locator("[data-missing-roles]")).to_have_count(0)
        page.fill("form[data-form=opinion] input[name=source]", "市人大常委会党组")
        page.fill("form[data-form=opinion] input[name=people]", "12")
        page.fill("form[data-form=opinion] input[name=opinion_date]", "2026-03-21")
        click_and_wait(page, "form[data-form=opinion] button.primary")
        shot(page, "stages-05-deliberation")
        page.locator("details.complete-form summary").click()
        click_and_wait(page, "button[data-action=complete]")

        # 4. Vote: the committee's poll at a new meeting with its attendance; d2 and d3 tie for a post.
        click_and_wait(page, "button[data-action=start][data-stage=vote]")
        page.fill("form[data-form=committee] input[name=new_title]", "市委常委会")
        page.fill("form[data-form=committee] input[name=new_expected]", "11")
        page.fill("form[data-form=committee] input[name=new_present]", "9")
        click_and_wait(page, "button[data-action=committee]")
        committee = page.locator("[data-role=committee]").get_attribute("data-stage-poll")
        cast(api, committee, committee_ballots(9, {"s1": 8, "s2": 7, "s3": 2, "d1": 8, "d2": 6, "d3": 6,
                                                   "g1": 9, "g2": 7, "g3": 1}))
        page.reload()
        expect(page.locator("[data-next]")).to_have_attribute("data-next", "runoff")
        click_and_wait(page, "button[data-action=runoff]")
        runoff = page.locator("[data-role=committee_runoff]").get_attribute("data-stage-poll")
        cast(api, runoff, committee_ballots(9, {"d2": 7, "d3": 4}))
        page.reload()
        page.locator("details.complete-form summary").click()
        click_and_wait(page, "button[data-action=complete]")
        page.goto(f"{base}/admin/rounds/{rid}/stages/vote")
        expect(page.locator("[data-final]")).to_be_visible()
        chosen = page.locator("[data-decision] [data-chosen]").evaluate_all("els => els.map(e => e.dataset.chosen)")
        assert chosen == ["s1", "s2", "d1", "d2", "g1", "g2"]
        shot(page, "stages-06-vote")

        # The report: the closing figures from the data, and its PDF.
        page.locator("[data-steps] .step.report a").click()
        page.wait_for_url(re.compile(r"/report$"))
        expect(page.locator("[data-figure=nomination_participants] b")).to_have_text("106")
        expect(page.locator("[data-figure=plenary_voters] b")).to_have_text("25")
        expect(page.locator("[data-figure=interviewed] b")).to_have_text("10")
        expect(page.locator("[data-figure=consulted_in_writing] b")).to_have_text("17")
        expect(page.locator("[data-provisional]")).to_have_count(0)
        shot(page, "stages-07-report")
        with page.expect_download() as download:
            page.locator("a[data-download=pdf]").click()
        assert open(download.value.path(), "rb").read().startswith(b"%PDF")

        # A completed stage is superseded with a reason; the old record stays on the timeline.
        page.goto(f"{base}/admin/rounds/{rid}/stages")
        page.locator("#deliberation details.supersede summary").click()
        page.fill("#deliberation textarea[name=reason]", "书记办公会纪要补充")
        click_and_wait(page, "#deliberation button[data-action=supersede]")
        page.goto(f"{base}/admin/rounds/{rid}/stages")
        expect(page.locator("[data-stage=deliberation]").first).to_have_attribute("data-state", "in_progress")
        expect(page.locator("[data-stage=vote]").first).to_have_attribute("data-state", "not_started")
        expect(page.locator("#vote [data-superseded-record]")).to_contain_text("书记办公会纪要补充")
        shot(page, "stages-08-superseded")
        browser.close()
