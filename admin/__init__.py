"""The administrator's and the chair's pages (one blueprint per audience).

What lives here: the staff's pages and the forms behind them. They take the request's database,
rules and keys from kiosk.web.context, call kiosk.domain, kiosk.stages and kiosk.documents, and
announce changes through kiosk.web.live. Nothing below imports admin; only the application factory
(kiosk.app) does, to register the blueprints.
"""

from flask import Flask

# poll_delete is imported for its route, which joins clerk's blueprint (it has none of its own).
from . import auth, chair, clerk, log, paper, poll_delete, roster, rounds, stages, tablets  # noqa: F401


def register(app: Flask) -> None:
    app.register_blueprint(auth.bp)
    app.register_blueprint(clerk.bp, url_prefix="/admin")
    app.register_blueprint(roster.bp, url_prefix="/admin")
    app.register_blueprint(paper.bp, url_prefix="/admin")
    app.register_blueprint(rounds.bp, url_prefix="/admin/rounds")
    app.register_blueprint(stages.bp, url_prefix="/admin/rounds")
    app.register_blueprint(tablets.bp, url_prefix="/admin/tablets")
    app.register_blueprint(log.bp, url_prefix="/log")
    app.register_blueprint(chair.bp, url_prefix="/chair")

    @app.context_processor
    def _user():
        return {"current_user": auth.current_user()}
