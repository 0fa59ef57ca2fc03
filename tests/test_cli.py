"""The command line: init, users, keys, exit statuses."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from kiosk.cli.main import main as cli
from kiosk.domain import accounts
from kiosk.store.db import Database


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """What the commands do, read in English; their words are tested in test_cli_language.py."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_init_creates_private_keys_and_prints_a_generated_password_once(tmp_path, capsys):
    inst = tmp_path / "inst"
    assert cli(["init", "--instance", str(inst)]) == 0
    out = capsys.readouterr().out
    password = out.strip().splitlines()[-1].split(": ", 1)[1]
    assert len(password) >= 12
    assert _mode(inst / "secret_key") == 0o600 and _mode(inst / "signing_key.pem") == 0o600
    assert _mode(inst) == 0o700
    db = Database(inst / "ballotroom.db")
    assert accounts.authenticate(db, "admin", password) is not None
    # The password is stored only as an Argon2id hash.
    stored = db.one("SELECT password_hash FROM users")[0]
    assert stored.startswith("$argon2id$") and password not in stored


def test_init_on_an_existing_instance_changes_nothing(tmp_path, capsys):
    inst = tmp_path / "inst"
    cli(["init", "--instance", str(inst)])
    key = (inst / "secret_key").read_bytes()
    capsys.readouterr()
    assert cli(["init", "--instance", str(inst)]) == 0
    assert "nothing was changed" in capsys.readouterr().out
    assert (inst / "secret_key").read_bytes() == key


def test_instances_never_mix(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    cli(["init", "--instance", str(a)])
    cli(["init", "--instance", str(b)])
    assert (a / "secret_key").read_bytes() != (b / "secret_key").read_bytes()


def test_environment_names_the_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("BALLOTROOM_INSTANCE", str(tmp_path / "env-inst"))
    assert cli(["init"]) == 0
    assert (tmp_path / "env-inst" / "ballotroom.db").exists()


def test_apikey_is_alone_on_the_last_line(instance, capsys):
    assert cli(["apikey", "create", "--role", "chair", "--instance", str(instance)]) == 0
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert key.startswith("br_") and " " not in key
    assert accounts.api_key_role(Database(instance / "ballotroom.db"), key) == "chair"


def test_user_add_and_its_refusals(instance, capsys):
    assert cli(["user", "add", "监票人甲", "--role", "scrutineer", "--instance", str(instance)]) == 0
    assert "Password" in capsys.readouterr().out
    assert cli(["user", "add", "监票人甲", "--role", "scrutineer", "--instance", str(instance)]) == 2
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["apikey", "create", "--role", "chair", "--instance", "/nonexistent/place"],
    ["user", "add", "x", "--role", "chair", "--instance", "/nonexistent/place"],
    ["log", "verify", "--instance", "/nonexistent/place"],
])
def test_missing_instance_is_bad_input(argv, capsys):
    assert cli(argv) == 2
    assert "ballotroom init" in capsys.readouterr().err


def test_bad_rules_file_refuses_to_serve_naming_the_key(instance, tmp_path, capsys):
    rules = tmp_path / "rules.toml"
    rules.write_text((__import__("importlib.resources").resources.files("tally") / "rules.toml")
                     .read_text(encoding="utf-8").replace("bar = \"0.30\"", "bar = \"1.30\"", 1)
                     .replace("bar = 0.30", "bar = 1.30", 1), encoding="utf-8")
    assert cli(["serve", "--instance", str(instance), "--rules", str(rules), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "rules" in err and "democratic" in err


def test_every_command_has_help():
    out = subprocess.run([sys.executable, "-m", "kiosk.cli.main", "--help"], capture_output=True, text=True).stdout
    for command in ("init", "serve", "user", "apikey", "score", "demo", "export", "verify", "certs", "log"):
        assert command in out
        r = subprocess.run([sys.executable, "-m", "kiosk.cli.main", command, "--help"], capture_output=True, text=True)
        assert r.returncode == 0 and "usage" in r.stdout.lower()


def test_demo_prepares_a_meeting_and_fresh_passwords(tmp_path, capsys):
    path = tmp_path / "demo"
    assert cli(["demo", "--instance", str(path)]) == 0
    first = capsys.readouterr().out
    assert cli(["demo", "--instance", str(path)]) == 0
    second = capsys.readouterr().out
    assert "admin /" in first and first != second
    db = Database(path / "ballotroom.db")
    kinds = {r[0] for r in db.query("SELECT kind FROM polls")}
    assert {"plenary_recommendation", "standing_committee"} <= kinds
    assert db.one("SELECT expected FROM meetings WHERE title LIKE '%常委会%'")[0] == 11
