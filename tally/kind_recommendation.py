"""Recommendation polls: democratic (secret, 30% bar), interview (named, 50% bar) and plenary
(secret, the most-voted take the places, a tie across the cut goes to a runoff)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from tally.answers import read_choices
from tally.cut import cut_at
from tally.display import rate_text
from tally.evaluations import democratic_passes, interview_passes, rate
from tally.meetings import meeting_quorum_met
from tally.poll import Ballot, Contest
from tally.rules import Rules

PassRule = Callable[[int, int, Rules], bool]


@dataclass(frozen=True)
class Recommendation:
    """A recommendation kind; ``bar`` is its pass rule, None for the plenary (places instead)."""

    bar: PassRule | None
    needs_meeting_quorum: bool

    def validate(
        self, contests: Sequence[Contest], answers: object, rules: Rules, *, partial: bool = False
    ) -> dict[str, Any]:
        # A paper ballot's contest spoiled or blank is [] already: nothing partial to allow.
        return read_choices(contests, answers)

    def is_blank(self, canonical: dict[str, Any]) -> bool:
        return not any(canonical.values())

    def quorum_met(self, attendance: int, expected: int, rules: Rules) -> bool:
        # Interviews are one-to-one: there is no meeting whose attendance could fall short.
        return (
            meeting_quorum_met(attendance, expected, rules) if self.needs_meeting_quorum else True
        )

    def quorum_share(self, rules: Rules) -> Fraction | None:
        return rules.meeting_quorum if self.needs_meeting_quorum else None

    def count(
        self,
        contests: Sequence[Contest],
        ballots: Sequence[Ballot],
        *,
        quorum_met: bool,
        expected: int,
        rules: Rules,
    ) -> list[dict[str, Any]]:
        cast = len(ballots)
        result = []
        for contest in contests:
            votes = {candidate.id: 0 for candidate in contest.candidates}
            for ballot in ballots:
                for cid in ballot.answers[contest.id]:
                    votes[cid] += 1
            if self.bar is None:
                result.append(self._places(contest, votes, cast, quorum_met))
                continue
            result.append(
                {
                    "id": contest.id,
                    "title": contest.title,
                    "candidates": [
                        {
                            "id": candidate.id,
                            "name": candidate.name,
                            "votes": votes[candidate.id],
                            "rate": rate_text(rate(votes[candidate.id], cast)),
                            "passes": quorum_met and self.bar(votes[candidate.id], cast, rules),
                        }
                        for candidate in contest.candidates
                    ],
                }
            )
        return result

    @staticmethod
    def _places(
        contest: Contest, votes: dict[str, int], cast: int, quorum_met: bool
    ) -> dict[str, Any]:
        # A name nobody chose is never chosen, even when places are left over.
        field = [(cid, n) for cid, n in votes.items() if n > 0]
        cut = cut_at(field, contest.places) if quorum_met else None
        chosen = list(cut.above) if cut else []
        return {
            "id": contest.id,
            "title": contest.title,
            "candidates": [
                {
                    "id": candidate.id,
                    "name": candidate.name,
                    "votes": votes[candidate.id],
                    "rate": rate_text(rate(votes[candidate.id], cast)),
                    "passes": candidate.id in chosen,
                }
                for candidate in contest.candidates
            ],
            "chosen": chosen,
            "runoff": list(cut.tied) if cut else [],
        }


DEMOCRATIC = Recommendation(bar=democratic_passes, needs_meeting_quorum=True)
INTERVIEW = Recommendation(bar=interview_passes, needs_meeting_quorum=False)
PLENARY = Recommendation(bar=None, needs_meeting_quorum=True)
