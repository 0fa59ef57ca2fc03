"""Selection rounds through the API (docs/api.md "Rounds and stages", docs/round-file.md)."""

from __future__ import annotations

import copy
import json
from importlib import resources

import pytest
from conftest import Api
from test_messages import in_words

from kiosk.app import create_app
from kiosk.domain import accounts
from kiosk.store import eventlog
from tally.roundfile import parse_round_file
from tally.rules import load_rules
from tally.score import score_round

LEVELS = [{"id": "section_chief", "posts": 1}, {"id": "general_cadre", "posts": 1}]
CANDIDATES = [
    {"id": "c1", "name": "张伟", "level": "section_chief", "unit": "财政局"},
    {"id": "c2", "name": "王芳", "level": "section_chief", "unit": "教育局"},
    {"id": "c3", "name": "李娜", "level": "section_chief", "unit": "交通局"},
    {"id": "c4", "name": "刘洋", "level": "general_cadre", "unit": "民政局"},
]
SECTION = ["c1", "c2", "c3"]


def small_rules_text() -> str:
    """The packaged rules with 4 raters / respondents enough, so a handful of ballots completes."""
    text = resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8")
    text = text.replace("min_raters = 50", "min_raters = 4").replace("min_respondents = 50", "min_respondents = 4")
    assert "min_raters = 4" in text and "min_respondents = 4" in text
    return text


@pytest.fixture
def small(instance, tmp_path):
    rules_path = tmp_path / "rules.toml"
    rules_path.write_text(small_rules_text(), encoding="utf-8")
    app = create_app(str(instance), {"TESTING": True, "RULES_PATH": str(rules_path)})
    key = accounts.create_api_key(app.extensions["ballotroom_db"], "admin")
    return Api(app.test_client(), key)


def make_round(api, levels=LEVELS, candidates=CANDIDATES, title="2026年科级干部竞争性选拔") -> str:
    created = api.post("/rounds", {"title": title, "levels": levels}, 201).get_json()
    api.post(f"/rounds/{created['id']}/candidates", {"candidates": candidates}, 201)
    return created["id"]


def put(api, path, body):
    return api.client.put(f"/api/v1{path}", json=body, headers=api.headers)


def feeding_poll(api, meeting, kind, round_id, contests, title=None):
    body = {"title": title or kind, "kind": kind, "contests": contests, "round": round_id}
    return api.post(f"/meetings/{meeting}/polls", body)


def per_level(ids_by_level: dict[str, list[str]], max_choices: dict[str, int] | None = None) -> list[dict]:
    names = {c["id"]: c["name"] for c in CANDIDATES}
    return [{"id": level, "title": level, "max_choices": (max_choices or {}).get(level, 1),
             "candidates": [{"id": i, "name": names[i]} for i in ids]}
            for level, ids in ids_by_level.items()]


ALL = {"section_chief": SECTION, "general_cadre": ["c4"]}


def run_poll(api, meeting, kind, round_id, ballots, voters=None, contests=None):
    """Create a feeding poll, issue tokens, vote every ballot through POST /api/v1/ballots, close."""
    r = feeding_poll(api, meeting, kind, round_id, contests or per_level(ALL))
    assert r.status_code == 201, r.get_json()
    poll = r.get_json()["id"]
    tokens = api.tokens(poll, voters=voters) if voters else api.tokens(poll, len(ballots))
    api.open(poll)
    for token, answers in zip(tokens, ballots, strict=True):
        vote = api.vote(token, answers)
        assert vote.status_code == 201, vote.get_json()
    api.close(poll)
    return poll


def character(frequent_items: int = 0) -> list[str]:
    return ["frequent"] * frequent_items + ["occasional"] + ["none"] * (9 - frequent_items)


