"""The command line's language: the locale's (LC_ALL, LC_MESSAGES, LANG), Chinese by default.

An English locale (``LANG=en_US.UTF-8``) gets English; any other, and none (``C``, ``POSIX``),
gets Chinese, as the room does. The words come from the same catalog as the pages' (read with
the standard library's gettext, no Flask), so a term is the same on a page and in a terminal.
"""

from __future__ import annotations

import gettext
import os
from functools import cache
from pathlib import Path

from tally.table import Say, english

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def language(environ: dict | None = None) -> str:
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return "en" if value.lower().startswith("en") else "zh_CN"
    return "zh_CN"


@cache
def _catalog(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation("messages", localedir=str(TRANSLATIONS), languages=[lang], fallback=True)


def say(template: str, **params: object) -> str:
    """``template`` (an English sentence of the catalog) in the locale's language, filled in."""
    text = _catalog(language()).gettext(template)
    return text % params if params else text


def sayer() -> Say:
    """What ``ballotroom score`` says its words with: tally's own English in an English locale,
    the catalog's Chinese otherwise."""
    return english if language() == "en" else say
