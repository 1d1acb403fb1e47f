-- Rate-limit counters shared by every instance (fixed windows per key). UNLOGGED: counting
-- writes no WAL and waits for no flush, and a crash that forgets the counters only resets the
-- limits. Keys are keyed hashes computed by the service, never addresses or names.
CREATE UNLOGGED TABLE rate_counters (
    key TEXT COLLATE "C" PRIMARY KEY,
    window_start BIGINT NOT NULL,
    window_end BIGINT NOT NULL,
    count INTEGER NOT NULL
);

CREATE INDEX rate_counters_window_end ON rate_counters (window_end);
