"""The administrator's pages of the four competitive stages (admin/stages.py), through Flask's
test client: access, the forms of each stage with their refusals, the timeline with a superseded
record, and the report as HTML and PDF. Votes are cast through the API, as tablets would."""

from __future__ import annotations

import contextlib
import io
import itertools
import re
import threading

import pypdf
import pytest
from conftest import Api, new_instance
from test_stages_api import (
    LEVELS,
    LOOKS,
    NOMINATIONS,
    NOTICE_DATE,
    Run,
    choice_ballots,
    committee_ballots,
    interview_poll,
    recommended,
)

from kiosk.app import create_app
from kiosk.domain import accounts
from kiosk.stages import deliberation as stages_deliberation
from kiosk.store.localtime import local_text

PASSWORD = "a long admin password"

@pytest.fixture
def admin_app(tmp_path):
    path = tmp_path / "instance"
    new_instance(path, PASSWORD)
    return create_app(str(path), {"TESTING": True, "WTF_CSRF_ENABLED": False, "LOGIN_LIMIT": "1000 per minute"})


def _login(app, name="admin", password=PASSWORD):
    client = app.test_client()
    client.get("/login?lang=en")
    r = client.post("/login", data={"name": name, "password": password})
    assert r.status_code == 302, r.data
    return client


@pytest.fixture
def clerk(admin_app):
    return _login(admin_app)


@pytest.fixture
def run(admin_app):
    api = Api(admin_app.test_client(), accounts.create_api_key(admin_app.extensions["ballotroom_db"], "admin"))
    run = Run(api)
    interview_poll(run, api.meeting(10, present=10))
    return run


def _text(r) -> str:
    return r.get_data(as_text=True)


def _alert(r) -> str:
    m = re.search(r'<p class="alert"[^>]*>(.*?)</p>', _text(r), re.S)
    return m.group(1) if m else ""


def _state(page: str, stage: str) -> str:
    m = re.search(rf'data-stage="{stage}" data-state="(\w+)"', page)
    assert m, stage
    return m.group(1)


def test_every_stage_page_is_for_administrators_only(admin_app, clerk, run):
    rules = [r for r in admin_app.url_map.iter_rules() if r.endpoint.startswith("stages.")]
    assert len(rules) >= 20
    for rule in rules:
        assert admin_app.view_functions[rule.endpoint].required_roles == ("admin",), rule.endpoint
    anon = admin_app.test_client()
    accounts.add_user(admin_app.extensions["ballotroom_db"], "chair1", "chair", "chair password one")
    chair = _login(admin_app, "chair1", "chair password one")
    for rule in rules:
        url = (rule.rule.replace("<round_id>", run.rid).replace("<stage>", "recommendation")
               .replace("<candidate_id>", "s1").replace("<nomination_id>", "x").replace("<item_id>", "x"))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = anon.open(url, method=method)
            assert r.status_code == 302 and r.headers["Location"].startswith("/login"), (url, method)
            assert chair.open(url, method=method).status_code == 403, (url, method)
    assert run.get("/stages")["stages"][0]["state"] == "not_started"


def test_the_round_page_links_to_the_stages_and_pages_speak_chinese(admin_app, clerk, run):
    page = _text(clerk.get(f"/admin/rounds/{run.rid}"))
    assert f'href="/admin/rounds/{run.rid}/stages"' in page
    zh = _login(admin_app)
    zh.get("/login?lang=zh_CN")  # the staff's choice (a tablet page's choice is the voter's)
    page = _text(zh.get(f"/admin/rounds/{run.rid}/stages"))
    assert 'lang="zh-CN"' in page and "差额推荐" in page and "差额票决" in page


