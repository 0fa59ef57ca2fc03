"""Reading a ballot's answers into their canonical form, shared by the kinds.

The canonical form is what is stored and counted: every contest or candidate of the poll present,
in the poll's order, lists sorted. Reading a canonical form again gives it back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tally.poll import AnswerError, Contest, all_candidates

ValueReader = Callable[[str, Any], Any]


def require_object(answers: object) -> dict[str, Any]:
    if not isinstance(answers, dict) or not all(isinstance(key, str) for key in answers):
        raise AnswerError("bad_shape", "answers must be an object keyed by id")
    return answers


def read_choices(contests: Sequence[Contest], answers: object) -> dict[str, list[str]]:
    """``{contest_id: [candidate_id, ...]}``; ``[]`` or a missing contest is a blank contest."""
    given = require_object(answers)
    known = {contest.id: contest for contest in contests}
    for key in sorted(given):
        if key not in known:
            raise AnswerError(
                "unknown_contest", f"there is no contest {key!r} in this poll", contest=key
            )
    canonical: dict[str, list[str]] = {}
    for contest in contests:
        chosen = given.get(contest.id, [])
        if not isinstance(chosen, list) or not all(isinstance(cid, str) for cid in chosen):
            raise AnswerError(
                "bad_shape",
                f"the answer to contest {contest.id!r} must be a list of candidate ids",
                contest=contest.id,
            )
        ids = {candidate.id for candidate in contest.candidates}
        seen: set[str] = set()
        for cid in chosen:
            if cid not in ids:
                raise AnswerError(
                    "unknown_candidate",
                    f"{cid!r} is not a candidate of contest {contest.id!r}",
                    contest=contest.id,
                    candidate=cid,
                )
            if cid in seen:
                raise AnswerError(
                    "duplicate_choice",
                    f"{cid!r} is chosen more than once in contest {contest.id!r}",
                    contest=contest.id,
                    candidate=cid,
                )
            seen.add(cid)
        if len(chosen) > contest.max_choices:
            raise AnswerError(
                "too_many_choices",
                f"contest {contest.id!r} allows at most {contest.max_choices} "
                f"choice(s); {len(chosen)} given",
                contest=contest.id,
                max=contest.max_choices,
                given=len(chosen),
            )
        canonical[contest.id] = sorted(chosen)
    return canonical


def read_per_candidate(
    contests: Sequence[Contest], answers: object, read: ValueReader, *, partial: bool = False
) -> dict[str, Any]:
    """``{candidate_id: value}`` with every candidate of the poll answered. ``partial``: a stored
    ballot may answer a candidate with None, a paper ballot's part left unmarked or spoiled
    (tally.paper), which gives no answer there; a tablet's ballot never may."""
    given = require_object(answers)
    known = {candidate.id for _, candidate in all_candidates(contests)}
    for key in sorted(given):
        if key not in known:
            raise AnswerError(
                "unknown_candidate", f"{key!r} is not a candidate of this poll", candidate=key
            )
    canonical: dict[str, Any] = {}
    for _, candidate in all_candidates(contests):
        if candidate.id not in given:
            raise AnswerError(
                "missing_answer",
                f"candidate {candidate.id!r} must be answered",
                candidate=candidate.id,
            )
        value = given[candidate.id]
        canonical[candidate.id] = None if partial and value is None else read(candidate.id, value)
    return canonical


def one_of(allowed: tuple[str, ...]) -> ValueReader:
    """A reader accepting exactly one of ``allowed`` words."""

    def read(candidate: str, value: Any) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise AnswerError(
                "bad_value",
                f"the answer for {candidate!r} must be one of {', '.join(allowed)}",
                candidate=candidate,
                allowed=list(allowed),
            )
        return value

    return read


class PerCandidateKind:
    """The shared behaviour of kinds where each ballot answers every candidate with one of
    ``ANSWERS`` (survey, leaders, standing committee): no blank ballot and no meeting quorum
    unless a kind says otherwise. A ballot answering nobody (a paper ballot left unmarked, None
    everywhere) is blank; ``PAPER`` False: the kind's stored ballots never hold None (a named
    kind, which takes no paper)."""

    ANSWERS: tuple[str, ...] = ()
    PAPER = True

    def validate(self, contests: Sequence[Contest], answers: object, rules: Any, *,
                 partial: bool = False) -> dict[str, Any]:
        return read_per_candidate(contests, answers, one_of(self.ANSWERS), partial=partial and self.PAPER)

    def is_blank(self, canonical: dict[str, Any]) -> bool:
        return all(answer is None for answer in canonical.values())

    def quorum_met(self, attendance: int, expected: int, rules: Any) -> bool:
        return True

    def quorum_share(self, rules: Any) -> Any:
        return None
