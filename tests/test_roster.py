"""The sign-in roster: reading it (aliases, encodings, every faulty line named, nothing stored on a
fault), attendance following the door, the typed number with its logged reason, the API, the
pages and the printed sheet."""

from __future__ import annotations

import io
import json

import pytest
from conftest import ADMIN_PASSWORD, Api, contest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from kiosk.domain import roster
from kiosk.errors import Refusal

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}
MEMBERS = [{"name": "张伟", "unit": "城关镇", "post": "党委书记"},
           {"name": "王芳", "unit": "县财政局", "post": "局长"},
           {"name": "单雄信", "unit": "城关镇", "post": "镇长"},
           {"name": "李娜", "unit": "", "post": ""}]


@pytest.fixture
def api(client, admin_key):
    return Api(client, admin_key)


def with_roster(api, members=MEMBERS) -> tuple[str, dict]:
    meeting = api.meeting(50)
    r = api.client.put(f"/api/v1/meetings/{meeting}/roster", json={"members": members}, headers=api.headers)
    assert r.status_code == 200, r.get_json()
    doc = r.get_json()
    return meeting, {m["name"]: m["id"] for m in doc["members"]}


def act(api, meeting, member, action="sign-in", expect=200, headers=None):
    r = api.client.post(f"/api/v1/meetings/{meeting}/roster/{member}/{action}",
                        headers={**api.headers, **(headers or {})})
    assert r.status_code == expect, r.get_json()
    return r.get_json()


def events(database, type_):
    return [json.loads(r["payload"]) for r in database.query("SELECT payload FROM events WHERE type = ?", (type_,))]


# --- reading a roster -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "姓名,单位,职务\n张伟,城关镇,党委书记\n王芳,县财政局,局长",
    "name,unit,post\n张伟,城关镇,党委书记\n王芳,县财政局,局长",
    "职务,姓名,工作单位\n党委书记,张伟,城关镇\n局长,王芳,县财政局",  # any order, another alias
    "张伟,城关镇,党委书记\n王芳,县财政局,局长",  # no header: name, unit, post
    "张伟\t城关镇\t党委书记\n\n王芳\t县财政局\t局长\n",  # copied from a spreadsheet
    "\ufeff张伟，城关镇，党委书记\n王芳，县财政局，局长",  # BOM, Chinese commas
    "Name , Unit , Post\n张伟 , 城关镇 , 党委书记\n王芳,县财政局,局长",
])
def test_a_roster_reads_the_same_whatever_the_form(app, text):
    with app.test_request_context():
        assert roster.from_table(text) == [
            {"name": "张伟", "unit": "城关镇", "post": "党委书记"}, {"name": "王芳", "unit": "县财政局", "post": "局长"}]


def test_a_roster_file_in_gbk_or_utf8_decodes(app):
    text = "姓名,单位,职务\n张伟,城关镇,党委书记\n"
    with app.test_request_context():
        for data in (text.encode("gb18030"), text.encode("utf-8-sig"), text.encode("utf-8")):
            assert roster.from_table(roster.decode(data))[0]["name"] == "张伟"
        with pytest.raises(Refusal):
            roster.decode(b"\xff\xfe\x00\xd8\x00")


# (text, the lines named in Chinese, in English)
FAULTS = [
    ("姓名,单位,职务\n张伟,城关镇\n,县财政局,局长\n王芳,县财政局,局长,多余", ["第 3 行：缺少姓名", "第 4 行：栏数多于 3 栏"],
     ["line 3: the name is missing", "line 4: more cells than columns"]),
    ("张伟,城关镇\n王芳,县财政局\n张伟,城关镇", ["第 3 行：城关镇的张伟重复出现（另见第 1 行）"],
     ["line 3: 张伟 of 城关镇 is listed twice (also line 1)"]),
    ("姓名,部门\n张伟,城关镇", ["第 1 行：表头各栏须为"], ["line 1: the header's columns must be"]),
    ("单位,职务\n城关镇,书记", ["第 1 行：表头须有“姓名”一栏"], ["line 1: the header must name the column"]),
    ("张伟," + "镇" * 201, ["第 1 行：单位超过 200 个字"], ["line 1: unit has more than 200 characters"]),
    ("\n\n", ["名册为空"], ["the roster is empty"]),
]