def test_a_round_through_the_pages(admin_app, clerk, run):
    base = f"/admin/rounds/{run.rid}"
    page = _text(clerk.get(f"{base}/stages"))
    assert [_state(page, s) for s in ("recommendation", "inspection", "deliberation", "vote")] == ["not_started"] * 4
    assert 'data-action="start" data-stage="recommendation"' in page
    assert 'data-stage="inspection"' in page and 'data-action="start" data-stage="inspection"' not in page
    # A stage out of order is refused on the page, with what to do.
    r = clerk.post(f"{base}/stages/inspection/start")
    assert r.status_code == 409 and "complete" in _alert(r)

    r = clerk.post(f"{base}/stages/recommendation/start")
    assert r.status_code == 303 and r.headers["Location"].endswith("/stages/recommendation")
    page = _text(clerk.get(f"{base}/stages/recommendation"))
    assert 'data-next="nominate"' in page and 'data-initial="section_chief"' in page
    # A bad nomination keeps what was typed and names the field.
    r = clerk.post(f"{base}/stages/recommendation/nominations",
                   data={"unit": "财政局", "level": "section_chief", "participants": "很多", "candidates": ["s1"]})
    assert r.status_code == 400 and "members taking part" in _alert(r)
    assert 'value="财政局"' in _text(r) and 'value="s1" checked' in _text(r)
    for n in NOMINATIONS:
        data = {"unit": n["unit"], "level": n["level"], "participants": str(n["participants"]),
                "candidates": n.get("candidates", []), "nomination_note": n.get("note", "")}
        assert clerk.post(f"{base}/stages/recommendation/nominations", data=data).status_code == 303
    page = _text(clerk.get(f"{base}/stages/recommendation"))
    assert re.search(r"data-participants-total>175<", page)
    r = clerk.post(f"{base}/stages/recommendation/plenary",
                   data={"meeting": "__new__", "new_title": "全会", "new_expected": "", "new_present": ""})
    assert r.status_code == 400 and "members expected" in _alert(r)  # the field in the user's words
    r = clerk.post(f"{base}/stages/recommendation/plenary",
                   data={"meeting": "__new__", "new_title": "市委全会", "new_expected": "30", "new_present": "25"})
    assert r.status_code == 303
    view = run.get("/recommendation")
    votes = {"section_chief": {"s1": 20, "s2": 18, "s3": 10, "s4": 10},
             "deputy_section_chief": {"d1": 22, "d2": 15, "d3": 12, "d4": 6},
             "general_cadre": {"g1": 21, "g2": 19, "g3": 14, "g4": 9}}
    run.cast(view["polls"][0]["poll"], choice_ballots(25, votes))
    page = _text(clerk.get(f"{base}/stages/recommendation"))
    assert 'data-next="runoff"' in page and 'data-mark="runoff"' in page and "data-certified" in page
    r = clerk.post(f"{base}/stages/recommendation/complete", data={"form": "complete", "note": ""})
    assert r.status_code == 409 and "runoff" in _alert(r)
    assert clerk.post(f"{base}/stages/recommendation/runoff").status_code == 303
    view = run.get("/recommendation")
    run.cast(view["polls"][-1]["poll"], choice_ballots(25, {"section_chief": {"s3": 14, "s4": 11}}))
    assert clerk.post(f"{base}/stages/recommendation/complete", data={"note": "结果已公示"}).status_code == 303
    page = _text(clerk.get(f"{base}/stages/recommendation"))
    assert "data-inspection-candidates" in page and 'data-form="nomination"' not in page

    # Inspection: a record through its form; a bad figure is refused with the field named.
    assert clerk.post(f"{base}/stages/inspection/start").status_code == 303
    form = {"notice_date": NOTICE_DATE, "assessment": "民主测评良好", "talks": "12", "verification": "经核实无问题",
            "judgement": "政治坚定，实绩突出", **{f"grade_{look}": "good" for look in LOOKS},
            **{f"note_{look}": "说明" for look in LOOKS}}
    r = clerk.post(f"{base}/stages/inspection/candidates/s1", data={**form, "talks": "-1"})
    assert r.status_code == 400 and "talks" in _alert(r) and "政治坚定，实绩突出" in _text(r)
    r = clerk.post(f"{base}/stages/inspection/candidates/s1", data=form)
    assert r.status_code == 303 and r.headers["Location"].endswith("#c-s1")
    candidates = run.get("/recommendation")["inspection_candidates"]
    for lv in LEVELS:
        for cid in candidates[lv]:
            assert clerk.post(f"{base}/stages/inspection/candidates/{cid}", data=form).status_code == 303
    page = _text(clerk.get(f"{base}/stages/inspection"))
    assert page.count('data-look="ability"') == 9 and "data-missing" not in page
    r = clerk.post(f"{base}/stages/inspection/candidates/s1/assessment",
                   data={"kind": "survey", "meeting": "__new__", "new_title": "民主测评", "new_expected": "20"})
    assert r.status_code == 303 and r.headers["Location"].startswith("/admin/polls/")
    r = clerk.post(f"{base}/stages/inspection/complete", data={"note": ""})
    assert r.status_code == 409 and "not closed" in _alert(r)
    poll = run.get("/inspection")["levels"][0]["candidates"][0]["assessment_polls"][0]["poll"]
    run.cast(poll, [{"s1": "satisfied"}] * 8 + [{"s1": "dissatisfied"}] * 2)
    assert clerk.post(f"{base}/stages/inspection/complete", data={"note": ""}).status_code == 303

    # Deliberation: a slate that breaks the ratio is refused, and what was ticked is kept.
    assert clerk.post(f"{base}/stages/deliberation/start").status_code == 303
    data = {"form": "record", "department_notes": "部务会听取考察汇报", "important": ["section_chief"],
            "secretaries_section_chief": ["s1", "s2"]}
    r = clerk.post(f"{base}/stages/deliberation/record", data=data)
    assert r.status_code == 400 and "slate: section chief" in _alert(r)  # the field in the user's words
    assert 'name="secretaries_section_chief" value="s1" checked' in _text(r)
    for lv in LEVELS:
        data[f"secretaries_{lv}"] = candidates[lv]
        data[f"final_{lv}"] = candidates[lv]
    assert clerk.post(f"{base}/stages/deliberation/record", data=data).status_code == 303
    page = _text(clerk.get(f"{base}/stages/deliberation"))
    assert 'data-missing-roles="section_chief"' in page
    r = clerk.post(f"{base}/stages/deliberation/complete", data={"note": ""})
    assert r.status_code == 409 and "5+X" in _alert(r)
    for role in ("mayor", "deputy_secretary", "discipline_secretary", "organisation_head", "leader_in_charge"):
        r = clerk.post(f"{base}/stages/deliberation/consultations",
                       data={"level": "section_chief", "role": role, "name": "某同志", "date": "2026-03-22",
                             "summary": "同意"})
        assert r.status_code == 303
    r = clerk.post(f"{base}/stages/deliberation/opinions",
                   data={"source": "市人大常委会党组", "people": "12", "opinion_date": "2026-03-21"})
    assert r.status_code == 303
    page = _text(clerk.get(f"{base}/stages/deliberation"))
    assert "data-missing-roles" not in page and re.search(r"data-written-people>12<", page)
    assert clerk.post(f"{base}/stages/deliberation/complete", data={"note": ""}).status_code == 303

    # Vote: without attendance the committee's poll is refused; with it, generated and voted.
    assert clerk.post(f"{base}/stages/vote/start").status_code == 303
    r = clerk.post(f"{base}/stages/vote/committee", data={"meeting": "__new__", "new_title": "常委会",
                                                          "new_expected": "11"})
    assert r.status_code == 409 and "实到" in _alert(r)
    r = clerk.post(f"{base}/stages/vote/committee", data={"meeting": "__new__", "new_title": "常委会",
                                                          "new_expected": "11", "new_present": "9"})
    assert r.status_code == 303
    poll = run.get("/vote")["polls"][0]["poll"]
    run.cast(poll, committee_ballots(9, {"s1": 8, "s2": 7, "s3": 3, "d1": 7, "d2": 6, "d3": 4,
                                         "g1": 8, "g2": 7, "g3": 2}))
    assert clerk.post(f"{base}/stages/vote/complete", data={"note": ""}).status_code == 303
    page = _text(clerk.get(f"{base}/stages/vote"))
    assert "data-final" in page and page.count("data-chosen=") == 6

    # The timeline: every stage complete; superseding needs a reason and keeps the old record.
    page = _text(clerk.get(f"{base}/stages"))
    assert [_state(page, s) for s in ("recommendation", "inspection", "deliberation", "vote")] == ["complete"] * 4
    r = clerk.post(f"{base}/stages/vote/supersede", data={"reason": ""})
    assert r.status_code == 400 and "reason" in _alert(r)
    assert clerk.post(f"{base}/stages/vote/supersede", data={"reason": "常委会计票复核"}).status_code == 303
    page = _text(clerk.get(f"{base}/stages"))
    assert _state(page, "vote") == "in_progress" and "常委会计票复核" in page and "data-superseded-record" in page

    # The report, as HTML and PDF.
    page = _text(clerk.get(f"{base}/report"))
    figures = dict(re.findall(r'data-figure="(\w+)"><b>([^<]*)</b>', page))
    assert figures["nomination_participants"] == "175" and figures["plenary_voters"] == "25"
    assert figures["interviewed"] == "10" and figures["consulted_in_writing"] == str(5 + 12)
    assert "data-provisional" in page  # the vote was superseded: its decision is not final any more
    pdf = clerk.get(f"{base}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    pages = pypdf.PdfReader(io.BytesIO(pdf.data)).pages
    words = [re.sub(r"\s+", "", page.extract_text()) for page in pages]
    # Every page says which of how many it is (in the clerk's language, here English); the last
    # has a line and a date for each signer.
    assert [f"Page{n}of{len(pages)}" in text for n, text in enumerate(words, 1)] == [True] * len(pages)
    assert words[-1].count("Date") == 2 and "Preparedby(signature)" in words[-1] and "Checkedby(signature)" in words[-1]


def test_get_on_an_action_address_goes_back_to_its_page(clerk, run):
    base = f"/admin/rounds/{run.rid}"
    for url, target in ((f"{base}/stages/recommendation/start", f"{base}/stages"),
                        (f"{base}/stages/recommendation/plenary", f"{base}/stages/recommendation"),
                        (f"{base}/stages/deliberation/consultations", f"{base}/stages/deliberation"),
                        (f"{base}/stages/vote/runoff", f"{base}/stages/vote")):
        r = clerk.get(url)
        assert r.status_code == 303 and r.headers["Location"].endswith(target), url
    assert clerk.get(f"{base}/stages/nonsense").status_code == 404
    assert clerk.get("/admin/rounds/nope/stages").status_code == 404


ENTRIES = {
    "consultations": ("stage_consultations", lambda i: {"level": "section_chief", "role": "mayor", "name": f"同志{i}",
                                                        "date": "2026-03-22", "summary": "同意"}),
    "opinions": ("stage_written_opinions", lambda i: {"source": f"党组{i}", "people": "3",
                                                      "opinion_date": "2026-03-21"}),
}


@pytest.mark.parametrize("path", list(ENTRIES))
def test_two_clerks_adding_at_once_both_keep_their_entry(admin_app, run, monkeypatch, path):
    """Both clerks' requests have read the page's list before either is saved (a barrier holds the
    first two reads): each entry is added to the list as it is in the database, inside one
    transaction, so neither replaces the other's."""
    database = admin_app.extensions["ballotroom_db"]
    with database.write() as conn:  # the deliberation stage in progress (the stages before it skipped)
        conn.execute("INSERT INTO round_stages (id, round_id, stage, attempt, state, started_by, started_at)"
                     " VALUES ('delib1', ?, 'deliberation', 1, 'in_progress', 'admin', '2026-03-20T00:00:00+00:00')",
                     (run.rid,))
    table, entry = ENTRIES[path]
    clerks = [_login(admin_app), _login(admin_app)]
    real_view = stages_deliberation.view
    barrier = threading.Barrier(2, timeout=5)
    calls = itertools.count()

    def view(*args, **kwargs):
        if next(calls) < 2:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
        return real_view(*args, **kwargs)

    monkeypatch.setattr(stages_deliberation, "view", view)
    statuses = []

    def add(i):
        r = clerks[i].post(f"/admin/rounds/{run.rid}/stages/deliberation/{path}", data=entry(i))
        statuses.append(r.status_code)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert statuses == [303, 303]
    assert database.one(f"SELECT count(*) FROM {table} WHERE stage_id = 'delib1'")[0] == 2
    removed = database.one(f"SELECT id FROM {table} WHERE stage_id = 'delib1' ORDER BY position")[0]
    r = clerks[0].post(f"/admin/rounds/{run.rid}/stages/deliberation/{path}/{removed}/delete")
    assert r.status_code == 303
    left = [row[0] for row in database.query(f"SELECT id FROM {table} WHERE stage_id = 'delib1'")]
    assert len(left) == 1 and removed not in left


def test_who_and_when_read_as_people_and_the_rooms_clock(admin_app, clerk, run):
    # Stored as apikey:br_… / user:admin and in UTC; shown as the event log shows them.
    started = run.start("recommendation")
    base = f"/admin/rounds/{run.rid}"
    clerk.post(f"{base}/stages/recommendation/nominations",
               data={"unit": "财政局", "level": LEVELS[0], "participants": "30", "candidates": ""})
    for path in ("/stages", "/stages/recommendation", "/report"):
        page = _text(clerk.get(base + path))
        assert "apikey:" not in page and "user:" not in page, path
        assert "API key " in page, path
    at = next(s["current"]["started_at"] for s in started["stages"] if s["stage"] == "recommendation")
    shown = local_text(at, admin_app.config["SETTINGS"], seconds=False)
    assert shown and shown != at[:16].replace("T", " ")  # the room's clock (Asia/Shanghai), not UTC
    assert shown in _text(clerk.get(base + "/stages"))


def test_the_stage_pages_write_chinese_as_chinese_is_written(admin_app):
    # Shares as percentages (never 0.8000), ：and ；in Chinese text, a meeting's figures in （）.
    api = Api(admin_app.test_client(), accounts.create_api_key(admin_app.extensions["ballotroom_db"], "admin"))
    run = recommended(api, admin_app.extensions["ballotroom_db"])
    client = admin_app.test_client()
    client.get("/login?lang=zh_CN")
    assert client.post("/login", data={"name": "admin", "password": PASSWORD}).status_code == 302
    base = f"/admin/rounds/{run.rid}"
    client.post(f"{base}/stages/inspection/start")
    for path in ("/stages", "/stages/recommendation", "/stages/inspection", "/report"):
        page = re.sub(r"<(script|style).*?</\1>", "", _text(client.get(base + path)), flags=re.S)
        visible = re.sub(r"<[^>]+>", " ", page)
        assert not re.findall(r"\d\.\d{4}", visible), path
        assert not re.findall(r"[\u4e00-\u9fff][:;] ", visible), (path, re.findall(r".{12}[\u4e00-\u9fff][:;] .{12}", visible))
        assert "(应到" not in visible, path
    recommendation = _text(client.get(base + "/stages/recommendation"))
    assert re.search(r"\d+\.\d%", recommendation)  # each plenary candidate's share
