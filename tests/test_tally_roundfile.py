"""Round file errors say what is wrong and name the line to look at."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tally.roundfile import RoundFileError, parse_round_file

SAMPLE = (Path(__file__).parent / "data" / "rounds" / "sample.json").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "marker", "reason"),
    [
        # JSON syntax: json reports the line itself.
        (
            '"unit": "Water Bureau",',
            '"unit": "Water Bureau"',
            '"character": {"raters": 50, "occasional": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "frequent": [16',
            "not valid JSON",
        ),
        (
            '"format": "ballotroom-round/1"',
            '"format": "ballotroom-round/2"',
            '"format"',
            "format must be",
        ),
        (
            '{"id": "deputy_section_chief", "posts": 1}',
            '{"id": "deputy_section_chief", "posts": 0}',
            '"deputy_section_chief", "posts"',
            "posts must be a whole number",
        ),
        (
            '"frequent": [16, 0,',
            '"frequent": [56, 0,',
            '"frequent": [56',
            "occasional + frequent (0 + 56) is more than raters (50)",
        ),
        (
            '"democratic": {"votes": 23, "cast": 80}',
            '"democratic": {"votes": 83, "cast": 80}',
            '"votes": 83',
            "votes are more than ballots cast",
        ),
        (
            '"interview": {"named": 14, "interviewed": 20}',
            '"interview": {"named": 14}',
            '"named": 14',
            "interviewed",
        ),
        (
            '"satisfied": 48, "basically_satisfied": 2',
            '"satisfied": 47, "basically_satisfied": 2',
            '"satisfied": 47',
            "must equal respondents",
        ),
        ('"base": "25"', '"base": "twenty-five"', '"twenty-five"', "must be a number"),
        ('"score": "9"', '"score": "11"', '"score": "11"', "at most 10"),
        (
            '"unit": ["fairly_good"]',
            '"unit": ["very_good"]',
            '"very_good"',
            "must be a list of: good",
        ),
        (
            '"grades": ["competent", "competent", "outstanding"]',
            '"grades": ["competent", "meh"]',
            '"meh"',
            "must be a list of: outstanding",
        ),
        (
            '"level": "deputy_section_chief", "unit": "Transport Bureau"',
            '"level": "section_head", "unit": "Transport Bureau"',
            '"section_head"',
            "level must be one of",
        ),
        ('"id": "c05"', '"id": "c04"', '"id": "c04", "name": "Liu Yang"', "appears twice"),
        (
            '"performance": {"base": "30", "bonus": "1"}',
            '"performance": {"base": "30", "bonus": "1"}, "perfromance": {}',
            '"perfromance"',
            "unknown key 'perfromance'",
        ),
        (
            '"frequent": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]},\n      "democratic": {"votes": 40',
            '"frequent": [0, 0, 0, 0, 0, 0, 0, 0, 0]},\n      "democratic": {"votes": 40',
            '"frequent": [0, 0, 0, 0, 0, 0, 0, 0, 0]}',
            "list of 10 whole numbers",
        ),
        ('"raters": 52', '"raters": 52.0', '"raters": 52.0', "whole number"),
        ('"cast": 80}', '"cast": NaN}', "NaN", "NaN is not a number"),
    ],
)
def test_errors_name_the_line(old, new, marker, reason):
    assert SAMPLE.count(old) >= 1, old
    text = SAMPLE.replace(old, new, 1)
    with pytest.raises(RoundFileError) as err:
        parse_round_file(text)
    assert reason in err.value.reason
    assert err.value.line == line_of(text, marker), str(err.value)
    assert str(err.value) == f"line {err.value.line}: {err.value.reason}"


def test_duplicate_keys_refused():
    text = SAMPLE.replace('"title": "2024', '"title": "x", "title": "2024', 1)
    with pytest.raises(RoundFileError, match="'title' appears twice"):
        parse_round_file(text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[]", "must be a JSON object"),
        (
            '{"format": "ballotroom-round/1", "title": "t", "levels": [], "candidates": []}',
            "levels must be",
        ),
        (
            '{"format": "ballotroom-round/1", "title": "t", "levels": [{"id": "a", "posts": 1}], "candidates": [], "x": 1}',
            "unknown key 'x'",
        ),
        (
            '{"format": "ballotroom-round/1", "title": "t", "levels": [{"id": "a", "posts": 1}]}',
            "candidates must be",
        ),
    ],
)
def test_top_level_errors(text, reason):
    with pytest.raises(RoundFileError, match=reason) as err:
        parse_round_file(text)
    assert err.value.line == 1


def test_decimals_are_kept_as_text():
    """A JSON number 28.5 comes back as "28.5", never as a binary float."""
    doc = json.loads(SAMPLE)
    doc["candidates"][0]["performance"] = {"base": 28.5, "bonus": 3}
    parsed = parse_round_file(json.dumps(doc))
    assert parsed["candidates"][0]["performance"] == {"base": "28.5", "bonus": 3}


def test_optional_fields_and_null_parts():
    doc = json.loads(SAMPLE)
    doc["candidates"][0]["performance"]["note"] = "county award 2023"
    doc["candidates"][0]["organisation"]["note"] = ""
    doc["candidates"][0]["survey"] = None
    del doc["candidates"][0]["unit"]
    assert parse_round_file(json.dumps(doc))["candidates"][0]["survey"] is None
