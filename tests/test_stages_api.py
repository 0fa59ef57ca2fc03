"""The four competitive stages through the API, end to end and at their boundaries.

A round of three levels with two posts each and twelve candidates (four a level) is imported with
its five-evaluation figures, an interview poll is voted by named interviewees, and then every stage
is run through /api/v1/rounds/{id}/...: nominations, the plenary vote voted by simulated tablets
(POST /api/v1/ballots with the tokens), a tie at the cut and its runoffs, the inspection records, the
deliberation's slates with their validation, the standing committee's vote with a runoff for a tie
and for too few passing, the decision and the report's closing figures, checked against an
independent computation from the inputs.
"""

from __future__ import annotations

import datetime
import json
from fractions import Fraction
from math import ceil

import pytest
from test_messages import in_words
from test_rounds_api import full_candidate

from kiosk.store import eventlog
from tally.rules import load_rules

LEVELS = ["section_chief", "deputy_section_chief", "general_cadre"]
POSTS = 2
# Four candidates a level: s1..s4, d1..d4, g1..g4; performance base decides the order.
IDS = {lv: [f"{lv[0]}{i}" for i in range(1, 5)] for lv in LEVELS}
BASES = {"1": "36", "2": "34", "3": "32", "4": "30"}
SURVEYS = {  # the round file's opinion survey of each candidate: respondents, satisfied, basically, dissatisfied
    cid: (60 + i, 60 + i - (6 + i % 3) - (5 + i % 4), 6 + i % 3, 5 + i % 4)
    for i, cid in enumerate(c for lv in LEVELS for c in IDS[lv])
}

# A notice date near the day the test runs: the inspection stage refuses one more than a year
# from the day it started, so a fixed date would fail once that year has passed.
NOTICE_DATE = (datetime.date.today() - datetime.timedelta(days=7)).isoformat()


def survey_part(cid: str) -> dict:
    r, s, b, d = SURVEYS[cid]
    assert s + b + d == r
    return {"respondents": r, "satisfied": s, "basically_satisfied": b, "dissatisfied": d}


def round_file(title: str = "2026年科级干部“五评四差额”选拔") -> dict:
    candidates = []
    for lv in LEVELS:
        for cid in IDS[lv]:
            c = full_candidate(cid, lv, BASES[cid[1]], name=f"候选人{cid}", survey=survey_part(cid))
            c.pop("interview")  # from the interview poll below
            candidates.append(c)
    return {"format": "ballotroom-round/1", "title": title,
            "levels": [{"id": lv, "posts": POSTS} for lv in LEVELS], "candidates": candidates}


class Run:
    """A round driven through the API as a script of the organisation department would."""

    def __init__(self, api):
        self.api = api
        api.headers["Accept-Language"] = "en"  # messages are checked in English (Chinese is the default)
        self.rid = api.post("/rounds/import", round_file(), 201).get_json()["id"]

    # plain calls
    def url(self, path: str) -> str:
        return f"/rounds/{self.rid}{path}"

    def get(self, path: str, expect: int = 200):
        return self.api.get(self.url(path), expect)

    def post(self, path: str, body=None, expect: int | None = None):
        r = self.api.post(self.url(path), body)
        if expect is not None:
            assert r.status_code == expect, (path, r.status_code, r.get_json())
        return r

    def put(self, path: str, body, expect: int | None = None):
        r = self.api.client.put(f"/api/v1{self.url(path)}", json=body, headers=self.api.headers)
        if expect is not None:
            assert r.status_code == expect, (path, r.status_code, r.get_json())
        return r

    def start(self, stage: str):
        return self.post(f"/stages/{stage}/start", None, 201).get_json()

    def complete(self, stage: str, body=None):
        return self.post(f"/stages/{stage}/complete", body, 200).get_json()

    # voting by simulated tablets
    def cast(self, poll_id: str, ballots: list[dict]) -> None:
        tokens = self.api.tokens(poll_id, len(ballots))
        self.api.open(poll_id)
        for token, answers in zip(tokens, ballots, strict=True):
            r = self.api.vote(token, answers)
            assert r.status_code == 201, r.get_json()
        self.api.close(poll_id)


def choice_ballots(n: int, votes: dict[str, dict[str, int]]) -> list[dict]:
    """``n`` ballots giving each candidate exactly its votes, per contest, spread so that no ballot
    chooses more names in a contest than any other ballot does plus one."""
    ballots: list[dict] = [{} for _ in range(n)]
    for contest, counts in votes.items():
        load = [0] * n
        for cid, k in sorted(counts.items(), key=lambda kv: -kv[1]):
            for i in sorted(range(n), key=lambda i: (load[i], i))[:k]:
                ballots[i].setdefault(contest, []).append(cid)
                load[i] += 1
    return ballots


def committee_ballots(n: int, agree: dict[str, int]) -> list[dict]:
    """``n`` ballots: candidate x gets ``agree[x]`` agreeing votes, the others disagree or abstain."""
    return [{cid: ("agree" if i < k else ("abstain" if i % 2 else "disagree")) for cid, k in agree.items()}
            for i in range(n)]


NOMINATIONS = [
    {"unit": "财政局", "level": "section_chief", "participants": 35, "candidates": ["s1", "s2"]},
    {"unit": "教育局", "level": "section_chief", "participants": 28, "candidates": ["s3", "s4"]},
    {"unit": "交通局", "level": "deputy_section_chief", "participants": 40},
    {"unit": "民政局", "level": "deputy_section_chief", "participants": 22, "candidates": ["d2"]},
    {"unit": "水利局", "level": "general_cadre", "participants": 31, "note": "全局干部职工参加"},
    {"unit": "农业农村局", "level": "general_cadre", "participants": 19},
]
LOOKS = ("test_results", "personality", "ability", "work_results", "public_standing")


