-- Delivery: quiet hours and digests per chat, and outbox columns the dispatcher needs.

-- Quiet hours in the chat's own timezone ("HH:MM", both NULL = none): alerts below the
-- top level wait until the end. 'daily' holds everything below the top level for one
-- digest at digest_time.
ALTER TABLE chats ADD COLUMN quiet_start TEXT;
ALTER TABLE chats ADD COLUMN quiet_end TEXT;
ALTER TABLE chats ADD COLUMN delivery_mode TEXT NOT NULL DEFAULT 'instant';
ALTER TABLE chats ADD COLUMN digest_time TEXT;

-- 1 once the row was held back for a digest: when it falls due it is sent together with
-- the chat's other held rows, as one message.
ALTER TABLE deliveries ADD COLUMN digest INTEGER NOT NULL DEFAULT 0;
-- A message over Telegram's length goes out in parts; a restart resumes after the last
-- part recorded instead of sending the first ones again.
ALTER TABLE deliveries ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;

-- Draining walks pending rows in id order; old sent rows stay out of its way.
CREATE INDEX deliveries_pending ON deliveries (id) WHERE state = 'pending';
-- Dead letters for the admin, oldest first.
CREATE INDEX deliveries_dead ON deliveries (id) WHERE state = 'dead';
