"""The ballot's own lane: POST /api/v1/ballots, served in front of Flask.

Every ballot, from a tablet's script or any API client, arrives here. Flask's
request machinery (context, hooks, routing, JSON helpers) costs about a third
of a ballot's CPU time, and on a 2-core room server that is the difference
between 750 and 1,200 ballots a second (BENCHMARKS.md). So this one hot path
is a plain WSGI handler. Its only rule of its own is the room's network
(kiosk.web.room), which guards every path; everything about the ballot is the
one door the tablet's pages use too (kiosk.web.admission: the failure throttle,
tablet enrollment, failures counted, the one intake and its live
announcement). Refusals are rendered inside a Flask request context,
so their message is in the client's language; they are rare, so their cost
does not matter.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

from flask_babel import lazy_gettext as _l

from kiosk.errors import Refusal
from kiosk.web import admission
from kiosk.web.api import body as request_body
from kiosk.web.api.openapi import BALLOT_IN

PATH = "/api/v1/ballots"
BALLOT = request_body.Schema(BALLOT_IN)  # compiled once, not per ballot
MAX_BODY = 64 * 1024
log = logging.getLogger(__name__)


class BallotLane:
    def __init__(self, app, inner):
        self.app = app
        self.inner = inner

    def __call__(self, environ, start_response):
        # Outermost of all middleware, so the room's network guards every path, Socket.IO's
        # handshake included (a Flask before_request hook would never see it).
        if not self.app.extensions["ballotroom_room"].admits(environ.get("REMOTE_ADDR")):
            return self._json(environ, start_response, Refusal(403, "network"))
        if environ.get("PATH_INFO") != PATH:
            return self.inner(environ, start_response)
        if environ.get("REQUEST_METHOD") != "POST":
            return self._json(environ, start_response, Refusal(405, "method_not_allowed", "invalid",
                                                               detail=_l("send the ballot with POST")))
        try:
            body = self._submit(environ)
        except Refusal as refusal:
            admission.refused(self.app, environ, refusal)
            return self._json(environ, start_response, refusal)
        except Exception:  # never a bare 500 page; nothing was acknowledged
            log.exception("ballot intake failed")
            return self._json(environ, start_response, Refusal(500, "internal"))
        return self._send(start_response, 201, json.dumps(body).encode())

    def _submit(self, environ) -> dict:
        app = self.app
        admission.admit(app, environ)
        data = _read_json(environ)
        BALLOT.check(data)
        receipt = admission.cast(app, data["token"], data["answers"])
        return {"tracking_code": receipt.tracking_code}

    def _json(self, environ, start_response, refusal: Refusal):
        # The message in the client's language needs Flask-Babel, hence a request context.
        with self.app.request_context(environ):
            body = json.dumps(refusal.to_json(), ensure_ascii=False).encode("utf-8")
        return self._send(start_response, refusal.status, body)

    @staticmethod
    def _send(start_response, status: int, body: bytes):
        phrase = HTTPStatus(status).phrase
        start_response(f"{status} {phrase}", [("Content-Type", "application/json"),
                                              ("Content-Length", str(len(body))),
                                              ("Cache-Control", "no-store")])
        return [body]


def _read_json(environ) -> object:
    """The body, read as every API body is (kiosk.web.api.body), with the ballot's smaller size limit."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refusal(400, "malformed") from None
    if length > MAX_BODY:
        raise Refusal(413, "too_large", limit=MAX_BODY)
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    return request_body.parse_object(raw, environ.get("CONTENT_TYPE"))


def install(app) -> None:
    """Put the lane in front of everything else (Socket.IO's middleware included)."""
    app.wsgi_app = BallotLane(app, app.wsgi_app)
