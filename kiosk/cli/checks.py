"""``ballotroom verify``'s lines: each check's name and what failed, in the reader's language.

The check names stay the codes kiosk.domain.evidence gives (what scripts and tests match); the
words shown are the catalog's. A failed check is told by its sentence (``Check.template``); in
English its detail also carries the technical difference (a path in the result, an exception).
"""

from __future__ import annotations

from kiosk.cli.language import in_english
from kiosk.cli.language import say as _
from kiosk.domain.evidence import CHECK_NAMES, Check


def name(code: str) -> str:
    if code.startswith("poll ") and code not in CHECK_NAMES:  # a round bundle's poll: "poll p-1"
        return _("poll %(id)s", id=code.removeprefix("poll "))
    return _(CHECK_NAMES[code]) if code in CHECK_NAMES else code


def detail(check: Check) -> str:
    if in_english() or not check.template:
        return check.detail
    return _(check.template, **check.params)


def line(check: Check) -> str:
    """``ok   signature`` / ``FAIL digest: …`` (通过 / 未通过); the exit status is the machine's signal."""
    said = detail(check)
    if check.ok:
        return _("ok   %(check)s", check=name(check.name))
    return (_("FAIL %(check)s: %(detail)s", check=name(check.name), detail=said) if said
            else _("FAIL %(check)s", check=name(check.name)))