def inspection_record(cid: str, talks: int) -> dict:
    return {"notice_date": NOTICE_DATE, "assessment": f"{cid} 民主测评：优秀票占多数", "talks": talks,
            "verification": "个人有关事项经核实无问题", "judgement": f"{cid} 政治坚定，实绩突出",
            "looks": {look: {"grade": "good" if i % 2 == 0 else "fair", "note": f"{look} 说明"}
                      for i, look in enumerate(LOOKS)}}


def interview_poll(run: Run, meeting: str) -> str:
    """Ten named interviewees; each candidate is named by exactly 5 of 10 (50%: the bar passes)."""
    contests = [{"id": lv, "title": lv, "max_choices": POSTS, "candidates": [
        {"id": cid, "name": f"候选人{cid}"} for cid in IDS[lv]]} for lv in LEVELS]
    body = {"title": "谈话推荐", "kind": "interview_recommendation", "contests": contests, "round": run.rid}
    poll = run.api.post(f"/meetings/{meeting}/polls", body, 201).get_json()["id"]
    voters = [{"name": f"谈话对象{i}", "group": ""} for i in range(10)]
    tokens = run.api.tokens(poll, voters=voters)
    run.api.open(poll)
    for i, token in enumerate(tokens):
        answers = {lv: IDS[lv][:2] if i < 5 else IDS[lv][2:] for lv in LEVELS}
        assert run.api.vote(token, answers).status_code == 201
    run.api.close(poll)
    return poll


# --- the whole round -----------------------------------------------------------------------------------