@pytest.mark.parametrize("text,zh,en", FAULTS)
def test_every_faulty_line_is_named_in_the_readers_language(app, text, zh, en):
    for lang, wanted in (("zh_CN", zh), ("en", en)):
        with app.test_request_context(headers={"Accept-Language": lang.replace("_", "-")}, query_string={"lang": lang}):
            with pytest.raises(Refusal) as refused:
                roster.from_table(text)
            message = refused.value.message
            for part in wanted:
                assert part in message, (lang, message)


def test_pinyin_initials_and_full_pinyin_find_a_name():
    assert "zw" in roster.search_keys("张伟")
    assert "zhangwei" in roster.search_keys("张伟")
    keys = roster.search_keys("单雄信")  # 单 as a surname is shan; dan is its usual reading
    assert "sxx" in keys and "dxx" in keys
    assert roster.search_keys("Li Na") == ["lina"]


# --- attendance follows the door -------------------------------------------------------------------

def test_attendance_follows_sign_in_leave_and_cancel(api, database):
    meeting, ids = with_roster(api)
    got = api.get(f"/meetings/{meeting}")
    assert (got["expected"], got["present"]) == (4, 0)
    assert act(api, meeting, ids["张伟"])["present"] == 1
    assert act(api, meeting, ids["王芳"])["present"] == 2
    assert act(api, meeting, ids["王芳"], "leave")["present"] == 1
    back = act(api, meeting, ids["王芳"])
    assert back["present"] == 2 and back["member"]["state"] == "present"
    assert act(api, meeting, ids["张伟"], "cancel")["present"] == 1
    doc = api.get(f"/meetings/{meeting}/roster")
    assert doc["present"] == 1 == api.get(f"/meetings/{meeting}")["present"]
    assert doc["counts"] == {"members": 4, "signed_in": 1, "absent": 3, "present": 1, "left": 0, "late": 0}
    assert [e["name"] for e in events(database, "roster.signed_in")] == ["张伟", "王芳", "王芳"]
    assert events(database, "roster.signed_in")[-1].get("returned") is True
    assert [e["present"] for e in events(database, "roster.left")] == [1]


def test_two_clerks_never_count_one_member_twice(api):
    meeting, ids = with_roster(api)
    act(api, meeting, ids["张伟"])
    refused = act(api, meeting, ids["张伟"], expect=409, headers=ZH)
    assert refused["message"] == "当前无法执行此操作：张伟 已签到"
    assert act(api, meeting, ids["王芳"], "leave", expect=409, headers=EN)["message"].endswith("王芳 has not signed in")
    assert act(api, meeting, ids["王芳"], "cancel", expect=409)["detail"]["member_state"] == "absent"
    act(api, meeting, "nobody", expect=404)
    assert api.get(f"/meetings/{meeting}")["present"] == 1


def test_a_member_who_signs_in_after_voting_began_came_late(api):
    meeting, ids = with_roster(api)
    act(api, meeting, ids["张伟"])
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    api.tokens(poll, 1)
    api.open(poll)
    act(api, meeting, ids["王芳"])
    late = {m["name"]: m["late"] for m in api.get(f"/meetings/{meeting}/roster")["members"]}
    assert late == {"张伟": False, "王芳": True, "单雄信": False, "李娜": False}


def test_the_quorum_follows_the_sign_in(api):
    # A standing committee needs two thirds of those who should attend.
    meeting, ids = with_roster(api, MEMBERS[:3])
    poll = api.poll(meeting, "standing_committee", [contest()])
    api.tokens(poll, 3)
    api.open(poll)
    assert api.get(f"/polls/{poll}/results")["quorum_met"] is False
    act(api, meeting, ids["张伟"])
    assert api.get(f"/polls/{poll}/results")["quorum_met"] is False
    act(api, meeting, ids["王芳"])
    assert api.get(f"/polls/{poll}/results")["quorum_met"] is True
    act(api, meeting, ids["王芳"], "leave")
    assert api.get(f"/polls/{poll}/results")["quorum_met"] is False


