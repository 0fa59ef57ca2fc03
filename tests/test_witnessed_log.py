"""The event log checked against what lies outside it (kiosk/domain/witness.py): certified closes
and the heads the room witnessed. Each tampering below keeps the hash chain intact, which the
chain check alone cannot notice; `ballotroom log verify` must."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from conftest import contest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.cli.main import main as cli
from kiosk.domain.witness import one_slip
from kiosk.store import eventlog


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """What the commands do, read in English; their words are tested in test_cli_language.py."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")


def _vote_and_close(api, title="民主推荐"):
    meeting = api.meeting(10, present=9)
    poll = api.poll(meeting, "democratic_recommendation", [contest()], title=title)
    tokens = api.tokens(poll, 3)
    api.open(poll)
    for token in tokens[:2]:
        assert api.vote(token, {"c1": ["k1"]}).status_code == 201
    api.close(poll)
    return meeting, poll


def _head(database) -> dict:
    with database.read() as conn:
        return eventlog.head(conn)


def _copy(instance, tmp_path):
    """A copy of the instance whose database has lost its append-only triggers: what someone with
    the file in hand can do."""
    copy = tmp_path / "tampered"
    shutil.copytree(instance, copy)
    conn = sqlite3.connect(copy / "ballotroom.db", isolation_level=None)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("DROP TRIGGER events_no_delete")
    return copy, conn


def _rechain(conn, start_seq: int = 1) -> None:
    """Recompute every hash from ``start_seq`` on, so the chain holds again after an edit."""
    rows = conn.execute("SELECT seq, at, actor, type, payload FROM events WHERE seq >= ? ORDER BY seq",
                        (start_seq,)).fetchall()
    prev = conn.execute("SELECT hash FROM events WHERE seq = ?", (start_seq - 1,)).fetchone()
    prev = prev[0] if prev else eventlog.GENESIS
    for seq, at, actor, type_, payload in rows:
        digest = eventlog.entry_hash(seq, at, actor, type_, eventlog.payload_hash(payload), prev)
        conn.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
        prev = digest


def _chain_alone_holds(path) -> bool:
    conn = sqlite3.connect(path / "ballotroom.db")
    conn.row_factory = sqlite3.Row
    return eventlog.verify(conn.execute("SELECT * FROM events ORDER BY seq").fetchall()) == []


def test_an_untouched_log_verifies_with_its_certified_closes_and_witnessed_heads(api, database, instance, capsys):
    _, poll = _vote_and_close(api)
    closed = _head(database)
    assert cli(["log", "verify", "--instance", str(instance), "--head", closed["code"],
                "--head", closed["code"].lower().replace("-", "")]) == 0
    out = capsys.readouterr().out
    assert "1 certified closes" in out and "2 witnessed heads" in out
    assert cli(["log", "head", "--instance", str(instance)]) == 0
    assert closed["code"] in capsys.readouterr().out


def test_a_log_cut_short_at_a_certified_close_fails_naming_the_poll(api, database, instance, tmp_path, capsys):
    _, poll = _vote_and_close(api)
    api.meeting(5)  # an entry after the close
    closing = database.one("SELECT seq FROM events WHERE type = 'poll.closed'")["seq"]
    copy, conn = _copy(instance, tmp_path)
    conn.execute("DELETE FROM events WHERE seq >= ?", (closing,))
    conn.close()
    assert _chain_alone_holds(copy)  # the chain check alone says all is well
    capsys.readouterr()
    assert cli(["log", "verify", "--instance", str(copy)]) == 1
    err = capsys.readouterr().err
    assert poll in err and "not in the log" in err


def test_a_rewritten_and_rechained_log_fails(api, database, instance, tmp_path, capsys):
    _, poll = _vote_and_close(api)
    copy, conn = _copy(instance, tmp_path)
    # Edit the first entry and recompute every hash after it: a consistent, different chain.
    conn.execute("UPDATE events SET actor = 'someone else' WHERE seq = 1")
    _rechain(conn)
    conn.close()
    assert _chain_alone_holds(copy)
    capsys.readouterr()
    assert cli(["log", "verify", "--instance", str(copy)]) == 1
    assert poll in capsys.readouterr().err


def test_removing_the_newest_entries_fails_against_a_witnessed_head(api, database, instance, tmp_path, capsys):
    _vote_and_close(api)
    meeting = api.meeting(20)
    api.post(f"/meetings/{meeting}/attendance", {"present": 18}, 200)
    witnessed = _head(database)
    copy, conn = _copy(instance, tmp_path)
    conn.execute("DELETE FROM events WHERE seq = ?", (witnessed["seq"],))
    conn.close()
    assert _chain_alone_holds(copy)
    # Without the head the room saw, nothing outside the log names the lost entry...
    assert cli(["log", "verify", "--instance", str(copy)]) == 0
    capsys.readouterr()
    # ...with it, the loss is found.
    assert cli(["log", "verify", "--instance", str(copy), "--head", witnessed["code"]]) == 1
    assert witnessed["code"] in capsys.readouterr().err


