"""Performance base and bonus from a candidate's record, by the rules file's local-policy table.

docs/rules.md: a base score from the city's ranking of the candidate's work (排类排位) plus bonus
for the ranking and for awards at national, provincial, prefectural and county level; capped at
the performance points (40) by the score sheet. The table is local policy, shipped as an example
in `[performance_example]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from tally.rules import Rules

MAX_AWARDS = 100


class RecordError(ValueError):
    def __init__(self, key: str, reason: str):
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


def performance_from_record(record: object, rules: Rules) -> tuple[Fraction, Fraction]:
    """``{"class": ..., "ranking": ... | None, "awards": {level: count}}`` -> (base, bonus)."""
    table = rules.performance_example
    if not isinstance(record, Mapping):
        raise RecordError("record", "must be an object with class, ranking and awards")
    unknown = set(record) - {"class", "ranking", "awards"}
    if unknown:
        raise RecordError(f"record.{sorted(unknown)[0]}", "is not a field (class, ranking, awards)")
    bases = dict(table.base_by_class)
    if record.get("class") not in bases:
        raise RecordError("record.class", f"must be one of {', '.join(bases)}")
    base = bases[record["class"]]
    rankings = dict(table.bonus_by_ranking)
    ranking = record.get("ranking")
    if ranking is not None and ranking not in rankings:
        raise RecordError("record.ranking", f"must be one of {', '.join(rankings)}, or null")
    bonus = rankings.get(ranking, Fraction(0)) if ranking else Fraction(0)
    awards = record.get("awards") or {}
    per_award = dict(table.bonus_by_award)
    if not isinstance(awards, Mapping):
        raise RecordError("record.awards", "must map award levels to counts")
    for level, count in awards.items():
        if level not in per_award:
            raise RecordError(f"record.awards.{level}", f"must be one of {', '.join(per_award)}")
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_AWARDS:
            raise RecordError(f"record.awards.{level}", f"must be a whole number from 0 to {MAX_AWARDS}")
        bonus += per_award[level] * count
    return base, bonus
