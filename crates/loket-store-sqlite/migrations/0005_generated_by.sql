-- The name of the language model that wrote an AI message (AI Act art. 50(2), REQUIREMENTS
-- DIS-10); NULL for approved or fixed wording and for people.
ALTER TABLE messages ADD COLUMN generated_by TEXT;
