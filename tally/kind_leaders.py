"""Leadership evaluation (named): unit leaders and city-level leaders grade each candidate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from tally.answers import PerCandidateKind
from tally.display import points_text
from tally.evaluations import leaders_group_points
from tally.poll import AnswerError, Ballot, Contest, all_candidates
from tally.rules import Rules

ANSWERS = ("good", "fairly_good", "average", "poor")
GROUPS = ("unit", "city")


def group_points(group: str, rules: Rules) -> Fraction:
    return rules.leaders_unit_points if group == "unit" else rules.leaders_city_points


@dataclass(frozen=True)
class Leaders(PerCandidateKind):
    ANSWERS = ANSWERS
    PAPER = False  # named: who answered is recorded, which a paper ballot never says

    def count(
        self,
        contests: Sequence[Contest],
        ballots: Sequence[Ballot],
        *,
        quorum_met: bool,
        expected: int,
        rules: Rules,
    ) -> list[dict[str, Any]]:
        grades: dict[str, dict[str, list[str]]] = {
            c.id: {group: [] for group in GROUPS} for _, c in all_candidates(contests)
        }
        for ballot in ballots:
            if ballot.group not in GROUPS:
                raise AnswerError(
                    "bad_value",
                    f"a leaders ballot's group must be unit or city, not {ballot.group!r}",
                    field="group",
                    allowed=list(GROUPS),
                )
            for cid, grade in ballot.answers.items():
                grades[cid][ballot.group].append(grade)
        result = []
        for contest in contests:
            rows = []
            for c in contest.candidates:
                parts = {
                    group: leaders_group_points(
                        grades[c.id][group], group_points(group, rules), rules
                    )
                    for group in GROUPS
                }
                # A group that gave no grade adds 0 here and is named in "missing"; the score
                # sheet treats the whole part as missing until both groups have graded.
                score = sum((p for p in parts.values() if p is not None), Fraction(0))
                row: dict[str, Any] = {"id": c.id, "name": c.name, "score": points_text(score)}
                for group in GROUPS:
                    part = parts[group]
                    row[group] = points_text(part if part is not None else Fraction(0))
                    row[f"{group}_count"] = len(grades[c.id][group])
                    row[f"{group}_grades"] = {
                        answer: grades[c.id][group].count(answer) for answer in ANSWERS
                    }
                row["missing"] = [group for group in GROUPS if parts[group] is None]
                rows.append(row)
            result.append({"id": contest.id, "title": contest.title, "candidates": rows})
        return result


LEADERS = Leaders()
