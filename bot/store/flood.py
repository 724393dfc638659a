"""A chat's commands counted in the database, for several processes behind one bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.store.clock import to_db
from bot.store.database import Database

_COUNT = (
    "INSERT INTO flood_counts (chat_id, window_start, commands, previous, warned)"
    " VALUES (?, ?, 1, 0, 0)"
    " ON CONFLICT (chat_id) DO UPDATE SET"
    " previous = CASE WHEN flood_counts.window_start = ? THEN flood_counts.previous"
    " WHEN flood_counts.window_start = ? THEN flood_counts.commands ELSE 0 END,"
    " commands = CASE WHEN flood_counts.window_start = ? THEN flood_counts.commands + 1"
    " ELSE 1 END,"
    " window_start = ?"
    " RETURNING commands, previous, warned"
)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class FloodCount:
    """A chat's commands in the current fixed window and the one before it."""

    commands: int
    previous: int
    elapsed: float  # how far into the current window `now` is, from 0 to 1
    warned: bool

    @property
    def estimate(self) -> float:
        """Commands in the last window's length up to now, taking the previous window's
        as spread evenly over it (the usual sliding-window estimate)."""
        return self.previous * (1 - self.elapsed) + self.commands


def window_of(now: datetime, window: timedelta) -> tuple[datetime, float]:
    """The start of the fixed window `now` falls in (windows follow each other from a
    fixed epoch, so every process agrees on them) and how far into it `now` is."""
    windows, into = divmod(now - _EPOCH, window)
    return _EPOCH + windows * window, into / window


async def count_command(
    db: Database, chat_id: int, *, now: datetime, window: timedelta
) -> FloodCount:
    """Count a command of the chat; returns its counts in the current and the previous
    window, and whether the chat was already told to slow down. Every command counts,
    refused ones too, so a chat that keeps flooding stays refused. One statement:
    processes never lose a count."""
    start, elapsed = window_of(now, window)
    current, previous = to_db(start), to_db(start - window)
    async with db.transaction() as conn:
        cursor = await conn.execute(_COUNT, (chat_id, current, current, previous, current, current))
        row = await cursor.fetchone()
    assert row is not None
    return FloodCount(int(row["commands"]), int(row["previous"]), elapsed, bool(row["warned"]))


async def mark_warned(db: Database, chat_id: int) -> bool:
    """Note that the chat was told to slow down; False if another process just did."""
    changed = await db.execute(
        "UPDATE flood_counts SET warned = 1 WHERE chat_id = ? AND warned = 0", (chat_id,)
    )
    return changed == 1


async def clear_warned(db: Database, chat_id: int) -> None:
    """The chat is admitted again: a later flood gets a warning of its own."""
    await db.execute("UPDATE flood_counts SET warned = 0 WHERE chat_id = ?", (chat_id,))


async def forget_quiet(db: Database, *, before: datetime) -> int:
    """Drop the counts of chats silent since `before`."""
    return await db.execute("DELETE FROM flood_counts WHERE window_start < ?", (to_db(before),))
