"""The rules file: every number of docs/rules.md, read from TOML and checked key by key.

The packaged default is ``tally/rules.toml``; a county may pass its own copy. Numbers become
``Fraction`` so that every comparison against a bar is exact (30% of 80 is 24, not 23.999...).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

from tally.paper_rules import PaperRules
from tally.paper_rules import read as read_paper

RULES_FORMAT = "ballotroom-rules/1"

# Year-end grades, best first (优秀 / 称职 / 基本称职 / 不称职). The vocabulary is fixed by the
# round file format (docs/round-file.md); which of them is the bar is a rules setting.
YEAR_END_GRADES: tuple[str, ...] = (
    "outstanding",
    "competent",
    "basically_competent",
    "incompetent",
)


class RulesError(ValueError):
    """A rules file that cannot be used; ``key`` is the dotted TOML key at fault."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"rules: {key}: {reason}")
        self.key = key
        self.reason = reason


@dataclass(frozen=True)
class Points:
    """Points of each of the five evaluations."""

    character: Fraction
    public: Fraction
    performance: Fraction  # also the cap on base + bonus
    leaders: Fraction
    organisation: Fraction


@dataclass(frozen=True)
class CharacterItem:
    """One negative item of the character reverse test."""

    zh: str
    en: str


@dataclass(frozen=True)
class AnswerWeights:
    """Worth of each answer to a character item."""

    none: Fraction
    occasional: Fraction
    frequent: Fraction


@dataclass(frozen=True)
class PublicWeights:
    """Relative weights of the three public-appraisal rates."""

    democratic: Fraction
    interview: Fraction
    survey: Fraction


@dataclass(frozen=True)
class GradeValues:
    """Value of each grade a leader gives, between 0 and 1."""

    good: Fraction
    fairly_good: Fraction
    average: Fraction
    poor: Fraction

    def of(self, grade: str) -> Fraction:
        return {
            "good": self.good,
            "fairly_good": self.fairly_good,
            "average": self.average,
            "poor": self.poor,
        }[grade]


@dataclass(frozen=True)
class PerformanceExample:
    """An EXAMPLE performance table (local policy); the score sheet never reads it."""

    base_by_class: tuple[tuple[str, Fraction], ...]
    bonus_by_ranking: tuple[tuple[str, Fraction], ...]
    bonus_by_award: tuple[tuple[str, Fraction], ...]


@dataclass(frozen=True)
class Rules:
    """All settings of the rules file, numbers as exact fractions."""

    points: Points
    meeting_quorum: Fraction
    democratic_bar: Fraction
    interview_bar: Fraction
    survey_bar: Fraction
    survey_min_respondents: int
    basically_satisfied_weight: Fraction
    character_min_raters: int
    character_veto_share: Fraction
    character_answer_weights: AnswerWeights
    character_items: tuple[CharacterItem, ...]
    public_weights: PublicWeights
    leaders_unit_points: Fraction
    leaders_city_points: Fraction
    grade_values: GradeValues
    organisation_grades_considered: int
    organisation_lowest_eligible_grade: str
    committee_quorum: Fraction
    committee_pass_share: Fraction
    ratio_initial: Fraction
    ratio_plenary: Fraction
    ratio_deliberation: Fraction
    final_extra_min: int
    final_extra_max: int
    live_batch_size: int
    performance_example: PerformanceExample
    paper: PaperRules = PaperRules()


