"""From a tablet's HTML form to the answers document of docs/api.md ("Meetings and polls").

Field names: ``c:<contest>`` (checkboxes, recommendation kinds),
``k:<candidate>`` (one choice per candidate), ``k:<candidate>:<item>``
(character: one grade per item). The rules that judge the answers stay in
``tally``; this only reshapes form fields.
"""

from __future__ import annotations

from collections.abc import Mapping

from tally import kinds as tk

CHOICE_KINDS = ("democratic_recommendation", "plenary_recommendation", "interview_recommendation")


def answers_from_form(kind: str, contests: tuple[tk.Contest, ...], form, items: int) -> dict:
    if kind in CHOICE_KINDS:
        return {c.id: form.getlist(f"c:{c.id}") for c in contests}
    candidates = [k for c in contests for k in c.candidates]
    if kind == "character":
        out = {}
        for k in candidates:
            grades = [form.get(f"k:{k.id}:{i}") for i in range(items)]
            if any(grades):
                out[k.id] = grades
        return out
    return {k.id: form[f"k:{k.id}"] for k in candidates if form.get(f"k:{k.id}")}


def template_for(kind: str) -> str:
    if kind in CHOICE_KINDS:
        return "tablet/ballot_choice.html"
    if kind == "character":
        return "tablet/ballot_character.html"
    return "tablet/ballot_grades.html"


def options_for(kind: str) -> tuple[str, ...]:
    """The answer values a per-candidate kind offers, in display order (tally's word list)."""
    return tk.answers_of(kind)


def is_choice(kind: str) -> bool:
    return kind in CHOICE_KINDS


def selected(answers: Mapping, contest_id: str) -> list[str]:
    value = answers.get(contest_id, []) if isinstance(answers, Mapping) else []
    return value if isinstance(value, list) else []
