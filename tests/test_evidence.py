"""Certified results and bundles: verify passes the original and names every mutation."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import contest

from kiosk.cli.main import main as cli
from kiosk.domain import bundles, evidence


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """What the commands do, read in English; their words are tested in test_cli_language.py."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")


@pytest.fixture
def closed_bundle(api, app, database):
    meeting = api.meeting(11, present=9)
    poll = api.poll(meeting, "standing_committee", [contest("c1", places=1, names=("甲", "乙", "丙"))])
    toks = api.tokens(poll, 9)
    api.open(poll)
    for i, t in enumerate(toks):
        answers = {"k1": "agree" if i < 7 else "disagree", "k2": "agree" if i < 3 else "abstain", "k3": "abstain"}
        assert api.vote(t, answers).status_code == 201
    api.close(poll)
    key = app.extensions["ballotroom_signer"].key
    return poll, bundles.poll_bundle(database, poll, evidence.public_key_pem(key))


def failed(bundle, key=None):
    return [c.name for c in evidence.verify_bundle(bundle, key) if not c.ok]


def test_the_original_bundle_verifies(closed_bundle):
    _, bundle = closed_bundle
    assert failed(bundle) == []
    assert failed(bundle, bundle["public_key_fingerprint"]) == []
    assert bundle["tracking_codes"] == sorted(bundle["tracking_codes"])
    assert len(bundle["ballots"]) == 9 and bundle["certificate"]["counts"]["cast"] == 9


def _set(path):
    def mutate(b):
        *head, last = path
        target = b
        for k in head:
            target = target[k]
        target[last] = mutate.value
    return mutate


MUTATIONS = [
    ("a ballot changed", lambda b: b["ballots"][0]["answers"].update(k3="agree"), {"digest", "recount"}),
    ("a ballot removed", lambda b: b["ballots"].pop(), {"digest"}),
    ("a ballot duplicated", lambda b: b["ballots"].append(copy.deepcopy(b["ballots"][0])), {"digest"}),
    ("the tally edited", lambda b: b["certificate"]["result"][0]["candidates"][0].update(agree=11), {"signature"}),
    ("a count edited", lambda b: b["certificate"]["counts"].update(present=11), {"signature"}),
    ("signature replaced", lambda b: b.update(signature=b["signature"][:-4] + "AAA="), {"signature"}),
    ("the rules text edited", lambda b: b.update(rules=b["rules"].replace("0.3", "0.2", 1)), {"rules"}),
    ("a tracking code removed", lambda b: b["tracking_codes"].pop(), {"tracking codes"}),
    ("a log entry edited", lambda b: b["log"][1].update(actor="someone else"), {"log chain"}),
    ("a log entry removed", lambda b: b["log"].pop(1), {"log chain"}),
    ("the close entry dropped", lambda b: b["log"].pop(), {"log entry"}),
    ("not a bundle", lambda b: b.update(format="x"), {"format"}),
]


