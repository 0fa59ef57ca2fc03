"""The administrator's round pages (admin/rounds.py) through Flask's test client."""

from __future__ import annotations

import io
import json
import re

import pypdf
import pytest
from conftest import new_instance
from test_rounds_api import full_candidate

from kiosk.app import create_app
from kiosk.domain import accounts

PASSWORD = "a long admin password"


def _make_app(tmp_path):
    path = tmp_path / "instance"
    new_instance(path, PASSWORD)
    return create_app(str(path), {"TESTING": True, "WTF_CSRF_ENABLED": False,
                                  "LOGIN_LIMIT": "1000 per minute"})


@pytest.fixture
def admin_app(tmp_path):
    return _make_app(tmp_path)


def _login(app, name="admin", password=PASSWORD):
    client = app.test_client()
    client.get("/login?lang=en")
    r = client.post("/login", data={"name": name, "password": password})
    assert r.status_code == 302, r.data
    return client


@pytest.fixture
def clerk(admin_app):
    return _login(admin_app)


def _text(r) -> str:
    return r.get_data(as_text=True)


def _alert(r) -> str:
    m = re.search(r'<p class="alert"[^>]*>(.*?)</p>', _text(r), re.S)
    return m.group(1) if m else ""


def _db(app):
    return app.extensions["ballotroom_db"]


def _new_round(clerk, title="2026年竞争性选拔", **posts) -> str:
    data = {"title": title, **{f"posts_{k}": str(v) for k, v in (posts or {"section_chief": 1}).items()}}
    r = clerk.post("/admin/rounds/", data=data)
    assert r.status_code == 303, _text(r)
    return r.headers["Location"].rsplit("/", 1)[-1]


def _import(clerk, doc: dict) -> str:
    data = {"round_file": (io.BytesIO(json.dumps(doc, ensure_ascii=False).encode()), "round.json")}
    r = clerk.post("/admin/rounds/import", data=data, content_type="multipart/form-data")
    assert r.status_code == 303, _alert(r) or _text(r)
    return r.headers["Location"].rsplit("/", 1)[-1]


# --- access ------------------------------------------------------------------------------------

