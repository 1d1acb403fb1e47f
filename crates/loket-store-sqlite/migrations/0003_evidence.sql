-- Evidence and data-subject rights (issue 7): identified customers, legal hold, the short
-- retention of conversations with special-category data, the anchor of an audit chain shortened
-- by retention, and signed checkpoints.
ALTER TABLE conversations ADD COLUMN subject_hash TEXT;
ALTER TABLE conversations ADD COLUMN subject_sealed BLOB;
ALTER TABLE conversations ADD COLUMN legal_hold INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN sensitive_at INTEGER;
CREATE INDEX conversations_by_subject ON conversations (subject_hash);
CREATE INDEX conversations_by_activity ON conversations (last_activity_at);
CREATE INDEX tickets_by_conversation ON tickets (conversation_id);
CREATE INDEX tickets_by_created ON tickets (created_at);

CREATE TABLE audit_anchor (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit_checkpoints (
    seq INTEGER PRIMARY KEY NOT NULL,
    hash TEXT NOT NULL,
    at INTEGER NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL
);