def test_a_whole_round_stage_by_stage(api, app, database):
    rules = app.config["RULES"]
    run = Run(api)
    interview_poll(run, api.meeting(10, present=10, title="谈话推荐"))
    sheet = run.api.get(f"/rounds/{run.rid}/scores")
    assert all(c["eligible"] for c in sheet["candidates"]), sheet
    timeline = run.get("/stages")
    assert [s["state"] for s in timeline["stages"]] == ["not_started"] * 4
    assert [s["can_start"] for s in timeline["stages"]] == [True, False, False, False]

    # 1. Competitive recommendation ---------------------------------------------------------------
    run.start("recommendation")
    view = run.post("/recommendation/nominations", {"nominations": NOMINATIONS}, 201).get_json()
    assert view["participants"] == 175 and len(view["nominations"]) == 6
    initial = {lv["id"]: lv["initial_list"] for lv in view["levels"]}
    # 1:3 of 2 posts is 6 places; each level has 4 eligible candidates, so all 4 go through, by rank.
    assert all(lv["initial_places"] == ceil(POSTS * rules.ratio_initial) == 6 for lv in view["levels"])
    assert {lv: initial[lv]["candidates"] for lv in LEVELS} == IDS
    assert all(initial[lv]["tied"] == [] for lv in LEVELS)
    assert view["next"] == "plenary"

    plenary_meeting = {"title": "市委全会（扩大会）", "expected": 30, "present": 25}
    made = run.post("/recommendation/plenary", {"meeting": plenary_meeting}, 201).get_json()
    poll = made["poll"]
    places = ceil(POSTS * rules.ratio_plenary)
    assert places == 3 and poll["kind"] == "plenary_recommendation" and poll["round"] == run.rid
    assert [(c["id"], c["max_choices"], c["places"], [k["id"] for k in c["candidates"]]) for c in poll["contests"]] == [
        (lv, places, places, IDS[lv]) for lv in LEVELS]
    # The plenary poll belongs to the stage: it feeds no part of the score sheet.
    assert run.api.get(f"/rounds/{run.rid}/scores") == sheet
    # While the poll is a draft, no other plenary poll and no runoff.
    assert run.post("/recommendation/plenary", {"meeting": plenary_meeting}).status_code == 409
    assert run.post("/recommendation/runoff").status_code == 409
    assert run.post("/stages/recommendation/complete").status_code == 409

    # 25 ballots; section chief: s3 and s4 tie for the third place (10 votes each).
    plenary_votes = {"section_chief": {"s1": 20, "s2": 18, "s3": 10, "s4": 10},
                     "deputy_section_chief": {"d1": 22, "d2": 15, "d3": 12, "d4": 6},
                     "general_cadre": {"g1": 21, "g2": 19, "g3": 14, "g4": 9}}
    run.cast(poll["id"], choice_ballots(25, plenary_votes))
    view = run.get("/recommendation")
    prog = {lv["id"]: lv["progress"] for lv in view["levels"]}
    assert prog["section_chief"]["chosen"] == ["s1", "s2"]
    assert prog["section_chief"]["runoff"] == ["s3", "s4"] and prog["section_chief"]["remaining"] == 1
    assert prog["deputy_section_chief"]["chosen"] == ["d1", "d2", "d3"]
    assert prog["general_cadre"]["status"] == "settled" and view["next"] == "runoff"
    r = run.post("/stages/recommendation/complete")
    assert r.status_code == 409 and r.get_json()["detail"]["levels"] == ["section_chief"]

    # Runoff 1 ties again (12 : 12, one blank), runoff 2 decides: each poll is kept apart.
    runoff1 = run.post("/recommendation/runoff", {}, 201).get_json()["poll"]
    assert [(c["id"], c["places"], c["max_choices"], [k["id"] for k in c["candidates"]])
            for c in runoff1["contests"]] == [("section_chief", 1, 1, ["s3", "s4"])]
    assert runoff1["meeting"] == poll["meeting"]
    run.cast(runoff1["id"], choice_ballots(25, {"section_chief": {"s3": 12, "s4": 12}}))
    assert run.get("/recommendation")["levels"][0]["progress"]["runoff"] == ["s3", "s4"]
    runoff2 = run.post("/recommendation/runoff", {}, 201).get_json()["poll"]
    run.cast(runoff2["id"], choice_ballots(25, {"section_chief": {"s3": 14, "s4": 11}}))
    view = run.get("/recommendation")
    assert [p["role"] for p in view["polls"]] == ["plenary", "plenary_runoff", "plenary_runoff"]
    assert all(p["certified"] for p in view["polls"])
    assert view["next"] == "complete"
    assert run.post("/recommendation/runoff").status_code == 409  # nothing left to run off

    # Inspection cannot start before the recommendation is complete.
    r = run.post("/stages/inspection/start")
    assert r.status_code == 409 and r.get_json()["detail"]["needs"] == "recommendation"
    timeline = run.complete("recommendation", {"note": "全会推荐结果已公示"})
    rec = timeline["stages"][0]["current"]
    assert rec["state"] == "complete" and rec["completed_by"].startswith("apikey:") and rec["completed_at"]
    candidates = run.get("/recommendation")["inspection_candidates"]
    assert candidates == {"section_chief": ["s1", "s2", "s3"], "deputy_section_chief": ["d1", "d2", "d3"],
                          "general_cadre": ["g1", "g2", "g3"]}
    # A completed stage is not edited.
    r = run.post("/recommendation/nominations", {"nominations": NOMINATIONS[:1]})
    assert r.status_code == 409 and r.get_json()["detail"]["state"] == "complete"
    assert run.post("/recommendation/runoff").status_code == 409

    # 2. Competitive inspection ----------------------------------------------------------------------
    run.start("inspection")
    inspected = [cid for lv in LEVELS for cid in candidates[lv]]
    r = run.put("/inspection/s4", inspection_record("s4", 1))
    assert r.status_code == 409  # not an inspection candidate
    assert run.put("/inspection/nobody", inspection_record("x", 1)).status_code == 404
    for i, cid in enumerate(inspected):
        record = inspection_record(cid, 10 + i)
        if cid == "s1":
            record["assessment"] = None  # assessed by a tablet poll instead
        run.put(f"/inspection/{cid}", record, 200)
    r = run.post("/stages/inspection/complete")
    assert r.status_code == 409 and r.get_json()["detail"]["missing"] == {"s1": ["assessment"]}
    # A democratic assessment of s1 by a survey on tablets: it belongs to the stage, feeds no part.
    assessment = run.post("/inspection/s1/assessment", {"kind": "survey", "meeting": {
        "title": "民主测评", "expected": 12}}, 201).get_json()["poll"]
    assert assessment["round"] is None and assessment["kind"] == "survey"
    assert run.post("/inspection/s1/assessment", {"kind": "survey", "meeting": assessment["meeting"]}).status_code == 409
    r = run.post("/stages/inspection/complete")
    assert r.status_code == 409 and r.get_json()["detail"]["poll"] == assessment["id"]  # not held yet
    run.cast(assessment["id"], [{"s1": a} for a in ["satisfied"] * 6 + ["basically_satisfied"] * 2
                                + ["dissatisfied"] * 2])
    assert run.api.get(f"/rounds/{run.rid}/scores") == sheet
    inspection = run.get("/inspection")
    assert inspection["talks"] == sum(10 + i for i in range(9))
    s1 = inspection["levels"][0]["candidates"][0]
    assert s1["missing"] == [] and s1["assessment_polls"][0]["figures"]["satisfaction"] == "0.8000"
    run.complete("inspection")

    # 3. Competitive deliberation --------------------------------------------------------------------
    run.start("deliberation")
    size = ceil(POSTS * rules.ratio_deliberation)
    assert size == 3
    # Too few for the secretaries' slate, one who was not inspected, too few for the final slate.
    r = run.put("/deliberation", {"secretaries_slate": {"section_chief": ["s1", "s2"]}}, 400)
    body = r.get_json()
    assert body["detail"]["field"] == "secretaries_slate.section_chief" and "3" in body["message"]
    r = run.put("/deliberation", {"secretaries_slate": {"section_chief": ["s1", "s2", "s3", "s4"]}}, 400)
    assert r.get_json()["detail"]["field"] == "secretaries_slate.section_chief" and "s4" in r.get_json()["message"]
    r = run.put("/deliberation", {"final_slate": {"section_chief": ["s1", "s2", "s3"]}}, 400)
    assert r.get_json()["detail"]["field"] == "final_slate.section_chief"  # no secretaries' slate yet
    slates = {lv: candidates[lv] for lv in LEVELS}
    run.put("/deliberation", {"secretaries_slate": slates}, 200)
    r = run.put("/deliberation", {"final_slate": {"general_cadre": ["g1", "g2"]}}, 400)
    assert r.get_json()["detail"]["field"] == "final_slate.general_cadre"
    assert "3" in r.get_json()["message"] and "4" in r.get_json()["message"]  # posts + 1 .. posts + 2
    r = run.put("/deliberation", {"final_slate": {"general_cadre": ["g1", "g2", "g2"]}}, 400)
    assert "twice" in r.get_json()["message"]
    view = run.put("/deliberation", {
        "department_meeting": {"date": "2026-03-20", "notes": "部务会听取考察情况汇报，确定评价意见"},
        "secretaries_meeting": {"date": "2026-03-23", "notes": "书记办公会差额酝酿"},
        "important_levels": ["section_chief"], "final_slate": slates}, 200).get_json()
    assert all(lv["secretaries_problem"] is None and lv["final_problem"] is None for lv in view["levels"])
    assert view["levels"][0]["missing_roles"] == ["mayor", "deputy_secretary", "discipline_secretary",
                                                  "organisation_head", "leader_in_charge"]
    roles = ["mayor", "deputy_secretary", "discipline_secretary", "organisation_head", "leader_in_charge",
             "department_head"]
    consultations = [{"level": "section_chief", "role": role, "name": f"{role}同志", "date": "2026-03-22",
                      "summary": "同意按程序提交常委会票决"} for role in roles]
    opinions = [{"source": "市人大常委会党组", "people": 12, "date": "2026-03-21", "summary": "无不同意见"},
                {"source": "市政协党组", "people": 8, "date": "2026-03-21"}]
    run.put("/deliberation/consultations", {"consultations": consultations[1:], "written_opinions": opinions}, 200)
    r = run.post("/stages/deliberation/complete")
    assert r.status_code == 409 and r.get_json()["detail"]["missing_roles"] == {"section_chief": ["mayor"]}
    r = run.put("/deliberation/consultations", {"consultations": [{**consultations[0], "role": "secretary"}]}, 400)
    assert r.get_json()["detail"]["field"] == "consultations[0].role"
    run.put("/deliberation/consultations", {"consultations": consultations}, 200)
    assert run.get("/deliberation")["written_people"] == 20  # the opinions were kept
    run.complete("deliberation")

    # 4. Competitive vote ------------------------------------------------------------------------------
    r = run.post("/vote/committee", {"meeting": {"title": "市委常委会", "expected": 11}})
    assert r.status_code == 409  # the stage has not started
    run.start("vote")
    r = run.post("/vote/committee", {"meeting": {"title": "市委常委会", "expected": 11}})
    assert r.status_code == 409 and r.get_json()["detail"]["field"] == "present"
    meeting = api.meeting(11, title="市委常委会")
    r = run.post("/vote/committee", {"meeting": meeting})
    assert r.status_code == 409 and r.get_json()["detail"]["field"] == "present"
    run.api.post(f"/meetings/{meeting}/attendance", {"present": 9}, 200)
    committee = run.post("/vote/committee", {"meeting": meeting}, 201).get_json()["poll"]
    assert committee["kind"] == "standing_committee"
    assert [(c["id"], c["places"], [k["id"] for k in c["candidates"]]) for c in committee["contests"]] == [
        (lv, POSTS, slates[lv]) for lv in LEVELS]
    # 11 should attend, 9 do: a candidate needs 6 agreeing votes (> 11 / 2), however many attend.
    # Section chief: s1, s2 pass. Deputy: only d1 passes (too few). General cadre: g2, g3 tie for the last post.
    agree = {"s1": 8, "s2": 7, "s3": 3, "d1": 7, "d2": 5, "d3": 4, "g1": 8, "g2": 6, "g3": 6}
    run.cast(committee["id"], committee_ballots(9, agree))
    result = run.api.results(committee["id"])
    by = {c["id"]: c for contest in result["contests"] for c in contest["candidates"]}
    assert [cid for cid in agree if by[cid]["passes"]] == [cid for cid, k in agree.items() if k > 11 / 2]
    vote = run.get("/vote")
    prog = {lv["id"]: lv["progress"] for lv in vote["levels"]}
    assert prog["section_chief"]["chosen"] == ["s1", "s2"] and prog["section_chief"]["status"] == "settled"
    assert prog["deputy_section_chief"]["chosen"] == ["d1"] and prog["deputy_section_chief"]["runoff"] == ["d2", "d3"]
    assert prog["general_cadre"]["chosen"] == ["g1"] and prog["general_cadre"]["runoff"] == ["g2", "g3"]
    decision = run.get("/decision")
    assert decision["final"] is False
    assert run.post("/stages/vote/complete").status_code == 409

    runoff = run.post("/vote/runoff", {}, 201).get_json()["poll"]
    assert [(c["id"], c["places"], [k["id"] for k in c["candidates"]]) for c in runoff["contests"]] == [
        ("deputy_section_chief", 1, ["d2", "d3"]), ("general_cadre", 1, ["g2", "g3"])]
    run.cast(runoff["id"], committee_ballots(9, {"d2": 6, "d3": 3, "g2": 7, "g3": 5}))
    run.complete("vote")
    decision = run.get("/decision")
    assert decision["final"] is True
    assert {lv["id"]: [c["id"] for c in lv["chosen"]] for lv in decision["levels"]} == {
        "section_chief": ["s1", "s2"], "deputy_section_chief": ["d1", "d2"], "general_cadre": ["g1", "g2"]}
    assert all(p["certified"] for p in decision["polls"]) and len(decision["polls"]) == 2

    # The report's closing figures, against the inputs.
    report = run.get("/report")
    figures = report["figures"]
    assert figures["nomination_participants"] == sum(n["participants"] for n in NOMINATIONS) == 175
    assert figures["plenary_voters"] == 25 and figures["plenary_runoff_voters"] == [25, 25]
    assert figures["interviewed"] == 10
    assert figures["consulted_in_writing"] == len(consultations) + 12 + 8 == 26
    chosen = ["s1", "s2", "d1", "d2", "g1", "g2"]
    pooled = [SURVEYS[c] for c in chosen] + [(10, 6, 2, 2)]  # and the assessment survey of s1
    expected = Fraction(sum(s + b for _, s, b, _ in pooled), sum(r for r, *_ in pooled))
    assert figures["satisfaction_counts"]["respondents"] == sum(r for r, *_ in pooled)
    assert Fraction(figures["satisfaction"]) == Fraction(round(expected * 10000), 10000)
    assert figures["chosen"] == 6 and figures["decision_final"] is True
    assert [s["state"] for s in report["timeline"]] == ["complete"] * 4
    assert json.dumps(report, ensure_ascii=False)  # plain JSON throughout

    # The event log recorded every act of the stages, in one chain.
    types = [r["type"] for r in database.query("SELECT type FROM events WHERE type LIKE 'stage.%' ORDER BY seq")]
    assert types.count("stage.started") == 4 and types.count("stage.completed") == 4
    assert types.count("stage.poll_generated") == 6
    assert eventlog.verify(database.query("SELECT * FROM events ORDER BY seq")) == []


