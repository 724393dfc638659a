-- Preferences a traveller sets in /settings, beside those delivery reads since 0002.

-- 'all': every update of an advisory; 'levels': only new advisories and level changes
-- (text-only updates, Change.TEXT, are skipped).
ALTER TABLE chats ADD COLUMN update_mode TEXT NOT NULL DEFAULT 'all';
-- 1 while the chat paused its alerts with /pause: matching leaves it out.
ALTER TABLE chats ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
-- What the chat's next plain-text message answers ('search', 'search:start', 'timezone'),
-- and since when: a question left unanswered for long is forgotten.
ALTER TABLE chats ADD COLUMN awaiting TEXT;
ALTER TABLE chats ADD COLUMN awaiting_since TEXT;
