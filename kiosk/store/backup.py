"""A consistent copy of the database while the server runs (``ballotroom backup DEST``).

sqlite3's online backup API copies the database in one step, inside one read transaction, so the
copy is the database as it stood at one moment, with every committed ballot up to then, WAL
included; in WAL mode a reader does not hold writers back, so the server goes on storing ballots
meanwhile. (Copied in several steps, a copy restarts whenever another process writes, which in a
busy hall is always.) The copy is written beside the
target and renamed into place only when complete, so a copy interrupted halfway never
replaces a good one. deploy/large-hall.md says how a standby server uses it.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path


def backup(db_path: Path, dest: Path) -> tuple[Path, int]:
    """Copy ``db_path`` to ``dest`` (or into it, dated, when it is a folder); the file written
    and its number of pages."""
    if dest.is_dir():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        dest = dest / f"ballotroom-{stamp}.db"
    if not dest.parent.is_dir():
        raise OSError(f"no folder {dest.parent} to write the copy in")
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    if not db_path.exists():
        raise OSError(f"no database at {db_path}")
    try:
        source = sqlite3.connect(db_path)
        try:
            target = sqlite3.connect(partial)
            try:
                source.backup(target)  # one step: see above
                pages = target.execute("PRAGMA page_count").fetchone()[0]
                ok = target.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise OSError(f"{dest}: {exc}") from None
    if ok != "ok":
        raise OSError(f"the copy failed its check ({ok}); the previous copy is kept")
    with open(partial, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(partial, dest)
    return dest, pages
