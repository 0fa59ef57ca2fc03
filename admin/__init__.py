"""The administrator's and the chair's pages (one blueprint per audience)."""

from flask import Flask


def register(app: Flask) -> None:
    from . import auth, chair, clerk, log, rounds, stages, tablets

    app.register_blueprint(auth.bp)
    app.register_blueprint(clerk.bp, url_prefix="/admin")
    app.register_blueprint(rounds.bp, url_prefix="/admin/rounds")
    app.register_blueprint(stages.bp, url_prefix="/admin/rounds")
    app.register_blueprint(tablets.bp, url_prefix="/admin/tablets")
    app.register_blueprint(log.bp, url_prefix="/log")
    app.register_blueprint(chair.bp, url_prefix="/chair")

    @app.context_processor
    def _user():
        return {"current_user": auth.current_user()}
