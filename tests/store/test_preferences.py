"""Preferences are stored as the delivery side reads them, and bad values are refused; what
is stored about a chat can be shown and forgotten, on every backend."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.alerts import Category
from bot.store import chats, dialect, preferences
from bot.store import trips as trip_store
from bot.store.database import Database
from bot.store.preferences import PreferenceError
from bot.trips import plan_trip
from tests.builders import BASE_TIME

EVERY = [str(c) for c in Category]


@pytest.fixture
async def chat_db(db: Database) -> Database:
    """A database with chat 7 registered."""
    await chats.register_chat(db, 7, kind="private", language="en", now=BASE_TIME)
    return db


def test_switching_categories_off_and_on_again_means_all() -> None:
    fewer = preferences.toggled_categories((), "earthquake", EVERY)
    assert "earthquake" not in fewer and len(fewer) == len(EVERY) - 1
    assert preferences.toggled_categories(fewer, "earthquake", EVERY) == ()
    with pytest.raises(PreferenceError):
        preferences.toggled_categories(("health",), "health", EVERY)
    with pytest.raises(PreferenceError):
        preferences.toggled_categories((), "gossip", EVERY)


async def test_new_chat_gets_every_update_unpaused(chat_db: Database) -> None:
    db = chat_db
    prefs = await preferences.preferences_of(db, 7)
    assert prefs is not None
    assert (prefs.update_mode, prefs.paused, prefs.categories) == ("all", False, ())
    assert await preferences.preferences_of(db, 8) is None


async def test_malformed_times_and_modes_are_refused(chat_db: Database) -> None:
    db = chat_db
    for start, end in (("25:00", "07:00"), ("22:00", None), ("7", "8")):
        with pytest.raises(PreferenceError):
            await preferences.set_quiet_hours(db, 7, start, end, now=BASE_TIME)
    with pytest.raises(PreferenceError):
        await preferences.set_delivery(db, 7, "daily", "noon", now=BASE_TIME)
    with pytest.raises(PreferenceError):
        await preferences.set_update_mode(db, 7, "sometimes", now=BASE_TIME)
    await preferences.set_quiet_hours(db, 7, "22:00", "07:00", now=BASE_TIME)
    await preferences.set_delivery(db, 7, "daily", "08:00", now=BASE_TIME)
    row = await db.fetch_one(
        "SELECT quiet_start, quiet_end, delivery_mode, digest_time FROM chats WHERE chat_id = 7"
    )
    assert row is not None and tuple(row) == ("22:00", "07:00", "daily", "08:00")


async def test_a_question_is_answered_once_and_forgotten_when_stale(chat_db: Database) -> None:
    db = chat_db
    patience = timedelta(minutes=15)
    await preferences.expect_input(db, 7, "search", now=BASE_TIME)
    later = BASE_TIME + timedelta(minutes=1)
    assert await preferences.take_expected_input(db, 7, now=later, patience=patience) == "search"
    assert await preferences.take_expected_input(db, 7, now=later, patience=patience) is None
    await preferences.expect_input(db, 7, "timezone", now=BASE_TIME)
    stale = BASE_TIME + timedelta(hours=1)
    assert await preferences.take_expected_input(db, 7, now=stale, patience=patience) is None


async def test_pausing_twice_reports_no_change(chat_db: Database) -> None:
    db = chat_db
    assert await preferences.set_paused(db, 7, True, now=BASE_TIME)
    assert not await preferences.set_paused(db, 7, True, now=BASE_TIME)
    assert await preferences.set_paused(db, 7, False, now=BASE_TIME)


async def add_trip_to(db: Database, chat_id: int, country: str) -> int:
    plan = plan_trip((country,), date(2025, 11, 1), date(2025, 11, 9), today=BASE_TIME.date())
    return (await trip_store.add_trip(db, chat_id, plan, now=BASE_TIME)).id


async def test_personal_data_includes_the_rows_that_hang_from_the_chats(chat_db: Database) -> None:
    db = chat_db
    await chats.register_chat(db, 8, kind="private", language="fr", now=BASE_TIME)
    await chats.subscribe(db, 7, ["DE"], now=BASE_TIME)
    mine = await add_trip_to(db, 7, "JP")
    await add_trip_to(db, 8, "KE")

    data = await preferences.personal_data(db, 7)

    assert [row["chat_id"] for row in data["chats"]] == [7]
    assert [row["country"] for row in data["subscriptions"]] == ["DE"]
    assert [row["id"] for row in data["trips"]] == [mine]
    # trip_countries has no chat_id: its rows belong to the chat through trips
    assert [(row["trip_id"], row["country"]) for row in data["trip_countries"]] == [(mine, "JP")]


async def test_forgetting_a_chat_deletes_its_rows_and_theirs_and_nobody_elses(
    chat_db: Database,
) -> None:
    db = chat_db
    await chats.register_chat(db, 8, kind="private", language="fr", now=BASE_TIME)
    for chat_id, country in ((7, "JP"), (8, "KE")):
        await chats.subscribe(db, chat_id, [country], now=BASE_TIME)
        await add_trip_to(db, chat_id, country)

    deleted = await preferences.forget_chat(db, 7)

    assert (deleted["chats"], deleted["subscriptions"], deleted["trips"]) == (1, 1, 1)
    assert deleted["trip_countries"] == 1
    assert await chats.get_chat(db, 7) is None
    assert await preferences.personal_data(db, 7) == {
        table: [] for table in await preferences.tables_with_chat_id(db)
    } | {"trip_countries": []}
    assert await chats.subscriptions_of(db, 8) == ["KE"]
    assert await db.fetch_value("SELECT count(*) FROM trip_countries") == 1


async def test_the_schema_names_every_foreign_key_the_same_on_both(db: Database) -> None:
    rows = await db.fetch_all(dialect.foreign_keys(db.dialect))
    keys = {(row["child"], row["col"], row["parent"], row["parent_col"]) for row in rows}
    assert ("trip_countries", "trip_id", "trips", "id") in keys
    assert ("trips", "chat_id", "chats", "chat_id") in keys
