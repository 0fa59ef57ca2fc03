"""The one owner of the database: connections, schema, migrations and the write path.

Every write in the application goes through :func:`write`, which opens the
transaction with ``BEGIN IMMEDIATE`` so that concurrent writers queue on
SQLite's lock instead of failing half-way (datasette's pattern).
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("ballotroom")

# Secrecy lives in the schema (SECURITY.md, "Secrecy"): `ballots` and `receipts`
# are WITHOUT ROWID tables keyed by random ids, so the stored order is the
# order of random keys, never the order of arrival; neither table has a
# token, voter, tablet, address, time or sequence column.
SCHEMA_1 = """
CREATE TABLE settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    projector_turnout INTEGER NOT NULL DEFAULT 1 CHECK (projector_turnout IN (0, 1)),
    enrollment INTEGER NOT NULL DEFAULT 0 CHECK (enrollment IN (0, 1))
) STRICT;
INSERT INTO settings (id) VALUES (1);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    role TEXT NOT NULL CHECK (role IN ('admin', 'chair', 'scrutineer')),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE api_keys (
    key_hash TEXT PRIMARY KEY,
    prefix TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'chair')),
    label TEXT NOT NULL DEFAULT '',
    revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    expected INTEGER NOT NULL CHECK (expected BETWEEN 1 AND 100000),
    present INTEGER CHECK (present IS NULL OR present BETWEEN 0 AND 100000),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE polls (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    round_id TEXT,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    kind TEXT NOT NULL CHECK (kind IN ('democratic_recommendation', 'plenary_recommendation',
        'interview_recommendation', 'standing_committee', 'character', 'survey', 'leaders')),
    secret INTEGER NOT NULL CHECK (secret IN (0, 1)),
    contests TEXT NOT NULL CHECK (json_valid(contests)),
    state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'closed')),
    issued INTEGER NOT NULL DEFAULT 0 CHECK (issued >= 0),
    cast_count INTEGER NOT NULL DEFAULT 0 CHECK (cast_count >= 0),
    blank INTEGER NOT NULL DEFAULT 0 CHECK (blank >= 0 AND blank <= cast_count),
    published TEXT CHECK (published IS NULL OR json_valid(published)),
    published_cast INTEGER NOT NULL DEFAULT 0,
    result TEXT CHECK (result IS NULL OR json_valid(result)),
    created_at TEXT NOT NULL,
    opened_at TEXT,
    closed_at TEXT,
    CHECK (cast_count <= issued)
) STRICT;
CREATE INDEX polls_meeting ON polls(meeting_id);

-- Only a keyed hash of each token is kept: a copy of the database cannot vote.
-- Secret tokens carry no name; named tokens (named kinds) carry who holds them.
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    poll_id TEXT NOT NULL REFERENCES polls(id),
    state TEXT NOT NULL DEFAULT 'unused' CHECK (state IN ('unused', 'used', 'void')),
    voter_name TEXT,
    voter_group TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX tokens_poll ON tokens(poll_id, state);

CREATE TABLE ballots (
    poll_id TEXT NOT NULL REFERENCES polls(id),
    id TEXT NOT NULL CHECK (length(id) = 32),
    answers TEXT NOT NULL CHECK (json_valid(answers)),
    voter_group TEXT,
    PRIMARY KEY (poll_id, id)
) STRICT, WITHOUT ROWID;

-- Tracking codes prove inclusion, never content: they live apart from ballots.
CREATE TABLE receipts (
    poll_id TEXT NOT NULL REFERENCES polls(id),
    code TEXT NOT NULL,
    PRIMARY KEY (poll_id, code)
) STRICT, WITHOUT ROWID;

-- Append-only, hash-chained record of every act that changes a meeting.
-- Never a single ballot or token.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL CHECK (json_valid(payload)),
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
) STRICT;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
"""


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    _exec_script(db.conn, SCHEMA_1)


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


def migrate(path: Path | str) -> None:
    conn = connect(path)
    try:
        migrations.apply(sqlite_utils.Database(conn))
    finally:
        conn.close()


class Database:
    """A pool of connections to one database file, and its single write path.

    A pool rather than one connection per thread: the server starts a thread
    per client connection, and opening a SQLite connection with its pragmas
    costs more than the ballot it would carry.
    """

    def __init__(self, path: Path | str, pool_size: int = 32):
        self.path = Path(path)
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
        with self._write_lock, self.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")

    def close(self) -> None:
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                break


SCHEMA_2 = """
-- The signed result certificate of a closed poll (SECURITY.md, Integrity and evidence).
ALTER TABLE polls ADD COLUMN certificate TEXT CHECK (certificate IS NULL OR json_valid(certificate));
ALTER TABLE polls ADD COLUMN signature TEXT;

