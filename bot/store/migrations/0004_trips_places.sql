-- Trips and places: coverage for a while without a standing subscription, and towns that
-- narrow point hazards (earthquakes, storms, ...) down to the reader's surroundings.
-- ON UPDATE CASCADE lets a group that becomes a supergroup keep its trips and places.

-- A trip covers its countries from starts_at to ends_at (UTC instants: midnight starting
-- the first day and ending the last one, at the destination). Each briefing is stamped
-- when it is sent, so it goes out once.
CREATE TABLE trips (
    id                 INTEGER PRIMARY KEY,
    chat_id            INTEGER NOT NULL
                       REFERENCES chats(chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    starts_on          TEXT    NOT NULL,   -- first day, YYYY-MM-DD, as the traveller typed it
    ends_on            TEXT    NOT NULL,   -- last day
    starts_at          TEXT    NOT NULL,
    ends_at            TEXT    NOT NULL,
    briefed_before_at  TEXT,
    briefed_arrival_at TEXT,
    created_at         TEXT    NOT NULL
);
CREATE INDEX trips_by_chat ON trips (chat_id, starts_at);
-- The briefing job looks for trips starting soon that still owe a briefing.
CREATE INDEX trips_by_start ON trips (starts_at)
    WHERE briefed_before_at IS NULL OR briefed_arrival_at IS NULL;
-- The daily cleanup removes trips long over.
CREATE INDEX trips_by_end ON trips (ends_at);

-- A trip's countries, in the order typed; the index on country is what matching walks.
CREATE TABLE trip_countries (
    trip_id  INTEGER NOT NULL REFERENCES trips(id) ON DELETE CASCADE,
    country  TEXT    NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (trip_id, country)
);
CREATE INDEX trip_countries_by_country ON trip_countries (country, trip_id);

-- Towns a chat named: point hazards in that country reach it only near one of them.
CREATE TABLE places (
    id         INTEGER PRIMARY KEY,
    chat_id    INTEGER NOT NULL
               REFERENCES chats(chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    country    TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    latitude   REAL    NOT NULL,
    longitude  REAL    NOT NULL,
    created_at TEXT    NOT NULL,
    UNIQUE (chat_id, country, name)
);
-- Matching: "does this chat narrow this country?" and a bounding box around a hazard.
CREATE INDEX places_by_chat_country ON places (chat_id, country);
CREATE INDEX places_by_position ON places (latitude, longitude);
