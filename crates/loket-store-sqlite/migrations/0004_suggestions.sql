-- Approved FAQ questions offered with an abstention (JSON list of {entry_id, question}); company
-- content only, never customer text.
ALTER TABLE messages ADD COLUMN suggestions TEXT NOT NULL DEFAULT '[]';