@pytest.mark.parametrize("name, mutate, expected", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_every_mutation_is_caught_and_named(closed_bundle, name, mutate, expected):
    _, bundle = closed_bundle
    b = copy.deepcopy(bundle)
    mutate(b)
    assert expected <= set(failed(b)), failed(b)


def test_a_bundle_re_signed_with_another_key_fails_the_pinned_fingerprint(closed_bundle):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    _, bundle = closed_bundle
    forged = copy.deepcopy(bundle)
    forged["certificate"]["result"][0]["candidates"][0]["agree"] = 9
    other = Ed25519PrivateKey.generate()
    forged["public_key"] = evidence.public_key_pem(other)
    forged["signature"] = evidence.sign(other, forged["certificate"])
    assert "public key" in failed(forged, bundle["public_key_fingerprint"])


def test_cli_export_and_verify(closed_bundle, instance, tmp_path, capsys):
    poll, _ = closed_bundle
    out = tmp_path / "b.json"
    assert cli(["export", poll, "--instance", str(instance), "-o", str(out)]) == 0
    assert cli(["verify", str(out)]) == 0
    assert "VERIFIED" in capsys.readouterr().out
    data = json.loads(out.read_text())
    data["ballots"][0]["answers"]["k1"] = "abstain"
    out.write_text(json.dumps(data))
    assert cli(["verify", str(out)]) == 1
    text = capsys.readouterr().out
    assert "FAIL digest" in text
    # One changed byte anywhere in the file.
    raw = bytearray((tmp_path / "b.json").read_bytes())
    assert cli(["export", poll, "--instance", str(instance), "-o", str(out)]) == 0
    raw = bytearray(out.read_bytes())
    i = raw.index(b'"agree"')
    raw[i + 1] = ord("b")
    out.write_bytes(bytes(raw))
    assert cli(["verify", str(out)]) == 1


def test_export_of_an_open_poll_is_refused(api, instance, capsys):
    meeting = api.meeting(3)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    api.open(poll)
    assert cli(["export", poll, "--instance", str(instance)]) == 2
    assert "closed" in capsys.readouterr().err


def test_one_changed_row_in_the_database_is_caught(closed_bundle, database, app):
    poll, _ = closed_bundle
    conn = database.conn
    row = conn.execute("SELECT id, answers FROM ballots WHERE poll_id = ? LIMIT 1", (poll,)).fetchone()
    answers = json.loads(row["answers"])
    answers["k3"] = "agree" if answers["k3"] != "agree" else "disagree"
    conn.execute("UPDATE ballots SET answers = ? WHERE poll_id = ? AND id = ?",
                 (evidence.canonical(answers), poll, row["id"]))
    bundle = bundles.poll_bundle(database, poll, evidence.public_key_pem(app.extensions["ballotroom_signer"].key))
    assert "digest" in failed(bundle)


def test_log_verify_catches_a_changed_event_row(closed_bundle, database, instance, capsys):
    assert cli(["log", "verify", "--instance", str(instance)]) == 0
    conn = database.conn
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET actor = 'nobody' WHERE seq = 3")
    assert cli(["log", "verify", "--instance", str(instance)]) == 1
    assert "Entry 3" in capsys.readouterr().err


def test_bulletin_board_shows_codes_and_ballots_but_never_together(closed_bundle, client):
    poll, bundle = closed_bundle
    page = client.get(f"/board/polls/{poll}").get_data(as_text=True)
    for code in bundle["tracking_codes"]:
        assert code in page
    assert page.count("<li>") >= 9
    # The codes sit in one sorted list and the ballots in another: no line holds both.
    for line in page.splitlines():
        if any(code in line for code in bundle["tracking_codes"]):
            assert "agree" not in line and "甲" not in line
    assert client.get("/board/").status_code == 200
    r = client.get(f"/board/polls/{poll}/bundle.json")
    assert r.status_code == 200 and json.loads(r.data)["certificate"]["poll"] == poll
    assert client.get("/board/key.pem").data.startswith(b"-----BEGIN PUBLIC KEY")


def test_bulletin_board_of_an_open_poll_is_refused_politely(api, client):
    meeting = api.meeting(3)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    api.open(poll)
    r = client.get(f"/board/polls/{poll}")
    assert r.status_code == 409 and "data-error" in r.get_data(as_text=True)


def test_log_page_shows_entries_and_a_broken_chain(closed_bundle, instance, database):
    from conftest import ADMIN_PASSWORD

    from kiosk.app import create_app
    client = create_app(str(instance), {"WTF_CSRF_ENABLED": False}).test_client()
    client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD})
    page = client.get("/log/").get_data(as_text=True)
    assert 'data-chain="intact"' in page and "poll.closed" in page and "tokens.issued" in page
    conn = database.conn
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET payload = '{}' WHERE seq = 2")
    assert 'data-chain="broken"' in client.get("/log/").get_data(as_text=True)


