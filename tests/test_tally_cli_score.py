"""`ballotroom score ROUND.json [--rules R] [--json]` through tally.cli_score.main."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from tally.cli_score import main

SAMPLE = Path(__file__).parent / "data" / "rounds" / "sample.json"


def test_json_output(capsys):
    assert main([str(SAMPLE), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"candidates", "shortlist", "ties_at_cut"}
    assert [c["id"] for c in out["candidates"]] == ["c01", "c02", "c03", "c04", "c05"]
    assert out["candidates"][0]["total"] == "82.19"


def test_table_output(capsys):
    assert main([str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "section_chief" in out and "李娜" in out and "96.67" in out


def test_invalid_round_file_exits_2_with_line(tmp_path, capsys):
    bad = tmp_path / "ROUND.json"
    bad.write_text(
        SAMPLE.read_text(encoding="utf-8").replace('"cast": 80}', '"cast": 10}', 1),
        encoding="utf-8",
    )
    assert main([str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"{bad}: line 12: candidate 'c01': democratic.votes: votes are more than ballots cast"
    )


def test_json_syntax_error_exits_2(tmp_path, capsys):
    bad = tmp_path / "ROUND.json"
    bad.write_text('{\n  "format": "ballotroom-round/1",\n  "title": \n}\n', encoding="utf-8")
    assert main([str(bad), "--json"]) == 2
    assert f"{bad}: line 4: not valid JSON" in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path, capsys):
    assert main([str(tmp_path / "nope.json")]) == 2
    assert "cannot read the round file" in capsys.readouterr().err


def test_rules_option(tmp_path, capsys):
    """With the survey bar at 0.9, c01's 50/60 = 0.83 and c04's 40/50 fall below it."""
    text = resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8")
    rules = tmp_path / "rules.toml"
    rules.write_text(text.replace("bar = 0.80\n", "bar = 0.90\n"), encoding="utf-8")
    assert main([str(SAMPLE), "--rules", str(rules), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["candidates"][0]["reasons"] == ["survey_below_bar"]


def test_invalid_rules_exit_2(tmp_path, capsys):
    rules = tmp_path / "rules.toml"
    rules.write_text('format = "ballotroom-rules/1"\n', encoding="utf-8")
    assert main([str(SAMPLE), "--rules", str(rules)]) == 2
    assert f"{rules}: points: is missing" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "code"), [(["--help"], 0), ([], 2), ([str(SAMPLE), "--bogus"], 2)]
)
def test_usage(argv, code, capsys):
    assert main(argv) == code
