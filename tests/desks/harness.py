"""The real bot against the Bot API stand-in, with an admin and people who type, tap and
send files, for the travel-desk tests. The clock is moved by hand."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot.app import BotRuntime, build_runtime
from bot.chat.desk_checkin import DeskRound, desk_round
from bot.chat.desk_messages import messenger_of
from bot.config import Settings
from bot.standin import SentMessage, StandIn
from tests.clock import Clock

ADMIN = 9001
SAMPLES = Path(__file__).resolve().parent
SYRIA = (SAMPLES / "security-alert-syria-2017.txt").read_bytes()


@asynccontextmanager
async def desk_bot(tmp_path: Path, standin: StandIn, clock: Clock) -> AsyncIterator[BotRuntime]:
    settings = Settings(
        token=standin.token,
        database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        data_dir=tmp_path,
        admin_ids=frozenset({ADMIN}),
        poll_interval_seconds=3600,
        bot_api_url=standin.base_url,
        sources=(),
    )
    runtime = await build_runtime(settings, clock=clock)
    await runtime.start(schedule=False)
    try:
        yield runtime
    finally:
        await runtime.stop()


@dataclass
class Person:
    """Someone in a private chat with the bot."""

    standin: StandIn
    user_id: int
    username: str | None = None
    seen: int = field(default=0)
    language_code: str = "en"  # Telegram's setting: a new chat's language

    def inbox(self) -> list[SentMessage]:
        return self.standin.messages_to(self.user_id)

    async def say(self, text: str, answers: int = 1) -> SentMessage:
        """Write `text`; return the last of the `answers` messages it gets back."""
        before = len(self.inbox())
        self.standin.user_message(
            self.user_id, text, username=self.username, language_code=self.language_code
        )
        await self.standin.wait_for(before + answers, chat_id=self.user_id, timeout=10)
        return self.inbox()[before + answers - 1]

    async def send_file(
        self, name: str, content: bytes, caption: str | None = None, answers: int = 1
    ) -> list[SentMessage]:
        before = len(self.inbox())
        self.standin.user_document(self.user_id, name, content, caption=caption)
        await self.standin.wait_for(before + answers, chat_id=self.user_id, timeout=10)
        return self.inbox()[before : before + answers]

    async def press(self, message: SentMessage, data: str, *, forged: bool = False) -> str:
        """Tap a button; return the toast (or alert) text the bot answered with."""
        query_id = self.standin.press_button(
            self.user_id, message.message_id, data, user_id=self.user_id, forged=forged
        )
        await self.standin.wait_until(
            lambda: any(a.callback_query_id == query_id for a in self.standin.answered_callbacks),
            timeout=10,
            waiting_for=f"an answer to {data}",
        )
        answer = next(a for a in self.standin.answered_callbacks if a.callback_query_id == query_id)
        return answer.text or ""

    async def press_and_read(self, message: SentMessage, data: str) -> SentMessage:
        before = len(self.inbox())
        await self.press(message, data)
        await self.standin.wait_for(before + 1, chat_id=self.user_id, timeout=10)
        return self.inbox()[before]


def invite_token(message: SentMessage) -> str:
    match = re.search(r"start=join_([A-Za-z0-9_-]+)", message.text)
    assert match is not None, message.text
    return match.group(1)


async def send_all(runtime: BotRuntime) -> DeskRound:
    """Deliver what the outbox holds, then run the desk's round (questions, reminders)."""
    await runtime.dispatcher.drain()
    return await run_desk_round(runtime)


async def run_desk_round(runtime: BotRuntime) -> DeskRound:
    """One round of the desk's job, with the running bot's own messenger."""
    return await desk_round(
        runtime.application.bot, runtime.services, messenger_of(runtime.application)
    )


async def organisation(runtime: BotRuntime, standin: StandIn, name: str, owner: Person) -> int:
    """An admin creates an organisation with `owner` as its first operator; returns its id."""
    await owner.say("/desk")
    admin = Person(standin, ADMIN)
    answer = await admin.say(f"/org_create {name} {owner.user_id}")
    match = re.search(r"number (\d+)", answer.text)
    assert match is not None, answer.text
    return int(match.group(1))


async def join(runtime: BotRuntime, operator: Person, traveller: Person, options: str = "") -> str:
    """The operator makes an invite and the traveller opens it; returns the bot's welcome."""
    link = await operator.say(f"/invite {options}".strip())
    welcome = await traveller.say(f"/start join_{invite_token(link)}")
    return welcome.text
