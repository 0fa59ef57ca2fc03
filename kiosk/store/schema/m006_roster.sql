-- The sign-in roster (名册) of a meeting: who should attend, when each signed in at the door, who
-- left early. Attendance (meetings.present) follows it: the members signed in and not gone.
-- It never touches a slip or a ballot (SECURITY.md, "Secrecy"): no column here names a poll, a
-- token, a batch, a ballot or a tracking code, and no table of those names a member
-- (tests/test_roster_secrecy.py reads the schema and the database file for it).
CREATE TABLE roster_members (
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    id TEXT NOT NULL CHECK (length(id) BETWEEN 1 AND 64),
    position INTEGER NOT NULL CHECK (position >= 0),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    unit TEXT NOT NULL DEFAULT '' CHECK (length(unit) <= 200),
    post TEXT NOT NULL DEFAULT '' CHECK (length(post) <= 200),
    signed_in_at TEXT,
    left_at TEXT,
    -- Signed in after a poll of the meeting had opened (decided at the tick, not from the clock).
    late INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    CHECK (left_at IS NULL OR signed_in_at IS NOT NULL),
    CHECK (late = 0 OR signed_in_at IS NOT NULL),
    PRIMARY KEY (meeting_id, id),
    UNIQUE (meeting_id, position)
) STRICT, WITHOUT ROWID;
