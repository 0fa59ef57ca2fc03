"""Results through the API for the issue's three kinds, at their boundaries."""

from __future__ import annotations

import pytest
from conftest import contest


def _cast(api, poll, toks, answers_list):
    for token, answers in zip(toks, answers_list, strict=False):
        r = api.vote(token, answers)
        assert r.status_code == 201, r.get_json()


@pytest.mark.parametrize("votes, rate, passes", [(24, "0.3000", True), (23, "0.2875", False)])
def test_democratic_recommendation_with_80_tokens(api, votes, rate, passes):
    """80 ballots cast: 24/80 = 30% exactly passes; 23/80 = 28.75% fails."""
    meeting = api.meeting(80, present=80)
    poll = api.poll(meeting, "democratic_recommendation", [contest("c1", max_choices=1)])
    toks = api.tokens(poll, 80)
    api.open(poll)
    _cast(api, poll, toks, [{"c1": ["k1"]}] * votes + [{"c1": []}] * (80 - votes))
    api.close(poll)
    doc = api.results(poll)
    cand = doc["contests"][0]["candidates"][0]
    assert (cand["votes"], cand["rate"], cand["passes"]) == (votes, rate, passes)
    assert (doc["expected"], doc["present"], doc["issued"], doc["cast"]) == (80, 80, 80, 80)
    assert doc["blank"] == 80 - votes and doc["quorum_met"] is True and doc["state"] == "closed"


def _committee(api, present, agree):
    meeting = api.meeting(11, present=present)
    poll = api.poll(meeting, "standing_committee",
                    [contest("c1", places=1, names=("甲", "乙"))])
    toks = api.tokens(poll, present)
    api.open(poll)
    ballots = [{"k1": "agree" if i < agree else "disagree", "k2": "abstain"} for i in range(present)]
    _cast(api, poll, toks, ballots)
    api.close(poll)
    return api.results(poll)


@pytest.mark.parametrize("present, agree, quorum, passes", [
    (8, 6, True, True),    # 6 > 11/2 passes even though only 8 attend
    (8, 5, True, False),   # 5 is not more than half of 11
    (7, 7, False, False),  # 7 < 2/3 x 11: the vote is void
    (11, 6, True, True),
])
def test_standing_committee_of_eleven(api, present, agree, quorum, passes):
    doc = _committee(api, present, agree)
    c = doc["contests"][0]
    k1 = next(k for k in c["candidates"] if k["id"] == "k1")
    assert doc["quorum_met"] is quorum
    assert k1["agree"] == agree and k1["passes"] is passes
    assert c["chosen"] == (["k1"] if passes else [])
    assert k1["chosen"] is passes


def test_plenary_tie_across_the_cut_goes_to_a_runoff(api):
    meeting = api.meeting(10, present=10)
    poll = api.poll(meeting, "plenary_recommendation",
                    [contest("c1", max_choices=2, places=2, names=("甲", "乙", "丙", "丁"))])
    toks = api.tokens(poll, 6)
    api.open(poll)
    # k1: 6, k2: 3, k3: 3 -> k1 chosen, k2/k3 tied for the second place
    _cast(api, poll, toks, [{"c1": ["k1", "k2"]}] * 3 + [{"c1": ["k1", "k3"]}] * 3)
    api.close(poll)
    c = api.results(poll)["contests"][0]
    assert c["chosen"] == ["k1"]
    assert sorted(c["runoff"]) == ["k2", "k3"]


def test_open_poll_results_are_the_last_published_batch(api, app):
    meeting = api.meeting(20, present=20)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    toks = api.tokens(poll, 7)
    api.open(poll)
    _cast(api, poll, toks[:3], [{"c1": ["k1"]}] * 3)
    doc = api.results(poll)
    # Fewer than k ballots: nothing published, the tally shows no votes yet.
    assert doc["cast"] == 0 and doc["cast_live"] == 3
    assert doc["contests"][0]["candidates"][0]["votes"] == 0


@pytest.mark.parametrize("issued", [5, 7, 12, 23])
def test_the_close_never_reveals_fewer_than_k_ballots_when_every_slip_is_used(api, app, database, issued):
    """Publishing after every ballot, the last live tally is at least k ballots before the end."""
    from kiosk.domain import counting
    k = app.config["RULES"].live_batch_size
    meeting = api.meeting(issued, present=issued)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    toks = api.tokens(poll, issued)
    api.open(poll)
    published = [0]
    for i, token in enumerate(toks):
        assert api.vote(token, {"c1": [f"k{1 + i % 3}"]}).status_code == 201
        doc = counting.maybe_publish(database, app.config["RULES"], poll, k)
        if doc is not None:
            published.append(doc["cast"])
    assert all(b - a >= k for a, b in zip(published, published[1:], strict=False))
    assert issued - published[-1] >= k


def test_published_quorum_follows_attendance_without_revealing_a_ballot(api, app, database):
    from kiosk.domain import counting
    meeting = api.meeting(10, present=10)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    toks = api.tokens(poll, 10)
    api.open(poll)
    for t in toks[:5]:
        api.vote(t, {"c1": ["k1"]})
    assert counting.maybe_publish(database, app.config["RULES"], poll, 5)["quorum_met"] is True
    api.post(f"/meetings/{meeting}/attendance", {"present": 3}, 200)
    doc = api.results(poll)
    assert doc["quorum_met"] is False and doc["cast"] == 5
    assert all(not c["passes"] for c in doc["contests"][0]["candidates"])
    # With a ballot not yet published, the tally waits for the next batch rather than show it.
    api.vote(toks[5], {"c1": ["k2"]})
    api.post(f"/meetings/{meeting}/attendance", {"present": 10}, 200)
    assert api.results(poll)["cast"] == 5


def test_a_poll_that_kept_no_rules_is_not_closed_under_a_changed_rules_file(api, app, instance, tmp_path, database):
    """A poll opened before polls kept their rules (rules_sha256 NULL) is counted under the rules
    in force; when they no longer fit its ballots, the close is refused and changes nothing. A
    poll that kept its rules closes under them (tests/test_rehearsal_and_rules.py)."""
    from importlib import resources

    from kiosk.app import create_app
    meeting = api.meeting(3, present=3)
    poll = api.poll(meeting, "character", [contest("c1", names=("甲",))])
    token = api.tokens(poll, 1)[0]
    api.open(poll)
    with database.write() as conn:
        conn.execute("UPDATE polls SET rules_sha256 = NULL WHERE id = ?", (poll,))
    items = len(app.config["RULES"].character_items)
    assert api.vote(token, {"k1": ["none"] * items}).status_code == 201
    text = resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8")
    cut = text.rindex("[[character.items]]")  # one item fewer (and points to match)
    changed = text[:cut].replace("character = 20", "character = 18")
    rules = tmp_path / "rules.toml"
    rules.write_text(changed + text[text.index("\n[", cut + 5):], encoding="utf-8")
    other = create_app(str(instance), {"RULES_PATH": str(rules)})
    from conftest import Api

    from kiosk.domain import accounts
    api2 = Api(other.test_client(), accounts.create_api_key(other.extensions["ballotroom_db"], "admin"))
    r = api2.post(f"/polls/{poll}/close")
    assert len(other.config["RULES"].character_items) == items - 1
    assert r.status_code == 409 and "本次投票开始时的规则文件" in r.get_json()["message"]
    assert api.results(poll)["state"] == "open"
