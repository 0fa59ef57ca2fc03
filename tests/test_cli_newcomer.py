"""The command line after `make run`: it finds the demo, lists polls, and never suggests a second
instance when one is nearby."""

from __future__ import annotations

import json

import pytest

from kiosk.cli.main import main as cli


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """What the commands do, read in English; their words are tested in test_cli_language.py."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A folder where `ballotroom demo` ran, as `make run` does in the checkout."""
    folder = tmp_path_factory.mktemp("checkout")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        mp.delenv("BALLOTROOM_INSTANCE", raising=False)
        assert cli(["demo"]) == 0
    return folder


@pytest.fixture
def in_checkout(checkout, monkeypatch):
    monkeypatch.chdir(checkout)
    monkeypatch.delenv("BALLOTROOM_INSTANCE", raising=False)
    return checkout


def _closed_poll(capsys) -> str:
    assert cli(["polls", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    closed = [p["id"] for m in listing["meetings"] for p in m["polls"] if p["state"] == "closed"]
    assert len(closed) == 1
    return closed[0]


def test_without_instance_the_commands_find_the_demo_of_make_run(in_checkout, capsys):
    assert cli(["log", "verify"]) == 0
    captured = capsys.readouterr()
    assert "chain intact" in captured.out
    assert f"using the demo instance at {in_checkout / 'var' / 'demo'}" in captured.err
    # What was used is the demo, not a new ./var.
    assert not (in_checkout / "var" / "ballotroom.db").exists()


def test_the_demo_has_a_closed_poll_that_exports_and_verifies(in_checkout, capsys):
    poll = _closed_poll(capsys)
    assert cli(["export", poll]) == 0
    assert "10 ballots" in capsys.readouterr().out
    assert cli(["verify", f"{poll}.bundle.json"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("VERIFIED")


def test_polls_lists_meetings_polls_kinds_states_and_ids(in_checkout, capsys):
    assert cli(["polls"]) == 0
    text = capsys.readouterr().out
    assert text.count("meeting ") == 3 and text.count("  poll ") == 4
    assert "standing_committee" in text and "plenary_recommendation" in text
    assert "closed" in text and "draft" in text
    poll = _closed_poll(capsys)
    assert poll in text


def test_polls_of_one_meeting_and_an_unknown_meeting(in_checkout, capsys):
    assert cli(["polls", "--json"]) == 0
    meeting = json.loads(capsys.readouterr().out)["meetings"][0]
    assert cli(["polls", "--meeting", meeting["id"], "--json"]) == 0
    only = json.loads(capsys.readouterr().out)
    assert [m["id"] for m in only["meetings"]] == [meeting["id"]]
    assert [p["id"] for p in only["meetings"][0]["polls"]] == [p["id"] for p in meeting["polls"]]
    assert cli(["polls", "--meeting", "nosuchmeeting"]) == 2
    assert "no meeting 'nosuchmeeting'" in capsys.readouterr().err


def test_a_named_folder_without_instance_points_at_the_one_nearby(in_checkout, capsys):
    # `--instance var` names a folder with no instance of its own: the demo inside it is
    # named, and `ballotroom init` (which would make a second, empty instance) is not suggested.
    assert cli(["log", "verify", "--instance", "var"]) == 2
    err = capsys.readouterr().err
    assert str(in_checkout / "var" / "demo") in err and "ballotroom init" not in err


def test_an_environment_instance_is_never_replaced_by_the_demo(in_checkout, monkeypatch, capsys):
    monkeypatch.setenv("BALLOTROOM_INSTANCE", str(in_checkout / "elsewhere"))
    assert cli(["log", "verify"]) == 2
    assert "using the demo" not in capsys.readouterr().err


def test_a_real_instance_in_var_comes_before_the_demo(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BALLOTROOM_INSTANCE", raising=False)
    assert cli(["demo"]) == 0
    assert cli(["init"]) == 0
    capsys.readouterr()
    assert cli(["polls"]) == 0
    captured = capsys.readouterr()
    assert "using the demo" not in captured.err and "No meetings yet" in captured.out


def test_the_demo_prints_the_commands_to_try(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BALLOTROOM_INSTANCE", raising=False)
    assert cli(["demo"]) == 0
    out = capsys.readouterr().out
    assert "polls" in out and "log verify" in out and "--instance" not in out
    poll = _closed_poll(capsys)
    assert f"export {poll}" in out
    # Elsewhere than var/demo the hints name the folder.
    assert cli(["demo", "--instance", "other"]) == 0
    assert "ballotroom log verify --instance other\n" in capsys.readouterr().out
