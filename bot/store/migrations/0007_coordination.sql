-- Several bot processes on one database: leases on singleton work, a heartbeat per process,
-- and claims on outbox rows. One process on SQLite uses the same tables and is always alone.

-- Work only one process may do at a time (polling a source, the briefing job): the holder
-- renews the lease while it works; when it dies the lease expires and another takes over.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,   -- e.g. poll:us-state
    holder     TEXT NOT NULL,      -- the process id of `processes`
    expires_at TEXT NOT NULL
);

-- Every running process, renewed every few seconds: the live ones share Telegram's rate
-- limit for the bot token equally.
CREATE TABLE processes (
    holder     TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    seen_at    TEXT NOT NULL
);

-- A pending row claimed by a process is sent by it alone while the process's heartbeat
-- is fresh: a dead (or never joined) holder's rows are free for the others.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
CREATE INDEX deliveries_claimed ON deliveries (claimed_by)
    WHERE claimed_by IS NOT NULL AND state = 'pending';
