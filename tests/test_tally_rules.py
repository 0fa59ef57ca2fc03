"""The rules file: the packaged default holds docs/rules.md's numbers; every bad file names its key."""

from __future__ import annotations

import re
from fractions import Fraction
from importlib import resources

import pytest

from tally.ratios import (
    deliberation_places,
    final_slate_range,
    initial_places,
    plenary_places,
    ratio_places,
)
from tally.rules import RulesError, default_rules, load_rules

DEFAULT_TEXT = resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8")


def edited(old: str, new: str) -> str:
    """The default rules file with one piece changed (the old text must be there exactly once).

    Several pieces may be given separated by "|".
    """
    text = DEFAULT_TEXT
    for before, after in zip(old.split("|"), new.split("|"), strict=True):
        assert text.count(before) == 1, before
        text = text.replace(before, after)
    return text


def test_default_numbers_are_domain_numbers():
    r = default_rules()
    assert (
        r.points.character,
        r.points.public,
        r.points.performance,
        r.points.leaders,
        r.points.organisation,
    ) == (
        20,
        20,
        40,
        10,
        10,
    )
    assert r.democratic_bar == Fraction(3, 10) and r.interview_bar == Fraction(1, 2)
    assert r.survey_bar == Fraction(4, 5) and r.character_veto_share == Fraction(3, 10)
    assert r.character_min_raters == 50 and r.survey_min_respondents == 50
    assert r.meeting_quorum == Fraction(2, 3) and r.committee_quorum == Fraction(2, 3)
    assert r.committee_pass_share == Fraction(1, 2)
    assert (
        r.character_answer_weights.none,
        r.character_answer_weights.occasional,
        r.character_answer_weights.frequent,
    ) == (2, 1, 0)
    assert [r.grade_values.of(g) for g in ("good", "fairly_good", "average", "poor")] == [
        1,
        Fraction(4, 5),
        Fraction(3, 5),
        0,
    ]
    assert (r.leaders_unit_points, r.leaders_city_points) == (5, 5)
    assert r.basically_satisfied_weight == 1
    assert (r.public_weights.democratic, r.public_weights.interview, r.public_weights.survey) == (
        1,
        1,
        1,
    )
    assert (r.ratio_initial, r.ratio_plenary, r.ratio_deliberation) == (
        3,
        Fraction(3, 2),
        Fraction(3, 2),
    )
    assert (r.final_extra_min, r.final_extra_max) == (1, 2)
    assert r.live_batch_size == 5
    assert len(r.character_items) == 10
    assert r.character_items[1].zh == "贪图享乐" and r.character_items[9].zh == "以权谋私"
    assert all(item.en for item in r.character_items)
    assert (
        r.organisation_grades_considered == 3
        and r.organisation_lowest_eligible_grade == "competent"
    )


def test_default_rules_cached_and_equal_to_a_fresh_read():
    assert default_rules() is default_rules()
    assert load_rules() == default_rules() == load_rules(DEFAULT_TEXT)


def test_every_key_is_documented_by_a_comment():
    """Each `key = value` of the packaged file has a comment: right above it, or above its table.

    Entries of one table may share the comment above the table header; repeated [[array]]
    entries share the comment of the first.
    """
    lines = DEFAULT_TEXT.splitlines()
    documented_arrays: set[str] = set()
    undocumented = []
    for index, line in enumerate(lines):
        if line.startswith("[["):
            if index > 0 and lines[index - 1].startswith("#"):
                documented_arrays.add(line)
        if not re.match(r"^[a-z_]+ = ", line):
            continue
        above = index - 1
        while re.match(r"^[a-z_]+ = ", lines[above]):
            above -= 1  # entries of one table may share one comment
        if lines[above].startswith("#"):
            continue
        header = lines[above]
        if header.startswith("[[") and header in documented_arrays:
            continue
        if header.startswith("[") and lines[above - 1].startswith("#"):
            continue
        undocumented.append(line)
    assert undocumented == []