def test_every_round_page_is_for_administrators_only(admin_app, clerk):
    rid = _new_round(clerk)
    rules = [r for r in admin_app.url_map.iter_rules() if r.endpoint.startswith("rounds.")]
    assert len(rules) >= 10
    for rule in rules:
        assert admin_app.view_functions[rule.endpoint].required_roles == ("admin",), rule.endpoint
    anon = admin_app.test_client()
    accounts.add_user(_db(admin_app), "chair1", "chair", "chair password one")
    chair = _login(admin_app, "chair1", "chair password one")
    for rule in rules:
        url = rule.rule.replace("<round_id>", rid).replace("<candidate_id>", "c1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = anon.open(url, method=method)
            assert r.status_code == 302 and r.headers["Location"].startswith("/login"), (url, method)
            assert chair.open(url, method=method).status_code == 403, (url, method)
    assert _db(admin_app).one("SELECT count(*) FROM rounds")[0] == 1


def test_the_navigation_shows_rounds_to_administrators(clerk):
    assert 'href="/admin/rounds/"' in _text(clerk.get("/admin/"))


# --- a round made through the pages ------------------------------------------------------------

def test_create_add_candidates_and_enter_scores(admin_app, clerk):
    r = clerk.post("/admin/rounds/", data={"title": "", "posts_section_chief": "2"})
    assert r.status_code == 400 and "title" in _alert(r)
    r = clerk.post("/admin/rounds/", data={"title": "t", "posts_section_chief": ""})
    assert r.status_code == 400 and "levels" in _alert(r)
    rid = _new_round(clerk, section_chief=2, general_cadre=3)
    page = _text(clerk.get(f"/admin/rounds/{rid}"))
    assert "正科级" in page and "一般干部" in page and 'data-level="section_chief"' in page
    assert re.search(r'data-level="section_chief">.*?<td class="num">2</td>\s*<td class="num">6</td>', page, re.S)

    r = clerk.post(f"/admin/rounds/{rid}/candidates",
                   data={"paste": "编号,姓名,层级,单位\nc1,张伟,正科级,财政局\nc2，王芳，section_chief，教育局\nc3\t李娜\t一般干部\t"})
    assert r.status_code == 303, _alert(r)
    r = clerk.post(f"/admin/rounds/{rid}/candidates", data={"id": "c4", "name": "刘洋", "level": "general_cadre",
                                                            "unit": ""})
    assert r.status_code == 303
    stored = _db(admin_app).query("SELECT id, name, level, unit FROM round_candidates ORDER BY position")
    assert [tuple(row) for row in stored] == [("c1", "张伟", "section_chief", "财政局"),
                                              ("c2", "王芳", "section_chief", "教育局"),
                                              ("c3", "李娜", "general_cadre", None),
                                              ("c4", "刘洋", "general_cadre", None)]
    # A bad line changes nothing and keeps what was typed.
    r = clerk.post(f"/admin/rounds/{rid}/candidates", data={"paste": "c5,赵六\nc6,钱七,正科级"})
    assert r.status_code == 400 and "line 1" in _alert(r) and "c6,钱七,正科级" in _text(r)
    r = clerk.post(f"/admin/rounds/{rid}/candidates", data={"paste": "c1,又一个,正科级"})
    assert r.status_code == 409 and "c1" in _alert(r)

    r = clerk.post(f"/admin/rounds/{rid}/candidates/c1", data={
        "base": "28.5", "bonus": "3", "performance_note": "排类第一", "score": "8.5",
        "grade0": "competent", "grade1": "outstanding", "grade2": "competent"})
    assert r.status_code == 303, _alert(r)
    entries = _text(clerk.get(f"/admin/rounds/{rid}/candidates/c1"))
    assert "Entered by user:admin" in entries and 'value="28.5"' in entries and "排类第一" in entries
    r = clerk.post(f"/admin/rounds/{rid}/candidates/c2", data={"base": "50", "bonus": "0"})
    assert r.status_code == 400 and "performance: base points" in _alert(r) and 'value="50"' in _text(r)
    r = clerk.post(f"/admin/rounds/{rid}/candidates/c2", data={"score": "9", "grade0": "competent"})
    assert r.status_code == 400 and "year-end grades" in _alert(r)  # the field in the user's words
    r = clerk.post(f"/admin/rounds/{rid}/candidates/c2", data={})
    assert r.status_code == 400
    assert clerk.get(f"/admin/rounds/{rid}/candidates/nobody").status_code == 404

    page = _text(clerk.get(f"/admin/rounds/{rid}"))
    row = re.search(r'<tr data-candidate="c1">(.*?)</tr>', page, re.S).group(1)
    assert "28.5 + 3" in row and "Outstanding" in row and "user:admin" in row
    events = [r["type"] for r in _db(admin_app).query("SELECT type FROM events WHERE type LIKE 'round.%'")]
    assert events == ["round.created", "round.candidates_added", "round.candidates_added", "round.entries_set"]


def test_a_poll_of_the_round_made_from_its_page(admin_app, clerk):
    rid = _new_round(clerk, section_chief=1)
    clerk.post(f"/admin/rounds/{rid}/candidates", data={"paste": "c1,张伟,正科级,甲\nc2,王芳,正科级,乙"})
    assert "Create a meeting first" in _text(clerk.get(f"/admin/rounds/{rid}"))
    clerk.post("/admin/meetings", data={"title": "推荐大会", "expected": "30"})
    meeting = _db(admin_app).one("SELECT id FROM meetings")[0]
    form = {"meeting": meeting, "kind": "interview_recommendation", "poll_title": "谈话推荐"}
    r = clerk.post(f"/admin/rounds/{rid}/polls", data=form)
    assert r.status_code == 303 and r.headers["Location"].startswith("/admin/polls/")
    poll = _db(admin_app).one("SELECT round_id, kind, contests FROM polls")
    assert poll["round_id"] == rid and json.loads(poll["contests"])[0]["candidates"][1]["id"] == "c2"
    r = clerk.post(f"/admin/rounds/{rid}/polls", data=form)
    assert r.status_code == 409 and "at most one" in _alert(r)
    page = _text(clerk.get(f"/admin/rounds/{rid}"))
    assert "谈话推荐" in page and "only administrators see that" in page and "still open" not in page
    assert "not yet opened" in page  # a draft poll does not feed the sheet, and the page says so


# --- the score sheet ---------------------------------------------------------------------------

SHEET_ROUND = {
    "format": "ballotroom-round/1", "title": "评分汇总测试",
    "levels": [{"id": "section_chief", "posts": 1}, {"id": "general_cadre", "posts": 1}],
    "candidates": [
        full_candidate("a", "section_chief", "30", name="第一"),
        full_candidate("b", "section_chief", "28", name="第二"),
        full_candidate("c", "section_chief", "25", name="并列甲"),
        full_candidate("d", "section_chief", "25", name="并列乙"),
        full_candidate("e", "section_chief", "20", name="落选"),
        full_candidate("f", "section_chief", "38", name="否决",
                       character={"raters": 60, "occasional": [0] * 10, "frequent": [19] + [0] * 9},
                       organisation={"score": "9", "grades": ["competent", "basically_competent", "competent"]}),
        full_candidate("g", "section_chief", "30", name="缺项", leaders=None),
    ],
}
del SHEET_ROUND["candidates"][6]["leaders"]


def test_the_score_sheet_shows_ranks_shortlist_ties_and_reasons(clerk):
    rid = _import(clerk, SHEET_ROUND)
    r = clerk.get(f"/admin/rounds/{rid}/scores")
    assert r.status_code == 200
    page = _text(r)
    level = re.search(r'data-sheet-level="section_chief">(.*?)</section>', page, re.S).group(1)
    rows = dict(re.findall(r'<tr data-candidate="(\w)"(.*?)</tr>', level, re.S))
    assert list(rows) == ["a", "b", "c", "d", "e", "f", "g"]  # by rank, the ineligible last

    def marks(cid):
        return re.findall(r'data-mark="(\w+)"', rows[cid])

    def rank(cid):
        return re.search(r'<td class="num rank">(.*?)</td>', rows[cid]).group(1)

    # 1 post at 1:3 gives 3 places; c and d share rank 3 at the cut: both go through, flagged.
    assert [rank(c) for c in "abcdefg"] == ["1", "2", "3", "3", "5", "–", "–"]
    assert marks("a") == marks("b") == ["shortlisted"]
    assert marks("c") == marks("d") == ["shortlisted", "tied"]
    assert marks("e") == [] and marks("f") == marks("g") == ["ineligible"]
    assert re.findall(r'data-reason="(\w+)"', rows["f"]) == ["character_veto", "grades_below_competent"]
    assert "more than 30% of raters" in rows["f"] and "below competent" in rows["f"]
    assert "Leadership evaluation missing" in rows["g"]
    # Every part and the total: 20 + 16.11 + 30 + 10 + 8 = 84.11.
    assert re.findall(r'data-part="(\w+)">([\d.–]+)', rows["a"]) == [
        ("character", "20.00"), ("public", "16.11"), ("performance", "30.00"), ("leaders", "10.00"),
        ("organisation", "8.00")]
    assert '<td class="num total">84.11</td>' in rows["a"]
    assert "75.00% · 75.00% · 91.67%" in rows["a"]
    assert "2 tied at the cut" in level and "initial list 3 · shortlisted 4" in level
    assert "No candidates at this level." in page  # general_cadre


def test_downloads_json_csv_and_pdf(clerk, admin_app):
    rid = _import(clerk, SHEET_ROUND)
    r = clerk.get(f"/admin/rounds/{rid}/round.json")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    api_key = accounts.create_api_key(_db(admin_app), "admin")
    via_api = admin_app.test_client().get(f"/api/v1/rounds/{rid}/export",
                                          headers={"Authorization": f"Bearer {api_key}"})
    assert r.data == via_api.data and json.loads(r.data)["candidates"][5]["name"] == "否决"

    r = clerk.get(f"/admin/rounds/{rid}/scores.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv" and r.data.startswith(b"\xef\xbb\xbf")
    lines = r.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Level,Rank,ID,Name,Unit,Character,Public appraisal")
    assert lines[1].startswith("正科级,1,a,第一,某局,20.00,16.11,30.00,10.00,8.00,84.11,yes,yes,,")
    assert lines[4].startswith("正科级,3,d,并列乙") and ",yes,yes,yes," in lines[4]
    assert lines[6].endswith("character_veto grades_below_competent") and len(lines) == 8

    r = clerk.get(f"/admin/rounds/{rid}/scores.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    from kiosk.documents.slips import find_cjk_font
    if find_cjk_font():
        assert b"FontFile2" in r.data  # the Chinese font is embedded, so the sheet prints anywhere


def test_import_form_refuses_a_bad_file_with_its_line(admin_app, clerk):
    bad = json.dumps(SHEET_ROUND, ensure_ascii=False, indent=2).replace('"base": "28"', '"base": "x"')
    r = clerk.post("/admin/rounds/import", data={"round_text": bad})
    assert r.status_code == 400
    alert = _alert(r)
    assert "line" in alert and "must be a number" in alert
    assert _db(admin_app).one("SELECT count(*) FROM rounds")[0] == 0
    assert clerk.post("/admin/rounds/import", data={"round_text": ""}).status_code == 400
    assert clerk.get("/admin/rounds/import").status_code == 302
    rid = _import(clerk, SHEET_ROUND)
    assert "评分汇总测试" in _text(clerk.get("/admin/rounds/"))
    assert 'badge">imported' in _text(clerk.get(f"/admin/rounds/{rid}"))


def test_pages_speak_chinese_by_default(admin_app):
    client = admin_app.test_client()
    client.post("/login", data={"name": "admin", "password": PASSWORD})
    rid = _import(client, SHEET_ROUND)
    page = _text(client.get(f"/admin/rounds/{rid}/scores"))
    assert 'lang="zh-CN"' in page and "评分" in page
    # The score sheet's reasons read as Chinese writes them: ：before them, ；between them.
    pdf = client.get(f"/admin/rounds/{rid}/scores.pdf").data
    words = re.sub(r"\s+", "", "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages))
    assert re.search(r"不符合条件：[^；;:]+；[^；;:]+", words), words[-400:]
    assert "; " not in words and "不符合条件:" not in words


def test_saving_the_form_unchanged_enters_nothing_again(admin_app, clerk):
    rid = _new_round(clerk)
    clerk.post(f"/admin/rounds/{rid}/candidates", data={"paste": "c1,张伟,正科级,财政局"})
    form = {"base": "28.5", "bonus": "3", "performance_note": "", "score": "8.5",
            "grade0": "competent", "grade1": "outstanding", "grade2": "competent", "organisation_note": ""}
    assert clerk.post(f"/admin/rounds/{rid}/candidates/c1", data=form).status_code == 303
    assert clerk.post(f"/admin/rounds/{rid}/candidates/c1", data=form).status_code == 303
    form["base"] = "29"
    assert clerk.post(f"/admin/rounds/{rid}/candidates/c1", data=form).status_code == 303
    logged = [json.loads(r["payload"])["parts"] for r in _db(admin_app).query(
        "SELECT payload FROM events WHERE type = 'round.entries_set' ORDER BY seq")]
    assert [sorted(p) for p in logged] == [["organisation", "performance"], ["performance"]]
    assert logged[1]["performance"] == {"base": "29", "bonus": "3"}


def test_entries_page_computes_performance_from_the_record(admin_client_and_round_for_record):
    client, round_id, database = admin_client_and_round_for_record
    r = client.post(f"/admin/rounds/{round_id}/candidates/c1", data={
        "class": "second_class", "ranking": "first_place", "award_national": "1", "performance_note": "n"})
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    row = database.one("SELECT data FROM round_entries WHERE candidate_id = 'c1' AND part = 'performance'")
    import json
    assert json.loads(row[0]) == {"base": "27", "bonus": "8"}
    bad = client.post(f"/admin/rounds/{round_id}/candidates/c1", data={
        "class": "second_class", "award_national": "-2"})
    assert bad.status_code == 400 and "award" in bad.get_data(as_text=True)


@pytest.fixture
def admin_client_and_round_for_record(instance):
    from conftest import ADMIN_PASSWORD

    from kiosk.app import create_app
    from kiosk.domain import rounds
    app = create_app(str(instance), {"WTF_CSRF_ENABLED": False})
    database = app.extensions["ballotroom_db"]
    rnd = rounds.create(database, "t", "r", [{"id": "section_chief", "posts": 1}])
    rounds.add_candidates(database, "t", rnd["id"], [{"id": "c1", "name": "甲", "level": "section_chief", "unit": "u"}])
    client = app.test_client()
    client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD})
    return client, rnd["id"], database


# --- the round pages in Chinese: names, not ids; the user's words; Chinese punctuation ----------

def _zh(admin_app):
    client = admin_app.test_client()
    client.post("/login", data={"name": "admin", "password": PASSWORD})
    return client


def _import_zh(client, doc) -> str:
    r = client.post("/admin/rounds/import", data={"round_text": json.dumps(doc, ensure_ascii=False, indent=2)})
    assert r.status_code == 400
    return _alert(r)


@pytest.mark.parametrize("change, words", [
    (lambda d: d.update(title="  "), "名称不能为空"),
    (lambda d: d["candidates"][1].update(name=""), "候选人“b”：姓名不能为空"),
    (lambda d: d.update(candidates=[]), "至少要有一名候选人"),
])
def test_import_refuses_what_the_create_form_refuses(admin_app, change, words):
    client = _zh(admin_app)
    doc = json.loads(json.dumps(SHEET_ROUND))
    change(doc)
    alert = _import_zh(client, doc)
    assert words in alert and "行" in alert
    assert _db(admin_app).one("SELECT count(*) FROM rounds")[0] == 0


def test_import_errors_name_the_candidate_part_and_level_by_name(admin_app):
    client = _zh(admin_app)
    doc = json.loads(json.dumps(SHEET_ROUND))
    doc["candidates"][0]["democratic"]["votes"] = -1
    alert = _import_zh(client, doc)
    assert "候选人“a”（第一）的民主推荐的得票数" in alert and "第 " in alert
    doc = json.loads(json.dumps(SHEET_ROUND))
    doc["levels"][0].update(name="正科级", posts=0)
    assert "section_chief" not in _import_zh(client, doc)
    doc = json.loads(json.dumps(SHEET_ROUND))
    doc["levels"][0]["name"], doc["levels"][1]["name"] = "正科级", "一般干部"
    doc["candidates"][0]["level"] = "nope"
    alert = _import_zh(client, doc)
    assert "正科级、一般干部" in alert
    assert "section_chief" not in alert and "general_cadre" not in alert
    empty = client.post("/admin/rounds/import", data={"round_text": ""})
    assert "round file" not in _alert(empty) and "批次文件" in _alert(empty)


def test_round_pages_name_levels_and_fields_in_chinese(admin_app):
    client = _zh(admin_app)
    r = client.post("/admin/rounds/", data={"title": "示例", "posts_section_chief": "x"})
    assert r.status_code == 400 and "正科级的职数" in _alert(r) and "第 1 个" not in _alert(r)
    rid = _import(client, SHEET_ROUND)
    page = _text(client.get(f"/admin/rounds/{rid}"))
    assert "section_chief" not in re.sub(r'(value|data-level)="[^"]*"', "", page)
    r = client.post(f"/admin/rounds/{rid}/candidates", data={"id": "z1", "name": "", "level": "section_chief"})
    assert r.status_code == 400 and "第 1 个" not in _alert(r) and "姓名" in _alert(r)
    r = client.post(f"/admin/rounds/{rid}/candidates", data={"paste": "z1,某某,处级,某局"})
    assert "正科级、一般干部" in _alert(r) or "一般干部、正科级" in _alert(r)
    scores = _text(client.get(f"/admin/rounds/{rid}/scores"))
    assert "得分汇总表：" in scores or "：评分汇总测试" in scores
    assert "汇总表: " not in scores
