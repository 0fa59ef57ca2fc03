"""The instance folder: database, secret key, signing key, settings.

Two instances never mix because everything an instance owns lives in its
folder (README.md, "The command line", ``--instance``).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tally.messages import N_, Term

DEFAULT_INSTANCE = "./var"


class InstanceError(RuntimeError):
    """The instance cannot be used. ``template`` (an English sentence of the catalog, marked with
    N_) and ``params`` stay apart, so the command line says it in the reader's language."""

    def __init__(self, template: str, **params: object):
        self.template, self.params = template, params
        super().__init__(template % params if params else template)


@dataclass(frozen=True)
class Settings:
    """Instance settings from ``config.toml`` (all optional)."""

    rules_path: str | None = None
    allowed_networks: tuple[str, ...] = (
        "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
        "169.254.0.0/16", "fe80::/10", "fc00::/7",
    )
    projector_turnout: bool = True
    receipt_seconds: int = 8
    # A tablet left alone: a warning after idle_warning_seconds without a touch, then back to the
    # start screen (text size and contrast to default) idle_return_seconds later. Nothing is used
    # up: the slip can be scanned again.
    idle_warning_seconds: int = 120
    idle_return_seconds: int = 30
    public_url: str | None = None  # what the QR slips point at; default: the request's host
    secure_cookies: bool = False
    enrollment: bool | None = None  # None: on when serving off loopback (a real room), off on 127.0.0.1
    # Serving (kiosk/cli/server.py): connections kept for pages, the API and ballots beyond
    # those that live connections and idle keep-alive tablets may hold.
    http_connections: int = 200
    keepalive_connections: int = 5000
    keepalive_seconds: int = 75
    # Live connections (/live, kiosk/web/connections.py): without a key (tablets, projector) per
    # address and in total; staff (API key or login) per key or user and in total. The
    # totals bound the server's memory (about 70 KiB a connection, BENCHMARKS.md).
    live_keyless_per_address: int = 4
    live_keyless_total: int = 2500
    live_staff_per_key: int = 10
    live_staff_total: int = 500
    # Engine.IO heartbeat: a ping every interval; a client that does not answer within
    # the timeout is dropped, so a vanished device does not hold its connection.
    live_ping_interval: int = 25
    live_ping_timeout: int = 20
    # Several server processes (serve --workers N) share live updates, throttles and counts
    # here (kiosk/web/cluster.py); one process never uses it. None: redis://127.0.0.1:6379/0.
    redis_url: str | None = None
    # The language of every page until a person chooses another (staff keep theirs for the
    # session; a tablet goes back to this after each ballot). The API follows Accept-Language.
    default_locale: str = "zh_CN"
    # The room's wall clock for people (result sheets, reports, the log page): an IANA zone name.
    timezone: str = "Asia/Shanghai"


def resolve(path: str | os.PathLike | None) -> Path:
    return Path(path or os.environ.get("BALLOTROOM_INSTANCE") or DEFAULT_INSTANCE).resolve()


