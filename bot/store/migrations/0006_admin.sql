-- Administration: an audit log of admin and desk actions, users an admin blocked, and
-- announcements to every chat (a draft first, sent only once an admin confirms it).

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL,
    actor_id  INTEGER,            -- Telegram user id; NULL for the bot itself
    action    TEXT    NOT NULL,   -- dotted name, e.g. source.pause, user.block
    details   TEXT    NOT NULL DEFAULT '{}'  -- JSON object
);
CREATE INDEX audit_log_by_actor ON audit_log (actor_id, id);

-- A blocked user's updates are dropped before any handler sees them.
CREATE TABLE blocked_users (
    user_id    INTEGER PRIMARY KEY,
    blocked_by INTEGER NOT NULL,
    blocked_at TEXT    NOT NULL,
    reason     TEXT
);

CREATE TABLE announcements (
    id               INTEGER PRIMARY KEY,
    text             TEXT    NOT NULL,
    created_by       INTEGER NOT NULL,
    created_at       TEXT    NOT NULL,
    state            TEXT    NOT NULL DEFAULT 'draft',  -- draft, sent, cancelled
    alert_version_id INTEGER REFERENCES alert_versions(id),
    recipients       INTEGER,
    decided_at       TEXT
);
