"""Rehearsals, the zero report and the rules each poll keeps (docs/api.md, "Rehearsals and the
zero report"; docs/rules.md, "Rules per poll").

- A rehearsal runs with test slips beside a real poll and never touches it: the real poll's
  counts, results, digest, certificate and the round's score sheet are the same as in a twin
  room where no rehearsal ran.
- A rehearsal can be reset (ballots, tracking codes and slips removed, logged) and run again; a
  real poll cannot.
- A poll opens with its zero report: an empty box, the empty box's digest, the slips issued, the
  log head at opening.
- A poll is counted under the rules it opened with, even when the rules file changes under it.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import pytest
from conftest import Api, contest, new_instance

from kiosk.app import create_app
from kiosk.cli.main import main as cli
from kiosk.domain import accounts, bundles, evidence
from kiosk.store import eventlog
from kiosk.web.api import body as request_body
from kiosk.web.api.openapi import SCHEMAS

EMPTY_DIGEST = hashlib.sha256(b"").hexdigest()
LEVELS = [{"id": "section_chief", "posts": 1}]
CANDIDATES = [{"id": f"c{i}", "name": n, "level": "section_chief", "unit": "单位"}
              for i, n in enumerate(("张伟", "王芳", "李娜"), 1)]
CONTESTS = [{"id": "section_chief", "title": "正科级", "max_choices": 1,
             "candidates": [{"id": c["id"], "name": c["name"]} for c in CANDIDATES]}]
REAL_BALLOTS = [["c1"]] * 4 + [["c2"]] * 3 + [[]]


@pytest.fixture
def app(instance):
    """The pages' forms without their CSRF token, as tests/test_chair_pages.py does."""
    return create_app(str(instance), {"TESTING": True, "WTF_CSRF_ENABLED": False})


def login_chair(app, client) -> None:
    accounts.add_user(app.extensions["ballotroom_db"], "chair", "chair", "chair password 1")
    r = client.post("/login", data={"name": "chair", "password": "chair password 1"})
    assert r.status_code == 302, r.status_code


def _api(app) -> Api:
    return Api(app.test_client(), accounts.create_api_key(app.extensions["ballotroom_db"], "admin"))


def _room(path, rehearse: bool) -> dict:
    """One meeting, one round, one real democratic recommendation feeding it; with ``rehearse``,
    a rehearsal of that poll run (twice, reset between) while the real one is open."""
    app = create_app(str(new_instance(path)), {"TESTING": True})
    api = _api(app)
    meeting = api.meeting(10, present=9)
    round_id = api.post("/rounds", {"title": "选拔", "levels": LEVELS}, 201).get_json()["id"]
    api.post(f"/rounds/{round_id}/candidates", {"candidates": CANDIDATES}, 201)
    real = api.post(f"/meetings/{meeting}/polls", {"title": "民主推荐", "kind": "democratic_recommendation",
                                                   "contests": CONTESTS, "round": round_id}, 201).get_json()["id"]
    slips = api.tokens(real, len(REAL_BALLOTS))
    rehearsal = None
    if rehearse:
        rehearsal = api.post(f"/polls/{real}/rehearsal", None, 201).get_json()
        assert rehearsal["rehearsal"] is True and rehearsal["round"] is None
        rehearsal = rehearsal["id"]
        for run in range(2):
            test_slips = api.tokens(rehearsal, 6)
            api.open(rehearsal)
            for token in test_slips[:5]:  # all for c3, who gets nothing in the real poll
                assert api.vote(token, {"section_chief": ["c3"]}).status_code == 201
            if run == 0:
                api.post(f"/polls/{rehearsal}/reset", {"reason": "再练一次"}, 200)
    opened = api.open(real)
    for token, chosen in zip(slips, REAL_BALLOTS, strict=True):
        assert api.vote(token, {"section_chief": chosen}).status_code == 201
    if rehearse:
        api.close(rehearsal)
    api.close(real)
    db = app.extensions["ballotroom_db"]
    cert = json.loads(db.one("SELECT certificate FROM polls WHERE id = ?", (real,))["certificate"])
    return {"app": app, "api": api, "db": db, "real": real, "rehearsal": rehearsal, "opened": opened,
            "results": api.results(real), "cert": cert, "scores": api.get(f"/rounds/{round_id}/scores"),
            "board": app.test_client().get("/board/").get_data(as_text=True)}


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    return _room(tmp_path_factory.mktemp("plain") / "i", False), _room(tmp_path_factory.mktemp("rehearsed") / "i", True)


