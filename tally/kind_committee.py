"""Standing-committee vote (差额票决): each member answers agree / disagree / abstain per candidate.

Void unless 2/3 of the members expected attend; a candidate passes only with agreeing votes from
more than half of the members expected; the best passing take the places; never a silent pick.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from tally.answers import PerCandidateKind
from tally.cut import cut_at
from tally.meetings import committee_passes, committee_quorum_met
from tally.poll import Ballot, Contest
from tally.rules import Rules

ANSWERS = ("agree", "disagree", "abstain")


@dataclass(frozen=True)
class StandingCommittee(PerCandidateKind):
    ANSWERS = ANSWERS

    def is_blank(self, canonical: dict[str, Any]) -> bool:
        # None: a paper ballot's part left unmarked or spoiled, no agreeing vote either.
        return all(answer in ("abstain", None) for answer in canonical.values())

    def quorum_met(self, attendance: int, expected: int, rules: Rules) -> bool:
        return committee_quorum_met(attendance, expected, rules)

    def quorum_share(self, rules: Rules) -> Fraction:
        return rules.committee_quorum

    def count(
        self,
        contests: Sequence[Contest],
        ballots: Sequence[Ballot],
        *,
        quorum_met: bool,
        expected: int,
        rules: Rules,
    ) -> list[dict[str, Any]]:
        result = []
        for contest in contests:
            tallies = {c.id: dict.fromkeys(ANSWERS, 0) for c in contest.candidates}
            for ballot in ballots:
                for cid, counts in tallies.items():
                    answer = ballot.answers[cid]
                    if answer is not None:  # a paper ballot's part left unmarked or spoiled
                        counts[answer] += 1
            passing = [
                cid
                for cid, counts in tallies.items()
                if quorum_met and committee_passes(counts["agree"], expected, rules)
            ]
            # A void vote (no quorum) chooses nobody and names no runoff: it is held again whole.
            chosen, runoff = _fill_places(contest, passing, tallies) if quorum_met else ([], [])
            result.append(
                {
                    "id": contest.id,
                    "title": contest.title,
                    "candidates": [
                        {
                            "id": candidate.id,
                            "name": candidate.name,
                            **tallies[candidate.id],
                            "passes": candidate.id in passing,
                            "chosen": candidate.id in chosen,
                        }
                        for candidate in contest.candidates
                    ],
                    "chosen": chosen,
                    "runoff": runoff,
                }
            )
        return result


def _fill_places(
    contest: Contest, passing: list[str], tallies: dict[str, dict[str, int]]
) -> tuple[list[str], list[str]]:
    """Who is chosen and who must be voted on again.

    More passing than places: the most agreeing votes win; a tie for the last place sends the
    tied to a runoff and only those strictly above are chosen. Fewer passing than places (none
    passing included, but only when the vote is valid): docs/rules.md asks for "a runoff among those
    concerned". We read "those concerned" as every candidate not passing, since any of them may
    still fill the remaining places; the passing are chosen now.
    """
    if len(passing) >= contest.places:
        cut = cut_at([(cid, tallies[cid]["agree"]) for cid in passing], contest.places)
        return list(cut.above), list(cut.tied)
    return passing, [c.id for c in contest.candidates if c.id not in passing]


STANDING_COMMITTEE = StandingCommittee()
