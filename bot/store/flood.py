"""A chat's commands counted in the database, for several processes behind one bot."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store.clock import to_db
from bot.store.database import Database

_COUNT = (
    "INSERT INTO flood_counts (chat_id, window_start, commands, warned) VALUES (?, ?, 1, 0)"
    " ON CONFLICT (chat_id) DO UPDATE SET"
    " commands = CASE WHEN flood_counts.window_start <= ? THEN 1"
    " ELSE flood_counts.commands + 1 END,"
    " warned = CASE WHEN flood_counts.window_start <= ? THEN 0 ELSE flood_counts.warned END,"
    " window_start = CASE WHEN flood_counts.window_start <= ? THEN ?"
    " ELSE flood_counts.window_start END"
    " RETURNING commands, warned"
)


async def count_command(
    db: Database, chat_id: int, *, now: datetime, window: timedelta
) -> tuple[int, bool]:
    """Count a command of the chat in its window (a new window starts once the last one
    is `window` old); returns the commands counted in the window and whether the chat was
    already told to slow down in it. One statement: processes never lose a count."""
    start, over = to_db(now), to_db(now - window)
    async with db.transaction() as conn:
        cursor = await conn.execute(_COUNT, (chat_id, start, over, over, over, start))
        row = await cursor.fetchone()
    assert row is not None
    return int(row["commands"]), bool(row["warned"])


async def mark_warned(db: Database, chat_id: int) -> bool:
    """Note that the chat was told to slow down; False if another process just did."""
    changed = await db.execute(
        "UPDATE flood_counts SET warned = 1 WHERE chat_id = ? AND warned = 0", (chat_id,)
    )
    return changed == 1


async def forget_quiet(db: Database, *, before: datetime) -> int:
    """Drop the counts of chats silent since `before`."""
    return await db.execute("DELETE FROM flood_counts WHERE window_start < ?", (to_db(before),))
