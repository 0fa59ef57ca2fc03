"""Round bundles: the score sheet with every certified poll behind it, checkable offline."""

from __future__ import annotations

import copy
import json

import pytest

from kiosk.cli.main import main as cli
from kiosk.domain.evidence import verify_round_bundle


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """What the commands do, read in English; their words are tested in test_cli_language.py."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")


@pytest.fixture
def round_bundle(api, instance, tmp_path):
    rid = api.post("/rounds", {"title": "2026 选拔", "levels": [{"id": "section_chief", "posts": 1}]},
                   201).get_json()["id"]
    api.post(f"/rounds/{rid}/candidates", {"candidates": [
        {"id": "c1", "name": "甲", "level": "section_chief", "unit": "u1"},
        {"id": "c2", "name": "乙", "level": "section_chief", "unit": "u2"}]}, 201)
    meeting = api.meeting(10, present=10)
    body = {"title": "民主推荐", "kind": "democratic_recommendation", "round": rid, "contests": [
        {"id": "sc", "title": "正科级", "max_choices": 1, "places": 1,
         "candidates": [{"id": "c1", "name": "甲"}, {"id": "c2", "name": "乙"}]}]}
    poll = api.post(f"/meetings/{meeting}/polls", body, 201).get_json()["id"]
    toks = api.tokens(poll, 10)
    api.open(poll)
    for i, t in enumerate(toks):
        assert api.vote(t, {"sc": ["c1"] if i < 7 else ["c2"]}).status_code == 201
    api.close(poll)
    api.client.put(f"/api/v1/rounds/{rid}/candidates/c1/entries", headers=api.headers,
                   json={"performance": {"base": "30", "bonus": "5"}})
    out = tmp_path / "round.json"
    assert cli(["export", rid, "--instance", str(instance), "-o", str(out)]) == 0
    return out, json.loads(out.read_text()), poll


def failed(bundle):
    return [c.name for c in verify_round_bundle(bundle) if not c.ok]


def test_the_round_bundle_verifies(round_bundle, capsys):
    path, bundle, poll = round_bundle
    assert failed(bundle) == []
    assert poll in bundle["polls"]
    assert bundle["round"]["candidates"][0]["democratic"] == {"votes": 7, "cast": 10}
    assert cli(["verify", str(path)]) == 0
    assert "VERIFIED" in capsys.readouterr().out


@pytest.mark.parametrize("name, mutate, expected", [
    ("a part changed", lambda b, p: b["round"]["candidates"][0]["democratic"].update(votes=9), {"parts"}),
    ("the scores edited", lambda b, p: b["scores"]["candidates"][0].update(total="99.00"), {"score sheet"}),
    ("a ballot of the poll changed", lambda b, p: b["polls"][p]["ballots"][0]["answers"].update(sc=["c2"]),
     {"poll {p}"}),
    ("the poll left out", lambda b, p: b["polls"].pop(p), {"parts"}),
    ("an entry changed", lambda b, p: b["round"]["candidates"][0]["performance"].update(base="40"), {"score sheet"}),
])
def test_every_mutation_is_named(round_bundle, name, mutate, expected):
    _, bundle, poll = round_bundle
    b = copy.deepcopy(bundle)
    mutate(b, poll)
    wanted = {e.replace("{p}", poll) for e in expected}
    assert wanted <= set(failed(b)), (name, failed(b))


def test_a_part_relabelled_as_imported_with_a_recomputed_sheet_is_caught(round_bundle):
    """Forging a part and calling it imported, then recomputing the sheet, breaks the signature."""
    from tally.rules import load_rules
    from tally.score import score_round
    _, bundle, _ = round_bundle
    b = copy.deepcopy(bundle)
    b["round"]["candidates"][0]["democratic"]["votes"] = 9
    b["sources"]["c1"]["democratic"] = {"from": "imported"}
    b["scores"] = score_round(b["round"], load_rules(b["rules"]))
    assert "signature" in failed(b)


def test_export_of_a_round_names_the_stage_polls_it_does_not_hold(api, database, instance, tmp_path, capsys):
    # The round bundle holds the polls behind the score sheet; the stages' polls (here the
    # plenary vote) are certified apart, and export says where to get them.
    from test_stages_api import recommended

    run = recommended(api, database)
    plenary = [p["poll"] for p in api.get(f"/rounds/{run.rid}/recommendation")["polls"] if p["role"] == "plenary"]
    assert plenary
    out = tmp_path / "round.bundle.json"
    assert cli(["export", run.rid, "--instance", str(instance), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    held = json.loads(out.read_text(encoding="utf-8"))["polls"]
    for poll in plenary:
        assert poll not in held and f"ballotroom export {poll}" in printed
