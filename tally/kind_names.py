"""Each kind of poll's name: the one source every page, printed paper, event log sentence, refusal
and the command line take it from.

The names are English catalog templates (``N_`` marks them for extraction and changes nothing);
whoever shows one says it in the reader's language (flask_babel's ``_l(name)`` on the pages,
kiosk.cli.language.say on the command line). The Chinese follows docs/glossary.md: 全会差额推荐,
常委会差额票决 (the county committee's plenary and standing committee).
"""

from __future__ import annotations

from tally.messages import N_

NAMES: dict[str, str] = {
    "democratic_recommendation": N_("Democratic recommendation"),
    "plenary_recommendation": N_("Plenary recommendation"),
    "interview_recommendation": N_("Interview recommendation"),
    "standing_committee": N_("Standing committee vote"),
    "character": N_("Character assessment (reverse test)"),
    "survey": N_("Opinion survey"),
    "leaders": N_("Leadership evaluation"),
}
