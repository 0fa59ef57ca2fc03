"""One poll's counts are the same on every surface that shows them, for every kind.

A poll of each kind runs with a lost batch voided, tablet ballots and (where the kind takes them)
paper ballots, one of them never returned; then every surface is read while it is open and after
the close: the admin's poll and meeting pages, the chair's dashboard (server-rendered, and the
live `turnout` event), the projector, `ballotroom polls`, and after the close also the result
sheet (PDF and the dashboard's block), the bulletin board's index and detail, and the evidence
bundle's signed counts. Each must show the counts object's 发出 / 收回 / 作废 (and 未投 while open);
after the close no surface shows 未投 as a box of its own, and the boxes add up to 发出. A table
per surface: the test fails naming the surface that disagrees.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from conftest import ADMIN_PASSWORD, Api
from pypdf import PdfReader

from kiosk.app import create_app
from kiosk.cli.main import main as cli
from kiosk.domain import accounts, bundles, evidence
from kiosk.web.extensions import socketio
from tally.kinds import KINDS, NAMED_KINDS
from tally.rules import default_rules
from tests.test_counts import _answers, _spec

PAPER_KINDS = tuple(default_rules().paper.kinds)
# Per shape of the paper ballot: the entry key (docs/api.md, "Paper ballots").
ENTRY_KEY = {"character": "items", "standing_committee": "answers", "survey": "answers"}
SLIPS, LOST, TABLET, PAPER = 6, 3, 4, 3  # slips issued, a lost batch, tablet ballots, paper handed out


@pytest.fixture
def app(instance):
    return create_app(str(instance), {"TESTING": True, "WTF_CSRF_ENABLED": False})


def _numbers(pattern: str, html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(pattern, html)}


def _surfaces_open_and_closed(app, instance, web, poll, meeting, capsys) -> dict[str, dict[str, int]]:
    """Every surface shown at this moment: key -> {count key: figure}."""
    html = {name: web.get(url).get_data(as_text=True) for name, url in (
        ("admin poll page", f"/admin/polls/{poll}?lang=zh_CN"), ("admin meeting page", f"/admin/meetings/{meeting}"),
        ("dashboard", f"/chair/polls/{poll}?lang=zh_CN"), ("projector", f"/chair/polls/{poll}/projector?lang=zh_CN"))}
    row = re.search(rf'<tr data-poll="{poll}">(.*?)</tr>', html["admin meeting page"], re.S).group(1)
    out = {
        "admin poll page": _numbers(r'<li data-count="(\w+)"><b>(\d+)</b>', html["admin poll page"]),
        "admin meeting page": _numbers(r'<td class="num" data-count="(\w+)">(\d+)', row),
        "dashboard": _numbers(r'<b data-count="(\w+)">(\d+)</b>', html["dashboard"]),
        "projector": _numbers(r'<b data-count="(\w+)">(\d+)</b>', html["projector"]),
    }
    live = socketio.test_client(app, namespace="/live", flask_test_client=web)
    assert live.emit("watch", {"poll": poll}, namespace="/live", callback=True)["ok"]
    turnout = [e["args"][0] for e in live.get_received("/live") if e["name"] == "turnout"][-1]
    live.disconnect(namespace="/live")
    out["live turnout event"] = {k: v for k, v in turnout["counts"].items() if isinstance(v, int)}
    capsys.readouterr()
    assert cli(["polls", "--json", "--instance", str(instance)]) == 0
    listed = json.loads(capsys.readouterr().out)
    counts = next(p["counts"] for m in listed["meetings"] for p in m["polls"] if p["id"] == poll)
    out["ballotroom polls --json"] = {k: v for k, v in counts.items() if isinstance(v, int)}
    assert cli(["polls", "--instance", str(instance)]) == 0
    line = next(t for t in capsys.readouterr().out.splitlines() if poll in t)
    out["ballotroom polls"] = {key: int(n) for word, key in (("发出", "issued"), ("收回", "returned"), ("未投", "not_voted"),
                                                              ("作废", "voided")) for n in re.findall(rf"{word} (\d+)", line)}
    return out


def _closed_only(app, web, poll) -> dict[str, dict[str, int]]:
    pdf = web.get(f"/chair/polls/{poll}/result.pdf?lang=zh_CN").data
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    equation = re.search(r"发出(\d+)张=收回(\d+)张\+作废(\d+)张", text)
    dashboard = web.get(f"/chair/polls/{poll}?lang=zh_CN").get_data(as_text=True)
    index = web.get("/board/?lang=zh_CN").get_data(as_text=True)
    board_row = re.search(rf'href="/board/polls/{poll}".*?</tr>', index, re.S).group(0)
    detail = web.get(f"/board/polls/{poll}?lang=zh_CN").get_data(as_text=True)
    bundle = json.loads(bundles.dumps(bundles.poll_bundle(app.extensions["ballotroom_db"], poll,
                                                          evidence.public_key_pem(_key(app)))))
    assert all(c.ok for c in evidence.verify_bundle(bundle)), [c for c in evidence.verify_bundle(bundle) if not c.ok]
    return {
        "result sheet PDF": dict(zip(("issued", "returned", "voided"), map(int, equation.groups()), strict=True)),
        "PDF has no 未投 box": {"not_voted": text.count("未投（张）")},
        "dashboard result sheet": _numbers(r'data-sheet-count="(\w+)">(\d+)', dashboard),
        "board index": _numbers(r'data-count="(\w+)">(\d+)', board_row),
        "board detail": _numbers(r'<li data-count="(\w+)"><b>(\d+)</b>', detail),
        "bundle (signed counts)": {k: v for k, v in bundle["certificate"]["reconciled"].items() if isinstance(v, int)},
    }


def _key(app):
    from kiosk.web.context import signer  # the app's signing key, read inside its context
    with app.app_context():
        return signer().key


@pytest.mark.parametrize("kind", KINDS)
def test_every_surface_shows_the_same_counts(app, instance, kind, capsys):
    db = app.extensions["ballotroom_db"]
    api = Api(app.test_client(), accounts.create_api_key(db, "admin"))
    second = Api(api.client, accounts.create_api_key(db, "chair"))
    web = app.test_client()
    web.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD})
    meeting = api.meeting(20, present=18)
    poll = api.poll(meeting, kind, _spec(kind))

    def issue(n: int, tag: str) -> dict:
        group = {"group": "unit"} if kind == "leaders" else {}
        body = {"voters": [{"name": f"{tag}{i}", **group} for i in range(n)]} if kind in NAMED_KINDS else {"count": n}
        return api.post(f"/polls/{poll}/tokens", body, 201).get_json()

    slips = issue(SLIPS, "a")["tokens"]
    lost = issue(LOST, "b")["batch"]
    paper = kind in PAPER_KINDS
    if paper:
        api.post(f"/polls/{poll}/paper/handed-out", {"count": PAPER}, 200)
    api.open(poll)
    api.post(f"/polls/{poll}/batches/{lost}/void", {"reason": "遗失"}, 200)
    items = len(default_rules().character_items)
    for token in slips[:TABLET]:
        assert api.vote(token, _answers(kind, False, items)).status_code == 201
    returned_paper = 0
    if paper:  # one spoiled whole, one with nothing ticked; the third is never returned
        key = ENTRY_KEY.get(kind, "choices")
        for entry in ({key: {}, "spoiled": "marked"}, {key: {}}):
            first = api.post(f"/polls/{poll}/paper/entries", entry, 201).get_json()
            assert second.post(f"/polls/{poll}/paper/entries/{first['number']}", entry, 200).get_json()["outcome"] == "accepted"
            returned_paper += 1
    handed = PAPER if paper else 0
    issued, returned = SLIPS + LOST + handed, TABLET + returned_paper
    not_voted = SLIPS - TABLET + handed - returned_paper

    want_open = {"issued": issued, "returned": returned, "not_voted": not_voted, "voided": LOST}
    for surface, shown in _surfaces_open_and_closed(app, instance, web, poll, meeting, capsys).items():
        assert {k: shown.get(k) for k in want_open} == want_open, f"{surface} disagrees while open"
        assert shown["issued"] == shown["returned"] + shown["not_voted"] + shown["voided"], surface

    if paper:
        api.post(f"/polls/{poll}/paper/close", None, 200)
    api.close(poll)
    want = {"issued": issued, "returned": returned, "voided": LOST + not_voted}
    surfaces = {**_surfaces_open_and_closed(app, instance, web, poll, meeting, capsys), **_closed_only(app, web, poll)}
    # The whole counts object, blank and spoiled too, is the same live and signed.
    assert surfaces["live turnout event"] == surfaces["bundle (signed counts)"] == surfaces["ballotroom polls --json"]
    no_box = surfaces.pop("PDF has no 未投 box")
    assert no_box == {"not_voted": 0}
    for surface, shown in surfaces.items():
        assert {k: shown.get(k) for k in want} == want, f"{surface} disagrees after the close"
        # 未投 has no box of its own after the close: its slips are inside 作废 (the counts object
        # keeps the figure, as docs/api.md says; the signed copy and --json are that object).
        if surface not in ("live turnout event", "ballotroom polls --json", "bundle (signed counts)"):
            assert "not_voted" not in shown, f"{surface} still shows 未投 after the close"
    # The part of 作废 unused at the close is named where 作废 is shown as a box.
    page = web.get(f"/chair/polls/{poll}?lang=zh_CN").get_data(as_text=True)
    assert f"其中结束时未用 {not_voted}" in page