# --- boundaries ------------------------------------------------------------------------------------------

def small_round(api) -> Run:
    return Run(api)


def recommended(api, database) -> Run:
    """A round whose recommendation is complete, every level settled by one plenary vote."""
    run = Run(api)
    interview_poll(run, api.meeting(10, present=10))
    run.start("recommendation")
    run.post("/recommendation/nominations", {"nominations": NOMINATIONS}, 201)
    poll = run.post("/recommendation/plenary", {"meeting": {"title": "全会", "expected": 10, "present": 10}},
                    201).get_json()["poll"]
    votes = {lv: {cid: 9 - i for i, cid in enumerate(IDS[lv])} for lv in LEVELS}
    run.cast(poll["id"], choice_ballots(10, votes))
    run.complete("recommendation")
    return run


def test_stages_start_in_order_and_only_once(api):
    run = Run(api)
    for stage in ("inspection", "deliberation", "vote"):
        r = run.post(f"/stages/{stage}/start")
        assert r.status_code == 409, stage
        assert r.get_json()["error"] == "state" and "complete" in r.get_json()["message"]
    run.start("recommendation")
    r = run.post("/stages/recommendation/start")
    assert r.status_code == 409 and r.get_json()["detail"]["state"] == "in_progress"
    assert run.post("/stages/inspection/start").status_code == 409
    assert run.post("/stages/nonsense/start").status_code == 404
    assert api.post("/rounds/nope/stages/recommendation/start").status_code == 404
    assert api.get("/rounds/nope/stages", 404)["error"] == "not_found"


