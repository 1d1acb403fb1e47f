-- Loket's PostgreSQL schema, version 1: the same tables and meaning as the SQLite schema after
-- its migration 3. Times are microseconds since the Unix epoch (UTC) in BIGINT, exactly as in
-- SQLite, so the audit hash covers the same stored values on both backends. Conversation ids use
-- the "C" collation so their order (id paging) is byte order, whatever the cluster's locale.
CREATE TABLE conversations (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL,
    data_key BYTEA NOT NULL,
    locale TEXT NOT NULL,
    state TEXT NOT NULL,
    assigned_agent TEXT,
    assigned_agent_name TEXT,
    created_at BIGINT NOT NULL,
    last_activity_at BIGINT NOT NULL,
    last_disclosure_at BIGINT,
    waiting_since BIGINT,
    consecutive_abstentions BIGINT NOT NULL,
    last_question_fingerprint TEXT,
    next_seq BIGINT NOT NULL,
    version BIGINT NOT NULL,
    subject_hash TEXT,
    subject_sealed BYTEA,
    legal_hold BOOLEAN NOT NULL DEFAULT FALSE,
    sensitive_at BIGINT
);
CREATE INDEX conversations_by_state ON conversations (state, waiting_since);
CREATE INDEX conversations_by_agent ON conversations (assigned_agent);
CREATE INDEX conversations_by_subject ON conversations (subject_hash);
CREATE INDEX conversations_by_activity ON conversations (last_activity_at);

CREATE TABLE messages (
    id TEXT PRIMARY KEY NOT NULL,
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    author TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    author_label TEXT NOT NULL,
    lang TEXT NOT NULL,
    citations TEXT NOT NULL,
    offers_human BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (conversation_id, seq)
);

-- The database itself refuses an AI message in a conversation that has no disclosure yet
-- (AI Act art. 50; REQUIREMENTS DIS-01), as a second line behind the state machine.
CREATE FUNCTION messages_ai_needs_disclosure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.author = 'ai' AND NOT EXISTS (
        SELECT 1 FROM messages WHERE conversation_id = NEW.conversation_id AND kind = 'disclosure'
    ) THEN
        RAISE EXCEPTION 'ai message before disclosure';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER messages_ai_needs_disclosure BEFORE INSERT ON messages
FOR EACH ROW EXECUTE FUNCTION messages_ai_needs_disclosure();

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    conversation_id TEXT COLLATE "C",
    actor TEXT NOT NULL,
    ids TEXT NOT NULL,
    counts TEXT NOT NULL,
    attributes TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_by_conversation ON audit_log (conversation_id);

-- Insertion order of vault entries, which SQLite gives by rowid.
CREATE TABLE vault (
    position BIGINT GENERATED ALWAYS AS IDENTITY,
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    placeholder TEXT NOT NULL,
    kind TEXT NOT NULL,
    sealed BYTEA NOT NULL,
    PRIMARY KEY (conversation_id, placeholder)
);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY NOT NULL,
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    preferred_time TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX tickets_by_conversation ON tickets (conversation_id);
CREATE INDEX tickets_by_created ON tickets (created_at);

CREATE TABLE staff (
    id TEXT PRIMARY KEY NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

-- The webhook delivery log: one row per attempt, no payload (it is derivable from the audit log).
CREATE TABLE webhook_deliveries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery TEXT NOT NULL,
    event TEXT NOT NULL,
    url TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    status BIGINT,
    outcome TEXT NOT NULL,
    at BIGINT NOT NULL
);

CREATE TABLE audit_anchor (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY NOT NULL,
    hash TEXT NOT NULL,
    at BIGINT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL
);
