-- Selection rounds (docs/api.md, "Rounds"; docs/rules.md, "The five evaluations"). Ballot-derived
-- parts come from the round's closed polls (polls.round_id); only what no ballot gives is stored
-- here: the administrator's entries, and the figures of an imported round file.
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
