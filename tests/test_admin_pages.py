"""The administrator's pages (admin/clerk.py) through Flask's test client."""

from __future__ import annotations

import io
import re

import pytest
from conftest import new_instance

from admin import slip_batches
from admin.poll_input import contests_from_table, finalize
from kiosk.app import create_app
from kiosk.domain import counting

PASSWORD = "a long admin password"
CODE = re.compile(r"<code>([0-9A-Z]{4}(?:-[0-9A-Z]{2,4}){5})</code>")


def _english(client):
    """Pages in English (the default is Chinese once the catalog is compiled)."""
    client.get("/login?lang=en")
    return client


def _make_app(tmp_path, **overrides):
    path = tmp_path / "instance"
    new_instance(path, PASSWORD)
    config = {"TESTING": True, "WTF_CSRF_ENABLED": False, "LOGIN_LIMIT": "1000 per minute",
              "TOKEN_FAILURE_LIMIT": "1000 per minute"}
    config.update(overrides)
    return create_app(str(path), config)


@pytest.fixture
def admin_app(tmp_path):
    return _make_app(tmp_path)


@pytest.fixture
def anon(admin_app):
    return _english(admin_app.test_client())


@pytest.fixture
def clerk(admin_app):
    client = _english(admin_app.test_client())
    r = client.post("/login", data={"name": "admin", "password": PASSWORD})
    assert r.status_code == 302, r.data
    return client


def _db(app):
    return app.extensions["ballotroom_db"]


def _text(response) -> str:
    return response.get_data(as_text=True)


def _meeting(clerk, title="全委会", expected="20", present=None) -> str:
    r = clerk.post("/admin/meetings", data={"title": title, "expected": expected})
    assert r.status_code == 303, _text(r)
    meeting_id = r.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    if present is not None:
        r = clerk.post(f"/admin/meetings/{meeting_id}/attendance",
                       data={"present": str(present), "reason": "counted by hand"})
        assert r.status_code == 303, _text(r)
    return meeting_id


def _poll(clerk, meeting_id, kind="democratic_recommendation", names="张伟\n王芳\n李娜",
          max_choices="1", places="", title="民主推荐") -> str:
    r = clerk.post(f"/admin/meetings/{meeting_id}/polls/new", data={
        "title": title, "kind": kind, "contest_title": "正科级", "max_choices": max_choices,
        "places": places, "candidates": names, "action": "create"})
    assert r.status_code == 303, _text(r)
    return r.headers["Location"].rsplit("/", 1)[-1]


def _alert(response) -> str:
    m = re.search(r'<p class="alert"[^>]*>(.*?)</p>', _text(response), re.S)
    assert m, _text(response)
    return m.group(1)


def _count(database, table) -> int:
    return database.one(f"SELECT count(*) FROM {table}")[0]


# --- access --------------------------------------------------------------------------------------

def test_every_clerk_page_requires_login(admin_app, anon, clerk):
    meeting_id = _meeting(clerk)
    poll_id = _poll(clerk, meeting_id)
    pages = [
        ("get", "/admin/"),
        ("post", "/admin/meetings"),
        ("get", f"/admin/meetings/{meeting_id}"),
        ("post", f"/admin/meetings/{meeting_id}/attendance"),
        ("get", f"/admin/meetings/{meeting_id}/polls/new"),
        ("post", f"/admin/meetings/{meeting_id}/polls/new"),
        ("get", f"/admin/polls/{poll_id}"),
        ("post", f"/admin/polls/{poll_id}/open"),
        ("get", f"/admin/polls/{poll_id}/close"),
        ("post", f"/admin/polls/{poll_id}/close"),
        ("post", f"/admin/polls/{poll_id}/tokens"),
        ("get", f"/admin/polls/{poll_id}/slips/whatever.pdf"),
        ("post", f"/admin/polls/{poll_id}/batches/whatever/void"),
        ("get", f"/admin/polls/{poll_id}/delete"),
        ("post", f"/admin/polls/{poll_id}/delete"),
    ]
    for method, url in pages:
        r = getattr(anon, method)(url, data={"confirm": "yes", "count": "3", "present": "1"})
        assert r.status_code == 302, (method, url, r.status_code)
        assert r.headers["Location"].startswith("/login"), url
    # Every route of the blueprint is covered above and carries the role guard.
    rules = [r for r in admin_app.url_map.iter_rules() if r.endpoint.startswith("clerk.")]
    assert len(rules) == 12
    for rule in rules:
        assert admin_app.view_functions[rule.endpoint].required_roles == ("admin",)
    # Nothing changed while logged out.
    assert _db(admin_app).one("SELECT state, issued FROM polls")[:] == ("draft", 0)