def test_round_trip_scores_from_polls_voted_through_the_api(small):
    """Five feeding polls voted with tokens, entries by hand: GET scores is exactly
    tally.score.score_round of GET export, and each part holds the polls' counts."""
    api = small
    rid = make_round(api)
    entries = {"c1": ("30", "4", "9"), "c2": ("28.5", "2", "8.5"), "c3": ("25", "0", "8"), "c4": ("31", "1", "9.5")}
    for cid, (base, bonus, score) in entries.items():
        body = {"performance": {"base": base, "bonus": bonus, "note": "排类排位"},
                "organisation": {"score": score, "grades": ["competent", "outstanding", "competent"]}}
        r = put(api, f"/rounds/{rid}/candidates/{cid}/entries", body)
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["performance"]["entered_by"].startswith("apikey:")

    meeting = api.meeting(6, present=6)
    # Character: 4 raters; c3 is reported "frequent" on its first item by 2 of 4 (50% > 30%: veto).
    run_poll(api, meeting, "character", rid, [
        {cid: character(1 if cid == "c3" and i < 2 else 0) for cid in ("c1", "c2", "c3", "c4")} for i in range(4)])
    # Democratic: 6 ballots, one blank; c1 3/6, c2 2/6, c3 0/6 (below 30%), c4 5/6.
    run_poll(api, meeting, "democratic_recommendation", rid, [
        {"section_chief": ["c1"], "general_cadre": ["c4"]},
        {"section_chief": ["c1"], "general_cadre": ["c4"]},
        {"section_chief": ["c1"], "general_cadre": ["c4"]},
        {"section_chief": ["c2"], "general_cadre": ["c4"]},
        {"section_chief": ["c2"], "general_cadre": ["c4"]},
        {},
    ], contests=per_level(ALL, {"section_chief": 1}))
    # Interview (named): 4 interviewees.
    interviewees = [{"name": n, "group": ""} for n in ("赵一", "钱二", "孙三", "李四")]
    run_poll(api, meeting, "interview_recommendation", rid, [
        {"section_chief": ["c1"], "general_cadre": ["c4"]},
        {"section_chief": ["c2"], "general_cadre": ["c4"]},
        {"section_chief": ["c1"], "general_cadre": []},
        {"section_chief": ["c2"], "general_cadre": ["c4"]},
    ], voters=interviewees)
    run_poll(api, meeting, "survey", rid, [
        {"c1": "satisfied", "c2": "satisfied", "c3": "basically_satisfied", "c4": "satisfied"},
        {"c1": "satisfied", "c2": "basically_satisfied", "c3": "satisfied", "c4": "satisfied"},
        {"c1": "basically_satisfied", "c2": "satisfied", "c3": "dissatisfied", "c4": "satisfied"},
        {"c1": "satisfied", "c2": "satisfied", "c3": "satisfied", "c4": "basically_satisfied"},
    ])
    leaders = [{"name": "甲", "group": "unit"}, {"name": "乙", "group": "unit"}, {"name": "丙", "group": "city"}]
    run_poll(api, meeting, "leaders", rid, [
        {"c1": "good", "c2": "fairly_good", "c3": "average", "c4": "good"},
        {"c1": "good", "c2": "good", "c3": "poor", "c4": "fairly_good"},
        {"c1": "fairly_good", "c2": "good", "c3": "average", "c4": "good"},
    ], voters=leaders)

    exported = api.client.get(f"/api/v1/rounds/{rid}/export", headers=api.headers)
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    rules = load_rules(small_rules_text())
    doc = parse_round_file(exported.get_data(as_text=True), rules=rules)
    scores = api.get(f"/rounds/{rid}/scores")
    assert scores == score_round(doc, rules)

    by_id = {c["id"]: c for c in doc["candidates"]}
    assert by_id["c1"]["democratic"] == {"votes": 3, "cast": 6}  # the blank ballot counts as cast
    assert by_id["c3"]["democratic"] == {"votes": 0, "cast": 6}
    assert by_id["c2"]["interview"] == {"named": 2, "interviewed": 4}
    assert by_id["c4"]["interview"] == {"named": 3, "interviewed": 4}
    assert by_id["c3"]["character"]["frequent"] == [2] + [0] * 9
    assert by_id["c1"]["character"] == {"raters": 4, "occasional": [4] + [0] * 9, "frequent": [0] * 10}
    assert by_id["c1"]["survey"] == {"respondents": 4, "satisfied": 3, "basically_satisfied": 1, "dissatisfied": 0}
    assert by_id["c1"]["leaders"] == {"unit": ["good", "good"], "city": ["fairly_good"]}
    assert by_id["c2"]["performance"] == {"base": "28.5", "bonus": "2", "note": "排类排位"}
    assert by_id["c2"]["organisation"]["grades"] == ["competent", "outstanding", "competent"]

    sheet = {c["id"]: c for c in scores["candidates"]}
    assert set(sheet["c3"]["reasons"]) == {"character_veto", "democratic_below_bar", "interview_below_bar",
                                         "survey_below_bar"}
    assert sheet["c3"]["rank"] is None
    assert sheet["c1"]["eligible"] and sheet["c1"]["rank"] == 1 and sheet["c4"]["rank"] == 1
    assert "interview_below_bar" not in sheet["c2"]["reasons"]  # 2 of 4 = 50% exactly passes
    assert scores["shortlist"] == {"section_chief": ["c1", "c2"], "general_cadre": ["c4"]}


