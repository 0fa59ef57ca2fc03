"""`ballotroom backup DEST`: a consistent copy of the database while it is being written."""

from __future__ import annotations

import sqlite3
import threading

from kiosk.cli.main import main as cli
from kiosk.store.db import Database


def test_a_copy_taken_while_ballots_arrive_is_whole_and_holds_what_was_committed(instance, tmp_path, capsys):
    db = Database(instance / "ballotroom.db")
    with db.write() as conn:
        conn.execute("CREATE TABLE probe (n INTEGER)")
    stop = threading.Event()

    def writer():  # another connection commits all the time, as the server's writers do
        n = 0
        while not stop.is_set():
            with db.write() as conn:
                conn.execute("INSERT INTO probe VALUES (?)", (n,))
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while db.one("SELECT count(*) AS c FROM probe")["c"] < 50:
            pass
        assert cli(["backup", "--instance", str(instance), str(tmp_path)]) == 0
    finally:
        stop.set()
        thread.join()
    copies = list(tmp_path.glob("ballotroom-*.db"))
    assert len(copies) == 1 and not list(tmp_path.glob("*.partial"))
    copy = sqlite3.connect(copies[0])
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = [n for (n,) in copy.execute("SELECT n FROM probe ORDER BY n")]
    assert len(rows) >= 50 and rows == list(range(len(rows)))  # a prefix of the commits, no gap
    assert copy.execute("SELECT count(*) FROM users").fetchone()[0] >= 1
    assert str(copies[0]) in capsys.readouterr().out


def test_a_folder_that_cannot_be_written_is_refused_with_its_name(instance, tmp_path, capsys):
    assert cli(["backup", "--instance", str(instance), str(tmp_path / "no" / "such" / "copy.db")]) == 2
    assert "no/such/copy.db" in capsys.readouterr().err