def test_posting_addresses_opened_by_get_go_back_to_their_page(clerk):
    meeting_id = _meeting(clerk)
    poll_id = _poll(clerk, meeting_id)
    _issue(clerk, poll_id, count=2)
    for url, target in (("/admin/meetings", "/admin/"),
                        (f"/admin/meetings/{meeting_id}/attendance", f"/admin/meetings/{meeting_id}"),
                        (f"/admin/polls/{poll_id}/tokens", f"/admin/polls/{poll_id}"),
                        (f"/admin/polls/{poll_id}/open", f"/admin/polls/{poll_id}")):
        r = clerk.get(url)
        assert r.status_code == 302 and r.headers["Location"] == target, url
    assert _count(clerk.application.extensions["ballotroom_db"], "tokens") == 2


def test_a_chair_cannot_use_the_clerk_pages(admin_app, anon):
    from kiosk.domain import accounts
    accounts.add_user(_db(admin_app), "chair", "chair", PASSWORD)
    anon.post("/login", data={"name": "chair", "password": PASSWORD})
    assert anon.get("/admin/").status_code == 403
    assert anon.post("/admin/meetings", data={"title": "x", "expected": "3"}).status_code == 403
    assert _count(_db(admin_app), "meetings") == 0


def test_form_without_csrf_token_is_refused_and_changes_nothing(tmp_path):
    app = _make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = _text(client.get("/login?lang=en"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"name": "admin", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302
    r = client.post("/admin/meetings", data={"title": "会议", "expected": "10"})
    assert r.status_code == 400
    assert 'data-error="csrf"' in _text(r)
    assert _count(_db(app), "meetings") == 0
    # With the token the page's own form works.
    token = re.search(r'name="csrf_token" value="([^"]+)"', _text(client.get("/admin/"))).group(1)
    r = client.post("/admin/meetings", data={"title": "会议", "expected": "10", "csrf_token": token})
    assert r.status_code == 303
    assert _count(_db(app), "meetings") == 1


# --- meetings ------------------------------------------------------------------------------------

def test_create_meeting_and_list_it(admin_app, clerk):
    meeting_id = _meeting(clerk, "市委全会（扩大会）", "60")
    page = _text(clerk.get("/admin/"))
    assert "市委全会（扩大会）" in page and f'data-meeting="{meeting_id}"' in page
    r = clerk.get(f"/admin/meetings/{meeting_id}")
    assert r.status_code == 200
    assert "市委全会（扩大会）" in _text(r)


@pytest.mark.parametrize("expected", ["abc", "", "0", "-3", "2.5", "999999999"])
def test_bad_expected_is_a_message_not_a_500(admin_app, clerk, expected):
    r = clerk.post("/admin/meetings", data={"title": "会议", "expected": expected})
    assert r.status_code == 400
    assert "expected" in _alert(r)
    assert 'value="会议"' in _text(r)  # what was typed is kept
    assert _count(_db(admin_app), "meetings") == 0


def test_missing_title_is_a_message(admin_app, clerk):
    r = clerk.post("/admin/meetings", data={"title": "  ", "expected": "5"})
    assert r.status_code == 400 and "title" in _alert(r)


def test_attendance_recorded_and_above_expected_refused(admin_app, clerk):
    meeting_id = _meeting(clerk, expected="11", present=8)
    page = _text(clerk.get(f"/admin/meetings/{meeting_id}"))
    assert "Recorded 8 of 11." in page
    r = clerk.post(f"/admin/meetings/{meeting_id}/attendance", data={"present": "12"})
    assert r.status_code == 400
    assert "12" in _alert(r) and "11" in _alert(r)
    assert _db(admin_app).one("SELECT present FROM meetings")[0] == 8
    r = clerk.post(f"/admin/meetings/{meeting_id}/attendance", data={"present": "many"})
    assert r.status_code == 400
    assert _db(admin_app).one("SELECT present FROM meetings")[0] == 8


def test_unknown_meeting_and_poll_are_404_messages(clerk):
    for url in ("/admin/meetings/nope", "/admin/meetings/nope/polls/new", "/admin/polls/nope"):
        r = clerk.get(url)
        assert r.status_code == 404
        assert 'data-error="not_found"' in _text(r)
    r = clerk.post("/admin/meetings/nope/attendance", data={"present": "1"})
    assert r.status_code == 404


def test_meeting_page_lists_polls_with_counts_and_chair_link(admin_app, clerk):
    meeting_id = _meeting(clerk, expected="11", present=9)
    poll_id = _poll(clerk, meeting_id, kind="standing_committee", places="1")
    page = _text(clerk.get(f"/admin/meetings/{meeting_id}"))
    row = re.search(rf'<tr data-poll="{poll_id}">(.*?)</tr>', page, re.S).group(1)
    assert "Standing committee vote" in row
    numbers = re.findall(r'<td class="num"[^>]*>([^<]*)</td>', row)
    # expected present, then the counts object: issued returned not_voted blank spoiled voided
    assert numbers == ["11", "9", "0", "0", "0", "0", "0", "0"]
    assert f"/chair/polls/{poll_id}" in row


# --- creating polls ------------------------------------------------------------------------------

def _poll_row(app):
    import json
    row = _db(app).one("SELECT kind, title, contests FROM polls")
    return row["kind"], row["title"], json.loads(row["contests"])


def test_create_poll_from_the_form(admin_app, clerk):
    meeting_id = _meeting(clerk)
    poll_id = _poll(clerk, meeting_id, names="张伟\n\nk9,王芳\n李娜\n", max_choices="2")
    kind, title, contests = _poll_row(admin_app)
    assert (kind, title) == ("democratic_recommendation", "民主推荐")
    assert contests == [{"id": "contest-1", "title": "正科级", "max_choices": 2, "places": 2,
                         "candidates": [{"id": "c1", "name": "张伟"}, {"id": "k9", "name": "王芳"},
                                        {"id": "c2", "name": "李娜"}]}]
    page = _text(clerk.get(f"/admin/polls/{poll_id}"))
    assert "张伟" in page and "k9" in page and 'data-state="draft"' in page


def test_several_contests_one_at_a_time_then_create(admin_app, clerk):
    meeting_id = _meeting(clerk)
    url = f"/admin/meetings/{meeting_id}/polls/new"
    r = clerk.post(url, data={"title": "差额推荐", "kind": "plenary_recommendation",
                              "contest_title": "正科级", "max_choices": "2", "places": "2",
                              "candidates": "甲\n乙\n丙", "action": "add"})
    assert r.status_code == 200
    drafts = re.search(r'name="drafts" value="([^"]*)"', _text(r)).group(1)
    assert 'data-contest="contest-1"' in _text(r)
    import html
    r = clerk.post(url, data={"title": "差额推荐", "kind": "plenary_recommendation",
                              "drafts": html.unescape(drafts), "contest_title": "副科级",
                              "max_choices": "1", "candidates": "c1,丁\n戊", "action": "create"})
    assert r.status_code == 303, _text(r)
    _, _, contests = _poll_row(admin_app)
    assert [c["title"] for c in contests] == ["正科级", "副科级"]
    ids = [k["id"] for c in contests for k in c["candidates"]]
    assert ids == ["c2", "c3", "c4", "c1", "c5"]  # a typed id is never given twice


def test_bad_poll_input_is_shown_and_typed_text_kept(admin_app, clerk):
    meeting_id = _meeting(clerk)
    url = f"/admin/meetings/{meeting_id}/polls/new"
    cases = [
        ({"title": "", "candidates": "甲\n乙"}, "title"),
        ({"title": "t", "candidates": "甲\n乙", "max_choices": "5"}, "choices allowed"),
        ({"title": "t", "candidates": "甲\n乙", "max_choices": "two"}, "Max choices"),
        ({"title": "t", "candidates": ""}, "contest"),
        ({"title": "t", "candidates": "x,甲\nx,乙"}, "already used"),
        ({"title": "t", "candidates": "甲", "kind": "nonsense"}, "kind"),
        ({"title": "t", "drafts": "[{broken"}, "Start the poll again"),
    ]
    for extra, words in cases:
        data = {"kind": "democratic_recommendation", "contest_title": "正科级", "action": "create",
                **extra}
        r = clerk.post(url, data=data)
        assert r.status_code == 400, (extra, r.status_code)
        assert words in _alert(r), (extra, _alert(r))
        if extra.get("candidates"):
            assert extra["candidates"].split("\n")[0] in _text(r)
    assert _count(_db(admin_app), "polls") == 0


CSV_ROWS = "contest,name,id,max_choices,places\n正科级,张伟,,2,2\n正科级,王芳\n,李娜\n副科级,刘洋,,1\n副科级,陈静\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030", "gbk"])
def test_create_poll_from_csv_file(admin_app, clerk, encoding):
    meeting_id = _meeting(clerk)
    data = {"title": "三个层级", "kind": "democratic_recommendation", "action": "create",
            "csv_file": (io.BytesIO(CSV_ROWS.encode(encoding)), "候选人.csv")}
    r = clerk.post(f"/admin/meetings/{meeting_id}/polls/new", data=data,
                   content_type="multipart/form-data")
    assert r.status_code == 303, _alert(r)
    _, _, contests = _poll_row(admin_app)
    assert [(c["title"], c["max_choices"], c["places"], [k["name"] for k in c["candidates"]])
            for c in contests] == [("正科级", 2, 2, ["张伟", "王芳", "李娜"]),
                                   ("副科级", 1, 1, ["刘洋", "陈静"])]


