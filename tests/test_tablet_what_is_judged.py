"""A per-candidate ballot says what each candidate is judged for, on the ballot and on the review:
the post a standing committee votes on (the contest's title), the survey's and the character
test's group, and what the member is asked."""

from __future__ import annotations

import re

import pytest

POST = "县财政局副局长"
OTHER_POST = "县交通运输局局长"


def _people(prefix, *names):
    return [{"id": f"{prefix}{i}", "name": n} for i, n in enumerate(names, 1)]


def _token_of(page: str) -> tuple[str, str]:
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    return csrf, token


def _ballot(api, kind, contests):
    meeting = api.meeting(11, present=11)
    poll = api.poll(meeting, kind, contests, title="票决")
    token = api.tokens(poll, 1)[0]
    api.open(poll)
    page = api.client.get(f"/t/{token}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _review(api, page: str, fields: dict):
    csrf, token = _token_of(page)
    r = api.client.post("/ballot/review", data={"csrf_token": csrf, "token": token, **fields})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_data(as_text=True)


def test_a_committee_ballot_and_its_review_name_the_post_of_each_candidate(api):
    # One contest (the usual committee poll): its title was shown nowhere before.
    page = _ballot(api, "standing_committee", [
        {"id": "p1", "title": POST, "max_choices": 1, "places": 1, "candidates": _people("a", "张伟", "李娜")},
        {"id": "p2", "title": OTHER_POST, "max_choices": 1, "places": 1, "candidates": _people("b", "王强")}])
    assert f"职位：{POST}" in page and f"职位：{OTHER_POST}" in page
    # Each post comes before its own candidates.
    assert page.index(POST) < page.index("张伟") < page.index("李娜") < page.index(OTHER_POST) < page.index("王强")
    assert "拟任其上方所列职位" in page  # what the member is asked
    review = _review(api, page, {"k:a1": "agree", "k:a2": "disagree", "k:b1": "abstain"})
    assert f"职位：{POST}" in review and f"职位：{OTHER_POST}" in review
    assert review.index(POST) < review.index("张伟") < review.index(OTHER_POST) < review.index("王强")


def test_a_single_post_committee_ballot_names_it(api):
    page = _ballot(api, "standing_committee", [
        {"id": "p1", "title": POST, "max_choices": 1, "places": 1, "candidates": _people("a", "张伟", "李娜")}])
    assert f"职位：{POST}" in page
    assert f"职位：{POST}" in _review(api, page, {"k:a1": "agree", "k:a2": "agree"})


@pytest.mark.parametrize("kind, asked", [("survey", "满意"), ("character", "反映")])
def test_a_survey_and_a_character_ballot_show_the_group_and_what_is_asked(api, kind, asked):
    group = "新提拔正科级干部"
    page = _ballot(api, kind, [{"id": "g", "title": group, "max_choices": 1, "places": 1,
                                "candidates": _people("s", "张伟", "李娜")}])
    assert group in page and asked in page
    if kind == "survey":
        fields = {"k:s1": "satisfied", "k:s2": "dissatisfied"}
    else:
        fields = {f"k:s{n}:{i}": "none" for n in (1, 2) for i in range(10)}
    assert group in _review(api, page, fields)