def test_only_closed_polls_with_quorum_feed_the_sheet(small):
    api = small
    rid = make_round(api)
    meeting = api.meeting(9, present=5)  # 5 of 9 is below two thirds: the meeting is void
    run_poll(api, meeting, "democratic_recommendation", rid,
             [{"section_chief": ["c1"], "general_cadre": ["c4"]}] * 5)
    r = feeding_poll(api, meeting, "survey", rid, per_level(ALL))
    survey = r.get_json()["id"]
    api.tokens(survey, 2)
    api.open(survey)
    doc = json.loads(api.client.get(f"/api/v1/rounds/{rid}/export", headers=api.headers).data)
    assert all("democratic" not in c and "survey" not in c for c in doc["candidates"])
    round_ = api.get(f"/rounds/{rid}")
    assert {p["kind"]: p["state"] for p in round_["polls"]} == {"democratic_recommendation": "closed",
                                                               "survey": "open"}
    reasons = api.get(f"/rounds/{rid}/scores")["candidates"][0]["reasons"]
    assert "democratic_missing" in reasons and "survey_missing" in reasons


def test_a_candidate_is_in_at_most_one_poll_of_each_feeding_kind(api, database):
    rid = make_round(api)
    meeting = api.meeting(20, present=20)
    first = feeding_poll(api, meeting, "character", rid, per_level({"section_chief": ["c1", "c2"]}))
    assert first.status_code == 201
    # c2 again in a character poll of this round: refused, nothing stored.
    before = database.one("SELECT count(*) FROM polls")[0]
    second = feeding_poll(api, meeting, "character", rid, per_level({"section_chief": ["c2", "c3"]}))
    assert second.status_code == 409, second.get_json()
    body = second.get_json()
    assert body["error"] == "conflict" and body["detail"]["ids"] == ["c2"]
    assert body["detail"]["poll"] == first.get_json()["id"] and "character" in body["message"]  # the poll's title
    assert database.one("SELECT count(*) FROM polls")[0] == before
    # Other candidates, another kind, or a stage poll are fine.
    assert feeding_poll(api, meeting, "character", rid, per_level({"section_chief": ["c3"]})).status_code == 201
    assert feeding_poll(api, meeting, "survey", rid, per_level({"section_chief": ["c2"]})).status_code == 201
    for _ in range(2):
        plenary = feeding_poll(api, meeting, "plenary_recommendation", rid, per_level({"section_chief": ["c1", "c2"]}))
        assert plenary.status_code == 201
    # The same candidate ids in another round are another matter.
    other = make_round(api, title="另一轮")
    assert feeding_poll(api, meeting, "character", other, per_level({"section_chief": ["c2"]})).status_code == 201


@pytest.mark.parametrize("round_value, contests, field", [
    ("nope", per_level({"section_chief": ["c1"]}), "round"),
    (7, per_level({"section_chief": ["c1"]}), "round"),
    (None, [{"id": "x", "title": "x", "max_choices": 1, "candidates": [{"id": "k9", "name": "外人"}]}], "contests"),
])
def test_a_poll_that_names_a_round_must_fit_it(api, round_value, contests, field):
    rid = make_round(api)
    meeting = api.meeting(5)
    r = feeding_poll(api, meeting, "democratic_recommendation", rid if round_value is None else round_value, contests)
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["detail"]["field"] == field and in_words(field) in r.get_json()["message"]


