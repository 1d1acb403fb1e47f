-- The staff's second factor (REQUIREMENTS SEC-09): the TOTP secret in use and one being set up,
-- both sealed by the service; the last accepted time step (codes of it and earlier steps are
-- refused); the unused recovery codes as a JSON array of SHA-256 hashes.
ALTER TABLE staff ADD COLUMN totp_secret BYTEA;
ALTER TABLE staff ADD COLUMN totp_pending BYTEA;
ALTER TABLE staff ADD COLUMN totp_last_step BIGINT;
ALTER TABLE staff ADD COLUMN recovery_codes TEXT NOT NULL DEFAULT '[]';
