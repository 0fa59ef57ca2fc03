"""The five evaluations' score sheet: parts, bars, reasons, ranks and the shortlist."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path

import pytest

from tally.roundfile import RoundFileError, parse_round_file
from tally.rules import default_rules, load_rules
from tally.score import render_table, score_round

RULES = default_rules()
SAMPLE = Path(__file__).parent / "data" / "rounds" / "sample.json"


def perfect(cid: str, *, level: str = "chief", base: str = "30", **parts) -> dict:
    """A candidate with full marks everywhere but performance: 20 + 20 + base + 10 + 10."""
    candidate = {
        "id": cid,
        "name": f"Candidate {cid}",
        "level": level,
        "unit": "Unit",
        "character": {"raters": 50, "occasional": [0] * 10, "frequent": [0] * 10},
        "democratic": {"votes": 80, "cast": 80},
        "interview": {"named": 20, "interviewed": 20},
        "survey": {"respondents": 50, "satisfied": 50, "basically_satisfied": 0, "dissatisfied": 0},
        "performance": {"base": base, "bonus": "0"},
        "leaders": {"unit": ["good"], "city": ["good"]},
        "organisation": {"score": "10", "grades": ["competent", "competent", "competent"]},
    }
    for part, value in parts.items():
        if value is None:
            del candidate[part]
        else:
            candidate[part] = value
    return candidate


def round_of(*candidates: dict, posts: int = 1) -> dict:
    return {
        "format": "ballotroom-round/1",
        "title": "Test round",
        "levels": [{"id": "chief", "posts": posts}, {"id": "deputy", "posts": 1}],
        "candidates": list(candidates),
    }


def sheet_row(candidate: dict, rules=RULES) -> dict:
    return score_round(round_of(candidate), rules)["candidates"][0]


def test_full_marks():
    """20 + 20 + 30 + 10 + 10 = 90."""
    row = sheet_row(perfect("a"))
    assert row == {
        "id": "a",
        "total": "90.00",
        "parts": {
            "character": "20.00",
            "public": "20.00",
            "performance": "30.00",
            "leaders": "10.00",
            "organisation": "10.00",
        },
        "eligible": True,
        "reasons": [],
        "rank": 1,
    }


@pytest.mark.parametrize(
    ("part", "value", "reasons"),
    [
        (
            "character",
            {"raters": 50, "occasional": [0] * 10, "frequent": [15] + [0] * 9},
            [],
        ),  # 30% exactly
        (
            "character",
            {"raters": 50, "occasional": [0] * 10, "frequent": [16] + [0] * 9},
            ["character_veto"],
        ),
        (
            "character",
            {"raters": 49, "occasional": [0] * 10, "frequent": [0] * 10},
            ["character_incomplete"],
        ),
        (
            "character",
            {"raters": 40, "occasional": [0] * 10, "frequent": [13] + [0] * 9},
            ["character_veto", "character_incomplete"],
        ),
        ("democratic", {"votes": 24, "cast": 80}, []),
        ("democratic", {"votes": 23, "cast": 80}, ["democratic_below_bar"]),
        ("interview", {"named": 10, "interviewed": 20}, []),
        ("interview", {"named": 9, "interviewed": 20}, ["interview_below_bar"]),
        (
            "survey",
            {"respondents": 50, "satisfied": 30, "basically_satisfied": 10, "dissatisfied": 10},
            [],
        ),
        (
            "survey",
            {"respondents": 50, "satisfied": 30, "basically_satisfied": 9, "dissatisfied": 11},
            ["survey_below_bar"],
        ),
        (
            "survey",
            {"respondents": 49, "satisfied": 49, "basically_satisfied": 0, "dissatisfied": 0},
            ["survey_incomplete"],
        ),
        (
            "organisation",
            {"score": "10", "grades": ["competent", "outstanding", "basically_competent"]},
            ["grades_below_competent"],
        ),
        (
            "organisation",
            {"score": "10", "grades": ["incompetent", "competent", "competent", "competent"]},
            [],
        ),
        ("organisation", {"score": "10", "grades": []}, []),
        ("leaders", {"unit": ["good"], "city": []}, ["leaders_missing"]),
        ("leaders", {"unit": [], "city": ["poor"]}, ["leaders_missing"]),
    ],
)
def test_bars_and_reasons(part, value, reasons):
    """Bars: veto > 30%, democratic >= 30%, interview >= 50%, survey >= 80%; >= 50 raters/respondents."""
    row = sheet_row(perfect("a", **{part: value}))
    assert row["reasons"] == reasons
    assert row["eligible"] is (not reasons)
    assert (row["rank"] is None) is bool(reasons)


@pytest.mark.parametrize(
    "part",
    ["character", "democratic", "interview", "survey", "performance", "leaders", "organisation"],
)
def test_missing_part(part):
    """An absent part is `<part>_missing`, its sheet part null and the total null."""
    row = sheet_row(perfect("a", **{part: None}))
    assert row["reasons"] == [f"{part}_missing"]
    assert row["total"] is None and row["rank"] is None
    sheet_part = "public" if part in ("democratic", "interview", "survey") else part
    assert row["parts"][sheet_part] is None
    assert all(v is not None for k, v in row["parts"].items() if k != sheet_part)


def test_null_part_is_missing_too():
    row = sheet_row(perfect("a", organisation=None) | {"organisation": None})
    assert row["reasons"] == ["organisation_missing"]


def test_below_bar_part_still_scored():
    """Excluded candidates keep their figures: democratic 23/80, public = 20 × (0.2875 + 1 + 1)/3 = 15.25."""
    row = sheet_row(perfect("a", democratic={"votes": 23, "cast": 80}))
    assert row["parts"]["public"] == "15.25" and row["total"] == "85.25"


@pytest.mark.parametrize(
    ("base", "bonus", "points"),
    [
        ("38", "5", "40.00"),
        ("40", "0", "40.00"),
        ("35", "4.5", "39.50"),
        ("0", "0", "0.00"),
        ("39.995", "0", "40.00"),
    ],
)
def test_performance_cap(base, bonus, points):
    """min(base + bonus, 40): 38 + 5 = 43 gives 40."""
    row = sheet_row(perfect("a", performance={"base": base, "bonus": bonus}))
    assert row["parts"]["performance"] == points


def test_public_part_is_mean_of_three_rates():
    """0.5, 0.6 and 50/60: 20 × (0.5 + 0.6 + 0.8333...)/3 = 12.888... -> 12.89."""
    row = sheet_row(
        perfect(
            "a",
            democratic={"votes": 40, "cast": 80},
            interview={"named": 12, "interviewed": 20},
            survey={
                "respondents": 60,
                "satisfied": 40,
                "basically_satisfied": 10,
                "dissatisfied": 10,
            },
        )
    )
    assert row["parts"]["public"] == "12.89"


def test_public_weights_from_rules():
    """Weights 2/1/1 with rates 0.5, 1, 1: 20 × (1 + 1 + 1)/4 = 15.00."""
    text = resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8")
    rules = load_rules(text.replace("\ndemocratic = 1\n", "\ndemocratic = 2\n"))
    row = sheet_row(perfect("a", democratic={"votes": 40, "cast": 80}), rules)
    assert row["parts"]["public"] == "15.00"


def test_basically_satisfied_weight_from_rules():
    """Weight 0: satisfaction = 40/50 = 0.8 passes; 39 satisfied + 11 basically = 0.78 fails."""
    text = resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8")
    rules = load_rules(
        text.replace("basically_satisfied_weight = 1\n", "basically_satisfied_weight = 0\n")
    )
    survey = {"respondents": 50, "satisfied": 39, "basically_satisfied": 11, "dissatisfied": 0}
    assert sheet_row(perfect("a", survey=survey), rules)["reasons"] == ["survey_below_bar"]
    assert sheet_row(perfect("a", survey=survey))["reasons"] == []


def test_leaders_part():
    """unit (1 + 0.8)/2 × 5 = 4.5; city (0.6 + 0)/2 × 5 = 1.5; 6.00."""
    row = sheet_row(
        perfect("a", leaders={"unit": ["good", "fairly_good"], "city": ["average", "poor"]})
    )
    assert row["parts"]["leaders"] == "6.00"


def test_ranks_share_on_equal_totals():
    """Totals 95, 90, 90, 80 rank 1, 2, 2, 4; the ineligible one is unranked."""
    doc = round_of(
        perfect("a", base="35"),
        perfect("b", base="30"),
        perfect("c", base="30"),
        perfect("x", base="40", democratic={"votes": 1, "cast": 80}),
        perfect("d", base="20"),
    )
    sheet = score_round(doc, RULES)
    assert [(c["id"], c["rank"]) for c in sheet["candidates"]] == [
        ("a", 1),
        ("b", 2),
        ("c", 2),
        ("x", None),
        ("d", 4),
    ]


def test_ranks_compare_exact_totals_not_rounded_strings():
    """30.004 and 30.001 both print 90.00, but 90.004 > 90.001: ranks 1 and 2, no tie."""
    sheet = score_round(round_of(perfect("a", base="30.001"), perfect("b", base="30.004")), RULES)
    assert [c["total"] for c in sheet["candidates"]] == ["90.00", "90.00"]
    assert [c["rank"] for c in sheet["candidates"]] == [2, 1]
    assert sheet["ties_at_cut"]["chief"] == []


@pytest.mark.parametrize(
    ("bases", "posts", "shortlist", "ties"),
    [
        (["39", "38", "37", "36"], 1, ["a", "b", "c"], []),  # 1 post × 3 = 3 places
        (["39", "38", "37", "37"], 1, ["a", "b", "c", "d"], ["c", "d"]),  # tie straddles the cut
        (["39", "38", "38", "36"], 1, ["a", "b", "c"], []),  # tie inside the places
        (["38", "38", "38", "38"], 1, ["a", "b", "c", "d"], ["a", "b", "c", "d"]),
        (["39", "38"], 1, ["a", "b"], []),  # fewer than the places
        (["30", "31", "32", "33", "34", "35", "36"], 2, ["g", "f", "e", "d", "c", "b"], []),
    ],
)
def test_shortlist_and_ties_at_cut(bases, posts, shortlist, ties):
    """Top ceil(posts × 3) eligible by total; all tied at the cut go through and are flagged."""
    candidates = [perfect(chr(ord("a") + i), base=base) for i, base in enumerate(bases)]
    sheet = score_round(round_of(*candidates, posts=posts), RULES)
    assert sheet["shortlist"] == {"chief": shortlist, "deputy": []}
    assert sheet["ties_at_cut"] == {"chief": ties, "deputy": []}


def test_levels_are_ranked_separately_and_order_is_input_order():
    doc = round_of(
        perfect("d1", level="deputy", base="10"),
        perfect("c1", base="20"),
        perfect("d2", level="deputy"),
    )
    sheet = score_round(doc, RULES)
    assert [c["id"] for c in sheet["candidates"]] == ["d1", "c1", "d2"]
    assert [c["rank"] for c in sheet["candidates"]] == [2, 1, 1]
    assert sheet["shortlist"] == {"chief": ["c1"], "deputy": ["d2", "d1"]}


def test_sample_round():
    """The sample round's arithmetic (tests/data/rounds/sample.json).

    c01: character 18 + (2×40 + 10)/50 = 19.80; public 20 × (0.5 + 0.6 + 50/60)/3 = 12.888...;
    performance 28.5 + 3 = 31.5; leaders (1 + 0.8)/2 × 5 + 5 = 9.5; organisation 8.5;
    total 82.1888... -> 82.19. c02: 20 + 20 × (0.75 + 0.75 + 1)/3 + 40 (38 + 5 capped) + 10 + 10 = 96.67.
    """
    doc = parse_round_file(SAMPLE.read_text(encoding="utf-8"))
    sheet = score_round(doc, RULES)
    by_id = {c["id"]: c for c in sheet["candidates"]}
    assert by_id["c01"]["total"] == "82.19" and by_id["c01"]["parts"]["public"] == "12.89"
    assert by_id["c02"]["total"] == "96.67" and by_id["c02"]["parts"]["performance"] == "40.00"
    assert by_id["c03"]["reasons"] == [
        "character_veto",
        "democratic_below_bar",
        "interview_below_bar",
        "survey_below_bar",
        "survey_incomplete",
        "leaders_missing",
        "grades_below_competent",
    ]
    assert by_id["c05"]["reasons"] == ["character_missing"]
    assert sheet["shortlist"] == {"section_chief": ["c02", "c01"], "deputy_section_chief": ["c04"]}


def test_round_trip_is_stable():
    """Parse, score, dump the round, parse again, score again: the same document both times."""
    text = SAMPLE.read_text(encoding="utf-8")
    doc = parse_round_file(text)
    first = score_round(doc, RULES)
    again = parse_round_file(json.dumps(doc, ensure_ascii=False))
    assert again == doc
    assert score_round(again, RULES) == first == score_round(copy.deepcopy(doc), RULES)
    assert json.loads(json.dumps(first)) == first


def test_score_round_checks_its_input():
    doc = round_of(perfect("a", democratic={"votes": 81, "cast": 80}))
    with pytest.raises(RoundFileError, match="votes are more than ballots cast"):
        score_round(doc, RULES)


def test_render_table():
    doc = parse_round_file(SAMPLE.read_text(encoding="utf-8"))
    table = render_table(score_round(doc, RULES), doc)
    lines = table.splitlines()
    assert "张伟" in table and "82.19" in table and "not eligible: character assessment missing" in table
    header = next(line for line in lines if line.startswith("Rank"))
    row = next(line for line in lines if "张伟" in line)
    # Wide characters count twice: the Total column lines up under its header.
    from tally.table import _width

    assert _width(row[: row.index("82.19") + 5]) == _width(header[: header.index("Total") + 5])