# --- the round file: import and export ---------------------------------------------------------

def full_candidate(cid: str, level: str, base, *, name: str | None = None, **parts) -> dict:
    """A candidate with every part; 20 + 16.11 + base + 10 + 8 points unless parts say otherwise."""
    c = {
        "id": cid, "name": name or f"候选人{cid}", "level": level, "unit": "某局",
        "character": {"raters": 60, "occasional": [0] * 10, "frequent": [0] * 10},
        "democratic": {"votes": 60, "cast": 80},
        "interview": {"named": 15, "interviewed": 20},
        "survey": {"respondents": 60, "satisfied": 50, "basically_satisfied": 5, "dissatisfied": 5},
        "performance": {"base": base, "bonus": "0"},
        "leaders": {"unit": ["good", "good", "good"], "city": ["good"]},
        "organisation": {"score": "8", "grades": ["competent", "competent", "outstanding"]},
    }
    c.update(parts)
    return c


ROUND_FILE = """{
  "format": "ballotroom-round/1",
  "title": "导入的一轮",
  "levels": [{"id": "section_chief", "name": "正科级", "posts": 1}, {"id": "x_level", "posts": 2}],
  "candidates": [
    {"id": "a1", "name": "甲", "level": "section_chief", "unit": "财政局",
     "character": {"raters": 52, "occasional": [1,2,3,4,5,6,7,8,9,10], "frequent": [0,0,0,0,0,0,0,0,0,1]},
     "democratic": {"votes": 40, "cast": 80}, "interview": {"named": 12, "interviewed": 20},
     "survey": {"respondents": 60, "satisfied": 40, "basically_satisfied": 10, "dissatisfied": 10},
     "performance": {"base": 28.5, "bonus": "3", "note": "排类第一"},
     "leaders": {"unit": ["good", "fairly_good"], "city": ["good"]},
     "organisation": {"score": "8.5", "grades": ["competent", "outstanding", "competent"]}},
    {"id": "a2", "name": "乙", "level": "x_level",
     "democratic": {"votes": 10, "cast": 80}, "performance": {"base": 30, "bonus": 0},
     "organisation": {"score": 9, "grades": ["competent"], "note": ""}}
  ]
}
"""


def test_import_then_export_gives_the_same_round_file(api, app):
    r = api.client.post("/api/v1/rounds/import", data=ROUND_FILE.encode(), headers=api.headers,
                        content_type="application/json")
    assert r.status_code == 201, r.get_json()
    imported = r.get_json()
    assert imported["candidates"] == 2 and imported["parts"]["democratic"] == 2
    exported = api.client.get(f"/api/v1/rounds/{imported['id']}/export", headers=api.headers).get_data(as_text=True)
    rules = app.config["RULES"]
    assert parse_round_file(exported, rules=rules) == parse_round_file(ROUND_FILE, rules=rules)
    assert api.get(f"/rounds/{imported['id']}/scores") == score_round(parse_round_file(ROUND_FILE, rules=rules), rules)
    # Export -> import -> export is byte for byte the same file.
    again = api.client.post("/api/v1/rounds/import", data=exported.encode(), headers=api.headers,
                            content_type="application/json").get_json()
    assert api.client.get(f"/api/v1/rounds/{again['id']}/export", headers=api.headers).get_data(as_text=True) == exported


def test_a_closed_poll_of_an_imported_round_replaces_the_imported_part(small):
    api = small
    doc = {"format": "ballotroom-round/1", "title": "t", "levels": [{"id": "section_chief", "posts": 1}],
           "candidates": [full_candidate("c1", "section_chief", "30")]}
    rid = api.client.post("/api/v1/rounds/import", json=doc, headers=api.headers).get_json()["id"]
    meeting = api.meeting(4, present=4)
    contests = [{"id": "l", "title": "l", "candidates": [{"id": "c1", "name": "x"}]}]
    run_poll(api, meeting, "survey", rid, [{"c1": "dissatisfied"}] * 4, contests=contests)
    exported = json.loads(api.client.get(f"/api/v1/rounds/{rid}/export", headers=api.headers).data)
    assert exported["candidates"][0]["survey"] == {"respondents": 4, "satisfied": 0, "basically_satisfied": 0,
                                                   "dissatisfied": 4}
    assert exported["candidates"][0]["democratic"] == doc["candidates"][0]["democratic"]