def _same_part(doc: dict) -> dict:
    """What must not differ between the twin rooms: everything but ids, times and the tracking
    codes (random per slip; checked to be the real poll's own below)."""
    return {k: v for k, v in doc.items()
            if k not in ("poll", "cast_live", "closed_at", "log_entry", "meeting", "tracking_codes_sha256")}


def test_a_rehearsal_leaves_the_real_poll_and_the_round_exactly_as_without_it(twins):
    plain, rehearsed = twins
    assert _same_part(rehearsed["results"]) == _same_part(plain["results"])
    assert rehearsed["results"]["counts"]["returned"] == len(REAL_BALLOTS)
    assert [c["votes"] for c in rehearsed["results"]["contests"][0]["candidates"]] == [4, 3, 0]
    lines = [evidence.ballot_line({"section_chief": chosen}, None) for chosen in REAL_BALLOTS]
    assert rehearsed["cert"]["digest"] == plain["cert"]["digest"] == evidence.ballot_box_digest(lines)
    assert _same_part(rehearsed["cert"]) == _same_part(plain["cert"])
    assert "rehearsal" not in rehearsed["cert"]  # a real certificate keeps its shape
    codes = [r["code"] for r in rehearsed["db"].query("SELECT code FROM receipts WHERE poll_id = ?", (rehearsed["real"],))]
    assert len(codes) == len(REAL_BALLOTS)
    assert rehearsed["cert"]["tracking_codes_sha256"] == evidence.codes_digest(codes)
    assert rehearsed["scores"] == plain["scores"]
    # The real poll's zero report: its box was empty though the rehearsal's held ballots then.
    assert rehearsed["opened"]["zero_report"]["ballots"] == 0
    assert rehearsed["opened"]["zero_report"]["digest"] == EMPTY_DIGEST


def test_a_rehearsal_says_so_and_is_never_a_result(twins):
    _, room = twins
    rid, api = room["rehearsal"], room["api"]
    cert = json.loads(room["db"].one("SELECT certificate FROM polls WHERE id = ?", (rid,))["certificate"])
    assert cert["rehearsal"] is True and cert["counts"]["cast"] == 5
    assert api.get(f"/polls/{rid}")["rehearsal"] is True
    board = room["board"]
    assert f"/board/polls/{room['real']}" in board and f"/board/polls/{rid}" not in board
    client = room["app"].test_client()
    assert client.get(f"/board/polls/{rid}").status_code == 404
    assert client.get(f"/board/polls/{rid}/bundle.json").status_code == 404
    # The certified close of the rehearsal is still checked by `log verify` (it is in the log).
    assert not [p for p in room["db"].query("SELECT id FROM polls WHERE rehearsal = 1 AND round_id IS NOT NULL")]


def test_the_reset_removed_the_first_run_and_was_logged(twins):
    _, room = twins
    rid, db = room["rehearsal"], room["db"]
    resets = [json.loads(r["payload"]) for r in db.query("SELECT payload FROM events WHERE type = 'poll.rehearsal_reset'")]
    assert resets == [{"poll": rid, "was": "open", "cast": 5, "issued": 6, "reason": "再练一次"}]
    # Only the second run is left: 6 slips, 5 ballots, 5 tracking codes.
    for table, n in (("tokens", 6), ("ballots", 5), ("receipts", 5), ("token_batches", 1)):
        assert db.one(f"SELECT count(*) AS n FROM {table} WHERE poll_id = ?", (rid,))["n"] == n, table
    opened = [json.loads(r["payload"]) for r in db.query(
        "SELECT payload FROM events WHERE type = 'poll.opened' AND json_extract(payload, '$.poll') = ?", (rid,))]
    assert len(opened) == 2 and all(o["ballots"] == 0 and o["rehearsal"] is True for o in opened)


def test_reset_refuses_a_real_poll_and_bad_reasons_changing_nothing(api, database):
    meeting = api.meeting(5, present=5)
    real = api.poll(meeting, "democratic_recommendation", [contest()])
    token = api.tokens(real, 2)[0]
    api.open(real)
    assert api.vote(token, {"c1": ["k1"]}).status_code == 201
    before = database.query("SELECT * FROM events")
    r = api.post(f"/polls/{real}/reset", None)
    assert r.status_code == 409 and r.get_json()["error"] == "state"
    rehearsal = api.post(f"/polls/{real}/rehearsal", None, 201).get_json()["id"]
    for body in ({"reason": "x" * 501}, {"reason": 5}, {"other": 1}):
        assert api.post(f"/polls/{rehearsal}/reset", body).status_code == 400
    assert api.post("/polls/nope/reset", None).status_code == 404
    assert database.query("SELECT * FROM events")[:len(before)] == before
    assert len(database.query("SELECT * FROM events")) == len(before) + 1  # the rehearsal's creation
    assert api.results(real)["cast_live"] == 1


