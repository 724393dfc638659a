"""Commands counted in the database for several processes: the shared flood guard."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.chat.guard import FloodGuard, FloodLimits
from bot.store import flood
from bot.store.database import Database

START = datetime(2025, 10, 7, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


async def test_guards_of_two_processes_share_one_window_warn_once_then_refuse(
    db: Database,
) -> None:
    one, two = FloodGuard(FloodLimits(commands=4, seconds=10)), FloodGuard(FloodLimits(4, 10))
    verdicts = [await (one, two)[n % 2].admit_shared(db, 7, at(n)) for n in range(4)]
    assert verdicts == ["yes"] * 4

    assert await two.admit_shared(db, 7, at(5)) == "warn"
    assert await one.admit_shared(db, 7, at(6)) == "no"
    assert await two.admit_shared(db, 8, at(6)) == "yes"  # another chat is not affected
    # The window started at the chat's first command; ten seconds on, a new one starts.
    assert await one.admit_shared(db, 7, at(10)) == "yes"
    assert await two.admit_shared(db, 7, at(10.5)) == "yes"


async def test_commands_arriving_at_once_are_all_counted(db: Database) -> None:
    guards = [FloodGuard(FloodLimits(commands=10, seconds=10)) for _ in range(3)]
    verdicts = await asyncio.gather(*(guards[n % 3].admit_shared(db, 9, at(0)) for n in range(12)))
    assert sorted(verdicts) == ["no"] + ["warn"] + ["yes"] * 10


async def test_counts_of_chats_long_quiet_are_forgotten(db: Database) -> None:
    await flood.count_command(db, 1, now=at(0), window=timedelta(seconds=10))
    await flood.count_command(db, 2, now=at(500), window=timedelta(seconds=10))

    assert await flood.forget_quiet(db, before=at(100)) == 1
    assert await db.fetch_value("SELECT chat_id FROM flood_counts") == 2
