-- Paper ballots beside tablets (docs/rules.md, "Paper ballots"; SECURITY.md, "Secrecy").
-- One paper box per poll that took paper: how many paper ballots were handed out (发出), how many
-- of those were given for a slip that failed on a tablet (each such slip is void), how many were
-- entered and accepted (收回), and when the box was closed. Counts only, never who got which.
CREATE TABLE paper_boxes (
    poll_id TEXT PRIMARY KEY REFERENCES polls(id),
    handed_out INTEGER NOT NULL DEFAULT 0 CHECK (handed_out BETWEEN 0 AND 100000),
    exchanged INTEGER NOT NULL DEFAULT 0 CHECK (exchanged >= 0 AND exchanged <= handed_out),
    returned INTEGER NOT NULL DEFAULT 0 CHECK (returned >= 0),
    closed_at TEXT
) STRICT;
-- A first entry waiting for its second (double entry): who made it is needed to make sure the
-- second is someone else's. The row is deleted when the second entry agrees (the ballot is stored
-- in paper_ballots under a new random id, nothing carried over) or disagrees (both enter again).
-- `number` is the short number the second scrutineer picks, unique among the poll's waiting ones.
CREATE TABLE paper_entries (
    poll_id TEXT NOT NULL REFERENCES polls(id),
    number INTEGER NOT NULL CHECK (number >= 1),
    entry TEXT NOT NULL CHECK (json_valid(entry)),
    entered_by TEXT NOT NULL,
    PRIMARY KEY (poll_id, number)
) STRICT, WITHOUT ROWID;
-- Accepted paper ballots until the poll closes, when they join its ballot box (ballots) and the
-- box is rewritten in key order. Like ballots: random keys, no time, no sequence, no enterer.
CREATE TABLE paper_ballots (
    poll_id TEXT NOT NULL REFERENCES polls(id),
    id TEXT NOT NULL CHECK (length(id) = 32),
    answers TEXT NOT NULL CHECK (json_valid(answers)),
    spoiled TEXT CHECK (spoiled IS NULL OR json_valid(spoiled)),
    PRIMARY KEY (poll_id, id)
) STRICT, WITHOUT ROWID;
-- A paper ballot's marks beside its answers: {"spoiled_contests": [...]} or {"spoiled_whole": true};
-- NULL for every tablet ballot and every paper ballot without a spoiled part.
ALTER TABLE ballots ADD COLUMN spoiled TEXT CHECK (spoiled IS NULL OR json_valid(spoiled));