def _as_fraction(value: Any) -> Fraction | None:
    """The exact value of a TOML number or fraction string, or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            return None
    return None


class _Table:
    """One TOML table being read: refuses unknown keys up front, missing keys when asked."""

    def __init__(self, data: Any, path: str, known: set[str]) -> None:
        if not isinstance(data, dict):
            raise RulesError(path, "must be a table")
        self.data = data
        self.path = path
        for name in sorted(data):
            if name not in known:
                raise RulesError(
                    self.key(name), "unknown key; check its spelling against tally/rules.toml"
                )

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def raw(self, name: str) -> Any:
        if name not in self.data:
            raise RulesError(
                self.key(name), "is missing; every key of tally/rules.toml must be set"
            )
        return self.data[name]

    def number(
        self, name: str, low: Fraction | None = None, high: Fraction | None = None
    ) -> Fraction:
        value = _as_fraction(self.raw(name))
        if value is None:
            raise RulesError(
                self.key(name), 'must be a number such as 20, 0.30 or "2/3" (a fraction in quotes)'
            )
        if low is not None and value < low:
            raise RulesError(self.key(name), f"must be at least {low}, not {value}")
        if high is not None and value > high:
            raise RulesError(self.key(name), f"must be at most {high}, not {value}")
        return value

    def share(self, name: str) -> Fraction:
        return self.number(name, Fraction(0), Fraction(1))

    def integer(self, name: str, low: int) -> int:
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise RulesError(self.key(name), "must be a whole number")
        if value < low:
            raise RulesError(self.key(name), f"must be at least {low}, not {value}")
        return value

    def text(self, name: str, choices: tuple[str, ...] | None = None) -> str:
        value = self.raw(name)
        if not isinstance(value, str) or not value.strip():
            raise RulesError(self.key(name), "must be a non-empty string")
        if choices is not None and value not in choices:
            raise RulesError(self.key(name), f"must be one of {', '.join(choices)}; not {value!r}")
        return value

    def table(self, name: str, known: set[str]) -> _Table:
        return _Table(self.raw(name), self.key(name), known)

    def number_map(self, name: str, high: Fraction) -> tuple[tuple[str, Fraction], ...]:
        data = self.raw(name)
        if not isinstance(data, dict) or not data:
            raise RulesError(self.key(name), "must be a table of at least one name = number")
        free = _Table(data, self.key(name), set(data))
        return tuple((entry, free.number(entry, Fraction(0), high)) for entry in data)


def load_rules(text: str | None = None) -> Rules:
    """Read and check a rules file; ``None`` reads the packaged default ``tally/rules.toml``."""
    if text is None:
        text = resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8")
    try:
        # parse_float=Decimal keeps 0.30 exact; a binary float would make 0.30 slightly more.
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError("toml", f"not a valid TOML file: {exc}") from None
    return _read(data)


@cache
def default_rules() -> Rules:
    """The packaged default rules, read once."""
    return load_rules(None)


def _read(data: dict[str, Any]) -> Rules:
    root = _Table(
        data,
        "",
        {
            "format",
            "points",
            "meeting",
            "democratic",
            "interview",
            "survey",
            "character",
            "public",
            "leaders",
            "organisation",
            "standing_committee",
            "ratios",
            "live",
            "performance_example",
            "paper",
        },
    )
    if root.text("format") != RULES_FORMAT:
        raise RulesError("format", f'must be "{RULES_FORMAT}", the only layout this version reads')

    zero = Fraction(0)
    pts = root.table("points", {"character", "public", "performance", "leaders", "organisation"})
    points = Points(
        character=pts.number("character", zero),
        public=pts.number("public", zero),
        performance=pts.number("performance", zero),
        leaders=pts.number("leaders", zero),
        organisation=pts.number("organisation", zero),
    )

    survey = root.table("survey", {"bar", "min_respondents", "basically_satisfied_weight"})

    character = root.table("character", {"min_raters", "veto_share", "answer_weights", "items"})
    aw = character.table("answer_weights", {"none", "occasional", "frequent"})
    weights = AnswerWeights(
        none=aw.number("none", zero),
        occasional=aw.number("occasional", zero),
        frequent=aw.number("frequent", zero),
    )
    if not weights.none >= weights.occasional >= weights.frequent:
        # A reverse test: fewer reports must never score less, or a clean record could lose points.
        raise RulesError(aw.path, "must satisfy none >= occasional >= frequent")
    items = _read_items(character)
    if points.character != len(items) * weights.none:
        raise RulesError(
            "points.character",
            f"must equal the number of character items ({len(items)}) × "
            f"character.answer_weights.none ({weights.none}) = {len(items) * weights.none}, "
            f"the highest score the reverse test can give",
        )

    public = root.table("public", {"weights"})
    pw = public.table("weights", {"democratic", "interview", "survey"})
    public_weights = PublicWeights(
        democratic=pw.number("democratic", zero),
        interview=pw.number("interview", zero),
        survey=pw.number("survey", zero),
    )
    if public_weights.democratic + public_weights.interview + public_weights.survey == 0:
        raise RulesError(pw.path, "at least one weight must be more than 0")

    leaders = root.table("leaders", {"unit_points", "city_points", "grade_values"})
    unit_points = leaders.number("unit_points", zero)
    city_points = leaders.number("city_points", zero)
    if unit_points + city_points != points.leaders:
        raise RulesError(
            "points.leaders",
            f"must equal leaders.unit_points + leaders.city_points ({unit_points + city_points})",
        )
    gv = leaders.table("grade_values", {"good", "fairly_good", "average", "poor"})
    grades = GradeValues(
        good=gv.share("good"),
        fairly_good=gv.share("fairly_good"),
        average=gv.share("average"),
        poor=gv.share("poor"),
    )
    if not grades.good >= grades.fairly_good >= grades.average >= grades.poor:
        raise RulesError(gv.path, "must satisfy good >= fairly_good >= average >= poor")

    organisation = root.table("organisation", {"grades_considered", "lowest_eligible_grade"})
    committee = root.table("standing_committee", {"quorum", "pass_share"})

    ratios = root.table(
        "ratios", {"initial", "plenary", "deliberation", "final_extra_min", "final_extra_max"}
    )
    one = Fraction(1)
    final_extra_min = ratios.integer("final_extra_min", 0)
    final_extra_max = ratios.integer("final_extra_max", 0)
    if final_extra_max < final_extra_min:
        raise RulesError("ratios.final_extra_max", "must be at least ratios.final_extra_min")

    example = root.table(
        "performance_example",
        {"is_local_policy_example", "base_by_class", "bonus_by_ranking", "bonus_by_award"},
    )
    if example.raw("is_local_policy_example") is not True:
        raise RulesError(
            "performance_example.is_local_policy_example",
            "must be true: the table is an illustration of local policy, never the source account's rule",
        )

    return Rules(
        points=points,
        meeting_quorum=root.table("meeting", {"quorum"}).share("quorum"),
        democratic_bar=root.table("democratic", {"bar"}).share("bar"),
        interview_bar=root.table("interview", {"bar"}).share("bar"),
        survey_bar=survey.share("bar"),
        survey_min_respondents=survey.integer("min_respondents", 1),
        basically_satisfied_weight=survey.share("basically_satisfied_weight"),
        character_min_raters=character.integer("min_raters", 1),
        character_veto_share=character.share("veto_share"),
        character_answer_weights=weights,
        character_items=items,
        public_weights=public_weights,
        leaders_unit_points=unit_points,
        leaders_city_points=city_points,
        grade_values=grades,
        organisation_grades_considered=organisation.integer("grades_considered", 1),
        organisation_lowest_eligible_grade=organisation.text(
            "lowest_eligible_grade", YEAR_END_GRADES
        ),
        committee_quorum=committee.share("quorum"),
        committee_pass_share=committee.share("pass_share"),
        ratio_initial=ratios.number("initial", one),
        ratio_plenary=ratios.number("plenary", one),
        ratio_deliberation=ratios.number("deliberation", one),
        final_extra_min=final_extra_min,
        final_extra_max=final_extra_max,
        live_batch_size=root.table("live", {"batch_size"}).integer("batch_size", 1),
        performance_example=PerformanceExample(
            base_by_class=example.number_map("base_by_class", points.performance),
            bonus_by_ranking=example.number_map("bonus_by_ranking", points.performance),
            bonus_by_award=example.number_map("bonus_by_award", points.performance),
        ),
        paper=read_paper(data, lambda name, known: root.table(name, known), RulesError),
    )


def _read_items(character: _Table) -> tuple[CharacterItem, ...]:
    raw = character.raw("items")
    key = character.key("items")
    if not isinstance(raw, list) or not raw:
        raise RulesError(key, "must be a list of at least one [[character.items]] table")
    items = []
    for index, entry in enumerate(raw):
        item = _Table(entry, f"{key}[{index}]", {"zh", "en"})
        items.append(CharacterItem(zh=item.text("zh"), en=item.text("en")))
    return tuple(items)
