-- Loket's SQLite schema, version 1. Times are microseconds since the Unix epoch (UTC).
CREATE TABLE conversations (
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL,
    data_key BLOB NOT NULL,
    locale TEXT NOT NULL,
    state TEXT NOT NULL,
    assigned_agent TEXT,
    assigned_agent_name TEXT,
    created_at INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL,
    last_disclosure_at INTEGER,
    waiting_since INTEGER,
    consecutive_abstentions INTEGER NOT NULL,
    last_question_fingerprint TEXT,
    next_seq INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX conversations_by_state ON conversations (state, waiting_since);
CREATE INDEX conversations_by_agent ON conversations (assigned_agent);

CREATE TABLE messages (
    id TEXT PRIMARY KEY NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    author TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    author_label TEXT NOT NULL,
    lang TEXT NOT NULL,
    citations TEXT NOT NULL,
    offers_human INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (conversation_id, seq)
);

-- The database itself refuses an AI message in a conversation that has no disclosure yet
-- (AI Act art. 50; REQUIREMENTS DIS-01), as a second line behind the state machine.
CREATE TRIGGER messages_ai_needs_disclosure BEFORE INSERT ON messages
WHEN NEW.author = 'ai' AND NOT EXISTS (
    SELECT 1 FROM messages WHERE conversation_id = NEW.conversation_id AND kind = 'disclosure'
)
BEGIN
    SELECT RAISE(ABORT, 'ai message before disclosure');
END;

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    conversation_id TEXT,
    actor TEXT NOT NULL,
    ids TEXT NOT NULL,
    counts TEXT NOT NULL,
    attributes TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_by_conversation ON audit_log (conversation_id);

CREATE TABLE vault (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    placeholder TEXT NOT NULL,
    kind TEXT NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (conversation_id, placeholder)
);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    preferred_time TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    status TEXT NOT NULL
);

CREATE TABLE staff (
    id TEXT PRIMARY KEY NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
