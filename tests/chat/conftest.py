"""The real bot against the Bot API stand-in, and a traveller who types and taps.

async def test_x(runtime, traveller):
    me = traveller(700, "fr")
    answer = await me.say("/start")
    await me.press(answer, "ob:lang:fr")
    assert "Allemagne" in (await me.say("/subscribe DE")).text

Every chat test runs on each database in `tests.databases.BACKENDS`: SQLite, and
PostgreSQL when TEST_POSTGRES_URL names a server. On PostgreSQL, whatever SQLite file a
test's bot opens under its `tmp_path` (the harnesses here, in tests/trips and tests/desks
name one) is a schema of its own on that server instead, dropped afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import BotRuntime, build_runtime
from bot.config import Settings, SourceConfig
from bot.standin import SentMessage, StandIn
from bot.store.database import POSTGRES_SCHEMES, Database
from tests.clock import Clock
from tests.databases import BACKENDS, database_url


@dataclass(frozen=True, slots=True)
class Screen:
    """A bot message as the reader sees it now: its latest text and buttons."""

    message_id: int
    text: str
    buttons: list[str]
    labels: list[str]


@dataclass
class Traveller:
    """One person in one chat: what they type and tap, and what they see."""

    standin: StandIn
    chat_id: int
    language_code: str = "en"
    chat_type: str = "private"
    user_id: int | None = None

    def _sent(self) -> list[SentMessage]:
        return self.standin.messages_to(self.chat_id)

    async def say(self, text: str) -> SentMessage:
        """Write `text` and return the bot's first answer to it."""
        before = len(self._sent())
        self.standin.user_message(
            self.chat_id,
            text,
            user_id=self.user_id,
            language_code=self.language_code,
            chat_type=self.chat_type,
        )
        await self.standin.wait_for(before + 1, chat_id=self.chat_id, timeout=10)
        return self._sent()[before]

    async def say_and_wait(self, text: str, count: int) -> list[SentMessage]:
        """Write `text` and return the bot's `count` answers."""
        before = len(self._sent())
        self.standin.user_message(
            self.chat_id,
            text,
            user_id=self.user_id,
            language_code=self.language_code,
            chat_type=self.chat_type,
        )
        await self.standin.wait_for(before + count, chat_id=self.chat_id, timeout=10)
        return self._sent()[before : before + count]

    async def press(self, message: SentMessage | Screen | int, data: str) -> str | None:
        """Tap a button and wait for the bot to answer the tap; returns the toast text."""
        message_id = message if isinstance(message, int) else message.message_id
        query_id = self.standin.press_button(self.chat_id, message_id, data, user_id=self.user_id)
        await self.standin.wait_until(
            lambda: any(a.callback_query_id == query_id for a in self.standin.answered_callbacks),
            timeout=10,
            waiting_for=f"an answer to {data}",
        )
        return next(
            a.text for a in self.standin.answered_callbacks if a.callback_query_id == query_id
        )

    async def press_and_see(self, message: SentMessage | Screen | int, data: str) -> Screen:
        """Tap a button that edits its message; return the message once edited."""
        message_id = message if isinstance(message, int) else message.message_id
        before = len(self.edits(message_id))
        await self.press(message_id, data)
        await self.standin.wait_until(
            lambda: len(self.edits(message_id)) > before,
            timeout=10,
            waiting_for=f"an edit of message {message_id} after {data}",
        )
        return self.screen(message_id)

    async def press_and_read(self, message: SentMessage | Screen | int, data: str) -> SentMessage:
        """Tap a button that answers with a new message; return that message."""
        before = len(self._sent())
        await self.press(message, data)
        await self.standin.wait_for(before + 1, chat_id=self.chat_id, timeout=10)
        return self._sent()[before]

    def edits(self, message_id: int) -> list[Any]:
        return [
            e
            for e in self.standin.edits
            if e.chat_id == self.chat_id and e.message_id == message_id
        ]

    def screen(self, message_id: int) -> Screen:
        original = next(m for m in self._sent() if m.message_id == message_id)
        text, markup = original.text, original.reply_markup
        for edit in self.edits(message_id):
            if edit.text is not None:
                text = edit.text
            markup = edit.reply_markup
        rows = (markup or {}).get("inline_keyboard", [])
        buttons = [b.get("callback_data", "") for row in rows for b in row]
        labels = [b.get("text", "") for row in rows for b in row]
        return Screen(message_id, text, buttons, labels)


@pytest.fixture(params=BACKENDS, autouse=True)
async def chat_backend(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[str]:
    """The database the test's bot runs on. On PostgreSQL, each SQLite file under the
    test's `tmp_path` becomes a schema of the test server (created on first open)."""
    backend = str(request.param)
    if backend == "sqlite":
        yield backend
        return
    open_database = Database.open
    async with AsyncExitStack() as schemas:
        urls: dict[str, str] = {}

        async def open_on_postgres(location: Path | str) -> Database:
            text = str(location)
            path = Path(text.removeprefix("sqlite:///"))
            if text.startswith(POSTGRES_SCHEMES) or not path.is_relative_to(tmp_path):
                return await open_database(location)
            if str(path) not in urls:
                urls[str(path)] = await schemas.enter_async_context(
                    database_url("postgresql", tmp_path)
                )
            return await open_database(urls[str(path)])

        monkeypatch.setattr(Database, "open", staticmethod(open_on_postgres))
        yield backend


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    async with StandIn() as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


def chat_settings(tmp_path: Path, standin: StandIn) -> Settings:
    """Two sources (never polled here): /about lists them with their intervals."""
    return Settings(
        token=standin.token,
        database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        data_dir=tmp_path,
        admin_ids=frozenset(),
        poll_interval_seconds=900,
        bot_api_url=standin.base_url,
        sources=(
            SourceConfig("us-state", "us-state", "http://127.0.0.1:9/state.xml"),
            SourceConfig("gdacs", "gdacs", "http://127.0.0.1:9/gdacs.xml", interval_seconds=300),
        ),
    )


@pytest.fixture
async def runtime(tmp_path: Path, standin: StandIn, clock: Clock) -> AsyncIterator[BotRuntime]:
    bot = await build_runtime(chat_settings(tmp_path, standin), clock=clock)
    await bot.start(schedule=False)
    yield bot
    await bot.stop()


@pytest.fixture
def traveller(standin: StandIn) -> Callable[..., Traveller]:
    def make(
        chat_id: int,
        language_code: str = "en",
        *,
        chat_type: str = "private",
        user_id: int | None = None,
    ) -> Traveller:
        return Traveller(standin, chat_id, language_code, chat_type, user_id)

    return make
