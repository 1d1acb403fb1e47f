-- The statutory ground a conversation is kept for (REQUIREMENTS RET-03, FIN-06): `mifid_ii`,
-- `wwft`, ... as configured in `retention.statutory`; NULL for the ordinary retention periods.
ALTER TABLE conversations ADD COLUMN statutory_ground TEXT;