def test_a_rehearsal_names_no_round(api):
    meeting = api.meeting(5)
    r = api.post(f"/meetings/{meeting}/polls", {"title": "t", "kind": "democratic_recommendation",
                                                "contests": [contest()], "round": "r1", "rehearsal": True})
    assert r.status_code == 400 and r.get_json()["detail"]["field"] == "round"
    r = api.post(f"/meetings/{meeting}/polls", {"title": "t", "kind": "democratic_recommendation",
                                                "contests": [contest()], "rehearsal": "yes"})
    assert r.status_code == 400 and r.get_json()["detail"]["field"] == "rehearsal"


def test_a_rehearsal_opening_makes_nobody_late(api):
    meeting = api.meeting(3)
    api.client.put(f"/api/v1/meetings/{meeting}/roster", headers=api.headers,
                   json={"members": [{"name": n} for n in ("甲", "乙", "丙")]})
    rehearsal = api.post(f"/meetings/{meeting}/polls", {"title": "t", "kind": "democratic_recommendation",
                                                        "contests": [contest()], "rehearsal": True}, 201).get_json()["id"]
    api.open(rehearsal)
    roster = api.get(f"/meetings/{meeting}/roster")
    member = roster["members"][0]["id"]
    api.post(f"/meetings/{meeting}/roster/{member}/sign-in", None, 200)
    assert api.get(f"/meetings/{meeting}/roster")["members"][0]["late"] is False


# --- the zero report -------------------------------------------------------------------------


def test_opening_makes_the_zero_report_and_the_api_answers_it_typed(api, database):
    meeting = api.meeting(5, present=5)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    api.tokens(poll, 4)
    opened = api.open(poll)
    request_body.validate(opened, {"$ref": "#/components/schemas/Opened"}, {"schemas": SCHEMAS})
    report = opened["zero_report"]
    assert report["ballots"] == 0 and report["issued"] == 4 and report["digest"] == EMPTY_DIGEST
    assert report["digest"] == evidence.ballot_box_digest([])
    with database.read() as conn:
        head = eventlog.head(conn)
    assert report["log_head"] == head == api.get("/log/head")
    entry = database.one("SELECT type, payload FROM events WHERE hash = ?", (head["hash"],))
    assert entry["type"] == "poll.opened" and json.loads(entry["payload"])["digest"] == EMPTY_DIGEST
    assert api.get(f"/polls/{poll}")["zero_report"] == report
    request_body.validate(api.get(f"/polls/{poll}"), {"$ref": "#/components/schemas/Poll"}, {"schemas": SCHEMAS})
    assert cli(["log", "verify", "--instance", str(database.path.parent), "--head", report["log_head"]["code"]]) == 0


def test_a_box_that_is_not_empty_does_not_open(api, database):
    meeting = api.meeting(5)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    with database.write() as conn:  # what no act of the server does: a ballot in a draft's box
        conn.execute("INSERT INTO ballots (poll_id, id, answers) VALUES (?, ?, '{}')", (poll, "0" * 32))
    r = api.post(f"/polls/{poll}/open")
    assert r.status_code == 409 and api.get(f"/polls/{poll}")["state"] == "draft"


