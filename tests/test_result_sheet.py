"""The result sheet as an official record: meeting, place, local times, reconciled counts,
percentages beside outcomes, named signature lines, page n of N, the footer; PDF and print view."""

from __future__ import annotations

import io
import re

import pytest
from conftest import ADMIN_PASSWORD, contest

from kiosk.app import create_app
from kiosk.domain import records

pypdf = pytest.importorskip("pypdf")


@pytest.fixture
def web(instance):
    client = create_app(str(instance), {"WTF_CSRF_ENABLED": False}).test_client()
    client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD})
    return client


def _closed(api, web, kind="democratic_recommendation", contests=None, answers=None):
    meeting = api.meeting(18, present=16, title="全县干部大会")
    poll = api.poll(meeting, kind, contests or [contest("c1", names=("张伟", "王芳", "李娜"))], title="民主推荐")
    tokens = api.tokens(poll, 5)
    api.open(poll)
    for token, choice in zip(tokens[:3], (["k1"], ["k1"], ["k2"]), strict=True):
        assert api.vote(token, answers or {"c1": choice}).status_code == 201
    web.post(f"/chair/polls/{poll}/records", data={
        "place": "县委常委会议室", "chair": "赵一", "scrutineers": "钱二、孙三", "tellers": "李四"})
    api.close(poll)
    return poll


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages))


def test_pdf_is_an_official_record(api, web):
    poll = _closed(api, web)
    r = web.get(f"/chair/polls/{poll}/result.pdf?lang=zh_CN")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    text = _text(r.data)
    for words in ("全县干部大会", "县委常委会议室", "Asia/Shanghai", "赵一", "钱二", "孙三", "李四",
                  "第1页共1页", "ballotroomverify"):
        assert words in text, words
    # the counts reconcile: 5 issued = 3 returned + 2 void, 2 not voted
    assert "发出5张=收回3张+作废2张" in text
    # 2 of 3 is 66.66…%, cut off; 1 of 3 (33.33…%) reaches the 30% line
    assert "66.6%" in text and "33.3%" in text and "达到30%" in text
    # every signer on a line of their own: four names, four signature places
    assert text.count("在此签名") == 4
    doc = api.results(poll)
    assert doc["digest"] in text


def test_print_view_says_the_same(api, web):
    poll = _closed(api, web)
    page = web.get(f"/chair/polls/{poll}/result?lang=zh_CN").get_data(as_text=True)
    assert 'data-balanced="yes"' in page and "县委常委会议室" in page and "66.6%" in page
    assert page.count("在此签名") == 4


def test_no_sheet_before_the_close(api, web):
    meeting = api.meeting(3)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    assert web.get(f"/chair/polls/{poll}/result.pdf").status_code == 409
    assert web.get(f"/chair/polls/{poll}/result").status_code == 409


def test_local_times_follow_the_timezone_setting(api, instance):
    (instance / "config.toml").write_text('timezone = "Europe/Paris"\n', encoding="utf-8")
    client = create_app(str(instance), {"WTF_CSRF_ENABLED": False}).test_client()
    client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD})
    poll = _closed(api, client)
    assert "Europe/Paris" in _text(client.get(f"/chair/polls/{poll}/result.pdf").data)


@pytest.mark.parametrize(("field", "value"), [
    ("place", "地" * 201), ("chair", "赵一、钱二"), ("scrutineers", "、".join(f"人{i}" for i in range(10))),
    ("tellers", "名" * 51)])
def test_bad_records_change_nothing(api, web, database, field, value):
    meeting = api.meeting(3)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    web.post(f"/chair/polls/{poll}/records", data={"place": "会议室", "chair": "赵一"})
    r = web.post(f"/chair/polls/{poll}/records", data={"place": "会议室", "chair": "赵一", field: value},
                 follow_redirects=True)
    assert r.status_code == 200
    assert records.get(database, poll) == {"place": "会议室", "chair": ["赵一"], "scrutineers": [], "tellers": []}


