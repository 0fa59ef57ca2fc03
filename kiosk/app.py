"""The application factory: everything is built here, nothing at import time."""

from __future__ import annotations

import hashlib
import hmac
import logging
from importlib import resources
from pathlib import Path

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from admin import register as register_admin
from kiosk.domain.evidence import Signer
from kiosk.errors import Refusal
from kiosk.store.db import Database
from kiosk.store.instance import Instance
from kiosk.store.migrations import migrate
from kiosk.web import ballot_lane, board, cluster, connections, i18n, live, trust
from kiosk.web.api import paper as api_paper
from kiosk.web.api import polls as api
from kiosk.web.api import roster as api_roster
from kiosk.web.api import rounds as api_rounds
from kiosk.web.api import stages as api_stages
from kiosk.web.extensions import babel, csrf, socketio
from kiosk.web.room import Room
from kiosk.web.tablet import pages as voter
from kiosk.web.throttle import FailureThrottle
from tally.rules import RulesError, load_rules

ROOT = Path(__file__).resolve().parent.parent
API_PREFIX = "/api/v1"


def create_app(instance_path: str | None = None, overrides: dict | None = None) -> Flask:
    instance = Instance(instance_path)
    settings = instance.settings()
    overrides = overrides or {}
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(Path(__file__).parent / "static"),
    )
    app.config.update(
        SECRET_KEY=instance.secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_NAME="ballotroom_session",
        WTF_CSRF_TIME_LIMIT=None,  # a meeting can last a day; the token is bound to the session
        BABEL_DEFAULT_LOCALE=i18n.DEFAULT,
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
        SETTINGS=settings,
        INSTANCE=instance,
        ENROLLMENT=bool(settings.enrollment),
        LOGIN_LIMIT="10 per minute",
        TOKEN_FAILURE_LIMIT="30 per minute",
    )
    app.config.update(overrides)
    # The server builds the app again in its worker, after gevent's patching (kiosk/cli/server.py).
    app.config["CREATED_WITH"] = (str(instance.path), dict(overrides))
    app.json.sort_keys = False  # documents keep their documented field order
    rules_path = app.config.get("RULES_PATH") or settings.rules_path
    try:
        rules_text = (Path(rules_path).read_text(encoding="utf-8") if rules_path
                      else resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8"))
        rules = load_rules(rules_text)
    except (OSError, RulesError) as exc:
        raise RuntimeError(f"cannot use rules file {rules_path}: {exc}") from exc
    app.config["RULES"] = rules
    app.extensions["ballotroom_signer"] = Signer(instance.signing_key(), rules_text)
    # Keys derived per purpose from the one secret, so a leak of one use does not expose another.
    app.config["TOKEN_KEY"] = _derive(app.config["SECRET_KEY"], b"ballot tokens")

    migrate(instance.db_path)
    # Several processes (serve --workers N) share live updates, throttles and counts through
    # Redis (kiosk/web/cluster.py), and queue their writers on one lock (kiosk/store/db.py); one
    # process keeps all of it in memory and never needs Redis.
    redis_url = app.config.get("REDIS_URL")
    app.extensions["ballotroom_db"] = Database(instance.db_path, processes=bool(redis_url))
    if redis_url:
        app.extensions["ballotroom_redis"] = cluster.connect(redis_url)
    app.extensions["ballotroom_throttle"] = FailureThrottle(app.config["TOKEN_FAILURE_LIMIT"], redis_url, "tokens")
    app.extensions["ballotroom_login_throttle"] = FailureThrottle(app.config["LOGIN_LIMIT"], redis_url, "logins")

    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    # Engine.IO's heartbeat drops a vanished client after interval + timeout (kiosk/web/connections.py).
    # The SocketIO object keeps its options from app to app: the queue is always said.
    # With several processes the queue is cluster.Queue, whose listener says whether it listens.
    queue = ({"message_queue": redis_url, "client_manager": cluster.Queue(redis_url)} if redis_url
             else {"message_queue": None, "client_manager": None})
    socketio.init_app(app, async_mode=app.config.get("LIVE_ASYNC_MODE", "threading"),
                      ping_interval=settings.live_ping_interval, ping_timeout=settings.live_ping_timeout, **queue)

    app.register_blueprint(voter.bp)
    app.register_blueprint(trust.bp)
    app.register_blueprint(board.bp, url_prefix="/board")
    app.register_blueprint(api.bp, url_prefix=API_PREFIX)
    csrf.exempt(api.bp)  # bearer keys and ballot tokens, never cookies
    app.register_blueprint(api_roster.bp, url_prefix=API_PREFIX)
    csrf.exempt(api_roster.bp)
    app.register_blueprint(api_paper.bp, url_prefix=API_PREFIX)
    csrf.exempt(api_paper.bp)
    app.register_blueprint(api_rounds.bp, url_prefix=API_PREFIX)
    csrf.exempt(api_rounds.bp)
    app.register_blueprint(api_stages.bp, url_prefix=API_PREFIX)
    csrf.exempt(api_stages.bp)
    register_admin(app)
    live.register(socketio)
    live.init_publisher(app, socketio)
    connections.install(app)  # bounds the live connections held open, around Socket.IO

    _guard_network(app, settings.allowed_networks)
    ballot_lane.install(app)
    if app.config.get("BEHIND_PROXY"):  # outside the ballot lane: the room's check sees the client
        app.wsgi_app = cluster.FromProxy(app.wsgi_app)
    _handle_errors(app)
    _quiet_vote_path_logs()

    @app.context_processor
    def _globals():
        return {"lang": i18n.current(), "settings": settings}

    return app


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return hmac.new(secret, purpose, hashlib.sha256).digest()


def _guard_network(app: Flask, ranges: tuple[str, ...]) -> None:
    # Enforced by the ballot lane, the outermost middleware, for every path (kiosk/web/ballot_lane.py).
    app.extensions["ballotroom_room"] = Room(ranges)


def wants_json() -> bool:
    return request.path.startswith(API_PREFIX) or (
        request.accept_mimetypes.best == "application/json"
    )


def _handle_errors(app: Flask) -> None:
    @app.errorhandler(Refusal)
    def _refusal(exc: Refusal):
        if wants_json():
            return jsonify(exc.to_json()), exc.status
        return render_template("error.html", refusal=exc), exc.status

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if isinstance(exc, CSRFError):
            return _refusal(Refusal(400, "csrf", "invalid", detail=exc.description))
        status = exc.code or 500
        code = {400: "malformed", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type",
                429: "rate_limited"}.get(status, "invalid")
        # A code without a sentence of its own falls back to the general one (errors.MESSAGES).
        params = {"limit": app.config["MAX_CONTENT_LENGTH"]} if status == 413 else {}
        return _refusal(Refusal(status, code, detail=exc.description or "", **params))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unexpected error")
        return _refusal(Refusal(500, "internal"))


class _NoVotePath(logging.Filter):
    """The access log of the vote path carries neither the token nor the address."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(p in message for p in ("/t/", "/ballot", f"{API_PREFIX}/ballots", "/vote")):
            return False
        return True


def _quiet_vote_path_logs() -> None:
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _NoVotePath) for f in logger.filters):
            logger.addFilter(_NoVotePath())