def test_a_completed_stage_is_not_edited_and_is_superseded_with_a_logged_reason(api, database):
    run = recommended(api, database)
    run.start("inspection")
    run.put("/inspection/s1", inspection_record("s1", 7), 200)
    # Editing the completed recommendation: 409, nothing changes.
    before = run.get("/recommendation")
    for method, path, body in (("post", "/recommendation/nominations", {"nominations": NOMINATIONS[:1]}),
                               ("post", "/recommendation/plenary", {"meeting": {"title": "x", "expected": 3}}),
                               ("post", "/stages/recommendation/complete", None)):
        r = getattr(run, method)(path, body)
        assert r.status_code == 409, path
    nid = before["nominations"][0]["id"]
    r = api.client.delete(f"/api/v1/rounds/{run.rid}/recommendation/nominations/{nid}", headers=api.headers)
    assert r.status_code == 409
    assert run.get("/recommendation") == before
    # Only a completed stage is superseded, and only with a reason.
    assert run.post("/stages/inspection/supersede", {"reason": "x"}).status_code == 409
    r = run.post("/stages/recommendation/supersede", {"reason": "  "})
    assert r.status_code == 400 and r.get_json()["detail"]["field"] == "reason"
    old = before["record"]
    timeline = run.post("/stages/recommendation/supersede", {"reason": "民政局推荐人数登记有误"}, 201).get_json()
    stages = {s["stage"]: s for s in timeline["stages"]}
    assert stages["recommendation"]["state"] == "in_progress" and stages["recommendation"]["current"]["attempt"] == 2
    kept = stages["recommendation"]["superseded"]
    assert [(r["id"], r["state"], r["superseded_reason"], r["completed_at"]) for r in kept] == [
        (old["id"], "superseded", "民政局推荐人数登记有误", old["completed_at"])]
    # The inspection built on it is superseded with it, and may not start until it is complete again.
    assert stages["inspection"]["state"] == "not_started"
    assert stages["inspection"]["superseded"][0]["superseded_with"] == "recommendation"
    assert run.post("/stages/inspection/start").status_code == 409
    # The new attempt carries the nominations and the votes on; a nomination is corrected.
    again = run.get("/recommendation")
    assert [n["unit"] for n in again["nominations"]] == [n["unit"] for n in NOMINATIONS]
    assert [p["poll"] for p in again["polls"]] == [p["poll"] for p in before["polls"]]
    wrong = next(n for n in again["nominations"] if n["unit"] == "民政局")
    api.client.delete(f"/api/v1/rounds/{run.rid}/recommendation/nominations/{wrong['id']}", headers=api.headers)
    run.post("/recommendation/nominations", {"nominations": [{**NOMINATIONS[3], "participants": 25}]}, 201)
    run.complete("recommendation")
    assert run.get("/recommendation")["participants"] == 175 + 3
    # The superseded record still shows what it held.
    row = database.one("SELECT outcome FROM round_stages WHERE id = ?", (old["id"],))
    assert json.loads(row["outcome"])["participants"] == 175
    # The inspection starts again with what its last attempt held.
    run.start("inspection")
    assert run.get("/inspection")["levels"][0]["candidates"][0]["record"]["talks"] == 7
    event = database.one("SELECT payload FROM events WHERE type = 'stage.superseded'")
    payload = json.loads(event["payload"])
    assert payload["reason"] == "民政局推荐人数登记有误" and payload["with_it"][0]["stage"] == "inspection"
    # The database refuses a change to a superseded or completed record, whatever the caller.
    import sqlite3
    with pytest.raises(sqlite3.IntegrityError):
        with database.write() as conn:
            conn.execute("UPDATE round_stages SET superseded_reason = 'rewritten' WHERE id = ?", (old["id"],))
    with pytest.raises(sqlite3.IntegrityError):
        with database.write() as conn:
            conn.execute("INSERT INTO stage_nominations (stage_id, id, position, level, unit, participants,"
                         " entered_by, entered_at) VALUES (?, 'x', 9, 'section_chief', 'u', 1, 'me', 'now')",
                         (old["id"],))


