"""Opinion survey: each respondent answers satisfied / basically satisfied / dissatisfied."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tally.answers import PerCandidateKind
from tally.display import rate_text
from tally.evaluations import satisfaction, survey_complete, survey_passes
from tally.poll import Ballot, Contest, all_candidates
from tally.rules import Rules

ANSWERS = ("satisfied", "basically_satisfied", "dissatisfied")


@dataclass(frozen=True)
class Survey(PerCandidateKind):
    ANSWERS = ANSWERS

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
        # Every ballot is a respondent for every candidate: a paper ballot's part left unmarked or
        # spoiled (None) counts as returned for the rate, as a blank ballot does (docs/rules.md).
        answered = dict.fromkeys(tallies, 0)
        for ballot in ballots:
            for cid, answer in ballot.answers.items():
                answered[cid] += 1
                if answer is not None:
                    tallies[cid][answer] += 1
        result = []
        for contest in contests:
            rows = []
            for c in contest.candidates:
                t = tallies[c.id]
                respondents = answered[c.id]
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
