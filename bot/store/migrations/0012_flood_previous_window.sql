-- The shared flood guard weighs the previous window's commands into the current one (a
-- sliding-window estimate): with fixed windows alone, a chat could send its whole
-- allowance just before a window ended and again just after.
ALTER TABLE flood_counts ADD COLUMN previous INTEGER NOT NULL DEFAULT 0;