def test_a_typed_number_is_refused_with_a_roster_and_logs_its_reason_without(api, database):
    meeting, _ids = with_roster(api)
    r = api.client.post(f"/api/v1/meetings/{meeting}/attendance", json={"present": 3}, headers={**api.headers, **ZH})
    assert r.status_code == 409 and "签到名册" in r.get_json()["message"]
    plain = api.meeting(20)
    api.post(f"/meetings/{plain}/attendance", {"present": 18, "reason": "无名册，现场清点"}, 200)
    assert events(database, "meeting.attendance")[-1] == {"meeting": plain, "present": 18, "reason": "无名册，现场清点"}


def test_the_roster_is_replaced_only_before_anyone_signs_in_or_a_poll_opens(api):
    meeting, ids = with_roster(api)
    with_roster_again = api.client.put(f"/api/v1/meetings/{meeting}/roster", json={"members": MEMBERS[:2]},
                                       headers=api.headers)
    assert with_roster_again.status_code == 200 and with_roster_again.get_json()["expected"] == 2
    new_ids = {m["name"]: m["id"] for m in with_roster_again.get_json()["members"]}
    act(api, meeting, new_ids["张伟"])
    r = api.client.put(f"/api/v1/meetings/{meeting}/roster", json={"members": MEMBERS}, headers=api.headers)
    assert r.status_code == 409
    other, _ = with_roster(api)
    poll = api.poll(other, "democratic_recommendation", [contest()])
    api.open(poll)
    r = api.client.put(f"/api/v1/meetings/{other}/roster", json={"members": MEMBERS}, headers=api.headers)
    assert r.status_code == 409


def test_a_faulty_roster_through_the_api_stores_nothing(api, database):
    meeting = api.meeting(30)
    before = database.one("SELECT count(*) FROM events")[0]
    r = api.client.put(f"/api/v1/meetings/{meeting}/roster", headers={**api.headers, **ZH},
                       json={"members": [*MEMBERS, {"name": "张伟", "unit": "城关镇"}]})
    assert r.status_code == 400
    assert r.get_json()["detail"]["problems"] == ["第 5 位人员：城关镇的张伟重复出现（另见第 1 位人员），每人只列一次"]
    r = api.client.put(f"/api/v1/meetings/{meeting}/roster", json={"members": [{"unit": "城关镇"}]},
                       headers=api.headers)
    assert r.status_code == 400
    assert database.one("SELECT count(*) FROM roster_members")[0] == 0
    assert database.one("SELECT count(*) FROM events")[0] == before
    assert api.get(f"/meetings/{meeting}")["expected"] == 30


def test_a_chair_key_signs_in_but_does_not_replace_the_roster(client, api, chair_key):
    meeting, ids = with_roster(api)
    chair = Api(client, chair_key)
    assert chair.post(f"/meetings/{meeting}/roster/{ids['李娜']}/sign-in", None, 200).get_json()["present"] == 1
    r = client.put(f"/api/v1/meetings/{meeting}/roster", json={"members": MEMBERS}, headers=chair.headers)
    assert r.status_code == 403


ACTS = st.lists(st.tuples(st.integers(0, len(MEMBERS) - 1), st.sampled_from(["sign-in", "leave", "cancel"])),
                max_size=25)


@given(steps=ACTS)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_attendance_is_always_the_members_signed_in_and_not_gone(app, admin_key, steps):
    api = Api(app.test_client(), admin_key)
    meeting, ids = with_roster(api)
    names = list(ids)
    for index, action in steps:
        r = api.client.post(f"/api/v1/meetings/{meeting}/roster/{ids[names[index]]}/{action}", headers=api.headers)
        assert r.status_code in (200, 409)
        doc = api.get(f"/meetings/{meeting}/roster")
        present = sum(1 for m in doc["members"] if m["state"] == "present")
        assert doc["present"] == present == api.get(f"/meetings/{meeting}")["present"] <= doc["expected"]
        assert doc["counts"]["absent"] + doc["counts"]["signed_in"] == doc["expected"]


# --- pages ---------------------------------------------------------------------------------------

@pytest.fixture
def admin(app, client):
    app.config["WTF_CSRF_ENABLED"] = False  # the forms' tokens are tested in test_admin_pages
    client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD})
    client.get("/admin/?lang=zh_CN")
    return client


def _meeting(api) -> str:
    return api.meeting(40, title="正科级干部民主推荐会")


