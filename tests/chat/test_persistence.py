"""What a chat is in the middle of, shared through the database: stored as JSON that comes
back as it went in, read afresh by every process, and never undone by a process whose view
is out of date. Runs on every backend (`chat_backend`, tests/chat/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.chat.persistence import DatabasePersistence, UnstorableValue, decode, encode
from bot.chat.trips import TripDraft
from bot.store import conversations, preferences
from bot.store.database import Database
from tests.clock import Clock
from tests.databases import open_database

KEY = (700, 700)  # a private chat's conversation: (chat id, user id)


@dataclass(frozen=True)
class NotOurs:
    value: int


@pytest.fixture
async def db(chat_backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    async with open_database(chat_backend, tmp_path) as database:
        yield database


def test_a_draft_comes_back_as_it_went_in() -> None:
    data = {
        "trip_draft": TripDraft(countries=("JP", "KR"), starts_on=date(2026, 12, 1)),
        "asked": datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        "steps": [1, "two", None, 3.5, True],
        "$odd": {7: "a number as key"},
    }
    assert decode(encode(data)) == data


def test_values_json_cannot_carry_are_refused_when_written_and_read() -> None:
    with pytest.raises(UnstorableValue):
        encode({"handle": object()})
    with pytest.raises(ValueError):  # only the bot's own dataclasses are rebuilt
        decode(encode({"x": NotOurs(1)}))


async def test_chat_data_written_by_one_process_is_read_by_another(db: Database) -> None:
    clock = Clock()
    one, two = DatabasePersistence(db, clock), DatabasePersistence(db, clock)
    await one.update_chat_data(700, {"trip_draft": TripDraft(countries=("IT",))})

    seen: dict[str, object] = {"stale": True}
    await two.refresh_chat_data(700, seen)
    assert seen == {"trip_draft": TripDraft(countries=("IT",))}

    await two.update_chat_data(700, {})  # emptied: nothing left in the database
    await one.refresh_chat_data(700, seen)
    assert seen == {}
    assert await conversations.chat_state(db, 700) is None


async def test_a_stale_process_cannot_end_a_conversation_another_moved_on(db: Database) -> None:
    clock = Clock()
    one, two = DatabasePersistence(db, clock), DatabasePersistence(db, clock)
    await one.update_conversation("trip", KEY, 0)

    assert await two.load_conversation("trip", KEY, None) == 0
    await two.update_conversation("trip", KEY, 1)
    # `one` still believes what it wrote; its own timeout now ends "its" conversation.
    await one.update_conversation("trip", KEY, None)

    assert await one.load_conversation("trip", KEY, None) == 1
    await one.update_conversation("trip", KEY, None)  # ended by one that read it: gone
    assert await conversations.conversation(db, "trip", "[700, 700]") is None


async def test_an_idle_conversation_is_over_for_every_process(db: Database) -> None:
    clock = Clock()
    one, two = DatabasePersistence(db, clock), DatabasePersistence(db, clock)
    await one.update_conversation("trip", KEY, 0)
    clock.now += timedelta(minutes=31)

    assert await two.load_conversation("trip", KEY, timedelta(minutes=30)) is None
    assert await conversations.conversation(db, "trip", "[700, 700]") is None


async def test_forget_deletes_what_a_chat_was_in_the_middle_of(db: Database) -> None:
    persistence = DatabasePersistence(db, Clock())
    await persistence.update_chat_data(700, {"trip_draft": TripDraft(countries=("IT",))})
    await persistence.update_conversation("trip", KEY, 0)
    await persistence.update_chat_data(701, {"trip_draft": TripDraft(countries=("FR",))})

    shown = await preferences.personal_data(db, 700)
    assert len(shown["chat_state"]) == 1 and len(shown["conversations"]) == 1

    await preferences.forget_chat(db, 700)
    assert await conversations.chat_state(db, 700) is None
    assert await conversations.conversation(db, "trip", "[700, 700]") is None
    assert await conversations.chat_state(db, 701) is not None