@pytest.mark.parametrize("kind, contests, answers", [
    ("standing_committee", [contest("c1", places=1, names=("甲", "乙"))], {"k1": "agree", "k2": "abstain"}),
    ("democratic_recommendation", [contest("c1")], {"c1": ["k1"]}),
    ("survey", [contest("c1", names=("甲",))], {"k1": "satisfied"}),
    ("character", [contest("c1", names=("甲",))], {"k1": ["none"] * 9 + ["frequent"]}),
])
def test_result_sheet_pdf_holds_the_fixed_figures(instance, api, kind, contests, answers):
    from conftest import ADMIN_PASSWORD
    from pypdf import PdfReader

    from kiosk.app import create_app
    meeting = api.meeting(3, present=3)
    poll = api.poll(meeting, kind, contests)
    token = api.tokens(poll, 1)[0]
    api.open(poll)
    assert api.vote(token, answers).status_code == 201
    client = create_app(str(instance), {"WTF_CSRF_ENABLED": False}).test_client()
    client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD})
    assert client.get(f"/chair/polls/{poll}/result.pdf").status_code == 409  # still open
    api.close(poll)
    r = client.get(f"/chair/polls/{poll}/result.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    import io
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    assert "甲" in text and api.results(poll)["digest"] in text.replace("\n", "")


def _chained_after(last: dict) -> dict:
    from kiosk.store import eventlog
    entry = {"seq": last["seq"] + 1, "at": last["at"], "actor": "forger", "type": "poll.reopened",
             "payload": "{}", "prev_hash": last["hash"]}
    entry["hash"] = eventlog.entry_hash(entry["seq"], entry["at"], entry["actor"], entry["type"],
                                        eventlog.payload_hash(entry["payload"]), entry["prev_hash"])
    return entry


@pytest.mark.parametrize("name, mutate, expected", [
    ("a voter's code replaced", lambda b: b.update(tracking_codes=sorted(b["tracking_codes"][1:] + ["00000-00000"])),
     "tracking codes"),
    ("codes of mixed types", lambda b: b["tracking_codes"].append(5), "tracking codes"),
    ("counts as a list", lambda b: b["certificate"].update(counts=[1, 2]), "signature"),
    ("public key as a number", lambda b: b.update(public_key=5), "signature"),
    ("log cut from the front", lambda b: b.update(log=b["log"][-1:]), "log bounds"),
    ("a well-chained entry appended after the close", lambda b: b["log"].append(_chained_after(b["log"][-1])),
     "log bounds"),
])
def test_more_mutations_fail_a_named_check_and_never_raise(closed_bundle, name, mutate, expected):
    _, bundle = closed_bundle
    b = copy.deepcopy(bundle)
    mutate(b)
    assert expected in failed(b), (name, failed(b))


def test_the_public_log_slice_hides_other_business(api, app, database):
    """Entries between a poll's creation and close that are about something else keep only
    the hash of their payload; the slice still verifies."""
    meeting = api.meeting(3, present=3)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    token = api.tokens(poll, 1)[0]
    api.open(poll)
    other = api.meeting(5, title="另一个会议")  # someone else's business, logged in between
    api.vote(token, {"c1": ["k1"]})
    api.close(poll)
    bundle = bundles.poll_bundle(database, poll, evidence.public_key_pem(app.extensions["ballotroom_signer"].key))
    assert failed(bundle) == []
    hidden = [e for e in bundle["log"] if "payload" not in e]
    assert hidden and all("payload_sha256" in e for e in hidden)
    assert "另一个会议" not in json.dumps(bundle, ensure_ascii=False) and other not in json.dumps(bundle)


def test_verify_names_the_poll_and_refuses_another(closed_bundle, tmp_path, capsys):
    poll, bundle = closed_bundle
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle))
    assert cli(["verify", str(path), "--poll", poll]) == 0
    assert f"poll {poll}" in capsys.readouterr().out
    assert cli(["verify", str(path), "--poll", "someone-else"]) == 1
