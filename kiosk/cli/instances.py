"""Finding and making instance folders, for the command line and the demo.

An instance is one folder: the database, the keys and the settings (kiosk.store.instance).
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from kiosk.cli.language import say as _
from kiosk.domain import accounts
from kiosk.store.db import Database
from kiosk.store.instance import Instance
from kiosk.store.migrations import migrate

# Where `make run` (`ballotroom demo`) prepares the demo, and the file that marks it as one.
DEFAULT_PATH = "var/demo"
MARKER = "DEMO-INSTANCE"


class UsageError(Exception):
    """Bad input: exit status 2."""


def existing(path: str | None) -> Instance:
    """The instance a command works on, which must exist.

    Without --instance and BALLOTROOM_INSTANCE the default is ./var; when that holds no instance
    but ./var/demo holds the demo that `make run` prepared, that demo is used (said on stderr), so
    the commands a newcomer types after `make run` work on what they see. A refusal suggests
    `ballotroom init` only when no instance is nearby: creating a second one is never the fix
    for a mistyped folder.
    """
    instance = Instance(path)
    if instance.exists():
        return instance
    if not path and not os.environ.get("BALLOTROOM_INSTANCE"):
        demo = Instance(DEFAULT_PATH)
        if demo.exists() and (demo.path / MARKER).exists():
            print("ballotroom: " + _("using the demo instance at %(path)s (made by %(command)s; --instance DIR or "
                                     "%(env)s chooses another)", path=demo.path, command="`make run`",
                                     env="BALLOTROOM_INSTANCE"), file=sys.stderr)
            return demo
    nearby = _instances_near(instance.path)
    if nearby:
        raise UsageError(_("no instance at %(path)s; instances nearby: %(nearby)s. Pass one with --instance DIR "
                           "(or set %(env)s)", path=instance.path, nearby=_(", ").join(nearby),
                           env="BALLOTROOM_INSTANCE"))
    raise UsageError(_("no instance at %(path)s: run `ballotroom init --instance %(path)s` first, or pass the "
                       "folder of an existing one with --instance DIR", path=instance.path))


def _instances_near(path: Path) -> list[str]:
    """Instance folders inside `path` or beside it (one level, no deeper search)."""
    found: list[str] = []
    for folder in (path, path.parent):
        try:
            children = sorted(folder.iterdir()) if folder.is_dir() else []
        except OSError:
            continue
        found += [str(c) for c in children if c.is_dir() and Instance(c).exists()]
    return list(dict.fromkeys(found))


def open_instance(args) -> tuple[Instance, Database]:
    instance = existing(args.instance)
    migrate(instance.db_path)
    return instance, Database(instance.db_path)


def ask_password(prompt: str) -> str | None:
    """Ask on a terminal; None when there is none (then one is generated)."""
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass(_("%(prompt)s (empty: generate one): ", prompt=prompt))
    if not first:
        return None
    if getpass.getpass(_("Repeat it: ")) != first:
        raise UsageError(_("the two passwords differ; nothing was changed"))
    return first


def init_instance(path: str | None, admin: str = "admin", password: str | None = None) -> tuple[Instance, str | None]:
    """Create the instance; returns the generated password, or None if asked or existing."""
    instance = Instance(path)
    if instance.exists():
        return instance, None
    instance.create_files()
    migrate(instance.db_path)
    generated = None
    if password is None:
        password = generated = accounts.generate_password()
    accounts.add_user(Database(instance.db_path), admin, "admin", password, actor="cli:init")
    return instance, generated
