"""Paper ballots as a reviewer drove them: the number handed out is bounded (members expected less
the ballots out), asked to confirm on the page beyond members present, and corrected by taking
unused ones back (logged, only before any is entered, and the counts still reconcile); a number
once given to a first entry is never given to another ballot, and a ballot whose entries differ
keeps its number; every refusal of the paper box reads as a Chinese sentence in zh-CN."""

from __future__ import annotations

import pytest
from conftest import ADMIN_PASSWORD, Api, contest
from test_messages import HAN, english_in_chinese, western_punctuation

from kiosk.app import create_app
from tally import counts as tc

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def app(instance):
    """The pages' forms are posted without their CSRF token here (as in test_admin_pages)."""
    return create_app(str(instance), {"TESTING": True, "WTF_CSRF_ENABLED": False})


@pytest.fixture
def second(client, chair_key):
    return Api(client, chair_key)


def _poll(api, expected=10, present=None, max_choices=1):
    meeting = api.meeting(expected, present=present)
    return api.poll(meeting, "democratic_recommendation",
                    [{**contest("c1", max_choices=max_choices, names=("甲", "乙", "丙")), "title": "正科级"}])


def _zh(api, path, body=None):
    """A refusal as a Chinese reader gets it: its status and sentence."""
    r = api.client.post(f"/api/v1{path}", json=body, headers={**api.headers, **ZH})
    return r.status_code, r.get_json()


def _reads_as_chinese(message: str) -> None:
    assert HAN.search(message) and not english_in_chinese(message) and not western_punctuation(message), message


def test_handed_out_is_bounded_by_members_expected_and_says_so(api):
    poll = _poll(api, expected=10)
    status, body = _zh(api, f"/polls/{poll}/paper/handed-out", {"count": 1000})
    assert status == 400 and body["detail"]["field"] == "count"
    _reads_as_chinese(body["message"])
    assert "最多还可发放 10 张纸质选票" in body["message"] and "应到 10 人" in body["message"]
    assert "选票凭条张数" not in body["message"]  # paper ballots, not slips
    api.tokens(poll, 3)
    api.post(f"/polls/{poll}/paper/handed-out", {"count": 5}, 200)
    assert api.get(f"/polls/{poll}/paper")["room"] == 2
    status, body = _zh(api, f"/polls/{poll}/paper/handed-out", {"count": 3})
    assert status == 400 and "已发出选票凭条 3 张、纸质选票 5 张" in body["message"]
    api.post(f"/polls/{poll}/paper/handed-out", {"count": 2}, 200)
    status, body = _zh(api, f"/polls/{poll}/paper/handed-out", {"count": 1})
    assert status == 400 and "不能再发放纸质选票" in body["message"]
    _reads_as_chinese(body["message"])
    status, body = _zh(api, f"/polls/{poll}/paper/handed-out", {"count": 100001})
    assert status == 400 and "发放的纸质选票张数" in body["message"]
    assert api.get(f"/polls/{poll}/paper")["handed_out"] == 7


def _login(client):
    client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD})


def test_the_page_asks_to_confirm_more_ballots_than_members_present(api, client):
    poll = _poll(api, expected=10, present=6)
    _login(client)
    asked = client.post(f"/admin/polls/{poll}/paper/handed-out", data={"count": "7"}, headers=ZH)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 409 and "data-confirm" in page and "data-error" not in page
    assert "多于实到的 6 人" in page and "是，登记发放 7 张纸质选票" in page
    assert api.get(f"/polls/{poll}/paper")["handed_out"] == 0  # nothing recorded before the confirmation
    assert client.post(f"/admin/polls/{poll}/paper/handed-out", data={"count": "7", "confirm": "yes"}).status_code == 303
    assert api.get(f"/polls/{poll}/paper")["handed_out"] == 7
    # Within members present: no question.
    other = _poll(api, expected=10, present=6)
    assert client.post(f"/admin/polls/{other}/paper/handed-out", data={"count": "6"}).status_code == 303


