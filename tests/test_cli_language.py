"""The command line speaks the locale's language, Chinese by default: every command, its help, its
refusals and the round file's errors (on the command line and through the API)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_messages import ENGLISH, english_in_chinese, western_punctuation

from kiosk.cli import language
from kiosk.cli.main import main

ROUND = Path(__file__).resolve().parent.parent / "docs" / "examples" / "round.json"


@pytest.mark.parametrize("environ, expected", [
    ({}, "zh_CN"), ({"LANG": "C"}, "zh_CN"), ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
    ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "en"),
    ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
])
def test_the_locale_chooses_the_language(environ, expected):
    assert language.language(environ) == expected


def _score(monkeypatch, capsys, **environ) -> str:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert main(["score", str(ROUND)]) == 0
    return capsys.readouterr().out


def test_score_speaks_chinese_by_default(monkeypatch, capsys):
    out = _score(monkeypatch, capsys)
    assert "不符合条件：品德评定否决" in out and "民主推荐未达比例线" in out and "* 入围" in out
    assert "character_veto" not in out and "below_bar" not in out
    for line in out.splitlines():
        assert not english_in_chinese(line.replace("c0", "")) and not western_punctuation(line), line


def test_score_speaks_english_in_an_english_locale(monkeypatch, capsys):
    out = _score(monkeypatch, capsys, LANG="en_US.UTF-8")
    assert "not eligible: character veto" in out and "character_veto" not in out


def test_a_refused_round_file_is_named_in_chinese(monkeypatch, capsys, tmp_path):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    bad = tmp_path / "round.json"
    bad.write_text(ROUND.read_text(encoding="utf-8").replace('"base": "30"', '"base": "lots"', 1), encoding="utf-8")
    assert main(["score", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "第 " in err and "须为不小于 0 的数" in err, err


# --- every command, in Chinese by default and in English when the locale says so ---------------

# What may stay as typed inside Chinese output: values (paths, ids, hashes, head codes, quoted
# input), commands and options, metavars and settings' names in capitals, program names.
VALUE = r"[^\s（）：；，。、`“”]"  # a character of a path, a file's or a setting's name
TECHNICAL = re.compile("|".join([
    r"`[^`]*`", r"“[^”]*”", r"'[^']*'", rf"{VALUE}*/{VALUE}*", rf"{VALUE}*\.\w+\b",
    r"\b[0-9a-f]{12,64}\b", r"\b[0-9A-F]{2,4}(?::[0-9A-F]{2,4})+\b", r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}\b",
    r"\{[^}]*\}", r"\b[A-Z][A-Z_|]+\b", r"--?[a-z][\w\-]*", r"\bbr_\S+", r"\b(?:admin|chair) / \S+",
    r"\bballotroom(?: [a-z]+)*", r"Ballotroom", r"Redis", r"Ctrl-C", r"https?", r"\bT\d", r"\w+_\w+",
    r"systemctl start redis-server",
]))
COMMAND_LISTED = re.compile(r"^\s+[a-z]+(?=\s{2,}|$)", re.M)  # a subcommand's name in --help


def english_left(text: str, values: list[str]) -> list[str]:
    """Lines of ``text`` that still hold English words or Western punctuation next to Chinese, once
    the values a person typed or the system made (``values``) and technical tokens are set aside."""
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, "x")
    bad = []
    for line in COMMAND_LISTED.sub("x", text).splitlines():
        plain = TECHNICAL.sub("x", line)
        if ENGLISH.findall(plain) or western_punctuation(plain):
            bad.append(line)
    return bad


@pytest.fixture
def room(tmp_path, monkeypatch):
    """A folder after `make run` (the demo in var/demo) and a second instance with a bad rules file
    and an unreachable Redis, for the refusals."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BALLOTROOM_INSTANCE", raising=False)
    with monkeypatch.context() as english:
        english.setenv("LANG", "en_US.UTF-8")
        assert main(["demo"]) == 0
        assert main(["init", "--instance", "i2"]) == 0
        assert main(["init", "--instance", "i3"]) == 0
    (tmp_path / "i3" / "config.toml").write_text('live_staff_total = "many"\n', encoding="utf-8")
    (tmp_path / "i2" / "config.toml").write_text('redis_url = "redis://127.0.0.1:1/0"\n', encoding="utf-8")
    rules = (Path(__file__).resolve().parent.parent / "tally" / "rules.toml").read_text(encoding="utf-8")
    (tmp_path / "bad-rules.toml").write_text(rules.replace("[points]", "[points]\nnonsense = 1", 1), encoding="utf-8")
    (tmp_path / "broken.json").write_text(ROUND.read_text(encoding="utf-8").replace('"raters": 60', '"raters": 5'),
                                          encoding="utf-8")
    return tmp_path


