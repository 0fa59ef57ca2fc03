"""Language: Chinese unless a person chooses otherwise, whatever the browser says.

- Pages speak the instance's ``default_locale`` (zh_CN unless config.toml says ``en``). The
  browser's Accept-Language is ignored there: a tablet or laptop bought with an English system
  must not show the room English.
- Staff who choose a language (the 中文 / English switch, ``?lang=``) keep it for their session.
- A tablet's choice is the voter's, not the tablet's: it is kept apart from the staff's and
  dropped when the tablet goes back to its start screen after a ballot, so the next voter starts
  in the default again.
- The API and live events (``/api/``, ``/socket.io/``) follow Accept-Language; clients that
  send none get the default.

Babel reads "zh_CN" as zh_Hans_CN and looks for its catalog under that name, so
kiosk/translations/zh_Hans_CN/LC_MESSAGES/messages.mo is a link to the zh_CN catalog that
`make translations` maintains.
"""

from __future__ import annotations

from flask import has_app_context, request, session
from flask_babel import get_locale

from kiosk.store.instance import LOCALES
from kiosk.web.context import settings

LANGUAGES = LOCALES
DEFAULT = "zh_CN"
STAFF_KEY = "lang"
TABLET_KEY = "tablet_lang"
TABLET_START = "voter.idle"
API_PATHS = ("/api/", "/socket.io/")


def default() -> str:
    """The instance's default language (``default_locale``), zh_CN when there is none."""
    if not has_app_context():
        return DEFAULT
    chosen = getattr(settings(), "default_locale", DEFAULT)
    return chosen if chosen in LANGUAGES else DEFAULT


def _key() -> str:
    endpoint = request.endpoint or ""
    return TABLET_KEY if endpoint.startswith("voter.") else STAFF_KEY


def select_locale() -> str:
    key = _key()
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session[key] = chosen
        return chosen
    if key == TABLET_KEY and request.endpoint == TABLET_START and session.get(key):
        session.pop(key)  # back at the start screen: the next voter starts in the default
    if session.get(key) in LANGUAGES:
        return session[key]
    if request.path.startswith(API_PATHS):
        return _accepted() or default()
    return default()


def _accepted() -> str | None:
    """What an API client asked for in Accept-Language, if it is a language we speak."""
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default=None)
    if best is None:
        return None
    return "en" if best.startswith("en") else "zh_CN"


def current() -> str:
    """The page's language as one of LANGUAGES. str(get_locale()) is not: Babel expands
    zh_CN to zh_Hans_CN, which compared unequal to "zh_CN" everywhere."""

    locale = get_locale()
    return "zh_CN" if locale is not None and locale.language == "zh" else "en"
