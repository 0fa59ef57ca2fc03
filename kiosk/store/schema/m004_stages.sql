-- The four competitive stages of a round (docs/rules.md, "The four competitive stages"). A stage's
-- work is a *record* (round_stages): started, completed, and never edited after completion, only
-- superseded with a reason, after which a new attempt of the stage carries on. Everything entered
-- during a stage hangs off its record, so a superseded record keeps exactly what it held.
-- The triggers at the end: only the rows of a stage in progress may be written; a completed or
-- superseded stage keeps what it held (the service refuses first, with a 409 that says so; this is
-- the last guard).
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

CREATE TRIGGER stage_nominations_insert BEFORE INSERT ON stage_nominations
    WHEN (SELECT state FROM round_stages WHERE id = NEW.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_nominations_update BEFORE UPDATE ON stage_nominations
    WHEN (SELECT state FROM round_stages WHERE id = OLD.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_nominations_delete BEFORE DELETE ON stage_nominations
    WHEN (SELECT state FROM round_stages WHERE id = OLD.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_polls_insert BEFORE INSERT ON stage_polls
    WHEN (SELECT state FROM round_stages WHERE id = NEW.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_polls_update BEFORE UPDATE ON stage_polls
    WHEN (SELECT state FROM round_stages WHERE id = OLD.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_polls_delete BEFORE DELETE ON stage_polls
    WHEN (SELECT state FROM round_stages WHERE id = OLD.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_inspections_insert BEFORE INSERT ON stage_inspections
    WHEN (SELECT state FROM round_stages WHERE id = NEW.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_inspections_update BEFORE UPDATE ON stage_inspections
    WHEN (SELECT state FROM round_stages WHERE id = OLD.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_inspections_delete BEFORE DELETE ON stage_inspections
    WHEN (SELECT state FROM round_stages WHERE id = OLD.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_deliberations_insert BEFORE INSERT ON stage_deliberations
    WHEN (SELECT state FROM round_stages WHERE id = NEW.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_deliberations_update BEFORE UPDATE ON stage_deliberations
    WHEN (SELECT state FROM round_stages WHERE id = OLD.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_deliberations_delete BEFORE DELETE ON stage_deliberations
    WHEN (SELECT state FROM round_stages WHERE id = OLD.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_consultations_insert BEFORE INSERT ON stage_consultations
    WHEN (SELECT state FROM round_stages WHERE id = NEW.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_consultations_update BEFORE UPDATE ON stage_consultations
    WHEN (SELECT state FROM round_stages WHERE id = OLD.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_consultations_delete BEFORE DELETE ON stage_consultations
    WHEN (SELECT state FROM round_stages WHERE id = OLD.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_written_opinions_insert BEFORE INSERT ON stage_written_opinions
    WHEN (SELECT state FROM round_stages WHERE id = NEW.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_written_opinions_update BEFORE UPDATE ON stage_written_opinions
    WHEN (SELECT state FROM round_stages WHERE id = OLD.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;

CREATE TRIGGER stage_written_opinions_delete BEFORE DELETE ON stage_written_opinions
    WHEN (SELECT state FROM round_stages WHERE id = OLD.stage_id) IS NOT 'in_progress'
    BEGIN SELECT RAISE(ABORT, 'only a stage in progress is edited'); END;
