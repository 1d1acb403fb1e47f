-- Why the customer asked for a person (request, withdrawal, complaint, crisis), shown in the agents'
-- queue (REQUIREMENTS HUM-03, HUM-07). NULL while the bot handles the conversation.
ALTER TABLE conversations ADD COLUMN handover_reason TEXT;