def test_projector_result_sheet_and_board_show_the_zero_report_and_the_heads(app, api, client, database):
    meeting = api.meeting(5, present=5)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    token = api.tokens(poll, 2)[0]
    report = api.open(poll)["zero_report"]
    login_chair(app, client)
    projector = client.get(f"/chair/polls/{poll}/projector").get_data(as_text=True)
    assert report["digest"] in projector and report["log_head"]["code"] in projector
    assert 'id="log-head"' in projector
    api.vote(token, {"c1": ["k1"]})
    api.close(poll)
    close_head = eventlog.head_code(json.loads(database.one(
        "SELECT certificate FROM polls WHERE id = ?", (poll,))["certificate"])["log_entry"])
    projector = client.get(f"/chair/polls/{poll}/projector").get_data(as_text=True)
    assert close_head in projector
    sheet = client.get(f"/chair/polls/{poll}/result").get_data(as_text=True)
    assert report["digest"] in sheet and report["log_head"]["code"] in sheet and close_head in sheet
    assert close_head in client.get(f"/board/polls/{poll}").get_data(as_text=True)
    assert close_head in client.get("/board/").get_data(as_text=True)
    pdf = client.get(f"/chair/polls/{poll}/result.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_rehearsal_is_marked_on_the_tablet_the_dashboard_and_the_slips(app, api, client):
    meeting = api.meeting(5, present=5)
    real = api.poll(meeting, "democratic_recommendation", [contest()])
    rehearsal = api.post(f"/polls/{real}/rehearsal", None, 201).get_json()["id"]
    real_token, test_token = api.tokens(real, 1)[0], api.tokens(rehearsal, 1)[0]
    api.open(real)
    api.open(rehearsal)
    tablet = app.test_client()
    assert "测试" in tablet.get(f"/t/{test_token}").get_data(as_text=True)
    assert "测试" not in tablet.get(f"/t/{real_token}").get_data(as_text=True)
    login_chair(app, client)
    for view in ("", "/projector"):
        assert "data-rehearsal" in client.get(f"/chair/polls/{rehearsal}{view}").get_data(as_text=True)
        assert "data-rehearsal" not in client.get(f"/chair/polls/{real}{view}").get_data(as_text=True)


def test_test_slips_are_marked_and_still_scan():
    from browser_helpers import qr_urls

    from kiosk.documents.slips import TEST_LINE, TEST_MARK, Slip, render_slips
    pypdf = pytest.importorskip("pypdf")
    slips = [Slip(f"http://10.0.0.5:5000/t/ABCD-EFGH-JKMN-PQRS-TVWX-YZ0{i}", f"ABCD-EFGH-JKMN-PQRS-TVWX-YZ0{i}")
             for i in range(3)]
    test = render_slips("民主推荐", slips, rehearsal=True)
    real = render_slips("民主推荐", slips)

    def text(pdf):
        import io
        return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")
    assert TEST_MARK in text(test) and TEST_LINE in text(test)
    assert TEST_MARK not in text(real)
    assert sorted(qr_urls(test)) == sorted(s.url for s in slips)


# --- rules per poll --------------------------------------------------------------------------


def _rules_with(tmp_path, old: str, new: str, name="rules.toml"):
    text = resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_poll_is_counted_and_certified_under_the_rules_it_opened_with(instance, tmp_path):
    """The democratic bar goes from 30% to 50% while the poll is open: the close succeeds, the
    candidate with 40% still passes (the poll's rules), the certificate names the rules it opened
    with, and the bundle verifies by recount. A poll opened afterwards follows the new bar."""
    original = resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8")
    first = create_app(str(instance), {"TESTING": True})
    api = _api(first)
    meeting = api.meeting(5, present=5)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    later = api.poll(meeting, "democratic_recommendation", [contest()])
    tokens, later_tokens = api.tokens(poll, 5), api.tokens(later, 5)
    api.open(poll)
    ballots = [["k1"], ["k1"], ["k2"], ["k2"], ["k3"]]  # 40%, 40%, 20%
    for token, chosen in zip(tokens, ballots, strict=True):
        assert api.vote(token, {"c1": chosen}).status_code == 201

    changed = _rules_with(tmp_path, "bar = 0.30", "bar = 0.50")
    (instance / "config.toml").write_text(f'rules_path = "{changed}"\n', encoding="utf-8")
    second = create_app(str(instance), {"TESTING": True})
    api2 = _api(second)
    live = api2.results(poll)  # the live view under the new server: still the poll's own rules
    assert live["state"] == "open"
    assert api2.close(poll) == {"poll": poll, "state": "closed"}
    result = api2.results(poll)
    assert [c["passes"] for c in result["contests"][0]["candidates"]] == [True, True, False]

    db = second.extensions["ballotroom_db"]
    cert = json.loads(db.one("SELECT certificate FROM polls WHERE id = ?", (poll,))["certificate"])
    assert cert["rules_sha256"] == evidence.rules_hash(original) == api2.get(f"/polls/{poll}")["rules_sha256"]
    bundle = bundles.poll_bundle(db, poll, evidence.public_key_pem(second.extensions["ballotroom_signer"].key))
    assert bundle["rules"] == original
    assert all(c.ok for c in evidence.verify_bundle(bundle)), [c for c in evidence.verify_bundle(bundle) if not c.ok]
    out = tmp_path / "bundle.json"
    assert cli(["export", poll, "--instance", str(instance), "-o", str(out)]) == 0
    assert cli(["verify", str(out)]) == 0

    # A poll opened under the new file is counted under it: 40% is below 50%.
    api2.open(later)
    for token, chosen in zip(later_tokens, ballots, strict=True):
        assert api2.vote(token, {"c1": chosen}).status_code == 201
    api2.close(later)
    assert [c["passes"] for c in api2.results(later)["contests"][0]["candidates"]] == [False, False, False]
    assert api2.get(f"/polls/{later}")["rules_sha256"] == evidence.rules_hash(changed.read_text(encoding="utf-8"))


def test_a_character_poll_closes_when_the_items_change_under_it(instance, tmp_path, app):
    """Today's hardest case: one item fewer in the file. The poll opened with the full list closes,
    counts its ballots with that list, and verifies."""
    api = _api(app)
    meeting = api.meeting(3, present=3)
    poll = api.poll(meeting, "character", [contest("c1", names=("甲",))])
    token = api.tokens(poll, 1)[0]
    api.open(poll)
    items = len(app.config["RULES"].character_items)
    assert api.vote(token, {"k1": ["none"] * items}).status_code == 201
    text = resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8")
    cut = text.rindex("[[character.items]]")
    changed = text[:cut].replace("character = 20", "character = 18") + text[text.index("\n[", cut + 5):]
    path = tmp_path / "fewer.toml"
    path.write_text(changed, encoding="utf-8")
    (instance / "config.toml").write_text(f'rules_path = "{path}"\n', encoding="utf-8")
    other = create_app(str(instance), {"TESTING": True})
    assert len(other.config["RULES"].character_items) == items - 1
    api2 = _api(other)
    assert api2.close(poll)["state"] == "closed"
    out = tmp_path / "character.json"
    assert cli(["export", poll, "--instance", str(instance), "-o", str(out)]) == 0
    assert cli(["verify", str(out)]) == 0


def test_the_chair_resets_a_rehearsal_from_the_dashboard_and_the_log_says_so(app, api, client):
    meeting = api.meeting(5, present=5)
    rehearsal = api.post(f"/meetings/{meeting}/polls", {"title": "演练", "kind": "democratic_recommendation",
                                                        "contests": [contest()], "rehearsal": True}, 201).get_json()["id"]
    token = api.tokens(rehearsal, 2)[0]
    api.open(rehearsal)
    assert api.vote(token, {"c1": ["k1"]}).status_code == 201
    login_chair(app, client)
    assert 'id="reset-form"' in client.get(f"/chair/polls/{rehearsal}").get_data(as_text=True)
    r = client.post(f"/chair/polls/{rehearsal}/reset", data={"reason": "再练"})
    assert r.status_code == 302
    poll = api.get(f"/polls/{rehearsal}")
    assert poll["state"] == "draft" and poll["issued"] == 0 and poll["zero_report"] is None
    log = client.get("/log/?lang=zh_CN").get_data(as_text=True)
    assert "再练" in log and "演练" in log


def test_the_live_tally_moves_in_the_batches_of_the_rules_the_poll_opened_with(instance, tmp_path):
    # The batch is part of the poll's secrecy (never the last few slips, never one ballot at a
    # time): a rules file changed while the poll is open must not change it.
    from kiosk.web import live

    first = create_app(str(instance), {"TESTING": True})
    api = _api(first)
    meeting = api.meeting(20, present=20)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    fresh = api.poll(meeting, "democratic_recommendation", [contest()])
    api.tokens(poll, 20)
    api.tokens(fresh, 20)
    api.open(poll)
    assert live.batch_size(first, poll) == first.config["RULES"].live_batch_size == 5

    changed = _rules_with(tmp_path, "batch_size = 5", "batch_size = 2")
    (instance / "config.toml").write_text(f'rules_path = "{changed}"\n', encoding="utf-8")
    second = create_app(str(instance), {"TESTING": True})
    assert second.config["RULES"].live_batch_size == 2
    assert live.batch_size(second, poll) == 5  # the open poll keeps its own
    _api(second).open(fresh)
    assert live.batch_size(second, fresh) == 2  # a poll opened under the new file follows it
