"""The kinds of poll, their answers and their count: the entry points others code against.

Each kind's rules live in its own module (tally/kind_*.py); this module maps the kind's name to
them and does what is common to all: checking the poll, reading ballots, quorum and blanks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any, Protocol

from tally.evaluations import item_vetoes
from tally.kind_character import CHARACTER
from tally.kind_committee import STANDING_COMMITTEE
from tally.kind_leaders import GROUPS as LEADER_GROUPS
from tally.kind_leaders import LEADERS
from tally.kind_recommendation import DEMOCRATIC, INTERVIEW, PLENARY
from tally.kind_survey import SURVEY
from tally.meetings import committee_votes_needed, needed_for
from tally.messages import N_, explain
from tally.poll import (
    AnswerError,
    Ballot,
    Candidate,
    Contest,
    DuplicateNameError,
    DuplicateTitleError,
    SpecError,
    contests_from_dicts,
    duplicate_name,
    duplicate_title,
)
from tally.rules import Rules

__all__ = [
    "KINDS",
    "SECRET_KINDS",
    "NAMED_KINDS",
    "AnswerError",
    "Ballot",
    "Candidate",
    "Contest",
    "SpecError",
    "DuplicateNameError",
    "DuplicateTitleError",
    "duplicate_name",
    "duplicate_title",
    "contests_from_dicts",
    "validate_spec",
    "validate_answers",
    "is_blank",
    "count_poll",
    "answers_of",
    "voter_groups",
    "quorum_share",
    "line_share",
    "quorum_state",
    "decisions",
]


class KindRules(Protocol):
    """What each kind module provides."""

    def validate(
        self, contests: Sequence[Contest], answers: object, rules: Rules, *, partial: bool = False
    ) -> dict[str, Any]: ...

    def is_blank(self, canonical: dict[str, Any]) -> bool: ...

    def quorum_met(self, attendance: int, expected: int, rules: Rules) -> bool: ...

    def quorum_share(self, rules: Rules) -> Fraction | None: ...

    def count(
        self,
        contests: Sequence[Contest],
        ballots: Sequence[Ballot],
        *,
        quorum_met: bool,
        expected: int,
        rules: Rules,
    ) -> list[dict[str, Any]]: ...


_REGISTRY: dict[str, KindRules] = {
    "democratic_recommendation": DEMOCRATIC,
    "plenary_recommendation": PLENARY,
    "interview_recommendation": INTERVIEW,
    "standing_committee": STANDING_COMMITTEE,
    "character": CHARACTER,
    "survey": SURVEY,
    "leaders": LEADERS,
}

KINDS: tuple[str, ...] = tuple(_REGISTRY)

# Interviews and the leaders' grades are named by design (SECURITY.md, Secrecy): they record who
# answered. Every other kind is a secret ballot.
NAMED_KINDS: frozenset[str] = frozenset({"interview_recommendation", "leaders"})
SECRET_KINDS: frozenset[str] = frozenset(KINDS) - NAMED_KINDS

# The groups a named poll's voters belong to; a kind not listed takes any group or none.
_VOTER_GROUPS: dict[str, tuple[str, ...]] = {"leaders": LEADER_GROUPS}


def _kind(kind: str) -> KindRules:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise SpecError(f"unknown poll kind {kind!r}; use one of: {', '.join(KINDS)}") from None


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_spec(kind: str, contests: list[Contest], rules: Rules) -> None:
    """Refuse a poll that could not be voted on or counted, saying what to fix (SpecError)."""
    _kind(kind)
    if not contests:
        raise SpecError("a poll needs at least one contest")
    contest_ids: set[str] = set()
    candidate_ids: set[str] = set()
    for position, contest in enumerate(contests):
        if not isinstance(contest.id, str) or not contest.id:
            raise SpecError("every contest needs a non-empty string id")
        if contest.id in contest_ids:
            raise _spec(f"contests[{position}].id", N_("is %(id)s, a number another contest already has; "
                                                      "give each contest its own"), id=contest.id)
        contest_ids.add(contest.id)
        where = f"contest {contest.id!r}"
        if not isinstance(contest.title, str):
            raise SpecError(f"{where}: title must be a string")
        if not contest.candidates:
            raise _spec(f"contests[{position}].candidates", N_("“%(contest)s” has no candidates; add at least "
                                                              "one"), contest=contest.title or contest.id)
        for number, candidate in enumerate(contest.candidates):
            if not isinstance(candidate.id, str) or not candidate.id:
                raise SpecError(f"{where}: every candidate needs a non-empty string id")
            if not isinstance(candidate.name, str):
                raise SpecError(f"{where}: the name of {candidate.id!r} must be a string")
            # Answers of most kinds are keyed by candidate id alone, so ids are unique poll-wide.
            if candidate.id in candidate_ids:
                raise _spec(f"contests[{position}].candidates[{number}].id",
                            N_("is %(id)s (%(name)s), a number already used in this poll; "
                               "give each candidate their own"), id=candidate.id, name=candidate.name)
            candidate_ids.add(candidate.id)
        twice = duplicate_name(contest.candidates)
        if twice is not None:
            raise DuplicateNameError(contest.title or contest.id, twice, contest.id)
        size = len(contest.candidates)
        if not _whole(contest.max_choices) or not 1 <= contest.max_choices <= size:
            raise _spec(f"contests[{position}].max_choices",
                        N_("must be a whole number from 1 to %(size)s, the number of candidates of "
                           "“%(contest)s”, not %(value)s"),
                        size=size, contest=contest.title or contest.id, value=contest.max_choices)
        if not _whole(contest.places) or not 1 <= contest.places <= size:
            raise _spec(f"contests[{position}].places",
                        N_("must be a whole number from 1 to %(size)s, the number of candidates of "
                           "“%(contest)s”, not %(value)s"),
                        size=size, contest=contest.title or contest.id, value=contest.places)
    # Checked once every contest is known to be well formed; a title shows as its id when empty.
    twice = duplicate_title([c.title or c.id for c in contests])
    if twice is not None:
        raise DuplicateTitleError(contests[twice].title or contests[twice].id, contests[twice].id)


def _spec(field: str, template: str, **params: object) -> SpecError:
    """A SpecError that names its field (the API's path) and keeps its sentence translatable."""
    error = SpecError()
    error.args = (f"{field}: {explain(error, template, **params)}",)
    error.field = field  # type: ignore[attr-defined]
    return error


def validate_answers(kind: str, contests: list[Contest], answers: object, rules: Rules) -> dict:
    """The canonical form of ``answers`` for this poll, or AnswerError saying what does not fit."""
    return _kind(kind).validate(contests, answers, rules)


def is_blank(kind: str, canonical_answers: dict) -> bool:
    """A recommendation with no choice at all, a committee ballot abstaining on everyone, a
    paper ballot answering nobody."""
    return _kind(kind).is_blank(canonical_answers)


def count_poll(
    kind: str,
    contests: list[Contest],
    ballots: Iterable[Ballot],
    *,
    expected: int,
    present: int | None,
    rules: Rules,
) -> dict:
    """The kind-specific part of a poll's results document (docs/api.md, "Results").

    ``present`` None means attendance was not recorded; each ballot then stands for a member
    present, so ``cast`` is the attendance figure. Every stored ballot is read again with
    ``validate_answers``: a ballot that no longer fits the poll raises AnswerError rather than
    being counted wrongly.
    """
    rules_of_kind = _kind(kind)
    validate_spec(kind, contests, rules)
    if not _whole(expected) or expected < 0:
        raise ValueError(f"expected must be a whole number, 0 or more, not {expected!r}")
    if present is not None and (not _whole(present) or present < 0):
        raise ValueError(f"present must be a whole number, 0 or more, or None, not {present!r}")
    # A box of hundreds of ballots holds far fewer distinct ones; a caller may pass the same
    # Ballot object for identical ballots, and each distinct object is read only once. The memo
    # keeps every original alive, so an id() is never reused within this call.
    memo: dict[int, tuple[Ballot, Ballot]] = {}
    read = []
    for ballot in ballots:
        known = memo.get(id(ballot))
        if known is None:
            # partial: a stored paper ballot may leave a candidate unanswered (tally.paper).
            checked = Ballot(answers=rules_of_kind.validate(contests, ballot.answers, rules, partial=True),
                             group=ballot.group)
            known = memo[id(ballot)] = (ballot, checked)
        read.append(known[1])
    cast = len(read)
    attendance = cast if present is None else present
    quorum_met = rules_of_kind.quorum_met(attendance, expected, rules)
    return {
        "quorum_met": quorum_met,
        "cast": cast,
        "blank": sum(1 for ballot in read if rules_of_kind.is_blank(ballot.answers)),
        "contests": rules_of_kind.count(
            contests, read, quorum_met=quorum_met, expected=expected, rules=rules
        ),
    }


def answers_of(kind: str) -> tuple[str, ...]:
    """The words a per-candidate kind's ballot answers with, in display order; () for the
    recommendation kinds, whose ballots name candidates instead."""
    return tuple(getattr(_kind(kind), "ANSWERS", ()))


def voter_groups(kind: str) -> tuple[str, ...]:
    """The groups a named poll's voters must belong to (leaders: unit, city); () for any."""
    _kind(kind)
    return _VOTER_GROUPS.get(kind, ())


def quorum_share(kind: str, rules: Rules) -> Fraction | None:
    """The share of members expected that must attend; None when the kind has no quorum."""
    return _kind(kind).quorum_share(rules)


def line_share(kind: str, rules: Rules) -> Fraction | None:
    """The share a kind's results are measured against, for a page to draw its line at: the bar
    of a recommendation or survey, the character veto share, the committee's pass share. The
    comparison itself is made by the kind's count; None: the kind has no line."""
    _kind(kind)
    return {
        "democratic_recommendation": rules.democratic_bar,
        "interview_recommendation": rules.interview_bar,
        "survey": rules.survey_bar,
        "character": rules.character_veto_share,
        "standing_committee": rules.committee_pass_share,
    }.get(kind)


def quorum_state(
    kind: str, *, expected: int, present: int | None, cast: int, rules: Rules
) -> dict | None:
    """The quorum as a page states it: met, present (the ballots cast when attendance is not
    recorded, as in count_poll), whether attendance is recorded, expected and how many are
    needed. None when the kind has no quorum."""
    share = quorum_share(kind, rules)
    if share is None:
        return None
    attendance = cast if present is None else present
    return {
        "met": _kind(kind).quorum_met(attendance, expected, rules),
        "present": attendance,
        "recorded": present is not None,
        "expected": expected,
        "needed": needed_for(share, expected),
    }


def decisions(
    kind: str, counted: dict, *, expected: int, present: int | None, rules: Rules
) -> dict:
    """What a results document states beyond count_poll's part, so that no page decides it:

    - ``quorum``: ``quorum_state`` of the count (None for a kind without quorum);
    - character: ``item_veto``, per candidate id the items over the veto line;
    - standing committee: ``votes_needed``, the fewest agreeing votes that pass.

    Kept apart from count_poll's ``contests`` so that a result certificate, which holds exactly
    those, keeps its format.
    """
    out: dict[str, Any] = {
        "quorum": quorum_state(
            kind, expected=expected, present=present, cast=counted["cast"], rules=rules
        )
    }
    if kind == "character":
        out["item_veto"] = {
            c["id"]: item_vetoes(c["raters"], c["frequent"], rules)
            for contest in counted["contests"]
            for c in contest["candidates"]
        }
    if kind == "standing_committee":
        out["votes_needed"] = committee_votes_needed(expected, rules)
    return out