def test_import_previews_then_creates_and_paste_takes_tabs(admin_app, clerk):
    meeting_id = _meeting(clerk)
    url = f"/admin/meetings/{meeting_id}/polls/new"
    r = clerk.post(url, data={"title": "调查", "kind": "survey", "action": "import",
                              "paste": "层级\t姓名\t编号\n一般干部\t周杰\tp1\n一般干部\t吴霞\tp2"})
    assert r.status_code == 200
    assert "周杰" in _text(r) and "p2" in _text(r)
    assert _count(_db(admin_app), "polls") == 0  # a preview creates nothing
    import html
    drafts = html.unescape(re.search(r'name="drafts" value="([^"]*)"', _text(r)).group(1))
    r = clerk.post(url, data={"title": "调查", "kind": "survey", "action": "create", "drafts": drafts})
    assert r.status_code == 303
    _, _, contests = _poll_row(admin_app)
    assert [k["id"] for k in contests[0]["candidates"]] == ["p1", "p2"]


def test_unreadable_csv_is_a_message(admin_app, clerk):
    meeting_id = _meeting(clerk)
    url = f"/admin/meetings/{meeting_id}/polls/new"
    for content, words in ((b"\xff\xfe\x00\xd8\x00", "could not be read"),
                           ("正科级,张伟,,x\n".encode(), "max_choices"),
                           ("正科级,张伟,,2\n正科级,王芳,,3\n".encode(), "already has"),
                           ("contest,name\n正科级,\n".encode(), "name is missing")):
        r = clerk.post(url, data={"title": "t", "kind": "democratic_recommendation",
                                  "action": "create", "csv_file": (io.BytesIO(content), "a.csv")},
                       content_type="multipart/form-data")
        assert r.status_code == 400, content
        assert words in _alert(r), (content, _alert(r))
    assert _count(_db(admin_app), "polls") == 0