def test_unused_paper_ballots_are_taken_back_logged_and_the_counts_reconcile(api, second, database):
    poll = _poll(api, expected=10)
    tokens = api.tokens(poll, 2)
    api.post(f"/polls/{poll}/paper/handed-out", {"count": 8}, 200)
    status, body = _zh(api, f"/polls/{poll}/paper/taken-back", {"count": 9, "reason": "张数输错"})
    assert status == 400 and "最多可核减 8 张" in body["message"]
    _reads_as_chinese(body["message"])
    status, body = _zh(api, f"/polls/{poll}/paper/taken-back", {"count": 2, "reason": "  "})
    assert status == 400 and body["detail"]["field"] == "reason"
    box = api.post(f"/polls/{poll}/paper/taken-back", {"count": 5, "reason": "张数输错"}, 200).get_json()
    assert box["handed_out"] == 3 and box["take_back_room"] == 3 and box["room"] == 5
    logged = database.query("SELECT payload FROM events WHERE type = 'paper.taken_back'")
    assert len(logged) == 1 and "张数输错" in logged[0]["payload"] and '"count":5' in logged[0]["payload"]
    api.open(poll)
    api.post(f"/polls/{poll}/paper/exchange", {"token": tokens[0], "reason": "终端无法识别"}, 200)
    assert api.get(f"/polls/{poll}/paper")["take_back_room"] == 3  # never the one given for the failed slip
    first = api.post(f"/polls/{poll}/paper/entries", {"choices": {"c1": ["k1"]}}, 201).get_json()
    status, body = _zh(api, f"/polls/{poll}/paper/taken-back", {"count": 1, "reason": "退回"})
    assert status == 409 and "已有纸质选票录入" in body["message"]
    _reads_as_chinese(body["message"])
    second.post(f"/polls/{poll}/paper/entries/{first['number']}", {"choices": {"c1": ["k1"]}}, 200)
    api.post(f"/polls/{poll}/paper/close", None, 200)
    api.close(poll)
    counts = api.results(poll)["counts"]
    # 发出: 2 slips + 4 paper (3 after taking back, 1 exchanged); 收回 1; 作废: 2 slips, 3 paper never returned.
    assert (counts["issued"], counts["returned"], counts["voided"]) == (6, 1, 5)
    assert tc.balanced(counts, closed=True)


def test_a_number_is_never_given_twice_and_a_ballot_that_differed_keeps_its_own(api, second, database):
    poll = _poll(api, expected=10)
    api.post(f"/polls/{poll}/paper/handed-out", {"count": 4}, 200)
    api.open(poll)

    def first(choice):
        return api.post(f"/polls/{poll}/paper/entries", {"choices": {"c1": [choice]}}, 201).get_json()["number"]

    assert (first("k1"), first("k2")) == (1, 2)
    mismatch = second.post(f"/polls/{poll}/paper/entries/1", {"choices": {"c1": ["k3"]}}, 200).get_json()
    assert mismatch["outcome"] == "mismatch" and mismatch["number"] == 1
    assert second.post(f"/polls/{poll}/paper/entries/2", {"choices": {"c1": ["k2"]}}, 200).get_json() == {
        "poll": poll, "outcome": "accepted", "number": 2, "differ": []}
    # The reviewer's case: ballot 1 differed and ballot 2 was accepted; a new paper gets 3.
    assert first("k2") == 3
    box = api.get(f"/polls/{poll}/paper")
    assert box["again"] == [1] and [w["number"] for w in box["waiting"]] == [3]
    status, body = _zh(api, f"/polls/{poll}/paper/close")
    assert status == 409 and "须重新录入" in body["message"]
    _reads_as_chinese(body["message"])
    # Ballot 1 entered again by both, under its own number, in either order.
    again = second.post(f"/polls/{poll}/paper/entries/1", {"choices": {"c1": ["k1"]}}, 200).get_json()
    assert again == {"poll": poll, "outcome": "waiting", "number": 1, "differ": []}
    assert api.post(f"/polls/{poll}/paper/entries/1", {"choices": {"c1": ["k1"]}}, 200).get_json()["outcome"] == "accepted"
    assert second.post(f"/polls/{poll}/paper/entries/3", {"choices": {"c1": ["k2"]}}, 200).get_json()["outcome"] == "accepted"
    assert first("k3") == 4
    assert api.post(f"/polls/{poll}/paper/entries/1", {"choices": {}}).status_code == 404  # accepted: gone
    # Secrecy: the number is nowhere beside a stored ballot, and no entry row is left for the accepted.
    with database.read() as conn:
        assert [r[0] for r in conn.execute("SELECT number FROM paper_entries WHERE poll_id = ?", (poll,))] == [4]
        columns = [r[1] for r in conn.execute("PRAGMA table_info(paper_ballots)")]
    assert columns == ["poll_id", "id", "answers", "spoiled"]


