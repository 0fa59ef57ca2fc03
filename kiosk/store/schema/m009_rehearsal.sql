-- Rehearsals, the zero report and rules per poll (docs/api.md, "Rehearsals and the zero report";
-- SECURITY.md).
-- A rehearsal is a poll of its own with test slips: its ballots, receipts and slips are keyed to
-- it like any poll's, so they never mix with a real poll's; it never feeds a round, and the board
-- never lists it. Resetting it removes its ballots and slips (the reset is logged).
ALTER TABLE polls ADD COLUMN rehearsal INTEGER NOT NULL DEFAULT 0 CHECK (rehearsal IN (0, 1));
-- What the room was shown when the poll opened: the box empty, the empty box's digest, the slips
-- issued and the log head at opening (JSON object; NULL before opening).
ALTER TABLE polls ADD COLUMN zero_report TEXT CHECK (zero_report IS NULL OR (json_valid(zero_report)
    AND json_type(zero_report) = 'object'));
-- The rules the poll opened with, by the SHA-256 of their text (kept in rules_texts): the poll is
-- counted under them whatever the rules file says later. NULL: opened before this migration (or a
-- draft), counted under the rules in force.
ALTER TABLE polls ADD COLUMN rules_sha256 TEXT REFERENCES rules_texts(sha256);