# --- refusals ----------------------------------------------------------------------------------

BAD_ROUNDS = [
    ({"levels": LEVELS}, "title"),
    ({"title": " ", "levels": LEVELS}, "title"),
    ({"title": "t"}, "levels"),
    ({"title": "t", "levels": []}, "levels"),
    ({"title": "t", "levels": [{"id": "a", "posts": 0}]}, "levels[0].posts"),
    ({"title": "t", "levels": [{"id": "a", "posts": 1.5}]}, "levels[0].posts"),
    ({"title": "t", "levels": [{"id": "a", "posts": True}]}, "levels[0].posts"),
    ({"title": "t", "levels": [{"id": "a", "posts": 1}, {"id": "a", "posts": 1}]}, "levels[1].id"),
    ({"title": "t", "levels": [{"id": "a b", "posts": 1}]}, "levels[0].id"),
    ({"title": "t", "levels": [{"id": "a", "posts": 1, "seats": 2}]}, "levels[0].seats"),
    ({"title": "t", "levels": ["a"]}, "levels[0]"),
]


@pytest.mark.parametrize("body, field", BAD_ROUNDS)
def test_bad_rounds_are_refused_naming_the_field(api, database, body, field):
    r = api.post("/rounds", body)
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["error"] == "invalid" and r.get_json()["detail"]["field"] == field
    assert in_words(field) in r.get_json()["message"]
    assert database.one("SELECT count(*) FROM rounds")[0] == 0


BAD_CANDIDATES = [
    ({}, "candidates"),
    ({"candidates": []}, "candidates"),
    ({"candidates": [{"name": "x", "level": "section_chief"}]}, "candidates[0].id"),
    ({"candidates": [{"id": "c1", "level": "section_chief"}]}, "candidates[0].name"),
    ({"candidates": [{"id": "c1", "name": "x", "level": "mayor"}]}, "candidates[0].level"),
    ({"candidates": [{"id": "c1", "name": "x", "level": "section_chief", "unit": 5}]}, "candidates[0].unit"),
    ({"candidates": [{"id": "c1", "name": "x", "level": "section_chief", "age": 40}]}, "candidates[0].age"),
    ({"candidates": [{"id": "c1", "name": "x", "level": "section_chief"},
                     {"id": "c1", "name": "y", "level": "section_chief"}]}, "candidates[1].id"),
    ({"candidates": [{"id": "c" * 65, "name": "x", "level": "section_chief"}]}, "candidates[0].id"),
    ({"candidates": [{"id": "a/b", "name": "x", "level": "section_chief"}]}, "candidates[0].id"),
]


@pytest.mark.parametrize("body, field", BAD_CANDIDATES)
def test_bad_candidates_are_refused_naming_the_field(api, body, field):
    rid = api.post("/rounds", {"title": "t", "levels": LEVELS}, 201).get_json()["id"]
    r = api.post(f"/rounds/{rid}/candidates", body)
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["detail"]["field"] == field and in_words(field) in r.get_json()["message"]
    assert api.get(f"/rounds/{rid}")["candidates"] == []


BAD_ENTRIES = [
    ({}, "performance"),
    ({"performance": None, "organisation": None}, "performance"),
    ({"salary": {}}, "salary"),
    ({"performance": "30"}, "performance"),
    ({"performance": {"bonus": "1"}}, "performance.base"),
    ({"performance": {"base": "abc", "bonus": "1"}}, "performance.base"),
    ({"performance": {"base": "-1", "bonus": "1"}}, "performance.base"),
    ({"performance": {"base": "41", "bonus": "1"}}, "performance.base"),
    ({"performance": {"base": True, "bonus": "1"}}, "performance.base"),
    ({"performance": {"base": "30", "bonus": [1]}}, "performance.bonus"),
    ({"performance": {"base": "30", "bonus": "1", "note": 5}}, "performance.note"),
    ({"performance": {"base": "30", "bonus": "1", "extra": 5}}, "performance.extra"),
    ({"organisation": {"score": "10.5", "grades": ["competent"] * 3}}, "organisation.score"),
    ({"organisation": {"score": "9", "grades": ["competent"] * 2}}, "organisation.grades"),
    ({"organisation": {"score": "9", "grades": ["good", "competent", "competent"]}}, "organisation.grades[0]"),  # the item at fault
    ({"organisation": {"score": "9"}}, "organisation.grades"),
]


