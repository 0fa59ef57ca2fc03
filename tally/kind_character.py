"""Character assessment, the reverse test: each rater answers every negative item per candidate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tally.answers import PerCandidateKind, read_per_candidate
from tally.display import points_text, rate_text
from tally.evaluations import character_complete, character_score, character_veto, frequent_shares
from tally.poll import AnswerError, Ballot, Contest, all_candidates
from tally.rules import Rules

ANSWERS = ("none", "occasional", "frequent")


@dataclass(frozen=True)
class Character(PerCandidateKind):
    ANSWERS = ANSWERS

    def validate(
        self, contests: Sequence[Contest], answers: object, rules: Rules, *, partial: bool = False
    ) -> dict[str, Any]:
        items = len(rules.character_items)

        def read(candidate: str, value: Any) -> list[str]:
            if not isinstance(value, list) or len(value) != items:
                raise AnswerError(
                    "bad_shape",
                    f"the answer for {candidate!r} must be a list of {items} item answers",
                    candidate=candidate,
                    expected=items,
                    given=len(value) if isinstance(value, list) else None,
                )
            for index, answer in enumerate(value):
                if answer not in ANSWERS:
                    raise AnswerError(
                        "bad_value",
                        f"item {index + 1} for {candidate!r} must be one of {', '.join(ANSWERS)}",
                        candidate=candidate,
                        item=index,
                        allowed=list(ANSWERS),
                    )
            return list(value)

        return read_per_candidate(contests, answers, read, partial=partial)

    def count(
        self,
        contests: Sequence[Contest],
        ballots: Sequence[Ballot],
        *,
        quorum_met: bool,
        expected: int,
        rules: Rules,
    ) -> list[dict[str, Any]]:
        items = len(rules.character_items)
        raters = {c.id: 0 for _, c in all_candidates(contests)}
        occasional = {cid: [0] * items for cid in raters}
        frequent = {cid: [0] * items for cid in raters}
        for ballot in ballots:
            for cid, answers in ballot.answers.items():
                # A paper ballot's candidate left unmarked or spoiled (None) is no rating: the
                # score and the veto are per rater over every item (docs/rules.md, "Paper ballots").
                if answers is None:
                    continue
                raters[cid] += 1
                for index, answer in enumerate(answers):
                    if answer == "occasional":
                        occasional[cid][index] += 1
                    elif answer == "frequent":
                        frequent[cid][index] += 1
        return [
            {
                "id": contest.id,
                "title": contest.title,
                "candidates": [
                    {
                        "id": c.id,
                        "name": c.name,
                        "raters": raters[c.id],
                        "score": points_text(
                            character_score(raters[c.id], occasional[c.id], frequent[c.id], rules)
                        ),
                        "veto": character_veto(raters[c.id], frequent[c.id], rules),
                        "complete": character_complete(raters[c.id], rules),
                        "frequent_share": [
                            rate_text(share)
                            for share in frequent_shares(raters[c.id], frequent[c.id])
                        ],
                        "occasional": occasional[c.id],
                        "frequent": frequent[c.id],
                    }
                    for c in contest.candidates
                ],
            }
            for contest in contests
        ]


CHARACTER = Character()
