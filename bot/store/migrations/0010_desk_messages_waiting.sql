-- Desk messages that have no row of their own (a call for help, a notice to an operator)
-- and could not be sent at once: kept here until they go, so a restart does not forget
-- them. A process takes one by moving its `not_before` on from the value it read, so two
-- processes never send the same message at once; one that dies while sending leaves it to
-- the others when that time comes (a call for help may then arrive twice, never not).
CREATE TABLE desk_messages_waiting (
    message_key TEXT PRIMARY KEY,      -- e.g. help:<check-in token>:<operator id>
    chat_id     INTEGER NOT NULL,
    text        TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX desk_messages_waiting_due ON desk_messages_waiting (not_before);
