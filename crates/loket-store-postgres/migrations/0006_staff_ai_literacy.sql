-- The staff member's recorded AI-literacy training (AI Act art. 4, REQUIREMENTS GOV-03): a
-- reference to a certificate or course record; NULL when none was recorded.
ALTER TABLE staff ADD COLUMN ai_literacy TEXT;
