-- The languages a staff member serves customers in (REQUIREMENTS HUM-08): two-letter codes,
-- comma-separated. Accounts from before this migration serve in both, as they did.
ALTER TABLE staff ADD COLUMN languages TEXT NOT NULL DEFAULT 'nl,en';