def test_table_reader_and_ids(admin_app):
    with admin_app.test_request_context():
        drafts = contests_from_table("A,甲\nA,乙,c1\nB,丙")
        contests = finalize(drafts)
    assert [[k["id"] for k in c["candidates"]] for c in contests] == [["c2", "c1"], ["c3"]]
    assert [c["id"] for c in contests] == ["contest-1", "contest-2"]


# --- tokens, slips and voting --------------------------------------------------------------------

def _issue(clerk, poll_id, **data):
    r = clerk.post(f"/admin/polls/{poll_id}/tokens", data={k: str(v) for k, v in data.items()})
    return r


def test_issue_ten_tokens_download_pdf_once_and_vote(admin_app, clerk):
    meeting_id = _meeting(clerk, expected="12", present=10)
    poll_id = _poll(clerk, meeting_id)
    r = _issue(clerk, poll_id, count=10)
    assert r.status_code == 200
    page = _text(r)
    assert "These 10 slips are shown once" in page
    assert r.headers["Cache-Control"] == "no-store"
    codes = CODE.findall(page)
    assert len(codes) == 10 and len(set(codes)) == 10
    # The database keeps hashes only: no code appears in it.
    stored = [row[0] for row in _db(admin_app).query("SELECT hash FROM tokens")]
    assert len(stored) == 10 and not set(stored) & set(codes)

    pdf_url = re.search(r'href="(/admin/polls/[^"]+/slips/[^"]+\.pdf)"', page).group(1)
    r = clerk.get(pdf_url)
    assert r.status_code == 200
    assert r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["Cache-Control"] == "no-store"
    again = clerk.get(pdf_url)
    assert again.status_code == 404
    assert "no longer available" in _alert(again)
    assert len(slip_batches.store(admin_app)) == 0

    # The page no longer shows codes.
    assert not CODE.findall(_text(clerk.get(f"/admin/polls/{poll_id}")))

    contest_id, candidate = "contest-1", "c2"
    # Not open yet: refused, nothing used.
    assert clerk.post("/api/v1/ballots", json={"token": codes[0], "answers": {contest_id: [candidate]}}).status_code == 423
    r = clerk.post(f"/admin/polls/{poll_id}/open")
    assert r.status_code == 303
    for code in codes[:7]:
        v = clerk.post("/api/v1/ballots", json={"token": code, "answers": {contest_id: [candidate]}})
        assert v.status_code == 201, v.get_json()
    assert clerk.post("/api/v1/ballots", json={"token": codes[0], "answers": {}}).status_code == 409
    assert clerk.post("/api/v1/ballots", json={"token": codes[7], "answers": {contest_id: []}}).status_code == 201

    page = _text(clerk.get(f"/admin/polls/{poll_id}"))
    counts = dict(re.findall(r'<li data-count="(\w+)"><b>([^<]*)</b>', page))
    # While open, blank moves only with the published batches (SECURITY.md, Secrecy): the page shows
    # exactly what counting.turnout says.
    blank_now = counting.turnout(_db(admin_app), poll_id, admin_app.config["RULES"])["blank"]
    assert counts == {"expected": "12", "present": "10", "issued": "10", "returned": "8", "not_voted": "2",
                      "blank": str(blank_now), "spoiled": "0", "voided": "0"}

    # Close: a confirm step first, then the fixed counts and the link to the results.
    confirm = clerk.get(f"/admin/polls/{poll_id}/close")
    assert "Closing voids all unused slips" in _text(confirm)
    assert _db(admin_app).one("SELECT state FROM polls")[0] == "open"
    assert clerk.post(f"/admin/polls/{poll_id}/close").status_code == 200  # no confirm: asks again
    assert _db(admin_app).one("SELECT state FROM polls")[0] == "open"
    r = clerk.post(f"/admin/polls/{poll_id}/close", data={"confirm": "yes"})
    assert r.status_code == 303
    assert _db(admin_app).one("SELECT state FROM polls")[0] == "closed"
    assert _db(admin_app).one("SELECT count(*) FROM tokens WHERE state='void'")[0] == 2
    page = _text(clerk.get(f"/admin/polls/{poll_id}"))
    assert 'data-state="closed"' in page and 'data-link="results"' in page
    assert f"/chair/polls/{poll_id}" in page
    assert "fixed when the poll closed" in page
    counts = dict(re.findall(r'<li data-count="(\w+)"><b>([^<]*)</b>', page))
    # After the close 未投 has no box: the 2 unused slips are void (作废, named inside its box).
    assert counts == {"expected": "12", "present": "10", "issued": "10", "returned": "8", "blank": "1",
                      "spoiled": "0", "voided": "2"}
    assert 'action="/admin/polls/' + poll_id + '/tokens"' not in page  # no more issuing
    assert clerk.post("/api/v1/ballots", json={"token": codes[9], "answers": {}}).status_code in (409, 423)


