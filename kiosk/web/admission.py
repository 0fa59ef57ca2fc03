"""The one door of the ballot: who may come in, what counts as a failed try, and casting.

A ballot arrives by two doors: the ballot lane (``POST /api/v1/ballots``, plain WSGI in front of
Flask, kiosk/web/ballot_lane.py) and the tablet's pages (kiosk/web/tablet/pages.py). Both call these functions
and nothing else for the door's rules, so the rules cannot drift apart:

``credential(environ)``
    The tablet's device credential, **the header first, then the cookie**. The header is what a
    client sets on purpose to name its device; the cookie is sent by a browser on every request,
    whatever page asked. When a client sends both, the one it chose wins. A tablet's browser
    never sets the header on its own pages, so for it this is the cookie, as before; an API
    client that names its device by the header is not overruled by a stale cookie.
``admit(app, environ)``
    Before anything is read: refuse an address that failed too often lately (429, the failure
    throttle), then, when enrollment is on, a tablet without a valid credential (403). The
    enrollment page itself is throttled but needs no credential (``device=False``).
``refused(app, environ, refusal)``
    Every refusal a door gives is passed here, and **only refusals count as failures**: a typo,
    an unknown code, an unknown enrollment code, a body that cannot be read (the throttle's
    ``FAILURE_STATUSES``). The pages used to count the status of every response instead, so a
    form sent back after its CSRF token lapsed counted as a guess at a code; a failure is a try
    the ballot path refused, not whatever a response's status happens to be.
``cast(app, token, answers)``
    The one intake (kiosk.domain.intake.submit), then the live announcement of the ballot.
"""

from __future__ import annotations

from werkzeug.http import parse_cookie

from kiosk.domain import devices, intake
from kiosk.errors import Refusal
from kiosk.web import live

_HEADER_KEY = "HTTP_" + devices.HEADER.upper().replace("-", "_")


def address(environ: dict) -> str:
    """The client's address, as the throttle keys it."""
    return environ.get("REMOTE_ADDR") or ""


def credential(environ: dict) -> str | None:
    """The device credential of a request: the header first, then the cookie."""
    header = environ.get(_HEADER_KEY)
    if header:
        return header
    cookies = environ.get("HTTP_COOKIE")
    # Werkzeug's parser, as Flask's request.cookies: one malformed cookie does not hide the others.
    return (parse_cookie(cookies).get(devices.COOKIE) or None) if cookies else None


def admit(app, environ: dict, *, device: bool = True) -> None:
    """Refuse (429) an address that failed too often, then (403) an unenrolled tablet."""
    app.extensions["ballotroom_throttle"].check(address(environ))
    if device and app.config.get("ENROLLMENT"):
        devices.require_credential(app.extensions["ballotroom_db"], credential(environ))


def refused(app, environ: dict, refusal: Refusal) -> Refusal:
    """Count a refusal against the address when it is a failed try; returns the refusal."""
    app.extensions["ballotroom_throttle"].observe(address(environ), refusal.status)
    return refusal


def cast(app, token: object, answers: object) -> intake.Receipt:
    """Store the ballot (acknowledged only once committed), then announce it to the live views."""
    receipt = intake.submit(app.extensions["ballotroom_db"], app.config["RULES"], app.config["TOKEN_KEY"],
                            token, answers)
    with app.app_context():
        live.ballot_arrived(receipt.poll_id)
    return receipt
