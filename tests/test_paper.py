"""Paper ballots beside tablets, through the API: handing out, exchanging a failed slip, double
entry (agreeing, disagreeing, by the same key), over-votes at the limit, blanks, a ballot spoiled
whole, the paper box's close, the combined result, its bundle verified by recount, and a paper
box holding more than was handed out making the poll invalid, shown."""

from __future__ import annotations

import io
import json
import re

import pytest
from conftest import ADMIN_PASSWORD, Api, contest
from pypdf import PdfReader

from kiosk.app import create_app
from kiosk.domain import accounts, bundles, evidence
from tally import counts as tc


@pytest.fixture
def app(instance):
    """The pages' forms are posted without their CSRF token here (as in test_admin_pages)."""
    return create_app(str(instance), {"TESTING": True, "WTF_CSRF_ENABLED": False})


@pytest.fixture
def second(client, chair_key):
    """The second scrutineer: another key."""
    return Api(client, chair_key)


def _poll(api, names=("甲", "乙", "丙", "丁"), max_choices=2, contests=None):
    meeting = api.meeting(12, present=12)
    poll = api.poll(meeting, "democratic_recommendation",
                    contests or [contest("c1", max_choices=max_choices, names=names)])
    return poll


def _both(api, second, poll, entry, again=None):
    """A first entry and a second by the other key; the second's answer."""
    first = api.post(f"/polls/{poll}/paper/entries", entry, 201).get_json()
    assert first["outcome"] == "waiting"
    return second.post(f"/polls/{poll}/paper/entries/{first['number']}",
                       entry if again is None else again, 200).get_json()


def test_a_poll_with_tablet_and_paper_ballots_is_counted_whole_and_verifies(api, second, app, database):
    poll = _poll(api)
    tokens = api.tokens(poll, 6)
    box = api.post(f"/polls/{poll}/paper/handed-out", {"count": 4}, 200).get_json()
    assert box["handed_out"] == 4 and box["state"] == "open"
    api.open(poll)
    for token in tokens[:3]:
        assert api.vote(token, {"c1": ["k1"]}).status_code == 201
    # A slip that failed on a tablet is exchanged: void, and one more paper ballot handed out.
    exchanged = api.post(f"/polls/{poll}/paper/exchange", {"token": tokens[3], "reason": "终端无法识别"}, 200).get_json()
    assert exchanged["handed_out"] == 5 and exchanged["exchanged"] == 1
    assert api.vote(tokens[3], {"c1": []}).status_code == 423  # the exchanged slip votes no more
    assert api.post(f"/polls/{poll}/paper/exchange", {"token": tokens[0], "reason": "x"}).status_code == 409

    assert _both(api, second, poll, {"choices": {"c1": ["k1", "k2"]}})["outcome"] == "accepted"  # at the limit
    # Over the limit in the poll's only contest: no vote anywhere, so the ballot is spoiled (废票).
    assert _both(api, second, poll, {"choices": {"c1": ["k1", "k2", "k3"]}})["outcome"] == "accepted"
    assert _both(api, second, poll, {"choices": {}})["outcome"] == "accepted"  # blank
    assert _both(api, second, poll, {"choices": {}, "spoiled": "marked"})["outcome"] == "accepted"
    # A mismatch: both enter the ballot again under its number; the same key cannot make both entries.
    mismatch = _both(api, second, poll, {"choices": {"c1": ["k2"]}}, {"choices": {"c1": ["k3"]}})
    assert mismatch == {"poll": poll, "outcome": "mismatch", "number": mismatch["number"], "differ": ["c1"]}
    waiting = api.post(f"/polls/{poll}/paper/entries/{mismatch['number']}", {"choices": {"c1": ["k2"]}}, 200).get_json()
    assert waiting["outcome"] == "waiting" and waiting["number"] == mismatch["number"]
    assert api.post(f"/polls/{poll}/paper/entries/{waiting['number']}", {"choices": {"c1": ["k2"]}}).status_code == 409
    assert api.post(f"/polls/{poll}/close").status_code == 409  # the paper box is open
    assert api.post(f"/polls/{poll}/paper/close").status_code == 409  # an entry waits
    assert second.post(f"/polls/{poll}/paper/entries/{waiting['number']}", {"choices": {"c1": ["k2"]}},
                       200).get_json()["outcome"] == "accepted"
    closed_box = api.post(f"/polls/{poll}/paper/close", None, 200).get_json()
    assert closed_box["state"] == "closed" and closed_box["returned"] == 5 and closed_box["waiting"] == []
    assert api.post(f"/polls/{poll}/paper/entries", {"choices": {}}).status_code == 409
    api.close(poll)

    doc = api.results(poll)
    assert doc["cast"] == 8 and doc["issued"] == 5 + 5  # slips net of the exchanged one, and paper
    assert doc["blank"] == 1 and doc["spoiled"] == 2 and doc["spoiled_parts"] == {}  # both spoiled whole: 废票 only
    votes = {c["id"]: c["votes"] for c in doc["contests"][0]["candidates"]}
    assert votes == {"k1": 4, "k2": 2, "k3": 0, "k4": 0}
    counts = doc["counts"]
    assert counts["issued"] == 6 + 5 and counts["returned"] == 8 and counts["voided"] == 3
    assert counts["not_voted"] == 2  # two slips unused at the close; the exchanged one is only void
    assert counts["paper"] == {"issued": 5, "returned": 5, "exchanged": 1, "tablet_issued": 6, "tablet_returned": 3}
    assert tc.balanced(counts, closed=True) and doc.get("invalid") is False

    bundle = bundles.poll_bundle(database, poll, _pem(app))
    checks = evidence.verify_bundle(json.loads(bundles.dumps(bundle)))
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert len(bundle["tracking_codes"]) == 3 and len(bundle["ballots"]) == 8
    assert {"spoiled_whole": True} in [{k: v for k, v in b.items() if k != "answers"} for b in bundle["ballots"]]
    # A paper ballot's mark changed in the bundle: the digest no longer matches.
    tampered = json.loads(bundles.dumps(bundle))
    for b in tampered["ballots"]:
        b.pop("spoiled_whole", None)
    assert not {c.name: c.ok for c in evidence.verify_bundle(tampered)}["digest"]


