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
