"""Three bot processes drain one outbox: every reader gets the alert, the bot token's rate
limit holds for all of them together, and a process killed mid-way loses nobody.

Runs on SQLite (three processes on one file) and, where a server is available, on
PostgreSQL. Limits are scaled up (hundreds of messages a second) so it takes seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.standin import RateLimits, StandIn
from bot.store import outbox
from bot.store.database import Database
from tests.builders import make_alert
from tests.clock import START
from tests.databases import BACKENDS, database_url
from tests.delivery.travellers import add_version

SCRIPT = Path(__file__).with_name("several_drainer.py")
ROOT = Path(__file__).resolve().parents[2]
READERS = 10_000
RATE = 400  # messages a second for the bot token, in the stand-in and in the bot's settings
BEAT_SECONDS = 1.0
CONCURRENCY = 8
PROCESSES = 3


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with database_url(str(request.param), tmp_path) as url:
        yield url


async def start_process(url: str, standin: StandIn) -> asyncio.subprocess.Process:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    arguments = [url, standin.base_url, standin.token, RATE, BEAT_SECONDS, CONCURRENCY]
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        *map(str, arguments),
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
    )


@pytest.mark.timeout(360)
async def test_three_processes_share_the_outbox_and_the_rate_and_survive_a_kill(
    db_url: str,
) -> None:
    db = await Database.open(db_url)
    version = await add_version(db, make_alert(id="FR", countries=("FR",)))
    await outbox.enqueue(db, version, range(1, READERS + 1), now=START)
    await db.close()

    limits = RateLimits(global_per_second=RATE, per_chat_per_second=1)
    async with StandIn(rate_limits=limits) as standin:
        for chat_id in range(1, READERS + 1):
            standin.known_chat(chat_id)
        processes = [await start_process(db_url, standin) for _ in range(PROCESSES)]

        await standin.wait_until(lambda: len(standin.sent) >= READERS // 3, timeout=120)
        processes[0].send_signal(signal.SIGKILL)
        await processes[0].wait()
        assert len(standin.sent) < READERS

        for survivor in processes[1:]:
            output, _ = await asyncio.wait_for(survivor.communicate(), timeout=240)
            assert survivor.returncode == 0, output

        received = Counter(message.chat_id for message in standin.sent)
        assert set(received) == set(range(1, READERS + 1))
        # Only what the killed process had on the wire may go twice.
        assert sum(count - 1 for count in received.values()) <= CONCURRENCY
        assert standin.too_many_requests == []
        assert standin.busiest(1.0) <= RATE

    db = await Database.open(db_url)
    assert await outbox.pending_count(db) == 0
    await db.close()