def test_a_void_plenary_vote_is_held_again_and_a_valid_one_only_with_a_reason(api, database):
    run = Run(api)
    interview_poll(run, api.meeting(10, present=10))
    run.start("recommendation")
    r = run.post("/recommendation/plenary", {"meeting": {"title": "全会", "expected": 30, "present": 19}})
    assert r.status_code == 409 and r.get_json()["detail"]["field"] == "nominations"
    run.post("/recommendation/nominations", {"nominations": NOMINATIONS}, 201)
    # 19 of 30 is below two thirds: the vote is void and decides nothing.
    void = run.post("/recommendation/plenary", {"meeting": {"title": "全会", "expected": 30, "present": 19}},
                    201).get_json()["poll"]
    run.cast(void["id"], choice_ballots(19, {lv: {IDS[lv][0]: 19} for lv in LEVELS}))
    view = run.get("/recommendation")
    assert {lv["progress"]["status"] for lv in view["levels"]} == {"needs_vote"} and view["next"] == "plenary"
    assert run.post("/recommendation/runoff").status_code == 409
    valid = run.post("/recommendation/plenary", {"meeting": {"title": "全会", "expected": 30, "present": 25}},
                     201).get_json()["poll"]
    run.cast(valid["id"], choice_ballots(25, {lv: {c: 20 - i for i, c in enumerate(IDS[lv])} for lv in LEVELS}))
    r = run.post("/recommendation/plenary", {"meeting": valid["meeting"]})
    assert r.status_code == 409 and "revote_reason" in r.get_json()["message"]
    again = run.post("/recommendation/plenary", {"meeting": valid["meeting"], "revote_reason": "计票程序有瑕疵"}, 201)
    assert again.get_json()["recommendation"]["polls"][-1]["reason"] == "计票程序有瑕疵"


def test_unfilled_places_are_never_picked_silently(api, database):
    """Only two names are ever chosen where three places are: completing needs leave_unfilled and a note."""
    run = Run(api)
    interview_poll(run, api.meeting(10, present=10))
    run.start("recommendation")
    run.post("/recommendation/nominations", {"nominations": NOMINATIONS}, 201)
    poll = run.post("/recommendation/plenary", {"meeting": {"title": "全会", "expected": 10, "present": 10}},
                    201).get_json()["poll"]
    votes = {lv: {IDS[lv][0]: 10, IDS[lv][1]: 9, IDS[lv][2]: 8} for lv in LEVELS}
    votes["general_cadre"] = {"g1": 10, "g2": 9}
    run.cast(poll["id"], choice_ballots(10, votes))
    r = run.post("/stages/recommendation/complete")
    assert r.status_code == 409 and r.get_json()["detail"]["unfilled"] == {"general_cadre": 1}
    r = run.post("/stages/recommendation/complete", {"leave_unfilled": True})
    assert r.status_code == 400 and r.get_json()["detail"]["field"] == "note"
    run.complete("recommendation", {"leave_unfilled": True, "note": "一般干部层次仅两人得票"})
    assert run.get("/recommendation")["inspection_candidates"]["general_cadre"] == ["g1", "g2"]


def test_the_committee_vote_void_without_quorum_and_runoffs_until_decided(api, database):
    run = recommended(api, database)
    run.start("inspection")
    for lv in LEVELS:
        for cid in IDS[lv][:3]:
            run.put(f"/inspection/{cid}", inspection_record(cid, 5), 200)
    run.complete("inspection")
    run.start("deliberation")
    slates = {lv: IDS[lv][:3] for lv in LEVELS}
    run.put("/deliberation", {"department_meeting": {"notes": "听取汇报"}, "secretaries_slate": slates,
                              "final_slate": slates}, 200)
    run.complete("deliberation")
    run.start("vote")
    # 7 of 11 is below two thirds: void, nobody chosen, no runoff, the vote is held again whole.
    poll = run.post("/vote/committee", {"meeting": {"title": "常委会", "expected": 11, "present": 7}},
                    201).get_json()["poll"]
    run.cast(poll["id"], committee_ballots(7, {cid: 7 for lv in LEVELS for cid in slates[lv]}))
    vote = run.get("/vote")
    assert {lv["progress"]["status"] for lv in vote["levels"]} == {"needs_vote"} and vote["next"] == "committee"
    assert run.post("/vote/runoff").status_code == 409
    meeting = api.meeting(11, present=10, title="常委会")
    poll = run.post("/vote/committee", {"meeting": meeting}, 201).get_json()["poll"]
    # Nobody passes in the section chief's contest: a runoff among all three for both posts.
    agree = {"s1": 5, "s2": 4, "s3": 2, "d1": 9, "d2": 8, "d3": 1, "g1": 9, "g2": 8, "g3": 7}
    run.cast(poll["id"], committee_ballots(10, agree))
    runoff = run.post("/vote/runoff", {}, 201).get_json()["poll"]
    assert [(c["id"], c["places"], len(c["candidates"])) for c in runoff["contests"]] == [("section_chief", 2, 3)]
    run.cast(runoff["id"], committee_ballots(10, {"s1": 7, "s2": 5, "s3": 3}))
    # s1 passes; s2 and s3 still short: a second runoff among them for the one post left.
    runoff2 = run.post("/vote/runoff", {}, 201).get_json()["poll"]
    assert [(c["places"], [k["id"] for k in c["candidates"]]) for c in runoff2["contests"]] == [(1, ["s2", "s3"])]
    run.cast(runoff2["id"], committee_ballots(10, {"s2": 6, "s3": 1}))
    run.complete("vote")
    decision = run.get("/decision")
    assert {lv["id"]: [c["id"] for c in lv["chosen"]] for lv in decision["levels"]} == {
        "section_chief": ["s1", "s2"], "deputy_section_chief": ["d1", "d2"], "general_cadre": ["g1", "g2"]}


