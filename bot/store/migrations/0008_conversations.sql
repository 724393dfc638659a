-- What a chat is in the middle of, kept here rather than in one process's memory, so that
-- behind a load balancer any process can take the chat's next message: python-telegram-bot's
-- chat_data (a /trip draft) and the state of its step-by-step conversations. Both have a
-- chat_id column, so /mydata shows them and /forget deletes them with the rest.
CREATE TABLE chat_state (
    chat_id    INTEGER PRIMARY KEY,
    data       TEXT    NOT NULL,   -- JSON (bot.chat.persistence)
    updated_at TEXT    NOT NULL
);

-- One row per conversation under way. `version` grows with every change: a process writes
-- only over the version it read, so a stale one (its timeout firing after another process
-- moved the conversation on) cannot undo newer steps.
CREATE TABLE conversations (
    name             TEXT    NOT NULL,   -- the ConversationHandler's name, e.g. trip
    conversation_key TEXT    NOT NULL,   -- its key as JSON, e.g. [chat_id, user_id]
    chat_id          INTEGER,            -- the key's chat (per-chat conversations)
    state            TEXT    NOT NULL,   -- JSON
    version          INTEGER NOT NULL,
    updated_at       TEXT    NOT NULL,
    PRIMARY KEY (name, conversation_key)
);
CREATE INDEX conversations_by_chat ON conversations (chat_id);
