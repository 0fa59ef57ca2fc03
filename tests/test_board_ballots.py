"""The bulletin board's list of ballots says what each ballot is: a blank ballot (by tally's rule
for the kind) is 空白票, and a part with nothing chosen in a ballot that is not blank says only
that, so the list never shows more blank ballots than the count does."""

from __future__ import annotations

import re

from conftest import Api, contest


def test_a_part_left_empty_is_not_called_a_blank_ballot(client, admin_key):
    api = Api(client, admin_key)
    meeting = api.meeting(3, present=3)
    second = {**contest("c2"), "title": "副科级",
              "candidates": [{"id": "k3", "name": "丙"}, {"id": "k4", "name": "丁"}]}
    poll = api.poll(meeting, "democratic_recommendation", [{**contest("c1", names=("甲", "乙")), "title": "正科级"}, second])
    tokens = api.tokens(poll, 3)
    api.open(poll)
    names = {c["id"]: {k["name"]: k["id"] for k in c["candidates"]} for c in api.get(f"/polls/{poll}")["contests"]}
    for token, answers in zip(tokens, [{"c1": [names["c1"]["甲"]], "c2": []},  # one part left empty
                                       {"c1": [], "c2": []},  # blank
                                       {"c1": [names["c1"]["乙"]], "c2": [names["c2"]["丁"]]}], strict=True):
        assert api.vote(token, answers).status_code == 201
    api.close(poll)
    assert api.results(poll)["counts"]["blank"] == 1

    page = client.get(f"/board/polls/{poll}?lang=zh_CN").get_data(as_text=True)
    assert page.count("data-blank") == 1  # as many blank ballots as the count says
    text = re.sub(r"<[^>]+>", "", page)
    assert "（未选任何人）" in text and "（空白票）" not in text
    english = client.get(f"/board/polls/{poll}?lang=en").get_data(as_text=True)
    assert "(nobody chosen)" in english and "Blank ballot" in english
