"""The chair's pages: login, opening and closing, the dashboard's figures and marks, the projector.

The bars and lines are read from the rules file, never from the page's own numbers, so one test
runs with a rules file whose democratic bar and batch size differ from the defaults.
"""

from __future__ import annotations

import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import new_instance

from kiosk.app import create_app
from kiosk.domain import accounts, counting, polls

PASSWORD = "chair pages password"
ROOT = Path(__file__).resolve().parent.parent


# --- a small reader of the pages ----------------------------------------------------------------

class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children, self.parts = tag, dict(attrs), parent, [], []

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def find_all(self, tag=None, cls=None, **attrs) -> list[Node]:
        found = []
        for child in self.children:
            if ((tag is None or child.tag == tag) and (cls is None or cls in child.classes)
                    and all(child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())):
                found.append(child)
            found.extend(child.find_all(tag, cls, **attrs))
        return found

    def find(self, tag=None, cls=None, **attrs) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}>"
        return found[0]


class _Builder(HTMLParser):
    VOID = {"meta", "link", "input", "br", "img", "hr"}

    def __init__(self):
        super().__init__()
        self.root = Node("root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        node = self.current
        while node is not None:
            node.parts.append(data)
            node = node.parent


def page(response) -> Node:
    assert response.status_code == 200, response.status_code
    builder = _Builder()
    builder.feed(response.get_data(as_text=True))
    return builder.root


def config_of(root: Node) -> dict:
    return json.loads(root.find("script", id="board-config").text)


# --- fixtures -------------------------------------------------------------------------------------

def _instance(tmp_path, config: str | None = None) -> Path:
    path = tmp_path / "instance"
    new_instance(path, PASSWORD)
    if config is not None:
        (path / "config.toml").write_text(config, encoding="utf-8")
    return path


def _app(path: Path, **overrides):
    return create_app(str(path), {"WTF_CSRF_ENABLED": False, "TESTING": True, **overrides})


class Room:
    """A meeting, its polls and ballots, set up through the API as the administrator would."""

    def __init__(self, app):
        self.app = app
        self.db = app.extensions["ballotroom_db"]
        self.api = app.test_client()
        self.headers = {"Authorization": f"Bearer {accounts.create_api_key(self.db, 'admin')}"}
        accounts.add_user(self.db, "chair", "chair", PASSWORD)
        accounts.add_user(self.db, "scrutineer", "scrutineer", PASSWORD)
        self.unused_of: dict[str, list[str]] = {}

    def post(self, path, body=None, status=200):
        r = self.api.post(f"/api/v1{path}", json=body, headers=self.headers)
        assert r.status_code == status, (path, r.status_code, r.get_json())
        return r.get_json()

    def poll(self, kind, contests, expected=10, present=None, tokens=None, voters=None,
             title="投票"):
        meeting = self.post("/meetings", {"title": "全委会", "expected": expected}, 201)["id"]
        if present is not None:
            self.post(f"/meetings/{meeting}/attendance", {"present": present})
        poll = self.post(f"/meetings/{meeting}/polls",
                         {"title": title, "kind": kind, "contests": contests}, 201)["id"]
        body = {"voters": voters} if voters is not None else {"count": tokens or expected}
        self.unused = self.post(f"/polls/{poll}/tokens", body, 201)["tokens"]
        self.unused_of[poll] = self.unused
        return poll

    def cast(self, answers_list, poll=None):
        """Each ballot with the next unused token of `poll` (default: the last poll made)."""
        unused = self.unused if poll is None else self.unused_of[poll]
        for answers in answers_list:
            token = unused.pop(0)
            r = self.api.post("/api/v1/ballots", json={"token": token, "answers": answers})
            assert r.status_code == 201, r.get_json()

    def login(self, name="chair"):
        client = self.app.test_client()
        r = client.post("/login", data={"name": name, "password": PASSWORD})
        assert r.status_code == 302
        return client

    def published(self, poll_id, cast, timeout=5.0):
        """Wait for the live publisher (a background thread) to release a batch of `cast`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if counting.results(self.db, self.app.config["RULES"], poll_id)["cast"] == cast:
                return True
            time.sleep(0.05)
        return False


@pytest.fixture
def app(tmp_path):
    return _app(_instance(tmp_path))


@pytest.fixture
def room(app):
    return Room(app)


def contest(cid="c1", names=("甲", "乙", "丙"), max_choices=1, places=None, title="正科级"):
    return {"id": cid, "title": title, "max_choices": max_choices,
            "places": places if places is not None else max_choices,
            "candidates": [{"id": f"k{i}", "name": n} for i, n in enumerate(names, 1)]}


def rows(root: Node) -> dict[str, Node]:
    return {li.attrs["data-candidate"]: li for li in root.find_all("li", cls="cand")}


def marks(node: Node) -> list[str]:
    return [b.attrs["data-mark"] for b in node.find_all("span", cls="badge") if "data-mark" in b.attrs]


# --- access ---------------------------------------------------------------------------------------

def test_every_chair_view_is_for_administrators_and_chairs_only(app, room):
    chair_views = {name: view for name, view in app.view_functions.items() if name.startswith("chair.")}
    assert {"chair.home", "chair.poll", "chair.projector", "chair.open_poll", "chair.close_poll"} <= set(chair_views)
    # Scrutineers sign the paper result sheet, so they may download it; nothing else.
    signed_off = {"chair.result_pdf": ("admin", "chair", "scrutineer"),
                  "chair.result_print": ("admin", "chair", "scrutineer"),
                  # The names on the sheet are entered by the administrator, on the poll's page.
                  "chair.save_records": ("admin",)}
    for name, view in chair_views.items():
        assert getattr(view, "required_roles", None) == signed_off.get(name, ("admin", "chair")), name

    poll = room.poll("democratic_recommendation", [contest()])
    anonymous = app.test_client()
    for url in ("/chair/", f"/chair/polls/{poll}", f"/chair/polls/{poll}/projector"):
        r = anonymous.get(url)
        assert r.status_code == 302 and r.location.startswith("/login"), url
    for url in (f"/chair/polls/{poll}/open", f"/chair/polls/{poll}/close"):
        r = anonymous.post(url, data={"confirm": "yes"})
        assert r.status_code == 302 and r.location.startswith("/login"), url
    assert polls.get(room.db, poll)["state"] == "draft"

    scrutineer = room.login("scrutineer")
    assert scrutineer.get(f"/chair/polls/{poll}").status_code == 403
    assert scrutineer.post(f"/chair/polls/{poll}/open").status_code == 403
    assert polls.get(room.db, poll)["state"] == "draft"
    assert room.login("admin").get(f"/chair/polls/{poll}").status_code == 200


def test_home_lists_meetings_and_polls_with_state_badges_and_links(room):
    poll = room.poll("plenary_recommendation", [contest(max_choices=2)], title="考察对象推荐")
    chair = room.login()
    root = page(chair.get("/chair/?lang=en"))
    row = root.find("tr", data_poll=poll)
    assert "考察对象推荐" in row.text and "Plenary recommendation" in row.text
    assert row.find("span", cls="badge").classes == {"badge", "draft"}
    links = {a.attrs["href"] for a in row.find_all("a")}
    assert {f"/chair/polls/{poll}", f"/chair/polls/{poll}/projector"} <= links
    chair.post(f"/chair/polls/{poll}/open")
    row = page(chair.get("/chair/")).find("tr", data_poll=poll)
    assert "open" in row.find("span", cls="badge").classes


def test_unknown_poll_is_not_found(room):
    chair = room.login()
    assert chair.get("/chair/polls/nosuchpoll").status_code == 404
    assert chair.post("/chair/polls/nosuchpoll/open").status_code == 404


# --- opening and closing --------------------------------------------------------------------------

def test_open_and_close_on_the_page_with_confirmation(room):
    poll = room.poll("democratic_recommendation", [contest()], present=10)
    chair = room.login()
    root = page(chair.get(f"/chair/polls/{poll}?lang=en"))
    form = root.find("form", action=f"/chair/polls/{poll}/open")
    assert form.find("input", name="csrf_token")

    r = chair.post(f"/chair/polls/{poll}/open")
    assert r.status_code == 302 and r.location == f"/chair/polls/{poll}"
    assert polls.get(room.db, poll)["state"] == "open"
    root = page(chair.get(f"/chair/polls/{poll}?lang=en"))
    assert "voters can use their slips now" in root.find("p", cls="flash").text
    close = root.find("form", id="close-form")
    assert close.attrs["data-confirm"].startswith("Close the poll now?")
    assert close.find("input", name="csrf_token") and close.find("input", name="confirm")

    # Without confirmation the server asks on a page of its own and changes nothing.
    asked = page(chair.post(f"/chair/polls/{poll}/close", data={"confirm": ""}))
    assert "This cannot be undone" in asked.text
    assert asked.find("input", name="confirm").attrs["value"] == "yes"
    assert polls.get(room.db, poll)["state"] == "open"

    room.cast([{"c1": ["k1"]}] * 3)
    r = chair.post(f"/chair/polls/{poll}/close", data={"confirm": "yes"})
    assert r.status_code == 302
    assert polls.get(room.db, poll)["state"] == "closed"
    acts = [(e["actor"], e["type"]) for e in room.db.query("SELECT actor, type FROM events ORDER BY seq")]
    assert ("user:chair", "poll.opened") in acts and ("user:chair", "poll.closed") in acts


def test_a_refused_open_or_close_says_why_and_stays_on_the_dashboard(room):
    poll = room.poll("democratic_recommendation", [contest()])
    chair = room.login()
    chair.get("/chair/?lang=en")  # the chair's language, kept in the session: the flash is written in it
    r = chair.post(f"/chair/polls/{poll}/close", data={"confirm": "yes"})
    assert r.status_code == 302
    assert "only an open poll can be closed" in page(chair.get(f"/chair/polls/{poll}?lang=en")).find("p", cls="flash").text
    chair.post(f"/chair/polls/{poll}/open")
    r = chair.post(f"/chair/polls/{poll}/open")
    assert r.status_code == 302
    flashes = page(chair.get(f"/chair/polls/{poll}?lang=en")).find_all("p", cls="flash")
    assert "only a draft can be opened" in flashes[-1].text and "alert" in flashes[-1].classes


# --- the dashboard while voting goes on ---------------------------------------------------------

def test_turnout_moves_one_by_one_and_the_tally_in_batches(app, room):
    poll = room.poll("democratic_recommendation", [contest()], expected=12, present=10, tokens=12)
    chair = room.login()
    chair.post(f"/chair/polls/{poll}/open")
    room.cast([{"c1": ["k1"]}, {"c1": []}, {"c1": ["k2"]}])  # three, one of them blank
    root = page(chair.get(f"/chair/polls/{poll}?lang=en"))
    # The reconciled counts' tiles: 收回 and 未投 move one by one, blank only with a batch.
    figures = {b.attrs["data-count"]: b.text for b in root.find_all("b") if "data-count" in b.attrs}
    assert figures == {"expected": "12", "present": "10", "issued": "12", "returned": "3", "not_voted": "9",
                       "blank": "0", "spoiled": "0", "voided": "0"}
    assert "Blank moves only with each published batch of 5 ballots" in root.text
    assert "The tally is updated every 5 ballots so no single vote can be singled out." in root.text
    assert root.find("p", id="tally-of").text == "The tally counts 0 of 3 ballots cast."
    assert [r.find("span", cls="value").text for r in rows(root).values()] == ["0 of 0 · 0.0%"] * 3
    assert "Quorum met: 10 present of 12 expected (8 needed)." in root.find("p", id="quorum").text

    room.cast([{"c1": ["k1"]}, {"c1": ["k1"]}])
    assert room.published(poll, 5)
    root = page(chair.get(f"/chair/polls/{poll}?lang=en"))
    assert root.find("p", id="tally-of").text == "The tally counts 5 of 5 ballots cast."
    k1 = rows(root)["k1"]
    assert k1.find("span", cls="value").text == "3 of 5 · 60.0%"
    assert k1.find("span", cls="fill").attrs["style"] == "width: 60.00%"
    line = root.find("span", cls="line")
    assert line.attrs["style"] == "left: 30.0%" and line.attrs["data-label"] == "30%"
    assert marks(root.find("div", id="tally-board")) == []  # nothing is marked before closing
    assert root.find("b", data_count="blank").text == "1"
    cfg = config_of(root)
    assert cfg["poll"] == poll and cfg["state"] == "open" and cfg["view"] == "dashboard"
    assert cfg["rule"]["line"] == 30.0 and cfg["rule"]["line_fraction"] == [3, 10]
    assert cfg["labels"]["votes"] == "%(votes)s of %(cast)s · %(percent)s"
    html = chair.get(f"/chair/polls/{poll}").get_data(as_text=True)
    assert "/static/vendor/socket.io.min.js" in html and "/static/js/dashboard.js" in html
    assert "/static/css/chair.css" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)


def test_the_lines_come_from_the_rules_file(tmp_path):
    rules = (ROOT / "tally" / "rules.toml").read_text(encoding="utf-8")
    rules = re.sub(r"(?m)^(\[democratic\][^\[]*?)^bar = .*$", r"\1bar = 0.40", rules, count=1)
    rules = re.sub(r"(?m)^batch_size = \d+", "batch_size = 3", rules)
    path = tmp_path / "rules.toml"
    path.write_text(rules, encoding="utf-8")
    app = _app(_instance(tmp_path), RULES_PATH=str(path))
    assert app.config["RULES"].democratic_bar * 100 == 40
    room = Room(app)
    poll = room.poll("democratic_recommendation", [contest()])
    root = page(room.login().get(f"/chair/polls/{poll}?lang=en"))
    line = root.find("span", cls="line")
    assert line.attrs["style"] == "left: 40.0%" and line.attrs["data-label"] == "40%"
    assert "The line is 40% of ballots cast" in root.text
    assert app.config["RULES"].live_batch_size == 3
    assert "The tally is updated every 3 ballots" in root.text


# --- the result after closing --------------------------------------------------------------------

def test_democratic_result_shows_counts_marks_and_the_digest(room):
    """10 ballots: 甲 6 (60%) passes, 乙 3 (30%, exactly the bar) passes, 丙 1 (10%) fails."""
    poll = room.poll("democratic_recommendation", [contest(max_choices=2)], expected=12, present=11,
                     tokens=12)
    chair = room.login()
    chair.post(f"/chair/polls/{poll}/open")
    ballots = ([{"c1": ["k1", "k2"]}] * 3 + [{"c1": ["k1"]}] * 3 + [{"c1": ["k3"]}]
               + [{"c1": []}] * 3)
    room.cast(ballots)
    chair.post(f"/chair/polls/{poll}/close", data={"confirm": "yes"})
    root = page(chair.get(f"/chair/polls/{poll}?lang=en"))
    assert root.find("span", id="state").text == "Closed"
    assert not root.find_all("form", id="close-form") and not root.find_all("p", cls="batch-note")
    by_id = rows(root)
    assert [by_id[k].find("span", cls="value").text for k in ("k1", "k2", "k3")] == [
        "6 of 10 · 60.0%", "3 of 10 · 30.0%", "1 of 10 · 10.0%"]
    assert [marks(by_id[k]) for k in ("k1", "k2", "k3")] == [["passes"], ["passes"], ["fails"]]
    sheet = root.find("section", cls="result-sheet")
    counts = {td.attrs["data-sheet-count"]: td.text for td in sheet.find("table").find_all("td")}
    # The counts object's boxes after the close: 未投 is inside 作废 (2 unused at the close).
    assert counts == {"expected": "12", "present": "11", "issued": "12", "returned": "10", "blank": "3",
                      "spoiled": "0", "voided": "2of which 2 unused at the close"}
    doc = counting.results(room.db, room.app.config["RULES"], poll)
    assert sheet.find("code", id="digest").text == doc["digest"] and len(doc["digest"]) == 64
    assert "Reached 30%: 甲, 乙" in sheet.text  # the glossary's words for a bar (tally.outcome_words)
    assert [b for b in root.find_all("button") if "data-print" in b.attrs]  # print stylesheet
    assert "Scrutineers" in sheet.text


def test_plenary_result_marks_chosen_runoff_and_the_cut(room):
    """2 places: 甲 5, 乙 3, 丙 3, 丁 0 -> 甲 chosen, 乙 and 丙 tied across the cut: runoff."""
    poll = room.poll("plenary_recommendation", [contest(names=("甲", "乙", "丙", "丁"), max_choices=2)],
                     expected=10, present=10)
    chair = room.login()
    chair.post(f"/chair/polls/{poll}/open")
    room.cast([{"c1": ["k1", "k2"]}] * 3 + [{"c1": ["k1", "k3"]}] * 2 + [{"c1": ["k3"]}])
    root = page(chair.get(f"/chair/polls/{poll}/projector?lang=en"))
    assert "Voting in progress" in root.text
    chair.post(f"/chair/polls/{poll}/close", data={"confirm": "yes"})
    root = page(chair.get(f"/chair/polls/{poll}?lang=en"))
    board = root.find("div", id="tally-board")
    order = [li.attrs.get("data-candidate", "cut") for li in board.find_all("li")]
    assert order == ["k1", "k2", "cut", "k3", "k4"]  # most votes first, the cut after 2 places
    assert board.find("li", cls="cut").text == "Cut: 2 places"
    by_id = rows(root)
    assert [marks(by_id[k]) for k in ("k1", "k2", "k3", "k4")] == [["chosen"], ["runoff"], ["runoff"], []]
    assert "chosen: 甲; a runoff is needed among: 乙, 丙." in root.find("ul", cls="outcome").text


def test_standing_committee_draws_the_line_at_more_than_half_of_expected(room):
    """11 expected, 8 present: 6 agreeing votes are needed (more than 11/2); one place."""
    committee = [contest(names=("甲", "乙"), places=1)]
    poll = room.poll("standing_committee", committee, expected=11, present=8, tokens=8)
    chair = room.login()
    chair.post(f"/chair/polls/{poll}/open")
    room.cast([{"k1": "agree", "k2": "agree" if i < 5 else "disagree"} for i in range(6)]
              + [{"k1": "disagree", "k2": "abstain"}] * 2)
    chair.post(f"/chair/polls/{poll}/close", data={"confirm": "yes"})
    root = page(chair.get(f"/chair/polls/{poll}?lang=en"))
    assert "at least 6 votes" in root.find("p", cls="rule").text
    line = root.find("span", cls="line")
    assert line.attrs["data-label"] == "6 needed" and line.attrs["style"] == "left: 50.0%"
    by_id = rows(root)
    assert by_id["k1"].find("span", cls="value").text == "agree 6 · disagree 2 · abstain 0"
    assert [marks(by_id["k1"]), marks(by_id["k2"])] == [["chosen"], ["fails"]]
    segs = {min(s.classes - {"seg"}): s.attrs["style"] for s in by_id["k1"].find_all("span", cls="seg")}
    assert segs == {"agree": "width: 54.55%", "disagree": "width: 18.18%", "abstain": "width: 0.00%"}
    assert "Quorum met: 8 present of 11 expected (8 needed)." in root.text


def test_without_quorum_the_page_says_plainly_that_nothing_passes(room):
    """11 expected, 7 present: below 2/3 of 11, the vote is void whatever the votes."""
    poll = room.poll("standing_committee", [contest(names=("甲", "乙"), places=1)],
                     expected=11, present=7, tokens=7)
    chair = room.login()
    chair.post(f"/chair/polls/{poll}/open")
    root = page(chair.get(f"/chair/polls/{poll}?lang=en"))
    assert "bad" in root.find("p", id="quorum").classes
    assert "Quorum not met" in root.text and "Nothing passes and nobody is chosen." in root.text
    room.cast([{"k1": "agree", "k2": "agree"}] * 7)
    chair.post(f"/chair/polls/{poll}/close", data={"confirm": "yes"})
    root = page(chair.get(f"/chair/polls/{poll}?lang=en"))
    assert "The quorum was not met: nothing passes and nobody is chosen." in root.text
    assert [marks(r) for r in rows(root).values()] == [["fails"], ["fails"]]
    assert "nobody is chosen" in root.find("ul", cls="outcome").text


def test_character_warns_below_the_minimum_raters_and_marks_a_veto(room):
    """3 raters of 50 needed; 甲 has 1 'frequent' of 3 on item 1 (33% > 30%): veto."""
    items = len(room.app.config["RULES"].character_items)
    poll = room.poll("character", [contest(names=("甲", "乙"))], expected=5, tokens=5)
    chair = room.login()
    chair.post(f"/chair/polls/{poll}/open")
    clean = ["none"] * items
    room.cast([{"k1": ["frequent"] + ["none"] * (items - 1), "k2": clean},
               {"k1": clean, "k2": clean}, {"k1": clean, "k2": ["occasional"] * items}])
    root = page(chair.get(f"/chair/polls/{poll}?lang=en"))
    assert "3 / 50 raters" not in root.text  # not yet published: 3 < k
    chair.post(f"/chair/polls/{poll}/close", data={"confirm": "yes"})
    root = page(chair.get(f"/chair/polls/{poll}?lang=en"))
    people = {p.attrs["data-candidate"]: p for p in root.find_all("div", cls="person-board")}
    raters = people["k1"].find("span", cls="raters")
    assert raters.text == "3 / 50 raters" and "warn" in raters.classes
    assert marks(people["k1"]) == ["veto", "incomplete"] and marks(people["k2"]) == ["incomplete"]
    first_item = people["k1"].find_all("li", cls="item")[0]
    assert "fail" in first_item.find("span", cls="fill").classes
    assert first_item.find("span", cls="value").text == "1 frequent · 33.3%"
    assert first_item.find("span", cls="line").attrs["data-label"] == "30%"
    assert len(people["k1"].find_all("li", cls="item")) == items
    assert "veto: 甲" in root.find("ul", cls="outcome").text


def test_survey_and_leaders_draw_their_figures(room):
    survey = room.poll("survey", [contest(names=("甲",))], expected=5, tokens=5)
    chair = room.login()
    chair.post(f"/chair/polls/{survey}/open")
    room.cast([{"k1": "satisfied"}] * 3 + [{"k1": "basically_satisfied"}, {"k1": "dissatisfied"}])
    chair.post(f"/chair/polls/{survey}/close", data={"confirm": "yes"})
    row = rows(page(chair.get(f"/chair/polls/{survey}?lang=en")))["k1"]
    assert row.find("span", cls="value").text == "80.0%"
    assert marks(row) == ["passes", "incomplete"]
    assert row.find("span", cls="respondents").text == "5 / 50 respondents"

    leaders = room.poll("leaders", [contest(names=("甲",))], voters=[
        {"name": "王", "group": "unit"}, {"name": "李", "group": "unit"}])
    chair.post(f"/chair/polls/{leaders}/open")
    room.cast([{"k1": "good"}, {"k1": "average"}])
    chair.post(f"/chair/polls/{leaders}/close", data={"confirm": "yes"})
    root = page(chair.get(f"/chair/polls/{leaders}?lang=en"))
    row = rows(root)["k1"]
    assert row.find("span", cls="value").text == "Score 4.00 / 10"  # 5 × (1 + 0.6) / 2, city none
    assert "No grades yet from: city leaders" in row.text
    assert "named: who answered is recorded" in root.text


# --- the projector --------------------------------------------------------------------------------

def test_projector_shows_turnout_while_open_and_the_result_after_close(room):
    poll = room.poll("democratic_recommendation", [contest()], expected=10, present=9)
    chair = room.login()
    root = page(chair.get(f"/chair/polls/{poll}/projector?lang=en"))
    assert "projector" in root.find("body").classes
    assert "Voting has not started yet." in root.text
    chair.post(f"/chair/polls/{poll}/open")
    room.cast([{"c1": ["k1"]}] * 4)
    root = page(chair.get(f"/chair/polls/{poll}/projector?lang=en"))
    assert "Voting in progress" in root.text
    assert root.find("b", data_count="returned").text == "4"
    assert root.find("b", data_count="present").text == "9"
    assert not root.find_all("b", data_count="blank")  # the blank count comes with the tally
    assert not root.find_all("div", cls="tally-board")  # no tally on the wall while voting
    assert config_of(root)["show_turnout"] is True and config_of(root)["view"] == "projector"
    chair.post(f"/chair/polls/{poll}/close", data={"confirm": "yes"})
    root = page(chair.get(f"/chair/polls/{poll}/projector?lang=en"))
    assert "Voting in progress" not in root.text
    assert marks(rows(root)["k1"]) == ["passes"] and marks(rows(root)["k2"]) == ["fails"]
    assert "Reached 30%: 甲" in root.find("ul", cls="outcome").text
    html = chair.get(f"/chair/polls/{poll}/projector").get_data(as_text=True)
    assert "socket.io.min.js" not in html  # a closed poll changes no more


def test_projector_hides_turnout_when_the_setting_is_off(tmp_path):
    app = _app(_instance(tmp_path, "projector_turnout = false\n"))
    assert app.config["SETTINGS"].projector_turnout is False
    room = Room(app)
    poll = room.poll("democratic_recommendation", [contest()], expected=10, present=9)
    chair = room.login()
    chair.post(f"/chair/polls/{poll}/open")
    room.cast([{"c1": ["k1"]}] * 2)
    root = page(chair.get(f"/chair/polls/{poll}/projector?lang=en"))
    assert "Voting in progress" in root.text
    assert not [b for b in root.find_all("b") if "data-turnout" in b.attrs or "data-count" in b.attrs]
    assert config_of(root)["show_turnout"] is False
    # The chair's own dashboard still shows it.
    assert page(chair.get(f"/chair/polls/{poll}")).find("b", data_count="returned").text == "2"
    chair.post(f"/chair/polls/{poll}/close", data={"confirm": "yes"})
    root = page(chair.get(f"/chair/polls/{poll}/projector?lang=en"))
    assert marks(rows(root)["k1"]) == ["passes"]


# --- the script draws what the server draws ----------------------------------------------------

CANONICAL = """(node) => {
  // Markup reduced to what a person sees: tags, classes, computed inline style, attributes, text.
  function canon(n) {
    if (n.nodeType === 3) {
      const text = n.textContent.replace(/\\s+/g, " ").trim();
      return text ? JSON.stringify(text) : "";
    }
    if (n.nodeType !== 1) return "";
    const attrs = Array.from(n.attributes).map((a) => {
      if (a.name === "class") return [a.name, a.value.split(/\\s+/).filter(Boolean).sort().join(" ")];
      if (a.name === "style") return [a.name, n.style.cssText];
      return [a.name, a.value];
    }).filter(([name, value]) => !(name === "class" && value === "")).sort();
    return "<" + n.tagName.toLowerCase() + JSON.stringify(attrs) + ">" +
      Array.from(n.childNodes).map(canon).filter(Boolean).join("") + "</>";
  }
  return canon(node);
}"""


def _kinds(room: Room) -> list[tuple[str, list[dict]]]:
    """One poll of every kind, each with more than k ballots, as (poll id, ballots)."""
    items = len(room.app.config["RULES"].character_items)
    three = ("甲", "乙", "丙")
    answer = {
        "democratic_recommendation": lambda i: {"c1": [["k1"], ["k2"], [], ["k1", "k3"]][i % 4]},
        "plenary_recommendation": lambda i: {"c1": [["k1", "k2"], ["k2", "k3"], ["k1"]][i % 3]},
        "interview_recommendation": lambda i: {"c1": [["k1"], ["k2"]][i % 2]},
        "standing_committee": lambda i: {"k1": "agree", "k2": ["agree", "disagree", "abstain"][i % 3],
                                         "k3": "abstain"},
        "character": lambda i: {f"k{j}": [["none", "occasional", "frequent"][(i + j) % 3]] * items
                                for j in (1, 2, 3)},
        "survey": lambda i: {f"k{j}": ["satisfied", "basically_satisfied", "dissatisfied"][(i * j) % 3]
                             for j in (1, 2, 3)},
        "leaders": lambda i: {f"k{j}": ["good", "fairly_good", "average", "poor"][(i + j) % 4]
                              for j in (1, 2, 3)},
    }
    made = []
    for kind, answers in answer.items():
        choices = 2 if kind in ("democratic_recommendation", "plenary_recommendation") else 1
        spec = [contest(names=three, max_choices=choices, places=2 if kind != "interview_recommendation" else 1)]
        if kind in ("interview_recommendation", "leaders"):
            # Slips to spare: the live tally moves only while at least k slips are unused.
            voters = [{"name": f"v{i}", "group": "unit" if i % 2 else "city"} for i in range(12)]
            poll = room.poll(kind, spec, expected=9, present=8, voters=voters)
        else:
            poll = room.poll(kind, spec, expected=9, present=8, tokens=12)
        made.append((poll, [answers(i) for i in range(7)]))
    return made


@pytest.mark.browser
def test_dashboard_script_draws_every_kind_as_the_server_does(tmp_path):
    """Every kind, open (a published batch) and closed: dashboard.js's render(doc) gives the
    markup the server drew from the same document (templates/chair/_board.html)."""
    from conftest import LiveServer, browser_required

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        if browser_required():
            pytest.fail("browser tests must run under CI=true: no Chromium at /usr/bin/chromium")
        pytest.skip("no Chromium at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")

    app = _app(_instance(tmp_path))
    room = Room(app)
    made = _kinds(room)
    chair = room.login()
    for poll, ballots in made:
        chair.post(f"/chair/polls/{poll}/open")
        room.cast(ballots, poll)
    rules = app.config["RULES"]
    for poll, _ in made:
        deadline = time.monotonic() + 5
        while counting.results(room.db, rules, poll)["cast"] < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
    with LiveServer(app) as server, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            # Without the socket the page keeps the server's drawing; render() is still there.
            page.route("**/socket.io.min.js", lambda route: route.abort())
            page.goto(f"{server.url}/login?lang=en")
            page.fill("input[name=name]", "chair")
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("form button.primary")
            for state in ("open", "closed"):
                for poll, _ in made:
                    doc = counting.results(room.db, rules, poll)
                    assert doc["state"] == state and doc["cast"] >= 5, (doc["kind"], doc["cast"])
                    page.goto(f"{server.url}/chair/polls/{poll}?lang=en")
                    drawn = page.evaluate(
                        f"() => ({CANONICAL})(document.querySelector('#tally-board > .tally-board'))")
                    scripted = page.evaluate(f"doc => ({CANONICAL})(BallotroomBoard.render(doc))", doc)
                    assert scripted == drawn, (doc["kind"], state)
                    if state == "closed" and doc["kind"] != "leaders":
                        assert "data-mark" in drawn  # the closed boards do carry their marks
                for poll, _ in made:
                    chair.post(f"/chair/polls/{poll}/close", data={"confirm": "yes"})
        finally:
            browser.close()