-- Enrolled tablets. Nothing here touches a ballot: enrollment only decides
-- who may open and submit one.
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 64),
    credential_hash TEXT NOT NULL UNIQUE,
    revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
    enrolled_at TEXT NOT NULL
) STRICT;

CREATE TABLE enrollment_codes (
    code_hash TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- The rules texts results were certified under, by their SHA-256, so a bundle
-- made later carries the rules of its day even if the file has changed since.
CREATE TABLE rules_texts (
    sha256 TEXT PRIMARY KEY,
    text TEXT NOT NULL
) STRICT, WITHOUT ROWID;
"""


@migrations()
def m002_certificates_and_devices(db: sqlite_utils.Database) -> None:
    _exec_script(db.conn, SCHEMA_2)


# Selection rounds (docs/api.md, "Rounds"; docs/rules.md, "The five evaluations"). Ballot-derived
# parts come from the round's closed polls (polls.round_id); only what no ballot gives is stored
# here: the administrator's entries, and the figures of an imported round file.
SCHEMA_3 = """
CREATE TABLE rounds (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL CHECK (length(title) <= 200),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE round_levels (
    round_id TEXT NOT NULL REFERENCES rounds(id),
    id TEXT NOT NULL CHECK (length(id) BETWEEN 1 AND 64),
    name TEXT CHECK (name IS NULL OR length(name) <= 100),
    posts INTEGER NOT NULL CHECK (posts BETWEEN 1 AND 1000),
    position INTEGER NOT NULL CHECK (position >= 0),
    PRIMARY KEY (round_id, id),
    UNIQUE (round_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE round_candidates (
    round_id TEXT NOT NULL REFERENCES rounds(id),
    id TEXT NOT NULL CHECK (length(id) BETWEEN 1 AND 64),
    name TEXT NOT NULL CHECK (length(name) <= 100),
    level TEXT NOT NULL,
    unit TEXT CHECK (unit IS NULL OR length(unit) <= 200),
    position INTEGER NOT NULL CHECK (position >= 0),
    -- Parts of an imported round file that no poll of this instance produced:
    -- {"character": {...}, "democratic": {...}, ...}, exactly as the file had them.
    imported_parts TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(imported_parts)
        AND json_type(imported_parts) = 'object'),
    PRIMARY KEY (round_id, id),
    UNIQUE (round_id, position),
    FOREIGN KEY (round_id, level) REFERENCES round_levels(round_id, id)
) STRICT, WITHOUT ROWID;

-- The parts no ballot gives: performance (base + bonus) and the organisational appraisal
-- (score + last year-end grades). One current value per part; the event log keeps each change.
CREATE TABLE round_entries (
    round_id TEXT NOT NULL,
    candidate_id TEXT NOT NULL,
    part TEXT NOT NULL CHECK (part IN ('performance', 'organisation')),
    data TEXT NOT NULL CHECK (json_valid(data) AND json_type(data) = 'object'),
    note TEXT CHECK (note IS NULL OR length(note) <= 1000),
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    PRIMARY KEY (round_id, candidate_id, part),
    FOREIGN KEY (round_id, candidate_id) REFERENCES round_candidates(round_id, id)
) STRICT, WITHOUT ROWID;

CREATE INDEX polls_round ON polls(round_id, kind) WHERE round_id IS NOT NULL;
"""


@migrations()
def m003_rounds(db: sqlite_utils.Database) -> None:
    _exec_script(db.conn, SCHEMA_3)


# The four competitive stages of a round (docs/rules.md, "The four competitive stages"). A stage's
# work is a *record* (round_stages): started, completed, and never edited after completion, only
# superseded with a reason, after which a new attempt of the stage carries on. Everything entered
# during a stage hangs off its record, so a superseded record keeps exactly what it held.
_STAGE_DATA_TABLES = ("stage_nominations", "stage_polls", "stage_inspections", "stage_deliberations",
                      "stage_consultations", "stage_written_opinions")
SCHEMA_4 = """
CREATE TABLE round_stages (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES rounds(id),
    stage TEXT NOT NULL CHECK (stage IN ('recommendation', 'inspection', 'deliberation', 'vote')),
    attempt INTEGER NOT NULL CHECK (attempt >= 1),
    state TEXT NOT NULL CHECK (state IN ('in_progress', 'complete', 'superseded')),
    started_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    completed_by TEXT,
    completed_at TEXT,
    completion_note TEXT CHECK (completion_note IS NULL OR length(completion_note) <= 1000),
    -- What the stage decided, fixed at completion (JSON object).
    outcome TEXT CHECK (outcome IS NULL OR (json_valid(outcome) AND json_type(outcome) = 'object')),
    superseded_by TEXT,
    superseded_at TEXT,
    superseded_reason TEXT CHECK (superseded_reason IS NULL OR length(superseded_reason) BETWEEN 1 AND 1000),
    -- The earlier stage whose supersession took this one with it (NULL: superseded itself).
    superseded_with TEXT CHECK (superseded_with IS NULL OR superseded_with IN ('recommendation',
        'inspection', 'deliberation')),
    UNIQUE (round_id, stage, attempt),
    CHECK (state != 'in_progress' OR (completed_at IS NULL AND superseded_at IS NULL)),
    CHECK (state != 'complete' OR (completed_at IS NOT NULL AND completed_by IS NOT NULL
                                   AND outcome IS NOT NULL AND superseded_at IS NULL)),
    CHECK (state != 'superseded' OR (superseded_at IS NOT NULL AND superseded_by IS NOT NULL
                                     AND superseded_reason IS NOT NULL))
) STRICT;
-- At most one current (not superseded) record per stage of a round.
CREATE UNIQUE INDEX round_stages_current ON round_stages(round_id, stage) WHERE state != 'superseded';
-- A completed record changes only by being superseded; a superseded one never changes.
CREATE TRIGGER round_stages_frozen BEFORE UPDATE ON round_stages
    WHEN OLD.state = 'superseded' OR (OLD.state = 'complete' AND (
        NEW.state != 'superseded' OR NEW.outcome IS NOT OLD.outcome
        OR NEW.completed_at IS NOT OLD.completed_at OR NEW.completed_by IS NOT OLD.completed_by
        OR NEW.completion_note IS NOT OLD.completion_note OR NEW.started_at IS NOT OLD.started_at))
    BEGIN SELECT RAISE(ABORT, 'a completed stage is not edited; supersede it with a reason'); END;
CREATE TRIGGER round_stages_kept BEFORE DELETE ON round_stages
    BEGIN SELECT RAISE(ABORT, 'stage records are kept'); END;

-- Competitive recommendation: units' nominations per level, with how many people took part.
CREATE TABLE stage_nominations (
    stage_id TEXT NOT NULL REFERENCES round_stages(id),
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    level TEXT NOT NULL,
    unit TEXT NOT NULL CHECK (length(unit) BETWEEN 1 AND 200),
    participants INTEGER NOT NULL CHECK (participants BETWEEN 0 AND 100000),
    candidates TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(candidates) AND json_type(candidates) = 'array'),
    note TEXT CHECK (note IS NULL OR length(note) <= 1000),
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    PRIMARY KEY (stage_id, id)
) STRICT, WITHOUT ROWID;

-- Polls a stage generated: the plenary vote and its runoffs, inspection assessments, the
-- standing committee's vote and its runoffs. ``basis`` is what the poll was made from.
CREATE TABLE stage_polls (
    stage_id TEXT NOT NULL REFERENCES round_stages(id),
    poll_id TEXT NOT NULL REFERENCES polls(id),
    role TEXT NOT NULL CHECK (role IN ('plenary', 'plenary_runoff', 'assessment', 'committee',
                                       'committee_runoff')),
    position INTEGER NOT NULL,
    candidate_id TEXT,
    basis TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(basis) AND json_type(basis) = 'object'),
    reason TEXT CHECK (reason IS NULL OR length(reason) <= 1000),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (stage_id, poll_id),
    CHECK ((role = 'assessment') = (candidate_id IS NOT NULL))
) STRICT, WITHOUT ROWID;
CREATE INDEX stage_polls_poll ON stage_polls(poll_id);

-- Competitive inspection: one record per inspection candidate, the five looks and comparisons
-- (五看五比) as {look: {"grade", "note"}}.
CREATE TABLE stage_inspections (
    stage_id TEXT NOT NULL REFERENCES round_stages(id),
    candidate_id TEXT NOT NULL,
    notice_date TEXT CHECK (notice_date IS NULL OR date(notice_date) IS notice_date),
    assessment TEXT CHECK (assessment IS NULL OR length(assessment) <= 2000),
    talks INTEGER CHECK (talks IS NULL OR talks BETWEEN 0 AND 100000),
    verification TEXT CHECK (verification IS NULL OR length(verification) <= 2000),
    judgement TEXT CHECK (judgement IS NULL OR length(judgement) <= 4000),
    looks TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(looks) AND json_type(looks) = 'object'),
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    PRIMARY KEY (stage_id, candidate_id)
) STRICT, WITHOUT ROWID;