def _every_command(room, capsys) -> tuple[str, list[str]]:
    """Each command's success and failure paths: what they printed, and the values they made."""
    import json
    import socket

    out: list[str] = []

    def run(argv, status):
        try:
            assert main(argv) == status, (argv, capsys.readouterr())
        except SystemExit as stop:  # argparse: --help and usage errors
            assert stop.code == status, argv
        captured = capsys.readouterr()
        if "--json" not in argv:  # what scripts read stays as it is
            out.append(captured.out + captured.err)
        return captured.out

    run(["polls"], 0)
    listing = json.loads(run(["polls", "--json"], 0))
    poll = [p["id"] for m in listing["meetings"] for p in m["polls"] if p["state"] == "closed"][0]
    run(["polls", "--meeting", "nowhere"], 2)
    run(["polls", "--instance", "elsewhere"], 2)
    run(["export", poll], 0)
    run(["export", "nothing"], 2)
    run(["verify", f"{poll}.bundle.json"], 0)
    bundle = json.loads((room / f"{poll}.bundle.json").read_text(encoding="utf-8"))
    bundle["ballots"][0]["answers"]["section_chief"] = []
    (room / "tampered.json").write_text(json.dumps(bundle), encoding="utf-8")
    run(["verify", "tampered.json", "--key", "AB:CD", "--poll", "p-9"], 1)
    run(["verify", "missing.json"], 2)
    run(["verify", "bad-rules.toml"], 2)
    run(["log", "verify"], 0)
    run(["log", "verify", "--head", "ABCD"], 1)
    run(["log", "head"], 0)
    run(["init", "--instance", "i2"], 0)
    run(["user", "add", "张三", "--role", "chair", "--instance", "i2"], 0)
    run(["user", "add", "张三", "--role", "chair", "--instance", "i2"], 2)
    run(["apikey", "create", "--role", "chair", "--instance", "i2"], 0)
    run(["certs", "--instance", "i2"], 0)
    run(["backup", "--instance", "i2", "."], 0)
    run(["backup", "--instance", "i2", "no/such/copy.db"], 2)
    run(["serve", "--instance", "i2", "--rules", "bad-rules.toml"], 2)
    run(["serve", "--instance", "i2", "--workers", "2"], 2)
    run(["serve", "--workers", "0"], 2)
    run(["serve", "--instance", "i3"], 2)  # a settings file that cannot be used
    run(["score", str(ROUND)], 0)
    run(["score", "broken.json"], 2)
    run(["demo", "--instance", "i2"], 2)
    run(["user", "add"], 2)
    run(["nonsense"], 2)
    run(["--help"], 0)
    for command in (["init"], ["serve"], ["backup"], ["certs"], ["user", "add"], ["apikey", "create"], ["score"],
                    ["demo"], ["polls"], ["export"], ["verify"], ["log", "verify"], ["log", "head"]):
        run([*command, "--help"], 0)
    text = "\n".join(out)
    secrets = re.findall(r"(?:：|: )(\S{12,})$", text, re.M)  # passwords and keys shown once
    return text, [str(room), socket.gethostname(), poll, *secrets, "默认 admin"]


@pytest.mark.parametrize("locale", [None, "zh_CN.UTF-8", "C"])
def test_every_command_speaks_chinese_without_an_english_locale(room, capsys, monkeypatch, locale):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    if locale:
        monkeypatch.setenv("LANG", locale)
    text, values = _every_command(room, capsys)
    assert "核验通过" in text and "未通过 票箱校验码" in text and "用法：" in text and "哈希链完整" in text
    assert "设置 live_staff_total 须为整数" in text and "已有名为“张三”的用户" in text
    bad = english_left(text, values)
    assert not bad, "English left in the Chinese command line:\n" + "\n".join(bad)


def test_every_command_speaks_english_in_an_english_locale(room, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    text, _ = _every_command(room, capsys)
    for words in ("VERIFIED", "FAIL digest", "chain intact", "usage:", "show this help message",
                  "four groups of four", "An instance already exists", "live_staff_total must be a whole number",
                  "a user named '张三' already exists",
                  "needs Redis", "not eligible: character veto", "item 1: occasional + frequent (6 + 0)"):
        assert words in text, words
    data = re.compile(r"张三|张伟|王芳|李娜|刘洋|陈静|杨帆|一般干部|示例|推荐|票决|正科级|差额")  # names and titles
    chinese = [line for line in text.splitlines() if re.search(r"[\u4e00-\u9fff]", line) and not data.search(line)]
    assert not chinese, chinese


def test_a_refused_round_file_reads_in_the_request_language_on_the_api(api):
    text = ROUND.read_text(encoding="utf-8").replace('"format": "ballotroom-round/1"', '"format": "x"', 1)
    for accepted, words in (("zh-CN", "格式必须是"), ("en", 'format must be "ballotroom-round/1"')):
        r = api.client.post("/api/v1/rounds/import", data=text.encode(), content_type="application/json",
                            headers={**api.headers, "Accept-Language": accepted})
        assert r.status_code == 400 and words in r.get_json()["message"], r.get_json()
        if accepted == "zh-CN":
            message = r.get_json()["message"]
            assert not english_in_chinese(message.replace("ballotroom-round/1", "")), message
            assert not western_punctuation(message), message
    broken = ROUND.read_text(encoding="utf-8")[:300]
    r = api.client.post("/api/v1/rounds/import", data=broken.encode(), content_type="application/json",
                        headers={**api.headers, "Accept-Language": "zh-CN"})
    assert "不是有效的 JSON" in r.get_json()["message"] and not english_in_chinese(r.get_json()["message"])