def test_a_ballot_spoiled_whole_is_entered_with_the_marks_as_made(api, second, client):
    """The page says to enter every mark as made: ticks beside "spoiled whole" are set aside."""
    poll = _poll(api, expected=10, max_choices=1)
    api.post(f"/polls/{poll}/paper/handed-out", {"count": 1}, 200)
    api.open(poll)
    first = api.post(f"/polls/{poll}/paper/entries", {"choices": {"c1": ["k1", "k2"]}, "spoiled": "marked"},
                     201).get_json()
    assert second.post(f"/polls/{poll}/paper/entries/{first['number']}", {"choices": {}, "spoiled": "marked"},
                       200).get_json()["outcome"] == "accepted"
    _login(client)
    r = client.post(f"/admin/polls/{poll}/paper/entries", data={"c:c1": "k1", "spoiled": "unreadable"}, headers=ZH)
    assert r.status_code == 303
    api.post(f"/polls/{poll}/paper/close", None, 409)  # the page's entry waits for its second
    page = client.get(f"/admin/polls/{poll}/paper", headers=ZH).get_data(as_text=True)
    assert "上面勾选的格子不予计入" in page and "写在这张纸质选票上" in page


def test_every_refusal_of_the_paper_box_reads_as_chinese(api, second):
    poll = _poll(api, expected=10)
    tokens = api.tokens(poll, 3)
    refused = [_zh(api, f"/polls/{poll}/paper/entries", {"choices": {}}),  # a draft
               _zh(api, f"/polls/{poll}/paper/exchange", {"token": tokens[0], "reason": "无法识别"})]
    api.open(poll)
    assert api.vote(tokens[0], {"c1": ["k1"]}).status_code == 201
    api.post(f"/polls/{poll}/paper/exchange", {"token": tokens[1], "reason": "终端无法识别"}, 200)
    refused += [
        _zh(api, f"/polls/{poll}/paper/exchange", {"token": tokens[0], "reason": "无法识别"}),  # used
        _zh(api, f"/polls/{poll}/paper/exchange", {"token": tokens[1], "reason": "无法识别"}),  # void
        _zh(api, f"/polls/{poll}/paper/exchange", {"token": tokens[2], "reason": " "}),
        _zh(api, f"/polls/{poll}/paper/entries", {"choices": {"c9": []}}),
        _zh(api, f"/polls/{poll}/paper/entries", {"choices": {"c1": ["k9"]}}),
        _zh(api, f"/polls/{poll}/paper/entries", {"choices": {"c1": ["k1", "k1"]}}),
        _zh(api, f"/polls/{poll}/paper/entries", {"choices": {"c1": "k1"}}),
        _zh(api, f"/polls/{poll}/paper/entries", {"choices": {}, "spoiled": "torn"}),
        _zh(api, f"/polls/{poll}/paper/entries", {"answers": {}}),
        _zh(api, f"/polls/{poll}/paper/taken-back", {"count": 0, "reason": "错"}),
    ]
    waiting = api.post(f"/polls/{poll}/paper/entries", {"choices": {}}, 201).get_json()["number"]
    refused += [_zh(api, f"/polls/{poll}/paper/entries/{waiting}", {"choices": {}}),  # the same scrutineer
                _zh(api, f"/polls/{poll}/paper/close")]
    second.post(f"/polls/{poll}/paper/entries/{waiting}", {"choices": {}}, 200)
    api.post(f"/polls/{poll}/paper/close", None, 200)
    refused.append(_zh(api, f"/polls/{poll}/paper/entries", {"choices": {}}))  # the box is closed
    api.close(poll)
    refused.append(_zh(api, f"/polls/{poll}/paper/handed-out", {"count": 1}))  # the poll is closed
    for status, body in refused:
        assert status in (400, 409), body
        _reads_as_chinese(body["message"])
    messages = [b["message"] for _, b in refused]
    assert any("已使用" in m for m in messages) and any("已作废" in m for m in messages)
    assert any("尚未开始" in m for m in messages) and any("已结束" in m for m in messages)
    assert any("本投票没有的职位“c9”" in m for m in messages)
    assert any("“勾选的姓名”中有选票上“正科级”没有的格子“k9”" in m for m in messages)


@pytest.mark.parametrize(("kind", "entry"), [
    ("standing_committee", {"answers": {"k1": ["agree", "agree"]}}),
    ("standing_committee", {"answers": {"k1": ["否"]}}),
    ("character", {"items": {"k1": [["none"]]}}),
    ("character", {"items": {"k1": [["none"], ["none", "none"]] + [[]] * 8}}),
])
def test_refusals_of_the_per_candidate_shapes_read_as_chinese(api, kind, entry):
    meeting = api.meeting(10)
    poll = api.poll(meeting, kind, [contest("c1", names=("张伟", "王芳"))])
    api.open(poll)
    status, body = _zh(api, f"/polls/{poll}/paper/entries", entry)
    assert status == 400
    _reads_as_chinese(body["message"])
    assert "张伟" in body["message"]