def _pem(app):
    return evidence.public_key_pem(app.extensions["ballotroom_signer"].key)


def test_more_paper_ballots_than_handed_out_make_the_poll_invalid_and_say_so(api, second, app, database):
    poll = _poll(api, max_choices=1)
    api.tokens(poll, 2)
    api.post(f"/polls/{poll}/paper/handed-out", {"count": 1}, 200)
    api.open(poll)
    for _ in range(2):
        _both(api, second, poll, {"choices": {"c1": ["k1"]}})
    box = api.get(f"/polls/{poll}/paper")
    assert box["exceeds"] is True
    api.post(f"/polls/{poll}/paper/close", None, 200)
    api.close(poll)
    doc = api.results(poll)
    assert doc["invalid"] is True
    assert not any(c["passes"] for c in doc["contests"][0]["candidates"])
    assert not tc.balanced(doc["counts"], closed=True)
    bundle = json.loads(bundles.dumps(bundles.poll_bundle(database, poll, _pem(app))))
    assert bundle["certificate"]["invalid"] is True
    assert all(c.ok for c in evidence.verify_bundle(bundle))
    bundle["certificate"].pop("invalid")  # a certificate hiding it fails (and its signature too)
    failed = {c.name for c in evidence.verify_bundle(bundle) if not c.ok}
    assert {"counts", "signature"} <= failed


def test_paper_refusals_change_nothing(api, second):
    survey = api.poll(api.meeting(5), "leaders", [contest()])  # a named kind takes no paper
    assert api.post(f"/polls/{survey}/paper/handed-out", {"count": 2}).status_code == 409
    poll = _poll(api)
    for body in ({"count": 0}, {"count": "3"}, {"count": 100001}, {}):
        assert api.post(f"/polls/{poll}/paper/handed-out", body).status_code == 400
    assert api.post(f"/polls/{poll}/paper/entries", {"choices": {}}).status_code == 409  # a draft
    api.open(poll)
    for entry in ({"choices": {"c9": []}}, {"choices": {"c1": ["k9"]}}, {"choices": {"c1": ["k1", "k1"]}},
                  {"choices": {"c1": ["k9"]}, "spoiled": "unreadable"}, {"spoiled": "torn"}):
        r = api.post(f"/polls/{poll}/paper/entries", entry)
        assert r.status_code == 400, (entry, r.get_json())
        assert r.get_json()["message"]
    assert api.post(f"/polls/{poll}/paper/entries/7", {"choices": {}}).status_code == 404
    assert api.post(f"/polls/{poll}/paper/exchange", {"token": "AAAA", "reason": "x"}).status_code == 400
    box = api.get(f"/polls/{poll}/paper")
    assert (box["handed_out"], box["returned"], box["waiting"]) == (0, 0, [])


