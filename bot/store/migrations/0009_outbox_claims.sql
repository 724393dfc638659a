-- Claiming a page of the outbox costs a page, not the whole outbox: "is this chat being
-- served by another live process?" is one lookup in the claimed pending rows of that chat
-- (the pages walk `deliveries_pending` in id order).
CREATE INDEX deliveries_claimed_chats ON deliveries (chat_id, claimed_by)
    WHERE claimed_by IS NOT NULL AND state = 'pending';