def test_chairs_read_the_stages_and_only_administrators_write(api, chair_key):
    from conftest import Api
    run = Run(api)
    chair = Api(api.client, chair_key)
    for path in ("/stages", "/recommendation", "/inspection", "/deliberation", "/vote", "/decision", "/report"):
        chair.get(f"/rounds/{run.rid}{path}")
        r = api.client.get(f"/api/v1/rounds/{run.rid}{path}")
        assert r.status_code == 401, path
    assert chair.post(f"/rounds/{run.rid}/stages/recommendation/start").status_code == 403
    r = api.client.put(f"/api/v1/rounds/{run.rid}/deliberation", json={}, headers=chair.headers)
    assert r.status_code == 403


@pytest.mark.parametrize("path, body, field", [
    ("/recommendation/nominations", {"nominations": []}, "nominations"),
    ("/recommendation/nominations", {"nominations": [{"unit": "", "level": "section_chief", "participants": 1}]},
     "nominations[0].unit"),
    ("/recommendation/nominations", {"nominations": [{"unit": "u", "level": "mayor", "participants": 1}]},
     "nominations[0].level"),
    ("/recommendation/nominations", {"nominations": [{"unit": "u", "level": "section_chief", "participants": -1}]},
     "nominations[0].participants"),
    ("/recommendation/nominations", {"nominations": [{"unit": "u", "level": "section_chief", "participants": 1,
                                                      "candidates": ["d1"]}]}, "nominations[0].candidates"),
    ("/recommendation/nominations", {"nominations": [{"unit": "u", "level": "section_chief", "participants": 1,
                                                      "colour": "red"}]}, "nominations[0].colour"),
    ("/recommendation/nominations", {"extra": 1}, "extra"),
    ("/recommendation/plenary", {"meeting": "no-such-meeting"}, "meeting"),
    ("/recommendation/plenary", {"meeting": {"title": "全会", "expected": 0}}, "meeting.expected"),
    ("/recommendation/plenary", {"meeting": {"title": "全会", "expected": 5, "present": 6}}, "meeting.present"),
    ("/recommendation/plenary", {}, "meeting"),
])
def test_bad_recommendation_input_names_the_field(api, database, path, body, field):
    run = Run(api)
    interview_poll(run, api.meeting(10, present=10))
    run.start("recommendation")
    if path.endswith("plenary"):
        run.post("/recommendation/nominations", {"nominations": NOMINATIONS}, 201)
    before = database.one("SELECT count(*) FROM events")[0]
    r = run.post(path, body)
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["detail"]["field"] == field and in_words(field, "en") in r.get_json()["message"]
    assert database.one("SELECT count(*) FROM events")[0] == before


@pytest.mark.parametrize("body, field", [
    ({"notice_date": "2026-13-01"}, "notice_date"),
    ({"talks": -1}, "talks"),
    ({"talks": "12"}, "talks"),
    ({"looks": {"ability": {"grade": "excellent"}}}, "looks.ability.grade"),
    ({"looks": {"beauty": {"grade": "good"}}}, "looks.beauty"),
    ({"judgement": "x" * 4001}, "judgement"),
    ({"weather": "fine"}, "weather"),
])
def test_bad_inspection_records_name_the_field(api, database, body, field):
    run = recommended(api, database)
    run.start("inspection")
    r = run.put("/inspection/s1", body)
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["detail"]["field"] == field


def test_no_input_gives_a_500(api, database):
    run = recommended(api, database)
    paths = [("post", "/stages/inspection/start"), ("post", "/stages/vote/complete"),
             ("post", "/stages/recommendation/supersede"), ("post", "/recommendation/nominations"),
             ("post", "/recommendation/plenary"), ("post", "/recommendation/runoff"),
             ("put", "/inspection/s1"), ("post", "/inspection/s1/assessment"), ("put", "/deliberation"),
             ("put", "/deliberation/consultations"), ("post", "/vote/committee"), ("post", "/vote/runoff")]
    bodies = [None, [], "text", {"meeting": []}, {"reason": 5}, {"kind": "leaders", "meeting": "x"},
              {"secretaries_slate": []}, {"consultations": {}}, {"final_slate": {"x": "s1"}}, {"leave_unfilled": "yes"},
              {"nominations": [None]}, {"looks": []}, {"present": -4, "meeting": "m"}]
    for method, path in paths:
        for body in bodies:
            r = getattr(api.client, method)(f"/api/v1/rounds/{run.rid}{path}", headers=api.headers,
                                            data=json.dumps(body), content_type="application/json")
            assert r.status_code in (200, 201, 400, 404, 409), (path, body, r.status_code, r.get_json())
            assert set(r.get_json()) >= ({"error", "message"} if r.status_code >= 400 else set())