def test_bad_count_and_closed_poll_are_messages(admin_app, clerk):
    meeting_id = _meeting(clerk)
    poll_id = _poll(clerk, meeting_id)
    for count in ("", "0", "ten", "-1", "99999"):
        r = _issue(clerk, poll_id, count=count)
        assert r.status_code == 400 and "number of slips" in _alert(r)
    assert _count(_db(admin_app), "tokens") == 0
    clerk.post(f"/admin/polls/{poll_id}/open")
    clerk.post(f"/admin/polls/{poll_id}/close", data={"confirm": "yes"})
    r = _issue(clerk, poll_id, count=3)
    assert r.status_code == 409 and "closed" in _alert(r)
    assert _count(_db(admin_app), "tokens") == 0


def test_a_resent_issuing_form_issues_nothing(admin_app, clerk):
    meeting_id = _meeting(clerk)
    poll_id = _poll(clerk, meeting_id)
    form = re.search(r'name="issue_form" value="([^"]+)"', _text(clerk.get(f"/admin/polls/{poll_id}"))).group(1)
    assert _issue(clerk, poll_id, count=3, issue_form=form).status_code == 200
    r = _issue(clerk, poll_id, count=3, issue_form=form)
    assert r.status_code == 409 and "already sent" in _alert(r)
    assert _count(_db(admin_app), "tokens") == 3


