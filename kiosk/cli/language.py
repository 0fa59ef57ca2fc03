"""The command line's language: the locale's (LC_ALL, LC_MESSAGES, LANG), Chinese by default.

An English locale (``LANG=en_US.UTF-8``) gets English; any other, and none (``C``, ``POSIX``),
gets Chinese, as the room does. The words come from the same catalog as the pages' (read with
the standard library's gettext, no Flask), so a term is the same on a page and in a terminal.
Every command's sentences go through ``say`` (imported as ``_``, so that the catalog's
extraction finds them); what scripts read (``--json``, an API key alone on the last line, a log
head code) stays as it is, and the exit status is the machine's signal.
"""

from __future__ import annotations

import argparse
import errno
import gettext
import os
import unicodedata
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from tally.kind_names import NAMES as KIND_NAMES
from tally.messages import N_, Listed, Term
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
    """``template`` (an English sentence of the catalog) in the locale's language, filled in;
    a value that is itself a word of the catalog (tally.messages.Term) is said in it too."""
    catalog = _catalog(language())
    text = catalog.gettext(template)
    if not params:
        return text
    return text % {k: catalog.gettext(v) if isinstance(v, Term)
                   else catalog.gettext(", ").join(v.items) if isinstance(v, Listed) else v
                   for k, v in params.items()}


def sayer() -> Say:
    """What ``ballotroom score`` says its words with: tally's own English in an English locale,
    the catalog's Chinese otherwise."""
    return english if language() == "en" else say


def in_english() -> bool:
    """Whether the command line speaks English (an English locale)."""
    return language() == "en"


def words(text: str | None) -> str | None:
    """``text`` (a catalog sentence, unfilled) in the locale's language; None stays None."""
    return _catalog(language()).gettext(text) if text else text


# argparse's own words (usage, options, its refusals), so that they are in the catalog and the
# help and the usage errors read in one language (Python ships no translation of its own).
ARGPARSE = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"), N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"), N_("not allowed with argument %s"), N_("one of the arguments %s is required"),
    N_("ambiguous option: %(option)s could match %(matches)s"), N_("ignored explicit argument %r"),
)


class Parser(argparse.ArgumentParser):
    """argparse's parser, but a heading ends in the language's colon (argparse adds ":" itself)."""

    def format_help(self) -> str:
        text = super().format_help()
        if in_english():
            return text
        headings = [group.title for group in self._action_groups if group.title]
        return "\n".join(line[:-1] + "：" if line.endswith(":") and line[:-1] in headings else line
                         for line in text.split("\n"))


@contextmanager
def argparse_in_language():
    """argparse's words in the locale's language while a parser is built and used.

    argparse looks its words up through its module's ``_`` and ``ngettext`` (the standard
    library's gettext, which has no catalog for it); they are swapped for the catalog's only
    for this block and put back after, also when argparse exits (``--help``, a usage error).
    """
    saved = argparse._, argparse.ngettext
    argparse._ = words
    argparse.ngettext = lambda one, many, n: _catalog(language()).ngettext(one, many, n)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def quoted(text: object) -> str:
    """A value the person typed, quoted as their language quotes: 'x' in English, “x” in Chinese."""
    return repr(str(text)) if in_english() else f"“{text}”"


def padded(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
    return text + " " * max(0, width - used)


# Codes said in words (the catalog's, as the pages say them).
ROLES = {"admin": N_("administrator"), "chair": N_("chair"), "scrutineer": N_("scrutineer")}
KINDS = KIND_NAMES  # one source of a kind's name (tally.kind_names), as the pages say it
STATES = {"draft": N_("Draft"), "open": N_("Open"), "closed": N_("Closed")}

# Why the system refused a file, in words (the system's own strerror is English).
OS_REASONS = {
    errno.ENOENT: N_("no such file or folder"), errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("permission denied"), errno.EISDIR: N_("it is a folder"),
    errno.ENOTDIR: N_("a part of the path is not a folder"), errno.ENOSPC: N_("the disk is full"),
    errno.EROFS: N_("the disk is read-only"),
}


def os_reason(error: OSError) -> str:
    return say(OS_REASONS.get(error.errno, N_("the system refused it")))