-- Competitive deliberation: the department meeting, the secretaries' meeting and its slates
-- ({level: [candidate ids]}), and the levels whose posts are important ("5+X").
CREATE TABLE stage_deliberations (
    stage_id TEXT PRIMARY KEY REFERENCES round_stages(id),
    department_date TEXT CHECK (department_date IS NULL OR date(department_date) IS department_date),
    department_notes TEXT CHECK (department_notes IS NULL OR length(department_notes) <= 4000),
    secretaries_date TEXT CHECK (secretaries_date IS NULL OR date(secretaries_date) IS secretaries_date),
    secretaries_notes TEXT CHECK (secretaries_notes IS NULL OR length(secretaries_notes) <= 4000),
    important_levels TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(important_levels)
        AND json_type(important_levels) = 'array'),
    secretaries_slate TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(secretaries_slate)
        AND json_type(secretaries_slate) = 'object'),
    final_slate TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(final_slate) AND json_type(final_slate) = 'object'),
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- "5+X": whom the secretary consulted about an important post, when, and what they said.
CREATE TABLE stage_consultations (
    stage_id TEXT NOT NULL REFERENCES round_stages(id),
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    level TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('mayor', 'deputy_secretary', 'discipline_secretary',
        'organisation_head', 'leader_in_charge', 'department_head', 'other')),
    name TEXT CHECK (name IS NULL OR length(name) <= 100),
    date TEXT NOT NULL CHECK (date(date) IS date),
    summary TEXT NOT NULL CHECK (length(summary) BETWEEN 1 AND 2000),
    PRIMARY KEY (stage_id, id)
) STRICT, WITHOUT ROWID;

