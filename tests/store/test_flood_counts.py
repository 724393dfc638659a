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
    assert await two.admit_shared(db, 7, at(8)) == "no"  # told once, then ignored
    assert await two.admit_shared(db, 8, at(6)) == "yes"  # another chat is not affected
    # A new window starts at 10 s, but the seven commands of the last one still weigh:
    # 7 x (1 - 0.1) + 1 = 7.3 at 11 s, 7 x (1 - 0.9) + 2 = 2.7 at 19 s.
    assert await one.admit_shared(db, 7, at(11)) == "no"
    assert await two.admit_shared(db, 7, at(19)) == "yes"
    # Admitted again, the chat has a clean slate: its next flood is warned about again.
    # 3 + 0.35, then 4 + 0.35: over the four allowed.
    assert [await one.admit_shared(db, 7, at(19.5)) for _ in range(3)] == ["yes", "warn", "no"]


async def test_a_burst_across_a_window_boundary_gets_the_allowance_once(db: Database) -> None:
    """With fixed windows alone, four commands before 10 s and four after would all pass."""
    guard = FloodGuard(FloodLimits(commands=4, seconds=10))
    before = [await guard.admit_shared(db, 5, at(9 + n / 10)) for n in range(4)]
    after = [await guard.admit_shared(db, 5, at(10 + n / 10)) for n in range(4)]
    assert before == ["yes"] * 4
    assert after == ["warn", "no", "no", "no"]


def test_windows_follow_each_other_from_a_fixed_epoch() -> None:
    window = timedelta(seconds=10)
    start, elapsed = flood.window_of(at(23.5), window)
    assert (start, elapsed) == (at(20), 0.35)
    assert flood.window_of(at(20), window) == (at(20), 0.0)
    estimate = flood.FloodCount(commands=2, previous=10, elapsed=0.25, warned=False).estimate
    assert estimate == 2 + 10 * 0.75


async def test_commands_arriving_at_once_are_all_counted(db: Database) -> None:
    guards = [FloodGuard(FloodLimits(commands=10, seconds=10)) for _ in range(3)]
    verdicts = await asyncio.gather(*(guards[n % 3].admit_shared(db, 9, at(0)) for n in range(12)))
    assert sorted(verdicts) == ["no"] + ["warn"] + ["yes"] * 10


async def test_counts_of_chats_long_quiet_are_forgotten(db: Database) -> None:
    await flood.count_command(db, 1, now=at(0), window=timedelta(seconds=10))
    await flood.count_command(db, 2, now=at(500), window=timedelta(seconds=10))

    assert await flood.forget_quiet(db, before=at(100)) == 1
    assert await db.fetch_value("SELECT chat_id FROM flood_counts") == 2
