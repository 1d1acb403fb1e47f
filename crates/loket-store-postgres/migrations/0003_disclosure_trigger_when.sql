-- The disclosure check (DIS-01) only concerns AI messages: the trigger now names that in its
-- WHEN clause, so PostgreSQL no longer calls the PL/pgSQL function for the customer's, agents'
-- and system messages (two of the three rows of a typical turn). The function is unchanged and
-- keeps its own check.
DROP TRIGGER messages_ai_needs_disclosure ON messages;
CREATE TRIGGER messages_ai_needs_disclosure BEFORE INSERT ON messages
FOR EACH ROW WHEN (NEW.author = 'ai') EXECUTE FUNCTION messages_ai_needs_disclosure();