def test_open_and_close_buttons_change_state_and_refuse_twice(admin_app, clerk):
    meeting_id = _meeting(clerk)
    poll_id = _poll(clerk, meeting_id)
    state = lambda: _db(admin_app).one("SELECT state FROM polls")[0]  # noqa: E731
    assert 'data-action="open"' in _text(clerk.get(f"/admin/polls/{poll_id}"))
    assert clerk.post(f"/admin/polls/{poll_id}/close", data={"confirm": "yes"}).status_code == 409
    assert state() == "draft"
    assert clerk.post(f"/admin/polls/{poll_id}/open").status_code == 303 and state() == "open"
    page = _text(clerk.get(f"/admin/polls/{poll_id}"))
    assert 'data-action="close"' in page and 'data-state="open"' in page
    r = clerk.post(f"/admin/polls/{poll_id}/open")
    assert r.status_code == 409 and "only a draft can be opened" in _alert(r)
    assert clerk.post(f"/admin/polls/{poll_id}/close", data={"confirm": "yes"}).status_code == 303
    assert state() == "closed"
    r = clerk.post(f"/admin/polls/{poll_id}/close", data={"confirm": "yes"})
    assert r.status_code == 409 and state() == "closed"


def test_pdf_of_another_poll_or_unknown_batch_is_404(admin_app, clerk):
    meeting_id = _meeting(clerk)
    first, second = _poll(clerk, meeting_id), _poll(clerk, meeting_id, title="第二")
    page = _text(_issue(clerk, first, count=2))
    batch = re.search(r'/slips/([^"/]+)\.pdf"', page).group(1)
    assert clerk.get(f"/admin/polls/{second}/slips/{batch}.pdf").status_code == 404
    assert clerk.get(f"/admin/polls/{first}/slips/unknown.pdf").status_code == 404
    assert clerk.get(f"/admin/polls/{first}/slips/{batch}.pdf").status_code == 200


