-- Chats the bot talks to: a private chat is one traveller, a group is many.
CREATE TABLE chats (
    chat_id         INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL DEFAULT 'private',
    title           TEXT,
    username        TEXT,
    language        TEXT    NOT NULL DEFAULT 'en',
    timezone        TEXT    NOT NULL DEFAULT 'UTC',
    min_severity    INTEGER NOT NULL DEFAULT 1,
    categories      TEXT    NOT NULL DEFAULT '',   -- comma-separated; empty means all
    active          INTEGER NOT NULL DEFAULT 1,
    inactive_reason TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);

-- One row per (chat, country): the index on country is what matching walks.
CREATE TABLE subscriptions (
    chat_id    INTEGER NOT NULL REFERENCES chats(chat_id) ON DELETE CASCADE,
    country    TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (chat_id, country)
);
CREATE INDEX subscriptions_by_country ON subscriptions (country, chat_id);

-- The latest known state of each tracked item of each source.
CREATE TABLE alerts (
    source      TEXT    NOT NULL,
    alert_id    TEXT    NOT NULL,
    version     TEXT    NOT NULL,
    severity    INTEGER NOT NULL,
    countries   TEXT    NOT NULL,   -- comma-separated ISO 3166-1 alpha-2
    category    TEXT    NOT NULL,
    payload     TEXT    NOT NULL,   -- the normalised alert as JSON
    first_seen  TEXT    NOT NULL,
    last_seen   TEXT    NOT NULL,
    PRIMARY KEY (source, alert_id)
);

-- Every announcement (a new alert or a change): deliveries point here, so a message can
-- always be rebuilt. A level that goes 3 -> 2 -> 3 is three announcements.
CREATE TABLE alert_versions (
    id                INTEGER PRIMARY KEY,
    source            TEXT    NOT NULL,
    alert_id          TEXT    NOT NULL,
    version           TEXT    NOT NULL,
    change            TEXT    NOT NULL,
    severity          INTEGER NOT NULL,
    previous_severity INTEGER,
    payload           TEXT    NOT NULL,
    seen_at           TEXT    NOT NULL,
    fanned_out        INTEGER NOT NULL DEFAULT 0  -- 1 once its outbox rows are written
);
CREATE INDEX alert_versions_by_alert ON alert_versions (source, alert_id, id);
CREATE INDEX alert_versions_to_fan_out ON alert_versions (fanned_out) WHERE fanned_out = 0;

-- The outbox: a row is written for every (chat, alert version) before anything is sent.
CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    chat_id          INTEGER NOT NULL,
    alert_version_id INTEGER NOT NULL REFERENCES alert_versions(id),
    state            TEXT    NOT NULL DEFAULT 'pending',  -- pending, sent, failed, dead
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT    NOT NULL,
    last_error       TEXT,
    message_id       INTEGER,
    created_at       TEXT    NOT NULL,
    sent_at          TEXT,
    UNIQUE (chat_id, alert_version_id)
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);

-- What the poller knows about each configured source: validators and health.
CREATE TABLE source_state (
    source               TEXT PRIMARY KEY,
    etag                 TEXT,
    last_modified        TEXT,
    last_attempt         TEXT,
    last_success         TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    items_seen           INTEGER NOT NULL DEFAULT 0,
    last_error           TEXT,
    next_attempt_at      TEXT,
    paused               INTEGER NOT NULL DEFAULT 0
);
