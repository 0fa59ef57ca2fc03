"""Language: Chinese first (zh_CN), English when chosen.

Babel reads "zh_CN" as zh_Hans_CN and looks for its catalog under that name, so
kiosk/translations/zh_Hans_CN/LC_MESSAGES/messages.mo is a link to the zh_CN catalog that
`make translations` maintains.
"""

from __future__ import annotations

from flask import request, session
from flask_babel import get_locale

LANGUAGES = ("zh_CN", "en")
DEFAULT = "zh_CN"


def select_locale() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    # API clients and browsers may ask; people in the room get Chinese.
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default=None)
    if best and best.startswith("en") and not request.accept_languages.best_match(["zh-CN", "zh"]):
        return "en"
    return DEFAULT


def current() -> str:
    """The page's language as one of LANGUAGES. str(get_locale()) is not: Babel expands
    zh_CN to zh_Hans_CN, which compared unequal to "zh_CN" everywhere."""

    locale = get_locale()
    return "zh_CN" if locale is not None and locale.language == "zh" else "en"
