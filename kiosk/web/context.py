"""What a request sees of its application: the database, the rules, the keys, the settings.

Blueprints and pages take these from here, never from the application factory (kiosk.app), which
imports them: so no page module imports the module that builds the app, and no import circle runs
through it. Domain modules take what they need as arguments instead.
"""

from __future__ import annotations

from flask import current_app, request

from kiosk.store.db import Database
from kiosk.store.instance import Settings
from tally.rules import Rules


def db() -> Database:
    return current_app.extensions["ballotroom_db"]


def current_rules() -> Rules:
    """The rules file the server was started with (tally/rules.toml unless the settings say)."""
    return current_app.config["RULES"]


def token_key() -> bytes:
    """The key that hashes ballot tokens (derived from the instance's secret for this one use)."""
    return current_app.config["TOKEN_KEY"]


def signer():
    """The instance's signing key, with the rules text certificates name (kiosk.domain.evidence.Signer)."""
    return current_app.extensions["ballotroom_signer"]


def settings() -> Settings:
    return current_app.config["SETTINGS"]


def public_base_url() -> str:
    """Where tablets reach this server: the configured public address, else the request's host."""
    return (settings().public_url or request.host_url).rstrip("/")
