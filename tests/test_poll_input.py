"""What the clerk types: the CSV hint and the parser in step, names a voter can tell apart, and
every form's refusal beside its field with nothing stored (admin/poll_input.py, admin/form_errors.py,
tally's validate_spec)."""

from __future__ import annotations

import html
import io
import re

import pytest
from conftest import new_instance

from admin import poll_input
from kiosk.app import create_app
from kiosk.domain import accounts
from tally import kinds as tk
from tally.rules import default_rules

PASSWORD = "a long admin password"


@pytest.fixture
def admin_app(tmp_path):
    path = tmp_path / "instance"
    new_instance(path, PASSWORD)
    return create_app(str(path), {"TESTING": True, "WTF_CSRF_ENABLED": False,
                                  "LOGIN_LIMIT": "1000 per minute"})


def _login(app, lang: str):
    client = app.test_client()
    client.get(f"/login?lang={lang}")
    r = client.post("/login", data={"name": "admin", "password": PASSWORD})
    assert r.status_code == 302, r.data
    return client


@pytest.fixture
def clerk(admin_app):
    return _login(admin_app, "en")


def _text(r) -> str:
    return r.get_data(as_text=True)


def _rows(app) -> dict[str, int]:
    """How many rows each table holds: a refused form must change none of them."""
    db = app.extensions["ballotroom_db"]
    tables = [r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: db.one(f'SELECT COUNT(*) AS n FROM "{t}"')["n"] for t in tables}


def _meeting(clerk) -> str:
    r = clerk.post("/admin/meetings", data={"title": "全委会", "expected": "20"})
    assert r.status_code == 303, _text(r)
    return r.headers["Location"].rsplit("/", 1)[-1]


def _beside(r, field: str) -> str:
    """The message drawn beside the form field ``field`` (empty when there is none)."""
    m = re.search(r'<span class="field-error" data-field-error="' + re.escape(field) + r'"[^>]*>(.*?)</span>',
                  _text(r), re.S)
    return m.group(1) if m else ""


# --- the CSV hint and the parser ------------------------------------------------------------------

@pytest.mark.parametrize("locale", sorted(poll_input.HINT_HEADERS))
def test_the_hints_header_is_read_with_every_column(locale):
    header = poll_input.hint_header(locale)
    drafts = poll_input.contests_from_table(f"{header}\n正科级,张伟,c1,2,3\n正科级,王芳,c2\n正科级,李娜,c3")
    assert drafts == [{"title": "正科级", "max_choices": 2, "places": 3, "candidates": [
        {"id": "c1", "name": "张伟"}, {"id": "c2", "name": "王芳"}, {"id": "c3", "name": "李娜"}]}]
    assert [poll_input.HEADER_ALIASES[w.lower()] for w in header.split(",")] == list(poll_input.POSITIONAL)
    # The row's shape names the same words, in the positional order, optional ones in brackets.
    assert re.sub(r"[\[\]]", "", poll_input.hint_columns(locale)) == header


def test_the_header_reported_in_the_issue_keeps_max_choices():
    drafts = poll_input.contests_from_table("职位,姓名,编号,限选人数,名额\n正科级,张伟,,2,2\n正科级,王芳\n正科级,李娜")
    assert (drafts[0]["max_choices"], drafts[0]["places"]) == (2, 2)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_page_shows_the_header_the_parser_reads(admin_app, lang):
    """The header shown on the new-poll page, copied as it stands, is understood column by column."""
    clerk = _login(admin_app, lang)
    meeting_id = _meeting(clerk)
    page = _text(clerk.get(f"/admin/meetings/{meeting_id}/polls/new"))
    shown = re.search(r"<code data-csv-header>(.*?)</code>", page).group(1)
    assert shown == poll_input.hint_header(lang)
    r = clerk.post(f"/admin/meetings/{meeting_id}/polls/new", data={
        "title": "民主推荐", "kind": "democratic_recommendation", "action": "create",
        "paste": f"{shown}\n正科级,张伟,,2,2\n正科级,王芳\n正科级,李娜"})
    assert r.status_code == 303, _text(r)
    poll_id = r.headers["Location"].rsplit("/", 1)[-1]
    db = admin_app.extensions["ballotroom_db"]
    assert '"max_choices": 2' in db.one("SELECT contests FROM polls WHERE id = ?", (poll_id,))["contests"]


