"""Opinion survey: each respondent answers satisfied / basically satisfied / dissatisfied."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tally.answers import one_of, read_per_candidate
from tally.display import rate_text
from tally.evaluations import satisfaction, survey_complete, survey_passes
from tally.poll import Ballot, Contest, all_candidates
from tally.rules import Rules

ANSWERS = ("satisfied", "basically_satisfied", "dissatisfied")


@dataclass(frozen=True)
class Survey:
    def validate(
        self, contests: Sequence[Contest], answers: object, rules: Rules
    ) -> dict[str, Any]:
        return read_per_candidate(contests, answers, one_of(ANSWERS))

    def is_blank(self, canonical: dict[str, Any]) -> bool:
        return False

    def quorum_met(self, attendance: int, expected: int, rules: Rules) -> bool:
        return True

    def count(
        self,
        contests: Sequence[Contest],
        ballots: Sequence[Ballot],
        *,
        quorum_met: bool,
        expected: int,
        rules: Rules,
    ) -> list[dict[str, Any]]:
        tallies = {c.id: dict.fromkeys(ANSWERS, 0) for _, c in all_candidates(contests)}
        for ballot in ballots:
            for cid, answer in ballot.answers.items():
                tallies[cid][answer] += 1
        result = []
        for contest in contests:
            rows = []
            for c in contest.candidates:
                t = tallies[c.id]
                respondents = sum(t.values())
                value = satisfaction(t["satisfied"], t["basically_satisfied"], respondents, rules)
                rows.append(
                    {
                        "id": c.id,
                        "name": c.name,
                        "respondents": respondents,
                        **t,
                        "satisfaction": rate_text(value),
                        "passes": survey_passes(value, respondents, rules),
                        "complete": survey_complete(respondents, rules),
                    }
                )
            result.append({"id": contest.id, "title": contest.title, "candidates": rows})
        return result


SURVEY = Survey()
