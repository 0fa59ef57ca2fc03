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
