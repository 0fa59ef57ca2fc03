"""People who log in (admin, chair, scrutineer) and API keys.

Passwords are hashed with Argon2id (argon2-cffi); API keys are random and
stored as SHA-256 hashes (they are 256-bit random, so a slow hash adds
nothing) and shown once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kiosk import blocking
from kiosk.store import eventlog
from kiosk.store.db import Database
from tally.messages import N_

ROLES = ("admin", "chair", "scrutineer")
API_ROLES = ("admin", "chair")
_hasher = PasswordHasher()
MIN_PASSWORD = 10


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: str


class AccountError(ValueError):
    """A user or key that cannot be made; ``template`` (English, marked with N_) and ``params``
    kept apart so that the command line says it in the reader's language."""

    def __init__(self, template: str, **params: object):
        self.template, self.params = template, params
        super().__init__(template % params if params else template)


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def add_user(db: Database, name: str, role: str, password: str, actor: str = "cli") -> User:
    name = name.strip()
    if role not in ROLES:
        raise AccountError(N_("the role must be one of %(roles)s, not %(role)s; nothing was changed"),
                           roles=", ".join(ROLES), role=repr(role))
    if not 1 <= len(name) <= 64:
        raise AccountError(N_("the name must have 1 to 64 characters; nothing was changed"))
    if len(password) < MIN_PASSWORD:
        raise AccountError(N_("the password is too short (at least %(n)s characters); nothing was changed"),
                           n=MIN_PASSWORD)
    if db.one("SELECT 1 FROM users WHERE name = ?", (name,)):
        raise AccountError(N_("a user named '%(name)s' already exists; nothing was changed"), name=name)
    user = User(secrets.token_hex(8), name, role)
    with db.write() as conn:
        conn.execute(
            "INSERT INTO users (id, name, role, password_hash, created_at) VALUES (?,?,?,?,?)",
            (user.id, name, role, blocking.run(_hasher.hash, password), eventlog.now()),
        )
        eventlog.append(conn, actor, "user.added", {"user": user.id, "name": name, "role": role})
    return user


def authenticate(db: Database, name: str, password: str) -> User | None:
    row = db.one("SELECT id, name, role, password_hash FROM users WHERE name = ? AND active = 1", (name,))
    if row is None:
        # Spend the same time as a real check so names cannot be probed by timing.
        blocking.run(_hasher.hash, password or "x")
        return None
    if not blocking.run(_password_matches, row["password_hash"], password):
        return None
    return User(row["id"], row["name"], row["role"])


def _password_matches(stored_hash: str, password: str) -> bool:
    """Whether ``password`` is the one hashed. A wrong password is an answer, not an error: it
    must not leave the hashing thread as an exception, which the production server's thread pool
    writes to the server log with its traceback on every failed login."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def get_user(db: Database, user_id: str) -> User | None:
    row = db.one("SELECT id, name, role FROM users WHERE id = ? AND active = 1", (user_id,))
    return User(row["id"], row["name"], row["role"]) if row else None


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_key(db: Database, role: str, label: str = "", actor: str = "cli") -> str:
    if role not in API_ROLES:
        raise AccountError(N_("the role must be one of %(roles)s, not %(role)s; nothing was changed"),
                           roles=", ".join(API_ROLES), role=repr(role))
    key = "br_" + secrets.token_urlsafe(32)
    with db.write() as conn:
        conn.execute(
            "INSERT INTO api_keys (key_hash, prefix, role, label, created_at) VALUES (?,?,?,?,?)",
            (_key_hash(key), key[:7], role, label, eventlog.now()),
        )
        eventlog.append(conn, actor, "apikey.created", {"prefix": key[:7], "role": role, "label": label})
    return key


def api_key_role(db: Database, key: str) -> str | None:
    if not key or not isinstance(key, str):
        return None
    row = db.one("SELECT role FROM api_keys WHERE key_hash = ? AND revoked = 0", (_key_hash(key),))
    return row["role"] if row else None
