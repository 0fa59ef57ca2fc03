"""What a poll is made of, as plain values: candidates, contests, ballots, and answer errors."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str


@dataclass(frozen=True)
class Contest:
    """One question of a poll: a post or a level, with its candidates.

    ``max_choices`` is how many names a recommendation ballot may choose; ``places`` how many
    are chosen (plenary, standing committee).
    """

    id: str
    title: str
    max_choices: int
    places: int
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class Ballot:
    """One ballot's answers; ``group`` only for leaders ("unit" or "city")."""

    answers: dict
    group: str | None = None


class AnswerError(ValueError):
    """Answers that do not fit the poll. ``code`` is for machines, str() for people."""

    def __init__(self, code: str, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.code = code
        self.detail: dict[str, Any] = detail


class SpecError(ValueError):
    """A poll whose kind or contests cannot be counted; the message says what to fix."""


class DuplicateNameError(SpecError):
    """Two candidates of one contest have the same name: a voter could not tell them apart on the
    ballot, nor the room in the result. ``contest`` is the contest's title (its id when untitled),
    ``contest_id`` its id, ``name`` the name as typed the second time."""

    def __init__(self, contest: str, name: str, contest_id: str = "") -> None:
        super().__init__(f"contest {contest!r}: two candidates are both called {name!r}; add what "
                         f"tells them apart to the name, e.g. {name}（城关镇）")
        self.contest = contest
        self.contest_id = contest_id
        self.name = name


class DuplicateTitleError(SpecError):
    """Two contests of one poll have the same title (``name_key``): a voter could not tell which
    post a name is proposed for, nor the room which result is which. ``title`` is the title as
    typed the second time, ``contest_id`` the id of that contest."""

    def __init__(self, title: str, contest_id: str = "") -> None:
        super().__init__(f"two contests are both called {title!r}; give each its own title, "
                         f"or put their candidates in one contest")
        self.title = title
        self.contest_id = contest_id


def name_key(name: str) -> str:
    """What makes two names the same on a ballot: full-width and half-width forms alike
    (NFKC), case, and spaces anywhere (张 伟 is 张伟, as names are often spaced to align)."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def duplicate_name(candidates: Sequence[Candidate]) -> str | None:
    """The first name (as typed) that a later candidate of the same contest repeats, if any."""
    seen: set[str] = set()
    for candidate in candidates:
        key = name_key(candidate.name)
        if key in seen:
            return candidate.name
        seen.add(key)
    return None


def duplicate_title(titles: Sequence[str]) -> int | None:
    """The position of the first contest title that repeats an earlier one of the same poll
    (the same on a ballot, as ``name_key`` says for names), if any."""
    seen: set[str] = set()
    for position, title in enumerate(titles):
        key = name_key(title)
        if key in seen:
            return position
        seen.add(key)
    return None


def ballot_names(people: Sequence[tuple[str, str, str | None]]) -> dict[str, str]:
    """The name each of ``people`` (id, name, unit) carries on one contest of a ballot: the name,
    and where two of them share it (``name_key``), the name with its unit, 张伟（城关镇）, as a
    ballot must tell them apart. Without units to tell them apart, names stay as they are and
    the contest is refused (``duplicate_name``) with a sentence saying what to do."""
    keys = [name_key(name) for _id, name, _unit in people]
    shared = {key for key in keys if keys.count(key) > 1}
    return {pid: (f"{name}（{unit}）" if name_key(name) in shared and unit else name)
            for pid, name, unit in people}


def all_candidates(contests: Sequence[Contest]) -> Iterator[tuple[Contest, Candidate]]:
    """Every candidate of the poll with its contest, in the poll's order."""
    for contest in contests:
        for candidate in contest.candidates:
            yield contest, candidate


def contests_from_dicts(raw: Any) -> list[Contest]:
    """Contests from the JSON shape of docs/api.md (``{"id", "title", "max_choices", ...}``).

    Only the shape is checked here; ``validate_spec`` checks the content.
    """
    if not isinstance(raw, list):
        raise SpecError("contests must be a list")
    contests = []
    for index, entry in enumerate(raw):
        where = f"contest {index + 1}"
        if not isinstance(entry, dict):
            raise SpecError(f"{where} must be an object")
        try:
            people = entry["candidates"]
            if not isinstance(people, list) or not all(isinstance(p, dict) for p in people):
                raise SpecError(f"{where}: candidates must be a list of objects")
            contests.append(
                Contest(
                    id=entry["id"],
                    title=entry.get("title", ""),
                    max_choices=entry["max_choices"],
                    places=entry["places"],
                    candidates=tuple(Candidate(id=p["id"], name=p.get("name", "")) for p in people),
                )
            )
        except KeyError as missing:
            raise SpecError(f"{where}: {missing.args[0]} is missing") from None
    return contests
