"""Paper ballots beside tablets for every kind that takes them, through the API: the standing
committee's agree / disagree / abstain per candidate, the survey, the character reverse test.
Each runs tablet and paper ballots (an over-voted item, a ballot spoiled whole) to a result whose
bundle verifies by recount; the printed ballot and the entry page draw each kind's boxes; a
closed paper box's ballots join the live count before the poll's close."""

from __future__ import annotations

import io
import json

import pytest
from conftest import Api, contest
from pypdf import PdfReader

from kiosk.app import create_app
from kiosk.domain import bundles, counting, evidence
from tally.rules import default_rules

ITEMS = len(default_rules().character_items)
CLEAN = [["none"]] * ITEMS

# Per kind: a tablet ballot, and the paper readings: a valid one, one with k1's item over-voted,
# and what each counts as in the result (row of k1 and k2).
KINDS = {
    "standing_committee": dict(
        key="answers", tablet={"k1": "agree", "k2": "disagree"},
        valid={"k1": ["agree"], "k2": ["abstain"]}, over={"k1": ["agree", "disagree"], "k2": ["agree"]},
        fields=("agree", "disagree", "abstain"), rows={"k1": (4, 0, 0), "k2": (1, 3, 1)}),
    "survey": dict(
        key="answers", tablet={"k1": "satisfied", "k2": "dissatisfied"},
        valid={"k1": ["basically_satisfied"], "k2": []}, over={"k1": ["satisfied", "dissatisfied"], "k2": ["satisfied"]},
        fields=("respondents", "satisfied", "basically_satisfied", "dissatisfied"),
        rows={"k1": (6, 3, 1, 0), "k2": (6, 1, 0, 3)}),
    "character": dict(
        key="items", tablet={"k1": ["none"] * ITEMS, "k2": ["occasional"] * ITEMS},
        valid={"k1": CLEAN, "k2": [["frequent"]] * ITEMS}, over={"k1": [["none", "frequent"]] + CLEAN[1:], "k2": CLEAN},
        # k1: the over-voted part and the ballot spoiled whole are no rating.
        fields=("raters", "occasional"), rows={"k1": (4, [0] * ITEMS), "k2": (5, [3] * ITEMS)}),
}


@pytest.fixture
def app(instance):
    return create_app(str(instance), {"TESTING": True, "WTF_CSRF_ENABLED": False})


@pytest.fixture
def second(client, chair_key):
    return Api(client, chair_key)


def _poll(api, kind):
    meeting = api.meeting(6, present=6)
    return api.poll(meeting, kind, [contest("c1", max_choices=1, places=1, names=("甲", "乙"))])


def _both(api, second, poll, entry, again=None):
    first = api.post(f"/polls/{poll}/paper/entries", entry, 201).get_json()
    return second.post(f"/polls/{poll}/paper/entries/{first['number']}", again or entry, 200).get_json()


@pytest.mark.parametrize("kind", list(KINDS))
def test_tablet_and_paper_ballots_count_together_and_the_bundle_recounts(kind, api, second, app, database, client):
    case = KINDS[kind]
    poll = _poll(api, kind)
    tokens = api.tokens(poll, 3)
    api.post(f"/polls/{poll}/paper/handed-out", {"count": 3}, 200)
    api.open(poll)
    for token in tokens:
        assert api.vote(token, case["tablet"]).status_code == 201
    key = case["key"]
    assert _both(api, second, poll, {key: case["valid"], "spoiled": None})["outcome"] == "accepted"
    # A mismatch names the candidate whose boxes differ, never what either entry read.
    differ = _both(api, second, poll, {key: case["valid"]}, {key: case["over"]})
    assert differ["outcome"] == "mismatch" and "k1" in differ["differ"]
    # Both enter that ballot again, under the number it keeps.
    again = f"/polls/{poll}/paper/entries/{differ['number']}"
    assert second.post(again, {key: case["over"]}, 200).get_json()["outcome"] == "waiting"
    assert api.post(again, {key: case["over"]}, 200).get_json()["outcome"] == "accepted"
    assert _both(api, second, poll, {key: {}, "spoiled": "unreadable"})["outcome"] == "accepted"
    api.post(f"/polls/{poll}/paper/close", None, 200)
    api.close(poll)

    doc = api.results(poll)
    assert (doc["cast"], doc["issued"], doc["spoiled"]) == (6, 6, 1)
    assert doc["spoiled_parts"] == {"k1": 1}  # the over-voted item; the ballot spoiled whole is 废票 only
    assert doc["counts"]["paper"] == {"issued": 3, "returned": 3, "exchanged": 0, "tablet_issued": 3,
                                      "tablet_returned": 3}
    rows = {c["id"]: tuple(c[f] for f in case["fields"]) for c in doc["contests"][0]["candidates"]}
    assert rows == case["rows"]
    bundle = json.loads(bundles.dumps(bundles.poll_bundle(
        database, poll, evidence.public_key_pem(app.extensions["ballotroom_signer"].key))))
    checks = evidence.verify_bundle(bundle)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    board = client.get(f"/board/polls/{poll}")  # the board lists the ballots, a part with no answer too
    assert board.status_code == 200
    # A spoiled item turned into an answer in the bundle: the digest and the recount both fail.
    for b in bundle["ballots"]:
        if b.get("spoiled_contests"):
            b["answers"]["k1"] = case["tablet"]["k1"]
            b.pop("spoiled_contests")
    failed = {c.name for c in evidence.verify_bundle(bundle) if not c.ok}
    assert {"digest", "recount"} <= failed


