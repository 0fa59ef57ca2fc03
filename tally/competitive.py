"""The rules of the four competitive stages (四差额), pure: plain data in, plain data out.

The counting itself is tally's (a plenary or standing-committee contest says who is ``chosen`` and
who goes to a ``runoff``); this module follows a *sequence* of such polls, a vote and its runoffs,
and says per level who is chosen so far, who must be voted on again and how many places remain.
It also sizes the deliberation slates from the rules file's ratios and pools the survey answers of
the round's closing figures. No Flask, no SQL, no clock; kiosk/stages_*.py is the glue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from tally.evaluations import satisfaction
from tally.ratios import deliberation_places, final_slate_range
from tally.rules import Rules

STAGES: tuple[str, ...] = ("recommendation", "inspection", "deliberation", "vote")

# The five looks and comparisons (五看五比), in the source account's order.
LOOKS: tuple[str, ...] = ("test_results", "personality", "ability", "work_results", "public_standing")
LOOK_GRADES: tuple[str, ...] = ("good", "fair", "weak")

# Whom the secretary consults about an important post ("5+X"): the five named by the source account, then
# department heads and anyone else (the X).
CONSULTED_ROLES: tuple[str, ...] = ("mayor", "deputy_secretary", "discipline_secretary",
                                    "organisation_head", "leader_in_charge", "department_head", "other")
FIVE_ROLES: tuple[str, ...] = CONSULTED_ROLES[:5]


@dataclass(frozen=True)
class PollStep:
    """One poll of a vote's sequence, as its results document gives it.

    ``main``: the stage's vote itself (the first, or a vote held again whole); it starts the count
    of its levels afresh. A runoff continues the count. ``contests`` maps a level to the contest's
    ``(chosen, runoff, candidates)`` ids; it is read only for a closed poll.
    """

    poll: str
    main: bool
    state: str
    quorum_met: bool
    contests: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]


@dataclass(frozen=True)
class LevelProgress:
    """Where one level's vote stands after a sequence of polls."""

    level: str
    target: int
    voted: bool = False  # a main vote of this level has been counted (with its quorum)
    chosen: tuple[str, ...] = ()
    runoff: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()  # polls of this level not closed yet
    void: tuple[str, ...] = field(default=())  # closed polls of this level that missed the quorum

    @property
    def remaining(self) -> int:
        return max(self.target - len(self.chosen), 0)

    @property
    def status(self) -> str:
        """``needs_vote``, ``waiting``, ``runoff`` (a runoff must be held) or ``settled``."""
        if self.waiting:
            return "waiting"
        if not self.voted:
            return "needs_vote"
        if self.runoff:
            return "runoff"
        return "settled"

    @property
    def unfilled(self) -> int:
        """Places left when settled: nobody else was chosen (a name nobody chose is never chosen)."""
        return self.remaining if self.status == "settled" else 0


def progress(targets: dict[str, int], steps: Iterable[PollStep]) -> dict[str, LevelProgress]:
    """Each level's standing after ``steps``, in the order they were generated.

    A closed poll without its quorum is void: it decides nothing and the same vote (or the same
    runoff) is held again. A closed runoff adds its chosen to the level's and names the next
    runoff, if its own cut fell in a tie (or, for the committee, too few passed). A runoff that
    leaves places empty because too few names were chosen at all (a name nobody chose is never
    chosen) is held again among its candidates not chosen: those places were put to the vote to be
    filled, and only an explicit decision (complete with leave_unfilled) leaves them empty.
    """
    state = {level: LevelProgress(level=level, target=target) for level, target in targets.items()}
    for step in steps:
        for level in step.contests:
            if level not in state:
                continue
            now = state[level]
            if step.main:  # a vote held whole starts its levels afresh
                now = LevelProgress(level=level, target=now.target, void=now.void)
            if step.state != "closed":
                state[level] = _replace(now, waiting=(*now.waiting, step.poll))
                continue
            if not step.quorum_met:
                state[level] = _replace(now, void=(*now.void, step.poll))
                continue
            chosen, runoff, candidates = step.contests[level]
            if not step.main and not runoff and len(chosen) < now.remaining:
                runoff = tuple(cid for cid in candidates if cid not in chosen)
            state[level] = _replace(now, voted=True, chosen=(*now.chosen, *chosen), runoff=tuple(runoff))
    return state


def _replace(p: LevelProgress, **changes) -> LevelProgress:
    values = {"level": p.level, "target": p.target, "voted": p.voted, "chosen": p.chosen,
              "runoff": p.runoff, "waiting": p.waiting, "void": p.void}
    values.update(changes)
    return LevelProgress(**values)


# --- deliberation slates --------------------------------------------------------------------------

def secretaries_slate_size(posts: int, pool: int, rules: Rules) -> int:
    """Candidates the secretaries' meeting deliberates: ceil(posts × 1.5), or the whole pool when the
    inspection left fewer."""
    return min(deliberation_places(posts, rules), pool)


def slate_problems(ids: Sequence[str], pool: Sequence[str], size: int | tuple[int, int]) -> list[str]:
    """What is wrong with a slate, as codes with their figures; [] when it is right.

    ``size`` is the exact number wanted, or the (fewest, most) range.
    """
    problems: list[str] = []
    low, high = (size, size) if isinstance(size, int) else size
    if len(set(ids)) != len(ids):
        problems.append("duplicate")
    stray = [cid for cid in ids if cid not in pool]
    if stray:
        problems.append("not_in_pool:" + ",".join(stray))
    if len(ids) < low:
        problems.append(f"too_few:{len(ids)}:{low}")
    if len(ids) > high:
        problems.append(f"too_many:{len(ids)}:{high}")
    return problems


def final_slate_size(posts: int, rules: Rules) -> tuple[int, int]:
    """Candidates sent to the standing committee: posts + 1 .. posts + 2 (the rules file's)."""
    return final_slate_range(posts, rules)


def missing_roles(roles_consulted: Iterable[str]) -> list[str]:
    """The five fixed roles of "5+X" not yet consulted, in their order."""
    done = set(roles_consulted)
    return [role for role in FIVE_ROLES if role not in done]


# --- the round's closing figures -----------------------------------------------------------------

@dataclass(frozen=True)
class SurveyCounts:
    respondents: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0

    def __add__(self, other: SurveyCounts) -> SurveyCounts:
        return SurveyCounts(self.respondents + other.respondents, self.satisfied + other.satisfied,
                            self.basically_satisfied + other.basically_satisfied,
                            self.dissatisfied + other.dissatisfied)


def pooled_satisfaction(counts: Iterable[SurveyCounts], rules: Rules) -> tuple[SurveyCounts, Fraction | None]:
    """All survey answers about the chosen, pooled: (satisfied + w × basically satisfied) /
    respondents, with the rules file's weight w of "basically satisfied" (1 by default, so the source's
    满意 + 基本满意 over respondents). None when nobody answered."""
    total = sum(counts, SurveyCounts())
    if not total.respondents:
        return total, None
    return total, satisfaction(total.satisfied, total.basically_satisfied, total.respondents, rules)
