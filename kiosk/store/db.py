"""The one owner of the database: connections and the one write path (the schema and its
migrations: kiosk.store.migrations).

Every write in the application goes through :func:`write`, which opens the
transaction with ``BEGIN IMMEDIATE`` so that concurrent writers queue on
SQLite's lock instead of failing half-way (datasette's pattern).
"""

from __future__ import annotations

import fcntl
import os
import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection with the pragmas every connection needs.

    isolation_level=None: we issue BEGIN ourselves, so no transaction is ever
    opened implicitly behind our back.
    """
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a ballot is acknowledged only once the WAL is synced to disk.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 30000")
    # Deleted content is overwritten, so a copy of the file keeps no ghosts.
    conn.execute("PRAGMA secure_delete = ON")
    return conn


class Database:
    """A pool of connections to one database file, and its single write path.

    A pool rather than one connection per thread: the server starts a thread
    per client connection, and opening a SQLite connection with its pragmas
    costs more than the ballot it would carry.
    """

    def __init__(self, path: Path | str, pool_size: int = 32, processes: bool = False):
        self.path = Path(path)
        # Several server processes on one file (serve --workers N): their writers queue on a
        # lock file too, for the same reason (two processes waiting in SQLite's busy handler
        # took turns a hundred milliseconds apart). None with one process, as before.
        self._process_lock = (os.open(f"{self.path}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
                              if processes else None)
        self._pool: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue(maxsize=pool_size)
        # Writers of this process queue here, not in SQLite's busy handler, which
        # sleeps in steps of up to 100 ms: a queue on a lock wakes the next writer
        # at once. BEGIN IMMEDIATE still guards against other processes.
        self._write_lock = threading.Lock()

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = self._pool.get_nowait()
        except queue.Empty:
            conn = connect(self.path)
        try:
            yield conn
        finally:
            if conn.in_transaction:  # never hand on a connection mid-transaction
                conn.execute("ROLLBACK")
            try:
                self._pool.put_nowait(conn)
            except queue.Full:
                conn.close()

    @property
    def conn(self) -> sqlite3.Connection:
        """A connection of this thread's own, for tests and one-off tools."""
        local = self.__dict__.setdefault("_local", threading.local())
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = connect(self.path)
        return conn

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self.connection() as conn:
            return conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        with self.connection() as conn:
            return conn.execute(sql, params).fetchone()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot across several queries (one read transaction)."""
        with self.connection() as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """The single write path: BEGIN IMMEDIATE ... COMMIT, rollback on error."""
        with self._write_lock, self._other_processes(), self.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")

    @contextmanager
    def _other_processes(self) -> Iterator[None]:
        if self._process_lock is None:
            yield
            return
        fcntl.flock(self._process_lock, fcntl.LOCK_EX)  # released by the kernel if the process dies
        try:
            yield
        finally:
            fcntl.flock(self._process_lock, fcntl.LOCK_UN)

    def close(self) -> None:
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                break


