-- What the last poll that read a feed said of its items: how many it skipped or read
-- oddly, and the first such problem, so that an admin sees them without the logs.
ALTER TABLE source_state ADD COLUMN item_problems INTEGER NOT NULL DEFAULT 0;
ALTER TABLE source_state ADD COLUMN first_item_problem TEXT;
