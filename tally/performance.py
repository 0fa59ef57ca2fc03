"""Performance base and bonus from a candidate's record, by the rules file's local-policy table.

docs/rules.md: a base score from the city's ranking of the candidate's work (排类排位) plus bonus
for the ranking and for awards at national, provincial, prefectural and county level; capped at
the performance points (40) by the score sheet. The table is local policy, shipped as an example
in `[performance_example]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from tally.messages import N_, explain
from tally.rules import Rules

MAX_AWARDS = 100


class RecordError(ValueError):
    def __init__(self, key: str, reason: str, **params: object):
        self.key = key
        self.reason = explain(self, reason, **params)
        super().__init__(f"{key}: {self.reason}")


def performance_from_record(record: object, rules: Rules) -> tuple[Fraction, Fraction]:
    """``{"class": ..., "ranking": ... | None, "awards": {level: count}}`` -> (base, bonus)."""
    table = rules.performance_example
    if not isinstance(record, Mapping):
        raise RecordError("record", N_("must give the class, the ranking and the awards"))
    unknown = set(record) - {"class", "ranking", "awards"}
    if unknown:
        raise RecordError(f"record.{sorted(unknown)[0]}", N_("is not part of a work record (class, ranking, awards)"))
    bases = dict(table.base_by_class)
    if record.get("class") not in bases:
        raise RecordError("record.class", N_("must be one of %(choices)s"), choices=", ".join(bases))
    base = bases[record["class"]]
    rankings = dict(table.bonus_by_ranking)
    ranking = record.get("ranking")
    if ranking is not None and ranking not in rankings:
        raise RecordError("record.ranking", N_("must be one of %(choices)s, or none"), choices=", ".join(rankings))
    bonus = rankings.get(ranking, Fraction(0)) if ranking else Fraction(0)
    awards = record.get("awards") or {}
    per_award = dict(table.bonus_by_award)
    if not isinstance(awards, Mapping):
        raise RecordError("record.awards", N_("must give a number of awards for each level"))
    for level, count in awards.items():
        if level not in per_award:
            raise RecordError(f"record.awards.{level}", N_("is not a level of award (%(choices)s)"), choices=", ".join(per_award))
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_AWARDS:
            raise RecordError(f"record.awards.{level}", N_("must be a whole number from %(low)s to %(high)s"), low=0, high=MAX_AWARDS)
        bonus += per_award[level] * count
    return base, bonus