def test_paper_ballots_print_as_identical_pages_without_numbers(api, client):
    poll = _poll(api, names=("张伟", "王芳", "李娜"))
    r = client.get(f"/api/v1/polls/{poll}/paper/ballots.pdf?size=A5&copies=3", headers=api.headers)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    again = client.get(f"/api/v1/polls/{poll}/paper/ballots.pdf?size=A5&copies=3", headers=api.headers)
    assert r.data == again.data  # nothing differs between two printings: no date, no id
    pages = PdfReader(io.BytesIO(r.data)).pages
    texts = [p.extract_text() for p in pages]
    assert len(pages) == 3 and len(set(texts)) == 1
    assert "张伟" in texts[0] and "限选 2 人" in texts[0]
    assert client.get(f"/api/v1/polls/{poll}/paper/ballots.pdf?size=B5", headers=api.headers).status_code == 400
    assert client.get(f"/api/v1/polls/{poll}/paper/ballots.pdf?copies=0", headers=api.headers).status_code == 400


def test_the_result_sheet_shows_tablet_paper_and_total(api, second, client, app):
    poll = _poll(api, max_choices=1)
    tokens = api.tokens(poll, 3)
    api.post(f"/polls/{poll}/paper/handed-out", {"count": 2}, 200)
    api.open(poll)
    assert api.vote(tokens[0], {"c1": ["k1"]}).status_code == 201
    _both(api, second, poll, {"choices": {"c1": ["k2"]}})
    api.post(f"/polls/{poll}/paper/close", None, 200)
    api.close(poll)
    client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD})
    page = client.get(f"/chair/polls/{poll}/result").get_data(as_text=True)
    assert "data-media" in page and "data-invalid" not in page
    # 发出: 3 slips, 2 paper, 5 in all; 收回: 1 tablet, 1 paper, 2 in all.
    rows = [[cell for cell in row] for row in _media_rows(page)]
    assert rows == [["3", "2", "5"], ["1", "1", "2"]]
    assert client.get(f"/chair/polls/{poll}/result.pdf").status_code == 200


def _media_rows(page: str) -> list[list[str]]:
    table = page[page.index("data-media"):page.index("</table>", page.index("data-media"))]
    return [re.findall(r"<td>(\d+)</td>", row) for row in table.split("<tr>")[2:]]


def test_the_paper_pages_enter_a_ballot_twice_and_refuse_the_same_person(api, client, database):
    poll = _poll(api, max_choices=1)
    api.post(f"/polls/{poll}/paper/handed-out", {"count": 1}, 200)
    api.open(poll)
    accounts.add_user(database, "甲", "scrutineer", "pw-甲-123456789")
    accounts.add_user(database, "乙", "scrutineer", "pw-乙-123456789")

    def as_(name):
        client.post("/logout")
        client.post("/login", data={"name": name, "password": f"pw-{name}-123456789"})

    as_("甲")
    r = client.post(f"/admin/polls/{poll}/paper/entries", data={"c:c1": "k1", "spoiled": ""})
    assert r.status_code == 303
    same = client.post(f"/admin/polls/{poll}/paper/entries", data={"number": "1", "c:c1": "k1", "spoiled": ""})
    assert same.status_code == 409 and "data-error" in same.get_data(as_text=True)
    as_("乙")
    assert "第 1 张" in client.get(f"/admin/polls/{poll}/paper?number=1").get_data(as_text=True)
    r = client.post(f"/admin/polls/{poll}/paper/entries", data={"number": "1", "c:c1": "k1", "spoiled": ""})
    assert r.status_code == 303
    assert api.get(f"/polls/{poll}/paper")["returned"] == 1
    assert client.post(f"/admin/polls/{poll}/paper/close").status_code == 403  # scrutineers enter, staff close
