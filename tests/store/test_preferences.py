"""Preferences are stored as the delivery side reads them, and bad values are refused."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.alerts import Category
from bot.store import chats, preferences
from bot.store.database import Database
from bot.store.preferences import PreferenceError
from tests.builders import BASE_TIME

EVERY = [str(c) for c in Category]


async def open_with_chat(tmp_path: Path) -> Database:
    db = await Database.open(tmp_path / "p.sqlite3")
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


async def test_new_chat_gets_every_update_unpaused(tmp_path: Path) -> None:
    db = await open_with_chat(tmp_path)
    prefs = await preferences.preferences_of(db, 7)
    assert prefs is not None
    assert (prefs.update_mode, prefs.paused, prefs.categories) == ("all", False, ())
    assert await preferences.preferences_of(db, 8) is None
    await db.close()


async def test_malformed_times_and_modes_are_refused(tmp_path: Path) -> None:
    db = await open_with_chat(tmp_path)
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
    await db.close()


async def test_a_question_is_answered_once_and_forgotten_when_stale(tmp_path: Path) -> None:
    db = await open_with_chat(tmp_path)
    patience = timedelta(minutes=15)
    await preferences.expect_input(db, 7, "search", now=BASE_TIME)
    later = BASE_TIME + timedelta(minutes=1)
    assert await preferences.take_expected_input(db, 7, now=later, patience=patience) == "search"
    assert await preferences.take_expected_input(db, 7, now=later, patience=patience) is None
    await preferences.expect_input(db, 7, "timezone", now=BASE_TIME)
    stale = BASE_TIME + timedelta(hours=1)
    assert await preferences.take_expected_input(db, 7, now=stale, patience=patience) is None
    await db.close()


async def test_pausing_twice_reports_no_change(tmp_path: Path) -> None:
    db = await open_with_chat(tmp_path)
    assert await preferences.set_paused(db, 7, True, now=BASE_TIME)
    assert not await preferences.set_paused(db, 7, True, now=BASE_TIME)
    assert await preferences.set_paused(db, 7, False, now=BASE_TIME)
    await db.close()