# --- names a voter can tell apart -----------------------------------------------------------------

@pytest.mark.parametrize(("first", "second", "same"), [
    ("张伟", "张伟", True),
    ("张伟", "张 伟", True),          # names are often spaced to align
    ("张伟", "张\u3000伟", True),     # with a full-width space too
    ("Zhang Wei", "zhang wei", True),
    ("ＡＢ", "AB", True),             # full-width letters
    ("张伟", "张伟（城关镇）", False),
    ("张伟（城关镇）", "张伟（教育局）", False),
    ("张伟", "张炜", False),
])
def test_duplicate_names_boundary(first, second, same):
    contest = tk.Contest("c", "正科级", 1, 1, (tk.Candidate("a", first), tk.Candidate("b", second)))
    if same:
        with pytest.raises(tk.DuplicateNameError) as refused:
            tk.validate_spec("democratic_recommendation", [contest], tk_rules())
        assert refused.value.name == second and refused.value.contest == "正科级"
    else:
        tk.validate_spec("democratic_recommendation", [contest], tk_rules())


def tk_rules():
    return default_rules()


def test_the_same_name_in_two_contests_is_allowed():
    contests = [tk.Contest(lid, lid, 1, 1, (tk.Candidate(f"{lid}1", "张伟"), tk.Candidate(f"{lid}2", "王芳")))
                for lid in ("a", "b")]
    tk.validate_spec("plenary_recommendation", contests, tk_rules())


def test_the_api_refuses_duplicate_names_in_chinese_saying_how_to_tell_them_apart(admin_app, clerk):
    meeting_id = _meeting(clerk)
    key = accounts.create_api_key(admin_app.extensions["ballotroom_db"], "admin")
    before = _rows(admin_app)
    r = admin_app.test_client().post(
        f"/api/v1/meetings/{meeting_id}/polls", headers={"Authorization": f"Bearer {key}", "Accept-Language": "zh-CN"},
        json={"title": "票决", "kind": "standing_committee", "contests": [
            {"id": "a", "title": "局长", "places": 1, "candidates": [{"id": "k1", "name": "王芳"}]},
            {"id": "b", "title": "副局长", "places": 1, "candidates": [
                {"id": "k2", "name": "张伟"}, {"id": "k3", "name": "张 伟"}]}]})
    assert r.status_code == 400, r.get_json()
    body = r.get_json()
    assert body["detail"]["field"] == "contests[1].candidates"
    assert "副局长" in body["message"] and "张 伟（城关镇）" in body["message"], body["message"]
    assert _rows(admin_app) == before


@pytest.mark.parametrize(("data", "field"), [
    ({"candidates": "张伟\n王芳\n张伟", "contest_title": "正科级"}, "candidates"),
    ({"paste": "正科级,张伟\n正科级,张伟\n副科级,李娜"}, "paste"),
])
def test_the_new_poll_page_refuses_duplicate_names_beside_the_list(admin_app, clerk, data, field):
    meeting_id = _meeting(clerk)
    before = _rows(admin_app)
    r = clerk.post(f"/admin/meetings/{meeting_id}/polls/new", data={
        "title": "民主推荐", "kind": "democratic_recommendation", "action": "create", **data})
    assert r.status_code == 400
    message = _beside(r, field)
    assert "张伟" in message and "Chengguan town" in message, message
    assert _rows(admin_app) == before


# --- every form: the message beside the field, nothing stored ---------------------------------------

def _poll(clerk, meeting_id) -> str:
    r = clerk.post(f"/admin/meetings/{meeting_id}/polls/new", data={
        "title": "民主推荐", "kind": "democratic_recommendation", "action": "create",
        "contest_title": "正科级", "candidates": "张伟\n王芳"})
    assert r.status_code == 303, _text(r)
    return r.headers["Location"].rsplit("/", 1)[-1]