def test_the_page_imports_a_pasted_roster_and_names_faulty_lines(admin, api, database):
    meeting = _meeting(api)
    bad = admin.post(f"/admin/meetings/{meeting}/roster/import",
                     data={"paste": "姓名,单位,职务\n张伟,城关镇,书记\n,县财政局,局长\n张伟,城关镇,副书记"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "第 3 行：缺少姓名" in page and "第 4 行：城关镇的张伟重复出现（另见第 2 行）" in page
    assert "张伟,城关镇,副书记" in page  # what was typed stays
    assert database.one("SELECT count(*) FROM roster_members")[0] == 0
    good = admin.post(f"/admin/meetings/{meeting}/roster/import",
                      data={"paste": "姓名,单位,职务\n张伟,城关镇,书记\n王芳,县财政局,局长"}, follow_redirects=True)
    assert good.status_code == 200 and "名册已导入：共 2 人" in good.get_data(as_text=True)
    assert api.get(f"/meetings/{meeting}")["expected"] == 2


def test_the_page_imports_a_gbk_csv_file(admin, api):
    meeting = _meeting(api)
    data = "姓名,单位,职务\n张伟,城关镇,书记\n王芳,县财政局,局长\n".encode("gb18030")
    r = admin.post(f"/admin/meetings/{meeting}/roster/import", content_type="multipart/form-data",
                   data={"csv_file": (io.BytesIO(data), "名册.csv"), "paste": ""}, follow_redirects=True)
    assert r.status_code == 200
    assert [m["name"] for m in api.get(f"/meetings/{meeting}/roster")["members"]] == ["张伟", "王芳"]


def test_the_door_page_finds_by_pinyin_and_ticks(admin, api):
    meeting = _meeting(api)
    api.client.put(f"/api/v1/meetings/{meeting}/roster", json={"members": MEMBERS}, headers=api.headers)
    ids = {m["name"]: m["id"] for m in api.get(f"/meetings/{meeting}/roster")["members"]}
    page = admin.get(f"/admin/meetings/{meeting}/roster/door?q=sxx").get_data(as_text=True)
    assert "单雄信" in page and "王芳" not in page
    # Without the script: a form, then back to the list with a sentence.
    r = admin.post(f"/admin/meetings/{meeting}/roster/{ids['单雄信']}/sign_in", data={"q": "sxx"})
    assert r.status_code == 303 and "q=sxx" in r.headers["Location"]
    assert "单雄信 于" in admin.get(r.headers["Location"]).get_data(as_text=True)
    # With it: JSON, the row redrawn, the counts.
    r = admin.post(f"/admin/meetings/{meeting}/roster/{ids['张伟']}/sign_in", headers={"Accept": "application/json"})
    body = r.get_json()
    assert r.status_code == 200 and body["counts"]["present"] == 2 and 'data-state="present"' in body["row"]
    again = admin.post(f"/admin/meetings/{meeting}/roster/{ids['张伟']}/sign_in",
                       headers={"Accept": "application/json"})
    assert again.status_code == 409 and again.get_json()["message"] == "当前无法执行此操作：张伟 已签到"
    overview = admin.get(f"/admin/meetings/{meeting}/roster").get_data(as_text=True)
    assert "未到（2 人）" in overview and "王芳" in overview
    meeting_page = admin.get(f"/admin/meetings/{meeting}").get_data(as_text=True)
    assert "实到人数按签到名册计：实到 2 人，未到 2 人。" in meeting_page
    assert 'name="present"' not in meeting_page  # no typed number beside a roster


def test_the_meeting_page_asks_why_a_number_is_typed(admin, api, database):
    meeting = _meeting(api)
    r = admin.post(f"/admin/meetings/{meeting}/attendance", data={"present": "30", "reason": " "})
    assert r.status_code == 400 and "请说明为何手工填写实到人数" in r.get_data(as_text=True)
    assert api.get(f"/meetings/{meeting}")["present"] is None
    r = admin.post(f"/admin/meetings/{meeting}/attendance", data={"present": "30", "reason": "现场清点"})
    assert r.status_code == 303
    assert events(database, "meeting.attendance")[-1]["reason"] == "现场清点"


def test_the_sign_in_sheet_groups_members_by_unit_with_a_line_to_sign(admin, api):
    meeting = _meeting(api)
    many = [{"name": f"成员{i:02d}", "unit": ("城关镇", "县财政局", "县教育局")[i % 3], "post": "干部"} for i in range(60)]
    api.client.put(f"/api/v1/meetings/{meeting}/roster", json={"members": many}, headers=api.headers)
    r = admin.get(f"/admin/meetings/{meeting}/roster/sheet.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(r.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    pages = len(reader.pages)
    assert pages >= 2
    assert "正科级干部民主推荐会" in text and "签到表" in text and "本人签名" in text and "应到人数：60" in text
    assert f"第 1 页 共 {pages} 页" in text
    # Grouped: all of a unit's members come before the next unit's heading.
    order = [text.index(unit) for unit in ("城关镇", "县财政局", "县教育局")]
    assert order == sorted(order)
    assert text.index("成员03") < text.index("县财政局") < text.index("成员01")
    empty = _meeting(api)
    assert admin.get(f"/admin/meetings/{empty}/roster/sheet.pdf").status_code == 409


# --- a member the roster left out ------------------------------------------------------------------

def add(api, meeting, member, expect=201, headers=None):
    r = api.client.post(f"/api/v1/meetings/{meeting}/roster/members", json=member,
                        headers={**api.headers, **(headers or {})})
    assert r.status_code == expect, r.get_json()
    return r.get_json()


def test_a_member_left_out_is_added_after_sign_in_began_and_before_voting(api, database):
    meeting, ids = with_roster(api)
    act(api, meeting, ids["张伟"])  # the door is open: members have signed in
    added = add(api, meeting, {"name": "赵磊", "unit": "县教育局", "post": "局长"})
    assert added["expected"] == 5 and added["member"]["state"] == "absent"
    assert act(api, meeting, added["member"]["id"])["present"] == 2
    doc = api.get(f"/meetings/{meeting}/roster")
    assert [m["name"] for m in doc["members"]][-1] == "赵磊" and doc["expected"] == 5
    assert doc["counts"]["present"] == 2 and api.get(f"/meetings/{meeting}")["expected"] == 5
    assert events(database, "roster.member_added") == [
        {"meeting": meeting, "member": added["member"]["id"], "name": "赵磊", "expected": 5}]
    # A namesake of another unit is someone else; the same name and unit is the same person.
    add(api, meeting, {"name": "张伟", "unit": "县教育局"})
    refused = add(api, meeting, {"name": "张伟", "unit": "城关镇"}, expect=400, headers=ZH)
    assert "城关镇的张伟已在名册中" in refused["message"]
    assert api.get(f"/meetings/{meeting}")["expected"] == 6


def test_no_member_is_added_once_voting_began_or_without_a_roster(api, database):
    meeting, _ids = with_roster(api)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    api.tokens(poll, 1)
    api.open(poll)
    plain = api.meeting(20)
    before = database.one("SELECT count(*) FROM events")[0]
    assert add(api, meeting, {"name": "赵磊"}, expect=409)["error"] == "state"
    assert add(api, plain, {"name": "赵磊"}, expect=409, headers=ZH)["error"] == "state"
    assert add(api, plain, {"name": "  "}, expect=400)["error"] == "invalid"
    assert database.one("SELECT count(*) FROM events")[0] == before
    assert database.one("SELECT count(*) FROM roster_members WHERE name = '赵磊'")[0] == 0
    assert (api.get(f"/meetings/{meeting}")["expected"], api.get(f"/meetings/{plain}")["expected"]) == (4, 20)


def test_the_page_adds_a_member_and_keeps_what_was_typed_on_a_refusal(admin, api):
    meeting, _ids = with_roster(api)
    page = admin.get(f"/admin/meetings/{meeting}/roster").get_data(as_text=True)
    assert "data-add-member" in page
    refused = admin.post(f"/admin/meetings/{meeting}/roster/add", data={"name": "张伟", "unit": "城关镇", "post": "副书记"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "data-add-error" in text and 'value="副书记"' in text
    done = admin.post(f"/admin/meetings/{meeting}/roster/add", data={"name": "赵磊", "unit": "县教育局", "post": ""},
                      follow_redirects=True)
    assert done.status_code == 200 and "赵磊" in done.get_data(as_text=True)
    assert api.get(f"/meetings/{meeting}")["expected"] == 5