def test_ratios_come_from_the_rules_file(instance, tmp_path):
    """With 1:2 for the plenary and final slates of posts + 2 .. posts + 3, 2 posts give 4 places."""
    from importlib import resources

    from conftest import Api

    from kiosk.app import create_app
    from kiosk.domain import accounts
    text = resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8")
    text = text.replace('plenary = "1.5"', 'plenary = "2"').replace("final_extra_min = 1", "final_extra_min = 2")
    text = text.replace("final_extra_max = 2", "final_extra_max = 3")
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    rules = load_rules(text)
    assert rules.ratio_plenary == 2 and rules.final_extra_min == 2
    app = create_app(str(instance), {"TESTING": True, "RULES_PATH": str(path)})
    api = Api(app.test_client(), accounts.create_api_key(app.extensions["ballotroom_db"], "admin"))
    run = Run(api)
    interview_poll(run, api.meeting(10, present=10))
    run.start("recommendation")
    run.post("/recommendation/nominations", {"nominations": NOMINATIONS}, 201)
    poll = run.post("/recommendation/plenary", {"meeting": {"title": "全会", "expected": 10, "present": 10}},
                    201).get_json()["poll"]
    assert [c["places"] for c in poll["contests"]] == [4, 4, 4]
    view = run.get("/recommendation")
    assert [lv["plenary_places"] for lv in view["levels"]] == [4, 4, 4]


def test_random_bodies_on_a_round_under_way_never_give_a_500(api, database):
    """Whatever JSON arrives at a stage's calls, on a real round with every stage's data present,
    the answer is a refusal or a success, never a server error."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    run = recommended(api, database)
    run.start("inspection")
    ids = ["s1", "s2", "s3", "d1", "g1", "x", ""]
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 40), st.sampled_from(
        ids + LEVELS + ["survey", "character", "mayor", "good", "2026-03-05", "2026-02-30", "全会", "  "]))
    values = st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(
            ["meeting", "title", "expected", "present", "nominations", "unit", "level", "participants",
             "candidates", "kind", "looks", "grade", "note", "talks", "notice_date", "reason", "leave_unfilled",
             "secretaries_slate", "final_slate", "consultations", "written_opinions", "role", "date", "summary",
             "source", "people", "revote_reason", *LEVELS, "ability"]), inner, max_size=5)), max_leaves=12)
    calls = [("post", "/stages/{s}/start"), ("post", "/stages/{s}/complete"), ("post", "/stages/{s}/supersede"),
             ("post", "/recommendation/nominations"), ("post", "/recommendation/plenary"),
             ("post", "/recommendation/runoff"), ("put", "/inspection/{c}"), ("post", "/inspection/{c}/assessment"),
             ("put", "/deliberation"), ("put", "/deliberation/consultations"), ("post", "/vote/committee"),
             ("post", "/vote/runoff")]

    @given(call=st.sampled_from(calls), body=values, stage=st.sampled_from(["recommendation", "inspection", "vote"]),
           cid=st.sampled_from(["s1", "s4", "zz"]))
    @settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(call, body, stage, cid):
        method, path = call
        url = f"/api/v1/rounds/{run.rid}" + path.format(s=stage, c=cid)
        r = getattr(api.client, method)(url, json=body, headers=api.headers)
        assert r.status_code < 500, (url, body, r.get_data(as_text=True)[:300])
        if r.status_code >= 400:
            assert {"error", "message"} <= set(r.get_json())

    check()


def test_a_runoff_that_fills_nothing_is_held_again(api, database):
    """Runoff among s3 and s4 for 1 place: every ballot blank, so nobody is chosen (a name nobody chose
    is never chosen) and the place is put to a runoff again among the same two."""
    run = Run(api)
    interview_poll(run, api.meeting(10, present=10))
    run.start("recommendation")
    run.post("/recommendation/nominations", {"nominations": NOMINATIONS}, 201)
    poll = run.post("/recommendation/plenary", {"meeting": {"title": "全会", "expected": 10, "present": 10}},
                    201).get_json()["poll"]
    votes = {lv: {IDS[lv][0]: 9, IDS[lv][1]: 8, IDS[lv][2]: 7} for lv in LEVELS}
    votes["section_chief"] = {"s1": 9, "s2": 8, "s3": 4, "s4": 4}
    run.cast(poll["id"], choice_ballots(10, votes))
    runoff = run.post("/recommendation/runoff", {}, 201).get_json()["poll"]
    run.cast(runoff["id"], [{}] * 10)
    level = run.get("/recommendation")["levels"][0]["progress"]
    assert level["status"] == "runoff" and level["runoff"] == ["s3", "s4"] and level["remaining"] == 1
    again = run.post("/recommendation/runoff", {}, 201).get_json()["poll"]
    assert [(c["places"], [k["id"] for k in c["candidates"]]) for c in again["contests"]] == [(1, ["s3", "s4"])]
    run.cast(again["id"], choice_ballots(10, {"section_chief": {"s4": 6, "s3": 3}}))
    run.complete("recommendation")
    assert run.get("/recommendation")["inspection_candidates"]["section_chief"] == ["s1", "s2", "s4"]