def _round(clerk) -> str:
    r = clerk.post("/admin/rounds/", data={"title": "2026年", "posts_section_chief": "1"})
    assert r.status_code == 303, _text(r)
    return r.headers["Location"].rsplit("/", 1)[-1]


def _round_candidate(clerk) -> tuple[str, str]:
    round_id = _round(clerk)
    r = clerk.post(f"/admin/rounds/{round_id}/candidates", data={
        "id": "c01", "name": "张伟", "level": "section_chief", "unit": "财政局"})
    assert r.status_code == 303, _text(r)
    return round_id, "c01"


FORMS = {
    "meeting without title": (lambda c: "/admin/meetings", {"title": " ", "expected": "20"}, "title"),
    "meeting expected −5": (lambda c: "/admin/meetings", {"title": "全委会", "expected": "-5"}, "expected"),
    "poll without title": (lambda c: f"/admin/meetings/{_meeting(c)}/polls/new",
                           {"title": "", "kind": "democratic_recommendation", "action": "create",
                            "candidates": "张伟"}, "title"),
    "contest max choices x": (lambda c: f"/admin/meetings/{_meeting(c)}/polls/new",
                              {"title": "t", "kind": "democratic_recommendation", "action": "add",
                               "candidates": "张伟", "max_choices": "x"}, "max_choices"),
    "paste with a bad number": (lambda c: f"/admin/meetings/{_meeting(c)}/polls/new",
                                {"title": "t", "kind": "democratic_recommendation", "action": "import",
                                 "paste": "职位,姓名,编号,限选人数\n正科级,张伟,,0"}, "paste"),
    "slips 0": (lambda c: f"/admin/polls/{_poll(c, _meeting(c))}/tokens", {"count": "0"}, "count"),
    "round without posts": (lambda c: "/admin/rounds/", {"title": "2026年"}, "posts_section_chief"),
    "round candidate without name": (lambda c: f"/admin/rounds/{_round(c)}/candidates",
                                     {"id": "c01", "name": "", "level": "section_chief"}, "name"),
    "entries base x": (lambda c: "/admin/rounds/{}/candidates/{}".format(*_round_candidate(c)),
                       {"base": "x", "bonus": "1", "performance_note": "n"}, "base"),
    "entries score 99": (lambda c: "/admin/rounds/{}/candidates/{}".format(*_round_candidate(c)),
                         {"score": "99", "organisation_note": "n", "grade0": "competent",
                          "grade1": "competent", "grade2": "competent"}, "score"),
    "entries a grade missing": (lambda c: "/admin/rounds/{}/candidates/{}".format(*_round_candidate(c)),
                                {"score": "8", "organisation_note": "n", "grade0": "competent",
                                 "grade2": "competent"}, "grade0"),  # the grades as a whole
}


@pytest.mark.parametrize("case", sorted(FORMS))
def test_a_refused_form_shows_its_message_beside_the_field_and_stores_nothing(admin_app, clerk, case):
    url_of, data, field = FORMS[case]
    url = url_of(clerk)
    before = _rows(admin_app)
    r = clerk.post(url, data=data)
    assert r.status_code == 400, (case, r.status_code)
    assert _beside(r, field), (case, re.findall(r'data-field-error="([^"]+)"', _text(r)), _text(r)[-3000:])
    assert f'name="{field}"' in _text(r) or field.startswith("reason:")
    assert _rows(admin_app) == before, case


def test_a_refused_void_is_beside_that_batchs_reason(admin_app, clerk):
    poll_id = _poll(clerk, _meeting(clerk))
    assert clerk.post(f"/admin/polls/{poll_id}/tokens", data={"count": "3"}).status_code == 200
    batch = admin_app.extensions["ballotroom_db"].one("SELECT batch FROM tokens LIMIT 1")["batch"]
    before = _rows(admin_app)
    r = clerk.post(f"/admin/polls/{poll_id}/batches/{batch}/void", data={"reason": " "})
    assert r.status_code == 400
    assert _beside(r, f"reason:{batch}")
    assert _rows(admin_app) == before


