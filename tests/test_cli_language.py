"""The command line speaks the locale's language, Chinese by default (``ballotroom score``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_messages import english_in_chinese, western_punctuation

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
