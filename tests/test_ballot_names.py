"""Two candidates of one contest with the same name: a ballot tells them apart by their unit
(tally.poll.ballot_names), so polls the stages generate from a round are not refused for it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_stages_api import NOMINATIONS, Run, interview_poll, round_file

from tally.poll import ballot_names, name_key


@pytest.mark.parametrize("people,shown", [
    ([("a", "张伟", "城关镇"), ("b", "王芳", "东城乡")], {"a": "张伟", "b": "王芳"}),
    ([("a", "张伟", "城关镇"), ("b", "张 伟", "东城乡")], {"a": "张伟（城关镇）", "b": "张 伟（东城乡）"}),
    ([("a", "张伟", None), ("b", "张伟", "东城乡")], {"a": "张伟", "b": "张伟（东城乡）"}),
    ([("a", "张伟", None), ("b", "张伟", None)], {"a": "张伟", "b": "张伟"}),  # refused later, with a reason
])
def test_a_shared_name_carries_its_unit(people, shown):
    assert ballot_names(people) == shown


@given(st.lists(st.tuples(st.sampled_from(["张伟", "王芳", "李娜"]), st.text("甲乙丙丁戊", min_size=1, max_size=3)),
                min_size=1, max_size=8, unique_by=lambda p: p[1]))
def test_with_distinct_units_every_name_on_the_ballot_differs(pairs):
    people = [(str(i), name, unit) for i, (name, unit) in enumerate(pairs)]
    shown = ballot_names(people)
    assert len({name_key(n) for n in shown.values()}) == len(people)


def test_a_round_with_two_people_of_one_name_gets_its_plenary_poll(api):
    doc = round_file()
    for c in doc["candidates"]:
        if c["id"] in ("s1", "s2"):
            c["name"], c["unit"] = "张伟", {"s1": "城关镇", "s2": "东城乡"}[c["id"]]
    run = Run.__new__(Run)
    run.api = api
    api.headers["Accept-Language"] = "en"
    run.rid = api.post("/rounds/import", doc, 201).get_json()["id"]
    interview_poll(run, api.meeting(10, present=10))
    run.start("recommendation")
    run.post("/recommendation/nominations", {"nominations": NOMINATIONS}, 201)
    made = run.post("/recommendation/plenary", {"meeting": {"title": "全会", "expected": 10, "present": 10}}, 201)
    section = made.get_json()["poll"]["contests"][0]
    names = {k["id"]: k["name"] for k in section["candidates"]}
    assert names["s1"] == "张伟（城关镇）" and names["s2"] == "张伟（东城乡）"