def test_a_csv_file_refusal_is_beside_the_file(admin_app, clerk):
    meeting_id = _meeting(clerk)
    data = {"title": "t", "kind": "democratic_recommendation", "action": "import",
            "csv_file": (io.BytesIO("职位,姓名\n,张伟".encode("gb18030")), "list.csv")}
    r = clerk.post(f"/admin/meetings/{meeting_id}/polls/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 400
    assert _beside(r, "csv_file")


# --- contests a voter can tell apart --------------------------------------------------------------

@pytest.mark.parametrize(("first", "second", "same"), [
    ("正科级", "正科级", True),
    ("正科级", "正 科 级", True),        # spaced to align, as names are
    ("Section chief", "section chief", True),
    ("县财政局副局长", "县财政局局长", False),
    ("正科级", "副科级", False),
])
def test_duplicate_contest_titles_boundary(first, second, same):
    contests = [tk.Contest(cid, title, 1, 1, (tk.Candidate(f"{cid}1", "张伟"), tk.Candidate(f"{cid}2", "王芳")))
                for cid, title in (("a", first), ("b", second))]
    if same:
        with pytest.raises(tk.DuplicateTitleError) as refused:
            tk.validate_spec("democratic_recommendation", contests, tk_rules())
        assert refused.value.title == second and refused.value.contest_id == "b"
    else:
        tk.validate_spec("democratic_recommendation", contests, tk_rules())


def test_the_api_refuses_two_contests_of_one_title_in_the_users_language(admin_app, clerk):
    meeting_id = _meeting(clerk)
    key = accounts.create_api_key(admin_app.extensions["ballotroom_db"], "admin")
    before = _rows(admin_app)
    body = {"title": "推荐", "kind": "democratic_recommendation", "contests": [
        {"id": "a", "title": "正科级", "max_choices": 1, "candidates": [{"id": "k1", "name": "王芳"}]},
        {"id": "b", "title": "正科级", "max_choices": 1, "candidates": [{"id": "k2", "name": "张伟"}]}]}
    for language, words in (("zh-CN", "两个职位都叫“正科级”"), ("en", "two contests are both called “正科级”")):
        r = admin_app.test_client().post(f"/api/v1/meetings/{meeting_id}/polls", json=body, headers={
            "Authorization": f"Bearer {key}", "Accept-Language": language})
        assert r.status_code == 400, r.get_json()
        assert r.get_json()["detail"]["field"] == "contests[1].title"
        assert words in r.get_json()["message"], r.get_json()["message"]
    assert _rows(admin_app) == before


@pytest.mark.parametrize(("data", "field"), [
    # The second contest typed in the form, after one already added with the same title.
    ({"action": "add", "contest_title": "正科级", "candidates": "李娜"}, "contest_title"),
    # A pasted list whose contest is the one already added, spelled with a space.
    ({"action": "import", "paste": "正 科级,李娜"}, "paste"),
])
def test_the_new_poll_page_refuses_a_second_contest_of_one_title(admin_app, clerk, data, field):
    meeting_id = _meeting(clerk)
    url = f"/admin/meetings/{meeting_id}/polls/new"
    form = {"title": "民主推荐", "kind": "democratic_recommendation"}
    first = clerk.post(url, data={**form, "action": "add", "contest_title": "正科级", "candidates": "张伟\n王芳"})
    assert first.status_code == 200
    drafts = re.search(r'name="drafts" value="([^"]*)"', _text(first)).group(1)
    before = _rows(admin_app)
    r = clerk.post(url, data={**form, "drafts": html.unescape(drafts), **data})
    assert r.status_code == 400
    message = _beside(r, field)
    assert "正" in message and "two contests" in message, message
    assert _rows(admin_app) == before