@pytest.mark.parametrize("body, field", BAD_ENTRIES)
def test_bad_entries_are_refused_naming_the_field(api, database, body, field):
    rid = make_round(api)
    r = put(api, f"/rounds/{rid}/candidates/c1/entries", body)
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["detail"]["field"] == field and in_words(field) in r.get_json()["message"]
    assert database.one("SELECT count(*) FROM round_entries")[0] == 0


def test_entries_take_exact_decimals_as_written(api):
    rid = make_round(api)
    raw = '{"performance": {"base": 28.15, "bonus": 3}, "organisation": {"score": 8.25, "grades": ' \
          '["competent", "competent", "outstanding"]}}'
    r = api.client.put(f"/api/v1/rounds/{rid}/candidates/c1/entries", data=raw, headers=api.headers,
                       content_type="application/json")
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["performance"]["base"], r.get_json()["organisation"]["score"]) == ("28.15", "8.25")
    assert api.get(f"/rounds/{rid}/scores")["candidates"][0]["parts"]["performance"] == "31.15"


@pytest.mark.parametrize("text, field, line", [
    ("{not json", "round file", 1),
    ('{"format": "ballotroom-round/2", "title": "", "levels": [], "candidates": []}', "format", 1),
    (ROUND_FILE.replace('"base": 28.5', '"base": "lots"'), "candidates[0].performance.base", 10),
    (ROUND_FILE.replace('"level": "x_level"', '"level": "nowhere"'), "candidates[1].level", 13),
    (ROUND_FILE.replace('"name": "甲"', '"name": "' + "甲" * 101 + '"'), "candidates[0].name", None),
])
def test_bad_round_files_are_refused_with_line_and_field(api, database, text, field, line):
    r = api.client.post("/api/v1/rounds/import", data=text.encode(), headers=api.headers,
                        content_type="application/json")
    assert r.status_code == 400, r.get_json()
    body = r.get_json()
    assert body["detail"]["field"] == field, body
    if line is not None:
        assert body["detail"]["line"] == line and f"第 {line} 行" in body["message"]
    assert database.one("SELECT count(*) FROM rounds")[0] == 0


def test_unknown_rounds_and_candidates_are_404_and_duplicates_409(api):
    assert api.client.get("/api/v1/rounds/none/scores", headers=api.headers).status_code == 404
    assert api.client.get("/api/v1/rounds/none/export", headers=api.headers).status_code == 404
    assert api.post("/rounds/none/candidates", {"candidates": CANDIDATES}).status_code == 404
    rid = make_round(api)
    assert put(api, f"/rounds/{rid}/candidates/c9/entries", {"performance": {"base": 1, "bonus": 0}}).status_code == 404
    again = api.post(f"/rounds/{rid}/candidates", {"candidates": [CANDIDATES[0]]})
    assert again.status_code == 409 and again.get_json()["detail"]["ids"] == ["c1"]
    assert api.client.post("/api/v1/rounds", data="{", headers=api.headers,
                           content_type="application/json").status_code == 400


def test_chairs_read_and_only_administrators_write(api, chair_key):
    rid = make_round(api)
    chair = Api(api.client, chair_key)
    assert chair.get(f"/rounds/{rid}/scores")["shortlist"] == {"section_chief": [], "general_cadre": []}
    assert chair.client.get(f"/api/v1/rounds/{rid}/export", headers=chair.headers).status_code == 200
    assert chair.post("/rounds", {"title": "t", "levels": LEVELS}).status_code == 403
    assert chair.post(f"/rounds/{rid}/candidates", {"candidates": CANDIDATES}).status_code == 403
    assert put(chair, f"/rounds/{rid}/candidates/c1/entries", {"performance": {"base": 1, "bonus": 0}}).status_code == 403
    assert chair.post("/rounds/import", json.loads(ROUND_FILE)).status_code == 403
    assert api.client.get(f"/api/v1/rounds/{rid}/scores").status_code == 401


