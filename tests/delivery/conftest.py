"""Fixtures for delivery tests: a database, the Bot API stand-in, and a dispatcher wired
to it through python-telegram-bot, as in production."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import pytest
from telegram import Bot

from bot.alerts import Alert
from bot.delivery.dispatcher import DeliveryLimits, Dispatcher, RenderRequest
from bot.delivery.sender import TelegramSender
from bot.standin import StandIn
from bot.store.database import Database
from tests.clock import Clock
from tests.delivery.travellers import FAST, DispatcherFactory, Renders


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.sqlite3")
    yield database
    await database.close()


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    async with StandIn() as server:
        yield server


@pytest.fixture
async def bot(standin: StandIn) -> AsyncIterator[Bot]:
    async with Bot(standin.token, base_url=standin.base_url) as client:
        yield client


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def renders() -> Renders:
    return Renders()


@pytest.fixture
def make_dispatcher(db: Database, bot: Bot, clock: Clock, renders: Renders) -> DispatcherFactory:
    def build(
        limits: DeliveryLimits = FAST,
        wall_clock: Callable[[], datetime] = clock,
        render: Callable[[Alert, RenderRequest], str] | None = None,
        **options: object,
    ) -> Dispatcher:
        return Dispatcher(
            db,
            TelegramSender(bot, paid_broadcast=limits.paid_broadcast),
            render or renders.alert,
            limits=limits,
            clock=wall_clock,
            **{"render_digest": renders.digest, **options},  # type: ignore[arg-type]
        )

    return build
