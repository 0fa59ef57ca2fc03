"""The schema, as migrations: one ``.sql`` file each in kiosk/store/schema, applied in order.

sqlite-utils records each migration applied in the database itself, so an instance made by an
older version is brought up to date at start, and a migration is never applied twice. A
migration's file is never edited once released: a change is a new migration.
"""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from kiosk.store.db import connect

migrations = Migrations("ballotroom")
NAMES = ("m001_initial", "m002_certificates_and_devices", "m003_rounds", "m004_stages", "m005_token_batches",
         "m006_roster", "m007_poll_records", "m008_paper", "m009_rehearsal")


def schema(name: str) -> str:
    return resources.files("kiosk.store").joinpath("schema", f"{name}.sql").read_text(encoding="utf-8")


def _exec_script(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT the migration's transaction; run the
    # statements one by one so the migration and its record stay atomic.
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in schema: {statement[:60]!r}")


def _register(name: str) -> None:
    def apply(db: sqlite_utils.Database) -> None:
        _exec_script(db.conn, schema(name))

    migrations(name=name)(apply)  # recorded in the database under this name


for _name in NAMES:
    _register(_name)


def migrate(path: Path | str) -> None:
    """Bring the database at ``path`` up to the newest schema (creating it if need be)."""
    conn = connect(path)
    try:
        migrations.apply(sqlite_utils.Database(conn))
    finally:
        conn.close()