def test_batches_expire(admin_app):
    from kiosk.documents.slips import Slip
    store = slip_batches.SlipBatches(ttl=0.05)
    batch = store.put("p", "t", "m", [Slip("http://x/t/A", "A")])
    assert batch in store
    import time
    time.sleep(0.3)
    assert batch not in store and store.take(batch, "p") is None


def test_slip_urls_use_the_public_url(tmp_path):
    import dataclasses

    app = _make_app(tmp_path)
    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], public_url="https://vote.room:8443/")
    client = _english(app.test_client())
    client.post("/login", data={"name": "admin", "password": PASSWORD})
    poll_id = _poll(client, _meeting(client))
    page = _text(_issue(client, poll_id, count=1))
    assert "https://vote.room:8443/t/" in page
    batch = next(iter(slip_batches.store(app)._batches.values()))
    assert batch.slips[0].url == "https://vote.room:8443/t/" + batch.slips[0].code


# --- named polls ---------------------------------------------------------------------------------

def test_named_leaders_poll_voters_and_answered_table(admin_app, clerk):
    meeting_id = _meeting(clerk, expected="5", present=5)
    poll_id = _poll(clerk, meeting_id, kind="leaders", names="张伟\n王芳", title="领导评价")
    page = _text(clerk.get(f"/admin/polls/{poll_id}"))
    assert 'name="voters"' in page and 'name="count"' not in page
    r = _issue(clerk, poll_id, voters="赵磊,unit\n黄敏,board")
    assert r.status_code == 400 and "line 2" in _alert(r)
    assert "赵磊,unit" in _text(r)  # typed text kept
    assert _count(_db(admin_app), "tokens") == 0
    r = _issue(clerk, poll_id, voters="赵磊,unit\n黄敏，市级\n周杰\tcity\n")
    assert r.status_code == 200
    page = _text(r)
    assert "These 3 slips are shown once" in page
    codes = CODE.findall(page)
    assert len(codes) == 3
    groups = dict(_db(admin_app).query("SELECT voter_name, voter_group FROM tokens"))
    assert groups == {"赵磊": "unit", "黄敏": "city", "周杰": "city"}
    batch = next(iter(slip_batches.store(admin_app)._batches.values()))
    assert sorted(s.voter for s in batch.slips) == sorted(["赵磊（单位领导）", "黄敏（市级领导）", "周杰（市级领导）"])

    clerk.post(f"/admin/polls/{poll_id}/open")
    # Codes are listed in issue order: the first is 赵磊's.
    v = clerk.post("/api/v1/ballots", json={"token": codes[0], "answers": {"c1": "good", "c2": "poor"}})
    assert v.status_code == 201, v.get_json()
    page = _text(clerk.get(f"/admin/polls/{poll_id}"))
    table = re.search(r"<table class=\"list\" data-voters>(.*?)</table>", page, re.S).group(1)
    rows = re.findall(r'<tr data-answered="(yes|no)">\s*<td>([^<]*)</td>', table)
    assert sorted(rows) == sorted([("yes", "赵磊"), ("no", "黄敏"), ("no", "周杰")])
    assert "1 of 3 have answered" in page


def test_interview_poll_takes_names_without_groups(admin_app, clerk):
    meeting_id = _meeting(clerk)
    poll_id = _poll(clerk, meeting_id, kind="interview_recommendation", max_choices="2")
    r = _issue(clerk, poll_id, voters="马超\n朱琳,组织部")
    assert r.status_code == 200 and len(CODE.findall(_text(r))) == 2
    r = _issue(clerk, poll_id, count=3)  # a count is not a list of voters
    assert r.status_code == 400
    assert _count(_db(admin_app), "tokens") == 2


def test_secret_poll_has_no_voter_table(admin_app, clerk):
    from admin.voters import answered_by
    from kiosk.errors import Refusal

    poll_id = _poll(clerk, _meeting(clerk))
    page = _text(clerk.get(f"/admin/polls/{poll_id}"))
    assert "data-voters" not in page and 'name="voters"' not in page
    _issue(clerk, poll_id, count=2)
    with pytest.raises(Refusal):
        answered_by(_db(admin_app), poll_id)