def test_records_need_an_administrator(api, instance):
    meeting = api.meeting(3)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    client = create_app(str(instance), {"WTF_CSRF_ENABLED": False}).test_client()
    assert client.post(f"/chair/polls/{poll}/records", data={"place": "x"}).status_code == 302  # to the login


def test_names_split_on_lines_and_chinese_separators():
    assert records.names("钱二、孙三\n李四，周五; 吴六") == ["钱二", "孙三", "李四", "周五", "吴六"]
    assert records.names("") == []


# --- the signatures stay with the figures they certify ---------------------------------------------

def _people(prefix, names):
    return [{"id": f"{prefix}{i}", "name": n} for i, n in enumerate(names, 1)]


def _closed_with(api, web, kind, contests, answers):
    meeting = api.meeting(11, present=11, title="县委常委会")
    poll = api.poll(meeting, kind, contests, title="干部任用")
    tokens = api.tokens(poll, 11)
    api.open(poll)
    for token in tokens[:10]:
        assert api.vote(token, answers).status_code == 201
    web.post(f"/chair/polls/{poll}/records", data={
        "place": "县委常委会议室", "chair": "赵一", "scrutineers": "钱二、孙三", "tellers": "李四、周五"})
    api.close(poll)
    pdf = web.get(f"/chair/polls/{poll}/result.pdf?lang=zh_CN").data
    return [re.sub(r"\s+", "", page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_a_committee_of_two_posts_with_five_signers_fits_one_page(api, web):
    pages = _closed_with(api, web, "standing_committee", [
        {"id": "p1", "title": "县财政局副局长", "places": 1, "candidates": _people("a", ["张伟", "李娜", "刘洋"])},
        {"id": "p2", "title": "县交通运输局局长", "places": 1, "candidates": _people("b", ["王强", "赵敏", "陈静"])}],
        {**{f"a{i}": "agree" for i in (1, 2, 3)}, **{f"b{i}": "disagree" for i in (1, 2, 3)}})
    assert len(pages) == 1
    assert pages[0].count("在此签名") == 5 and "陈静" in pages[0]


@pytest.mark.parametrize("shape", ["four posts", "a survey of 40"])
def test_the_signatures_never_stand_alone_on_a_page(api, web, shape):
    if shape == "four posts":
        contests = [{"id": f"p{j}", "title": f"县第{j}局副局长", "places": 1,
                     "candidates": _people(f"x{j}-", ["张伟", "李娜", "刘洋", "王强"])} for j in range(1, 5)]
        answers = {f"x{j}-{i}": "agree" for j in range(1, 5) for i in range(1, 5)}
        kind, last = "standing_committee", "县第4局副局长"
    else:
        contests = [{"id": "s", "title": "新提拔干部", "places": 1,
                     "candidates": _people("s", [f"测评对象{i:02d}" for i in range(1, 41)])}]
        answers = {f"s{i}": "satisfied" for i in range(1, 41)}
        kind, last = "survey", "测评对象40"
    pages = _closed_with(api, web, kind, contests, answers)
    assert len(pages) >= 2
    signed = [page for page in pages if "在此签名" in page]
    assert len(signed) == 1 and signed[0].count("在此签名") == 5
    # On that page, the last of the results the signatures certify.
    assert last in signed[0]


def test_the_footer_says_what_each_of_its_three_codes_is_for(api, web):
    poll = _closed(api, web)
    text = _text(web.get(f"/chair/polls/{poll}/result.pdf?lang=zh_CN").data)
    for code in ("票箱校验码", "签名核对码", "结束投票时的日志核对码"):
        assert code in text
    assert "以上三项用于核对" in text and "以上两项" not in text
    english = _text(web.get(f"/chair/polls/{poll}/result.pdf?lang=en").data)
    assert "Thesethreeareforchecking" in english and "logverify--head" in english
