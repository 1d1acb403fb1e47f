-- The agents online per instance (REQUIREMENTS HUM-01, HUM-04, HUM-08): every instance publishes
-- the agents whose console is connected to it every few seconds and counts those of every
-- instance, so a customer served by one instance is handed over to an agent connected to another.
-- UNLOGGED like the rate counters: a crash forgets it, and the next publication rebuilds it.
CREATE UNLOGGED TABLE staff_presence (
    instance TEXT COLLATE "C" NOT NULL,
    agent_id TEXT COLLATE "C" NOT NULL,
    languages TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (instance, agent_id)
);

CREATE INDEX staff_presence_seen_at ON staff_presence (seen_at);