-- Opinions asked for in writing (书面征求意见): from whom, how many people, when, what they said.
CREATE TABLE stage_written_opinions (
    stage_id TEXT NOT NULL REFERENCES round_stages(id),
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
    people INTEGER NOT NULL CHECK (people BETWEEN 1 AND 100000),
    date TEXT NOT NULL CHECK (date(date) IS date),
    summary TEXT CHECK (summary IS NULL OR length(summary) <= 2000),
    PRIMARY KEY (stage_id, id)
) STRICT, WITHOUT ROWID;
""" + "".join(
    # Only the rows of a stage in progress may be written: a completed or superseded stage keeps
    # what it held (the service refuses first, with a 409 that says so; this is the last guard).
    f"""
CREATE TRIGGER {table}_{op} BEFORE {op.upper()} ON {table}
    WHEN (SELECT state FROM round_stages WHERE id = {row}.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;
"""
    for table in _STAGE_DATA_TABLES
    for op, row in (("insert", "NEW"), ("update", "OLD"), ("delete", "OLD"))
)


@migrations()
def m004_stages(db: sqlite_utils.Database) -> None:
    _exec_script(db.conn, SCHEMA_4)


SCHEMA_5 = """
-- Slips are issued in batches; a batch whose slips were lost or never handed out can have its
-- unused slips voided. A batch names how many slips it made, never which ballot they gave.
CREATE TABLE token_batches (
    id TEXT PRIMARY KEY,
    poll_id TEXT NOT NULL REFERENCES polls(id),
    count INTEGER NOT NULL CHECK (count >= 1),
    issued_at TEXT NOT NULL,
    voided INTEGER NOT NULL DEFAULT 0 CHECK (voided >= 0 AND voided <= count),
    voided_at TEXT,
    void_reason TEXT CHECK (void_reason IS NULL OR length(void_reason) <= 500)
) STRICT;
CREATE INDEX token_batches_poll ON token_batches(poll_id);
ALTER TABLE tokens ADD COLUMN batch TEXT REFERENCES token_batches(id);
-- The one-row settings table of the first schema was never read: settings live in config.toml.
DROP TABLE settings;
"""


@migrations()
def m005_token_batches(db: sqlite_utils.Database) -> None:
    _exec_script(db.conn, SCHEMA_5)
