"""The rules file's [paper] table: which polls take paper ballots and what an over-vote spoils.

Read by ``tally.rules`` (kept apart so that module stays one screenful of keys). The table is
optional: a rules file written before paper ballots (a poll's kept rules, an old bundle's) reads
with the shipped values, so that every certificate made under it still recounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The kinds whose ballots a scrutineer can enter from paper: every secret kind a meeting votes
# (docs/rules.md, "Paper ballots"). The named kinds (interview recommendation, leaders'
# evaluation) record who answered, which a paper ballot never says, so they stay tablet-only.
PAPER_CAPABLE = ("democratic_recommendation", "plenary_recommendation", "standing_committee", "survey", "character")
# What more names ticked than a contest allows spoils: that contest's part of the ballot (the
# usual rule of Chinese elections), or the whole ballot.
OVER_VOTE_CHOICES = ("contest", "ballot")


@dataclass(frozen=True)
class PaperRules:
    kinds: tuple[str, ...] = PAPER_CAPABLE
    over_vote_spoils: str = "contest"


def read(data: Any, table: Any, error: type[ValueError]) -> PaperRules:
    """``data`` the root table's raw dict, ``table`` a factory of its checked sub-tables and
    ``error`` the rules file's error class (passed in: tally.rules imports this module)."""
    if "paper" not in data:
        return PaperRules()
    paper = table("paper", {"kinds", "over_vote_spoils"})
    kinds = paper.raw("kinds")
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds) or len(set(kinds)) != len(kinds) \
            or not set(kinds) <= set(PAPER_CAPABLE):
        raise error(paper.key("kinds"), f"must be a list of distinct kinds among {', '.join(PAPER_CAPABLE)}")
    return PaperRules(kinds=tuple(kinds), over_vote_spoils=paper.text("over_vote_spoils", OVER_VOTE_CHOICES))