def test_a_certificate_that_points_at_another_entry_fails(api, database, instance, tmp_path, capsys):
    _, poll = _vote_and_close(api)
    copy, conn = _copy(instance, tmp_path)
    # Re-labelling the close entry as another type keeps the certificate's hash only if rechained,
    # which changes the hash: either way the certified close is no longer that poll's close.
    conn.execute("UPDATE events SET type = 'meeting.created' WHERE type = 'poll.closed'")
    _rechain(conn)
    conn.close()
    assert _chain_alone_holds(copy)
    capsys.readouterr()
    assert cli(["log", "verify", "--instance", str(copy)]) == 1
    assert poll in capsys.readouterr().err


@pytest.mark.parametrize("typed", ["", "ABCD", "ABCD-EFGH-JKMN-PQRU", "ABCD-EFGH-JKMN-PQRST"])
def test_a_malformed_head_is_refused_with_a_reason(instance, typed, capsys):
    assert cli(["log", "verify", "--instance", str(instance), "--head", typed]) == 1
    assert "four groups of four" in capsys.readouterr().err


def test_the_genesis_head_is_in_every_log(instance):
    assert cli(["log", "verify", "--instance", str(instance), "--head", "0000-0000-0000-0000"]) == 0


@given(st.binary(min_size=32, max_size=32))
def test_a_head_code_reads_back_as_typed_by_a_person(raw):
    code = eventlog.head_code(raw.hex())
    assert len(code) == 19 and code.count("-") == 3
    typed = code.lower().replace("-", "").replace("0", "o").replace("1", "l")
    assert eventlog.normalize_head_code(typed) == code


def _one_typo(code: str, position: int) -> str:
    """``code`` with the character at ``position`` (of the 16, dashes not counted) typed wrong."""
    plain = code.replace("-", "")
    wrong = "Z" if plain[position] != "Z" else "Y"
    plain = plain[:position] + wrong + plain[position + 1:]
    return "-".join(plain[i:i + 4] for i in range(0, 16, 4))


@pytest.mark.parametrize("position", [0, 7, 15])
def test_a_head_typed_with_one_wrong_character_says_mistyped_and_names_the_head_meant(
        api, database, instance, capsys, position):
    _vote_and_close(api)
    witnessed = _head(database)
    typo = _one_typo(witnessed["code"], position)
    capsys.readouterr()
    assert cli(["log", "verify", "--instance", str(instance), "--head", typo]) == 1  # still a failed check
    err = capsys.readouterr().err
    assert typo in err and "mistyped" in err and "written down" in err
    assert witnessed["code"] in err and f"entry {witnessed['seq']}" in err  # the one probably meant
    # Said first: the typing, before any word of removal or rewriting.
    assert "removed" not in err and "rewritten" not in err
    assert err.index("mistyped") < err.index(witnessed["code"])


def test_a_head_far_from_every_entry_says_first_it_may_be_mistyped(api, database, instance, capsys):
    _vote_and_close(api)
    capsys.readouterr()
    assert cli(["log", "verify", "--instance", str(instance), "--head", "ZZZZ-ZZZZ-ZZZZ-ZZZZ"]) == 1
    err = capsys.readouterr().err
    assert err.index("mistyped") < err.index("removed or rewritten")


@pytest.mark.parametrize(("typed", "known", "one"), [
    ("ABCD-EFGH-JKMN-PQRS", "ABCD-EFGH-JKMN-PQRS", False),  # the same is no slip (it is found)
    ("ABCD-EFGH-JKMN-PQRT", "ABCD-EFGH-JKMN-PQRS", True),
    ("ZBCD-EFGH-JKMN-PQRS", "ABCD-EFGH-JKMN-PQRS", True),
    ("ZBCD-EFGH-JKMN-PQRT", "ABCD-EFGH-JKMN-PQRS", False),  # two characters: not offered
    ("BACD-EFGH-JKMN-PQRS", "ABCD-EFGH-JKMN-PQRS", False),  # two swapped differ in two
])
def test_one_slip_boundary(typed, known, one):
    assert one_slip(typed, known) is one


def test_the_chinese_message_says_mistyped_first(api, database, instance, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    _vote_and_close(api)
    witnessed = _head(database)
    typo = _one_typo(witnessed["code"], 3)
    capsys.readouterr()
    assert cli(["log", "verify", "--instance", str(instance), "--head", typo]) == 1
    err = capsys.readouterr().err
    assert "输错" in err and witnessed["code"] in err and "删除" not in err
