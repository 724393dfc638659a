-- Several processes behind one bot: each chat's commands are counted here, in a fixed
-- window, so a chat gets the same allowance whichever process takes its updates (a lone
-- process counts in memory and never writes here).
CREATE TABLE flood_counts (
    chat_id      INTEGER PRIMARY KEY,
    window_start TEXT NOT NULL,
    commands     INTEGER NOT NULL,
    warned       INTEGER NOT NULL DEFAULT 0
);
