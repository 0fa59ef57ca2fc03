"""Sentences of tally's refusals, kept translatable while tally stays pure.

tally speaks English (its exceptions' text, ``ballotroom score``'s output). A refusal a person
may see also keeps its sentence's template and values apart (``template``, ``params``), so the
server and the command line can say it in the person's language (kiosk.errors.explained).
``N_`` only marks a template for the translation catalog (one of Babel's default keywords);
it changes nothing at run time.
"""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 (the name Babel looks for)
    return text


def explain(error: Exception, template: str, **params: object) -> str:
    """Keep ``template`` and ``params`` on ``error``; return the English sentence."""
    error.template = template  # type: ignore[attr-defined]
    error.params = params  # type: ignore[attr-defined]
    return template % params if params else template


class Term(str):
    """A word of the catalog used as a value inside another sentence (a part's name, a key):
    whoever says the sentence in another language says this word in it too
    (kiosk.cli.language.say, kiosk.errors.explained)."""

    __slots__ = ()


class Listed(str):
    """Several values said as one (the round's levels): ", " between them in English; whoever
    says the sentence in another language joins them as it writes a list (、 in Chinese)."""

    __slots__ = ("items",)

    def __new__(cls, items) -> Listed:
        items = tuple(str(item) for item in items)
        made = super().__new__(cls, ", ".join(items))
        made.items = items
        return made
