"""Three `python -m bot run` processes on one PostgreSQL database, as behind a load
balancer: one of them polls the feed, they share the sending, and every traveller gets each
alert once. (Several processes need PostgreSQL: on SQLite a process is always alone.)"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.standin import StandIn
from bot.store import chats as chat_store
from bot.store.database import Database
from tests.clock import START
from tests.conftest import FeedServer
from tests.databases import BACKENDS, database_url
from tests.ops.botprocess import BotProcess, start_bot
from tests.ops.conftest import STATE_FEED

READERS = range(7000, 7090)
FIRST_POLL = re.compile(r"source us-state: (\d+ items|polled by another process)")
PROCESSES = 3


@pytest.fixture(params=[backend for backend in BACKENDS if backend == "postgresql"])
async def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with database_url(str(request.param), tmp_path) as url:
        yield url


def followed(chat_id: int) -> list[str]:
    """Half the travellers follow Germany, the other half Germany and Mexico."""
    return ["DE"] if chat_id % 2 else ["DE", "MX"]


async def wait_for_first_polls(bots: list[BotProcess], *, timeout: float) -> None:
    """Until each process has polled the feed or found another process holding its lease."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not all(FIRST_POLL.search(bot.logs()) for bot in bots):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not every process polled within {timeout} s")
        await asyncio.sleep(0.2)


@pytest.mark.timeout(180)
async def test_three_bot_processes_poll_once_and_deliver_each_alert_once(
    tmp_path: Path, feed_server: FeedServer, shared_url: str
) -> None:
    db = await Database.open(shared_url)
    async with StandIn(token="434343:SEVERAL-bots-token") as standin:
        for chat_id in READERS:
            standin.known_chat(chat_id)
            await chat_store.register_chat(db, chat_id, kind="private", language="en", now=START)
            await chat_store.subscribe(db, chat_id, followed(chat_id), now=START)
        await db.close()
        sources = f"us-state=us-state@{feed_server.url(STATE_FEED)}"
        expected = sum(len(followed(chat_id)) for chat_id in READERS)

        def received() -> int:
            return sum(len(standin.messages_to(chat_id)) for chat_id in READERS)

        bots: list[BotProcess] = []
        try:
            for number in range(PROCESSES):
                log = tmp_path / f"bot{number}.log"
                bots.append(
                    await start_bot(standin, tmp_path / "x", sources, log, DATABASE_URL=shared_url)
                )
            await standin.wait_until(
                lambda: received() >= expected, timeout=90, waiting_for="every alert"
            )
            # A clean stop hands the poll lease on at once, so a process still starting
            # (each waits for the others to count it before its first poll) would poll
            # again after the first one stopped: stop none until all three have polled.
            await wait_for_first_polls(bots, timeout=60)
            await asyncio.sleep(2)  # room for a second copy to arrive, if one were sent
        finally:
            codes = [await bot.terminate() for bot in bots]

        assert codes == [0] * PROCESSES, [bot.logs()[-3000:] for bot in bots]
        assert feed_server.requests[STATE_FEED] == 1  # polled by one process, once
        for chat_id in READERS:
            texts = [message.text for message in standin.messages_to(chat_id)]
            assert len(texts) == len(followed(chat_id)), (chat_id, texts)
            assert any("Germany" in text for text in texts)
            assert ("MX" in followed(chat_id)) == any("Mexico" in text for text in texts)