class Instance:
    def __init__(self, path: str | os.PathLike | None = None):
        self.path = resolve(path)

    @property
    def db_path(self) -> Path:
        return self.path / "ballotroom.db"

    @property
    def secret_path(self) -> Path:
        return self.path / "secret_key"

    @property
    def signing_path(self) -> Path:
        return self.path / "signing_key.pem"

    @property
    def config_path(self) -> Path:
        return self.path / "config.toml"

    def exists(self) -> bool:
        return self.db_path.exists() and self.secret_path.exists()

    def create_files(self) -> None:
        """Create folder, secret key and signing key (mode 0600); never overwrite."""
        self.path.mkdir(parents=True, exist_ok=True)
        os.chmod(self.path, 0o700)
        if not self.secret_path.exists():
            _write_private(self.secret_path, secrets.token_bytes(32))
        if not self.signing_path.exists():
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            _write_private(self.signing_path, pem)

    def secret_key(self) -> bytes:
        if not self.secret_path.exists():
            raise InstanceError(N_("no instance at %(path)s: run %(command)s first"), path=self.path,
                                command=f"ballotroom init --instance {self.path}")
        key = self.secret_path.read_bytes()
        if len(key) < 32:
            raise InstanceError(N_("%(path)s is damaged (shorter than 32 bytes)"), path=self.secret_path)
        return key

    def signing_key(self) -> Ed25519PrivateKey:
        return serialization.load_pem_private_key(self.signing_path.read_bytes(), password=None)

    def settings(self) -> Settings:
        if not self.config_path.exists():
            return Settings()
        try:
            data = tomllib.loads(self.config_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise InstanceError(N_("%(path)s is not a valid settings file: %(why)s"), path=self.config_path,
                                why=exc) from exc
        known = set(Settings.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise InstanceError(N_("%(path)s: unknown settings %(unknown)s; known settings: %(known)s"),
                                path=self.config_path, unknown=", ".join(sorted(unknown)),
                                known=", ".join(sorted(known)))
        return _typed_settings(self.config_path, data)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


_SETTING_TYPES = {
    "rules_path": (str,), "allowed_networks": (list,), "projector_turnout": (bool,),
    "receipt_seconds": (int,), "public_url": (str,), "secure_cookies": (bool,),
    "enrollment": (bool,), "default_locale": (str,), "redis_url": (str,), "timezone": (str,),
}

LOCALES = ("zh_CN", "en")

# Whole-number settings and their allowed ranges (inclusive).
_INT_RANGES = {
    "receipt_seconds": (2, 120),
    "idle_warning_seconds": (10, 3600),
    "idle_return_seconds": (5, 600),
    "http_connections": (8, 10000),
    "keepalive_connections": (0, 100000),
    "keepalive_seconds": (1, 3600),
    "live_keyless_per_address": (1, 1000),
    "live_keyless_total": (0, 50000),
    "live_staff_per_key": (1, 1000),
    "live_staff_total": (1, 10000),
    "live_ping_interval": (1, 600),
    "live_ping_timeout": (1, 600),
}
_SETTING_TYPES.update({name: (int,) for name in _INT_RANGES})
# A setting's type as its refusal names it.
_TYPE_WORDS = {str: Term(N_("text in quotes")), list: Term(N_("a list in brackets")),
               bool: Term(N_("true or false")), int: Term(N_("a whole number"))}


def _typed_settings(path: Path, data: dict) -> Settings:
    for key, value in data.items():
        if not isinstance(value, _SETTING_TYPES[key]) or (isinstance(value, bool) and bool not in _SETTING_TYPES[key]):
            raise InstanceError(N_("%(path)s: the setting %(key)s must be %(type)s"), path=path, key=key,
                                type=_TYPE_WORDS[_SETTING_TYPES[key][0]])
    if "allowed_networks" in data:
        try:
            data["allowed_networks"] = tuple(str(ipaddress.ip_network(n, strict=False)) for n in data["allowed_networks"])
        except (TypeError, ValueError) as exc:
            raise InstanceError(N_("%(path)s: the setting %(key)s holds an address that is not a network: %(why)s"),
                                path=path, key="allowed_networks", why=exc) from exc
    if not str(data.get("redis_url", "redis://")).startswith(("redis://", "rediss://", "unix://")):
        raise InstanceError(N_("%(path)s: the setting %(key)s must start with %(schemes)s"), path=path,
                            key="redis_url", schemes="redis://, rediss://, unix://")
    if data.get("default_locale", LOCALES[0]) not in LOCALES:
        raise InstanceError(N_("%(path)s: the setting %(key)s must be one of %(values)s"), path=path,
                            key="default_locale", values=", ".join(LOCALES))
    if "timezone" in data:
        try:
            ZoneInfo(data["timezone"])
        except (ValueError, ZoneInfoNotFoundError):
            raise InstanceError(N_("%(path)s: the setting %(key)s must name a time zone such as %(example)s, "
                                   "not %(value)s"), path=path, key="timezone", example="Asia/Shanghai",
                                value=repr(data["timezone"])) from None
    for key, (low, high) in _INT_RANGES.items():
        if key in data and not low <= data[key] <= high:
            raise InstanceError(N_("%(path)s: the setting %(key)s must be between %(low)s and %(high)s"),
                                path=path, key=key, low=low, high=high)
    return Settings(**data)
