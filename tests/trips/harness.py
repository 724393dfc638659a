"""The real bot against the Bot API stand-in, on a clock the test moves by hand, for the
trip, place and status tests. Alerts are recorded as a poll records them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.alerts import Alert
from bot.app import BotRuntime, build_runtime
from bot.config import Settings
from bot.matching import fan_out
from bot.standin import SentMessage, StandIn
from bot.store import alerts as alert_store
from tests import clock

START = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class Clock(clock.Clock):
    """The trips tests' clock starts in late 2026."""

    now: datetime = START


@asynccontextmanager
async def running_bot(
    tmp_path: Path, standin: StandIn, clock: Clock, *, briefing_days_before: int = 3
) -> AsyncIterator[BotRuntime]:
    settings = Settings(
        token=standin.token,
        database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        data_dir=tmp_path,
        admin_ids=frozenset(),
        poll_interval_seconds=3600,
        bot_api_url=standin.base_url,
        sources=(),
        briefing_days_before=briefing_days_before,
    )
    runtime = await build_runtime(settings, clock=clock)
    await runtime.start(schedule=False)
    try:
        yield runtime
    finally:
        await runtime.stop()


async def say(standin: StandIn, chat_id: int, text: str, language_code: str = "en") -> SentMessage:
    """What a user types, and the bot's answer."""
    before = len(standin.messages_to(chat_id))
    standin.user_message(chat_id, text, language_code=language_code)
    await standin.wait_for(before + 1, chat_id=chat_id, timeout=10)
    return standin.messages_to(chat_id)[before]


async def press(standin: StandIn, chat_id: int, message: SentMessage, data: str) -> SentMessage:
    """Press a button the bot offered, and return the bot's answer."""
    before = len(standin.messages_to(chat_id))
    standin.press_button(chat_id, message.message_id, data)
    await standin.wait_for(before + 1, chat_id=chat_id, timeout=10)
    return standin.messages_to(chat_id)[before]


async def announce(runtime: BotRuntime, source: str, alerts: Sequence[Alert]) -> None:
    """Record alerts as a poll of `source` would, fan them out, and send what was queued."""
    db, now = runtime.services.db, runtime.services.clock()
    for item in await alert_store.record_poll(db, source, alerts, now=now):
        await fan_out(db, item.alert_version_id, now=now)
    await runtime.dispatcher.drain()
