-- The first schema. Secrecy lives in the schema (SECURITY.md, "Secrecy"): `ballots` and `receipts`
-- are WITHOUT ROWID tables keyed by random ids, so the stored order is the order of random keys,
-- never the order of arrival; neither table has a token, voter, tablet, address, time or sequence
-- column.
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