@pytest.mark.parametrize(("kind", "entry"), [
    ("standing_committee", {"choices": {"c1": ["k1"]}}),  # another shape's key (the API's schema)
    ("standing_committee", {"answers": {"k1": ["satisfied"]}}),  # not a box of this ballot
    ("standing_committee", {"answers": {"k9": ["agree"]}}),
    ("survey", {"answers": {"k1": ["satisfied", "satisfied"]}}),
    ("character", {"items": {"k1": [["none"]]}}),  # nine items short
    ("character", {"items": {"k1": CLEAN}, "spoiled": "torn"}),  # no such reason to spoil a ballot whole
])
def test_an_entry_that_does_not_fit_the_ballot_is_refused_and_changes_nothing(kind, entry, api):
    poll = _poll(api, kind)
    api.post(f"/polls/{poll}/paper/handed-out", {"count": 1}, 200)
    api.open(poll)
    refused = api.post(f"/polls/{poll}/paper/entries", entry)
    assert refused.status_code == 400 and refused.get_json()["message"], refused.get_json()
    assert api.get(f"/polls/{poll}/paper")["waiting"] == []


@pytest.mark.parametrize("kind", ["interview_recommendation", "leaders"])
def test_the_named_kinds_take_no_paper(kind, api):
    poll = api.poll(api.meeting(5), kind, [contest()])
    assert api.post(f"/polls/{poll}/paper/handed-out", {"count": 1}).status_code == 409


@pytest.mark.parametrize(("kind", "words"), [
    ("standing_committee", ("同意", "不同意", "弃权")), ("survey", ("满意", "基本满意", "不满意")),
    ("character", ("没反映", "偶尔有反映", "反映较多", "以权谋私"))])
def test_each_kinds_paper_ballot_prints_its_boxes_on_identical_copies(kind, words, api, client):
    poll = _poll(api, kind)
    r = client.get(f"/api/v1/polls/{poll}/paper/ballots.pdf?size=A5&copies=2", headers=api.headers)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    texts = [p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages]
    assert len(set(texts)) == len(texts) // 2 or len(texts) == 2  # each copy the same pages
    whole = "".join(texts[: len(texts) // 2])
    assert "甲" in whole and all(w in whole for w in words), whole


def test_a_long_survey_runs_onto_pages_that_say_so(api, client):
    meeting = api.meeting(60)
    poll = api.poll(meeting, "survey", [contest("c1", names=tuple(f"候选人{i:02d}" for i in range(50)))])
    r = client.get(f"/api/v1/polls/{poll}/paper/ballots.pdf?size=A4&copies=3", headers=api.headers)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages]
    per_copy = len(pages) // 3
    assert per_copy >= 2 and pages[:per_copy] == pages[per_copy:2 * per_copy]
    assert f"第 1 页，共 {per_copy} 页" in pages[0] and "候选人49" in "".join(pages[:per_copy])


def test_a_closed_paper_box_joins_the_live_count_before_the_polls_close(api, second, app, database):
    poll = _poll(api, "standing_committee")
    tokens = api.tokens(poll, 2)
    api.post(f"/polls/{poll}/paper/handed-out", {"count": 3}, 200)
    api.open(poll)
    api.vote(tokens[0], KINDS["standing_committee"]["tablet"])
    _both(api, second, poll, {"answers": {"k1": ["agree"], "k2": ["agree"]}})
    rules = app.config["RULES"]
    open_box = counting.snapshot(database, rules, poll)
    assert open_box["cast"] == 1 and open_box["issued"] == 2  # the paper waits apart while its box is open
    api.post(f"/polls/{poll}/paper/close", None, 200)
    doc = counting.snapshot(database, rules, poll)
    assert doc["cast"] == 2 and doc["state"] == "open"
    assert {c["id"]: c["agree"] for c in doc["contests"][0]["candidates"]} == {"k1": 2, "k2": 1}
    # The live rule of the last slips sees the slips and the paper entered: two paper ballots
    # never returned to a closed box must not hide the one slip left.
    assert doc["issued"] == 2 + 1
    assert doc["counts"]["returned"] == 2 and doc["counts"]["paper"]["tablet_returned"] == 1