# --- the event log -----------------------------------------------------------------------------

def test_every_change_is_in_the_event_log(api, database):
    rid = make_round(api)
    put(api, f"/rounds/{rid}/candidates/c1/entries",
        {"performance": {"base": "30", "bonus": "2", "note": "个人评语：不宜公开"}})
    put(api, f"/rounds/{rid}/candidates/c1/entries",
        {"organisation": {"score": "9", "grades": ["competent"] * 3}})
    imported = api.post("/rounds/import", json.loads(ROUND_FILE), 201).get_json()
    rows = database.query("SELECT * FROM events ORDER BY seq")
    assert eventlog.verify(rows) == []
    events = [(r["type"], json.loads(r["payload"])) for r in rows if r["type"].startswith("round.")]
    assert [t for t, _ in events] == ["round.created", "round.candidates_added", "round.entries_set",
                                      "round.entries_set", "round.imported"]
    assert events[0][1]["levels"] == [{"id": "section_chief", "posts": 1}, {"id": "general_cadre", "posts": 1}]
    assert events[1][1] == {"round": rid, "count": 4, "ids": ["c1", "c2", "c3", "c4"]}
    assert events[2][1] == {"round": rid, "candidate": "c1", "parts": {"performance": {"base": "30", "bonus": "2"}},
                            "notes": ["performance"]}
    assert events[3][1]["parts"]["organisation"]["score"] == "9"
    assert events[4][1]["id"] == imported["id"] and events[4][1]["candidates"] == 2
    assert all(r["actor"].startswith("apikey:") for r in rows if r["type"].startswith("round."))
    # The note is a remark about a person: it is stored with the entry, not in the log.
    assert not any("不宜公开" in r["payload"] for r in rows)


def test_refused_changes_log_nothing(api, database):
    rid = make_round(api)
    before = database.one("SELECT count(*) FROM events")[0]
    put(api, f"/rounds/{rid}/candidates/c1/entries", {"performance": {"base": "x", "bonus": "0"}})
    api.post(f"/rounds/{rid}/candidates", {"candidates": [CANDIDATES[0]]})
    api.post("/rounds/import", {"format": "nope"})
    assert database.one("SELECT count(*) FROM events")[0] == before


def test_the_example_round_file_of_the_interface_imports(api, app):
    doc = copy.deepcopy(json.loads(ROUND_FILE))
    doc["candidates"][1]["organisation"]["grades"] = ["competent", "competent", "competent"]
    r = api.post("/rounds/import", doc, 201)
    scores = api.get(f"/rounds/{r.get_json()['id']}/scores")
    assert [c["id"] for c in scores["candidates"]] == ["a1", "a2"]


def test_performance_entered_as_a_record_is_scored_from_the_rules_table(api):
    rid = api.post("/rounds", {"title": "r", "levels": [{"id": "section_chief", "posts": 1}]}, 201).get_json()["id"]
    api.post(f"/rounds/{rid}/candidates", {"candidates": [
        {"id": "c1", "name": "甲", "level": "section_chief", "unit": "u"}]}, 201)
    r = api.client.put(f"/api/v1/rounds/{rid}/candidates/c1/entries", headers=api.headers, json={
        "performance": {"record": {"class": "first_class", "ranking": "second_place",
                                   "awards": {"provincial": 1, "county": 2}}, "note": "2025 ranking"}})
    assert r.status_code == 200, r.get_json()
    exported = api.get(f"/rounds/{rid}/export")
    perf = exported["candidates"][0]["performance"]
    assert (perf["base"], perf["bonus"]) == ("30", "7")  # 30 + (2 + 3 + 2 x 1)
    bad = api.client.put(f"/api/v1/rounds/{rid}/candidates/c1/entries", headers=api.headers, json={
        "performance": {"record": {"class": "galactic"}}})
    assert bad.status_code == 400 and bad.get_json()["detail"]["field"] == "performance.record.class"
    assert in_words("performance.record.class") in bad.get_json()["message"]
