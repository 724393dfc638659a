"""The trips store: a chat only ever sees and removes its own trips."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.store import chats as chat_store
from bot.store import trips as trip_store
from bot.store.database import Database
from bot.trips import effective_timezone, plan_trip

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.sqlite3")
    for chat_id in (1, 2, 3):
        await chat_store.register_chat(database, chat_id, kind="private", language="en", now=NOW)
    yield database
    await database.close()


async def add(db: Database, chat_id: int, countries: list[str], starts: date, ends: date) -> int:
    plan = plan_trip(countries, starts, ends, today=date(2026, 11, 1))
    return (await trip_store.add_trip(db, chat_id, plan, now=NOW)).id


async def test_trips_under_way_feed_the_destination_timezone(db: Database) -> None:
    await add(db, 1, ["JP", "KR"], date(2026, 12, 1), date(2026, 12, 15))
    await add(db, 2, ["PE"], date(2027, 1, 1), date(2027, 1, 9))  # not yet
    under_way = await trip_store.trips_under_way(db, [1, 2, 3], now=NOW)
    assert list(under_way) == [1]
    assert under_way[1][0].countries == ("JP", "KR")  # the order typed
    assert effective_timezone("Europe/Paris", under_way[1], NOW) == "Asia/Tokyo"
    assert effective_timezone("Europe/Paris", under_way.get(2, []), NOW) == "Europe/Paris"


async def test_a_chat_cannot_read_or_remove_another_chats_trip(db: Database) -> None:
    trip_id = await add(db, 1, ["JP"], date(2026, 12, 1), date(2026, 12, 15))
    assert await trip_store.get_trip(db, 2, trip_id) is None
    assert await trip_store.remove_trip(db, 2, trip_id) is False
    assert await trip_store.get_trip(db, 1, trip_id) is not None
    assert await trip_store.remove_trip(db, 1, trip_id) is True


async def test_trips_follow_a_group_that_becomes_a_supergroup(db: Database) -> None:
    trip_id = await add(db, 3, ["JP"], date(2026, 12, 1), date(2026, 12, 15))
    await db.execute("UPDATE chats SET chat_id = ? WHERE chat_id = ?", (-1003, 3))
    moved = await trip_store.get_trip(db, -1003, trip_id)
    assert moved is not None and moved.countries == ("JP",)
