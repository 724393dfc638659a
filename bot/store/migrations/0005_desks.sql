-- Corporate travel desks: organisations, their members, invites, trips, broadcasts,
-- safety check-ins and notices of official alerts. Every row names its organisation, and
-- every query a desk makes is bounded by it.

CREATE TABLE desk_organisations (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL
);

-- A person in an organisation (owner, operator or traveller); one person, many organisations.
CREATE TABLE desk_members (
    org_id      INTEGER NOT NULL REFERENCES desk_organisations(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,   -- Telegram user id, which is also their private chat id
    role        TEXT    NOT NULL,
    reference   TEXT,               -- the organisation's own name for them (employee number)
    joined_at   TEXT    NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX desk_members_by_user ON desk_members (user_id);
CREATE UNIQUE INDEX desk_members_by_reference ON desk_members (org_id, reference COLLATE NOCASE)
    WHERE reference IS NOT NULL;

-- Invite links; only a hash of the token is kept.
CREATE TABLE desk_invites (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES desk_organisations(id) ON DELETE CASCADE,
    token_hash  TEXT    NOT NULL UNIQUE,
    reference   TEXT,
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT,
    max_uses    INTEGER,
    uses        INTEGER NOT NULL DEFAULT 0,
    revoked_at  TEXT
);

-- Trips the desk records or imports; dates are ISO days, both included.
CREATE TABLE desk_trips (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES desk_organisations(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    countries   TEXT    NOT NULL,   -- comma-separated ISO 3166-1 alpha-2, sorted
    starts      TEXT    NOT NULL,
    ends        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    UNIQUE (org_id, user_id, countries, starts, ends)
);
CREATE INDEX desk_trips_by_end ON desk_trips (org_id, ends);

-- A warning from draft to sent; `step` is the question a step-by-step draft waits on.
CREATE TABLE desk_broadcasts (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES desk_organisations(id) ON DELETE CASCADE,
    operator_id      INTEGER NOT NULL,
    state            TEXT    NOT NULL DEFAULT 'draft',  -- draft, sent, cancelled
    step             TEXT,
    draft            TEXT    NOT NULL,                  -- the WarningDraft as JSON
    alert_version_id INTEGER REFERENCES alert_versions(id),
    created_at       TEXT    NOT NULL,
    sent_at          TEXT
);
CREATE INDEX desk_broadcasts_by_org ON desk_broadcasts (org_id, id);
CREATE INDEX desk_broadcasts_composing ON desk_broadcasts (operator_id) WHERE step IS NOT NULL;

-- One row per recipient of a broadcast with a safety check; `token` is in the buttons.
CREATE TABLE desk_check_ins (
    broadcast_id     INTEGER NOT NULL REFERENCES desk_broadcasts(id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL,
    token            TEXT    NOT NULL UNIQUE,
    remind_after_s   INTEGER NOT NULL,
    asked_at         TEXT,
    answer           TEXT,   -- safe, help
    answered_at      TEXT,
    reminders        INTEGER NOT NULL DEFAULT 0,
    last_reminded_at TEXT,
    PRIMARY KEY (broadcast_id, user_id)
);
CREATE INDEX desk_check_ins_open ON desk_check_ins (asked_at) WHERE answer IS NULL;

-- "N of your travellers are there": one notice per organisation and official announcement.
CREATE TABLE desk_notices (
    org_id           INTEGER NOT NULL REFERENCES desk_organisations(id) ON DELETE CASCADE,
    alert_version_id INTEGER NOT NULL REFERENCES alert_versions(id),
    present          INTEGER NOT NULL,
    arriving         INTEGER NOT NULL,
    sent_at          TEXT,
    created_at       TEXT    NOT NULL,
    PRIMARY KEY (org_id, alert_version_id)
);
CREATE INDEX desk_notices_unsent ON desk_notices (created_at) WHERE sent_at IS NULL;

-- The organisation an operator of several desks is working on (/org <id>).
CREATE TABLE desk_focus (
    user_id     INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES desk_organisations(id) ON DELETE CASCADE
);
