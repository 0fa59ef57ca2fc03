"""Login, logout and the role guard for every administrator and chair page."""

from __future__ import annotations

import functools

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from kiosk.domain import accounts
from kiosk.web.context import db

bp = Blueprint("auth", __name__)


def current_user() -> accounts.User | None:
    if "user" not in g:
        user_id = session.get("user_id")
        g.user = accounts.get_user(db(), user_id) if user_id else None
    return g.user


def login_required(*roles: str):
    """Allow logged-in users with one of `roles`; others go to the login page."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path))
            if user.role not in roles:
                return render_template("error_forbidden.html"), 403
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # read by the route-coverage test
        return wrapper

    return decorator


def actor() -> str:
    user = current_user()
    return f"user:{user.name}" if user else "anonymous"


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        # Failed logins are throttled per address (kiosk.web.throttle): 429 when exceeded.
        throttle = current_app.extensions["ballotroom_login_throttle"]
        throttle.check(request.remote_addr or "")
        user = accounts.authenticate(db(), request.form.get("name", "").strip(),
                                     request.form.get("password", ""))
        if user is None:
            throttle.failed(request.remote_addr or "")
            # One line for whoever watches the server; the page tells the person.
            current_app.logger.warning("login failed for the name %r from %s",
                                       request.form.get("name", "").strip()[:64], request.remote_addr or "?")
            error = _("Wrong name or password. Check both and try again.")
        else:
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            session["user_id"] = user.id
            target = request.args.get("next", "")
            if not target.startswith("/") or target.startswith("//"):
                # Scrutineers witness the count: their place is the bulletin board.
                target = {"admin": url_for("clerk.home"), "chair": url_for("chair.home")}.get(
                    user.role, url_for("board.index"))
            return redirect(target)
    return render_template("login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))