def test_example_performance_table_is_marked_local_policy():
    assert "EXAMPLE ONLY - LOCAL POLICY" in DEFAULT_TEXT
    example = default_rules().performance_example
    assert dict(example.bonus_by_award)["national"] == 5


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("bar = 0.30\n", "bar = 1.30\n", "democratic.bar"),
        ("bar = 0.30\n", 'bar = "abc"\n', "democratic.bar"),
        ("bar = 0.30\n", "bar = -0.1\n", "democratic.bar"),
        ("bar = 0.30\n", "bar = nan\n", "democratic.bar"),
        ("bar = 0.30\n", "bar = true\n", "democratic.bar"),
        ("bar = 0.30\n", "barr = 0.30\n", "democratic.barr"),  # unknown key refused
        ("bar = 0.50\n", "", "interview.bar"),  # missing key named
        ('quorum = "2/3"\n\n[democratic]', 'quorum = "2/0"\n\n[democratic]', "meeting.quorum"),
        ("min_raters = 50\n", "min_raters = 50.0\n", "character.min_raters"),
        ("min_raters = 50\n", "min_raters = 0\n", "character.min_raters"),
        ("veto_share = 0.30\n", "veto_share = 2\n", "character.veto_share"),
        ("occasional = 1\n", "occasional = 3\n", "character.answer_weights"),
        ("character = 20\n", "character = 25\n", "points.character"),
        ("leaders = 10\n", "leaders = 12\n", "points.leaders"),
        ("fairly_good = 0.8\n", "fairly_good = 1.2\n", "leaders.grade_values.fairly_good"),
        ("average = 0.6\n", "average = 0.9\n", "leaders.grade_values"),
        (
            'lowest_eligible_grade = "competent"',
            'lowest_eligible_grade = "fine"',
            "organisation.lowest_eligible_grade",
        ),
        ("grades_considered = 3\n", "grades_considered = 0\n", "organisation.grades_considered"),
        ("initial = 3\n", "initial = 0.5\n", "ratios.initial"),
        ("final_extra_max = 2\n", "final_extra_max = 0\n", "ratios.final_extra_max"),
        ("batch_size = 5\n", "batch_size = 0\n", "live.batch_size"),
        (
            "\ndemocratic = 1\n|\ninterview = 1\n|\nsurvey = 1\n",
            "\ndemocratic = 0\n|\ninterview = 0\n|\nsurvey = 0\n",
            "public.weights",
        ),
        (
            "is_local_policy_example = true",
            "is_local_policy_example = false",
            "performance_example.is_local_policy_example",
        ),
        ("national = 5\n", "national = 50\n", "performance_example.bonus_by_award.national"),
        ('en = "Pleasure-seeking"\n', 'en = ""\n', "character.items[1].en"),
        (
            'en = "Pleasure-seeking"\n',
            'en = "Pleasure-seeking"\nrank = 2\n',
            "character.items[1].rank",
        ),
        ('format = "ballotroom-rules/1"', 'format = "ballotroom-rules/9"', "format"),
        ("[live]\n", "[livee]\n", "livee"),
        (
            "basically_satisfied_weight = 1\n",
            "basically_satisfied_weight = 1.5\n",
            "survey.basically_satisfied_weight",
        ),
        ("bar = 0.80\n", "bar = [0.8]\n", "survey.bar"),
    ],
)
def test_invalid_rules_name_the_key(old, new, key):
    with pytest.raises(RulesError) as err:
        load_rules(edited(old, new))
    assert err.value.key == key
    assert str(err.value) == f"rules: {key}: {err.value.reason}"
    assert err.value.reason[0].islower() or err.value.reason[0].isupper()


def test_toml_syntax_error():
    with pytest.raises(RulesError) as err:
        load_rules("[points\n")
    assert err.value.key == "toml" and "line 1" in err.value.reason


def test_decimals_are_exact_and_fractions_allowed():
    """0.30 read as a binary float would be 0.2999999999999999889; it must be exactly 3/10."""
    rules = load_rules(edited("bar = 0.30\n", "bar = 0.3\n"))
    assert rules.democratic_bar == Fraction(3, 10)
    rules = load_rules(edited("bar = 0.30\n", 'bar = "3/10"\n'))
    assert rules.democratic_bar == Fraction(3, 10)


def test_a_nine_item_list_changes_the_ballot_and_the_points():
    """Dropping one item makes 9 items × 2 = 18 points: points.character must follow."""
    text = edited('[[character.items]]\nzh = "以权谋私"\nen = "Uses power for private gain"\n', "")
    with pytest.raises(RulesError) as err:
        load_rules(text)
    assert err.value.key == "points.character" and "18" in err.value.reason
    rules = load_rules(text.replace("character = 20\n", "character = 18\n"))
    assert len(rules.character_items) == 9


@pytest.mark.parametrize(
    ("posts", "ratio", "places"),
    [
        (1, Fraction(3), 3),
        (2, Fraction(3), 6),
        (1, Fraction(3, 2), 2),
        (2, Fraction(3, 2), 3),
        (3, Fraction(3, 2), 5),
        (0, Fraction(3), 0),
    ],
)
def test_ratio_places(posts, ratio, places):
    """ceil(posts × r): 1 × 1.5 = 1.5 -> 2; 3 × 1.5 = 4.5 -> 5; 2 × 1.5 = 3 exactly -> 3."""
    assert ratio_places(posts, ratio) == places


def test_stage_places_from_rules():
    r = default_rules()
    assert (initial_places(2, r), plenary_places(2, r), deliberation_places(3, r)) == (6, 3, 5)
    assert final_slate_range(2, r) == (3, 4)
    with pytest.raises(ValueError):
        ratio_places(-1, Fraction(3))
