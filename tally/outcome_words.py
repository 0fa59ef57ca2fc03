"""A candidate's outcome in words, one set per kind (docs/glossary.md, "Counts"): the one source
the dashboard, the projector, the result sheet and the summaries take their words from.

- a recommendation or survey against a bar: 达到 30% / 未达 30% (reached / below);
- where places are filled (全会差额推荐): 当选 / 落选 / 进入再次投票 (chosen / not chosen / to a runoff);
- the standing committee: 通过 / 未通过 (passes / does not pass; 通过，但名额已满 past the places);
- the character test: 否决 / 未否决 (vetoed / no veto).

Like tally.kind_names the words are English catalog templates (``N_``); whoever shows one says it
in the reader's language. Which word a candidate gets is decided by tally (``passes``,
``chosen``, ``runoff``, ``veto`` in the results), never here.
"""

from __future__ import annotations

from tally.messages import N_

WORDS: dict[str, str] = {
    "chosen": N_("Chosen"),
    "not_chosen": N_("Not chosen"),
    "runoff": N_("To a runoff"),
    "passes": N_("Passes"),
    "fails": N_("Does not pass"),
    "passes_no_place": N_("Passes, no place left"),
    "reached": N_("Reached %(line)s"),
    "below": N_("Below %(line)s"),
    "veto": N_("Vetoed"),
    "no_veto": N_("No veto"),
}

# The kinds whose candidates are measured against a bar (a share of the ballots): reached / below.
AGAINST_A_BAR = ("democratic_recommendation", "interview_recommendation", "survey")


def word_for(kind: str, mark: str) -> str:
    """The key in WORDS of a mark the pages draw (``passes`` / ``fails`` as tally decided them,
    ``chosen``, ``runoff``, ``veto``) for a candidate of ``kind``: against a bar ``passes`` is
    reached and ``fails`` below; otherwise the mark is its own word."""
    if kind in AGAINST_A_BAR and mark in ("passes", "fails"):
        return "reached" if mark == "passes" else "below"
    if kind == "standing_committee" and mark in ("chosen", "passes"):
        # The committee's words are 通过 / 未通过: one chosen passes; one passing and not chosen
        # passes with no place left (the result sheet's words too).
        return "passes" if mark == "chosen" else "passes_no_place"
    return mark
