"""Several processes on one database: one polls each source, and one receives updates with
getUpdates; the others stand by and take over when it stops. Runs on every backend in
`tests.databases.BACKENDS` (receiving updates: PostgreSQL, where processes share)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.app import BotRuntime, build_runtime
from bot.config import Settings, SourceConfig
from bot.coordination import Coordinator
from bot.polling import Poller, SourceLeases
from bot.sources.base import FeedClient
from bot.standin import StandIn
from bot.store.database import Database
from tests.builders import BASE_TIME
from tests.databases import BACKENDS, POSTGRES_URL, database_url, open_database

STATE_FILE = "us-state-dept-TAsTWs-2025-10-07.trimmed.xml"


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with open_database(str(request.param), tmp_path) as database:
        yield database


def process(db: Database, http: httpx.AsyncClient, name: str) -> tuple[Poller, Coordinator]:
    """One bot process's poller, as `build_runtime` wires it on PostgreSQL."""
    coordinator = Coordinator(db, lambda: BASE_TIME, holder=name)
    leases = SourceLeases(coordinator, default_interval_seconds=900)
    poller = Poller(
        db, FeedClient(http), clock=lambda: BASE_TIME, rng=random.Random(7), leases=leases
    )
    return poller, coordinator


async def test_one_process_polls_a_source_and_another_takes_over_when_it_leaves(
    db: Database, feed_server
) -> None:
    source = SourceConfig("us-state", "us-state", feed_server.url(STATE_FILE))
    async with httpx.AsyncClient(timeout=2) as http:
        first, first_process = process(db, http, "first")
        second, _ = process(db, http, "second")

        assert (await first.poll(source)).status == "ok"
        standing_by = await second.poll(source)
        assert (standing_by.status, standing_by.error) == ("skipped", "polled by another process")
        assert (await first.poll(source)).status == "not-modified"  # it keeps the source

        await first_process.leave()
        assert (await second.poll(source)).status == "not-modified"
    assert feed_server.requests["/" + STATE_FILE] == 3


async def test_a_lease_is_held_while_its_work_runs_and_then_kept(db: Database) -> None:
    one = Coordinator(db, lambda: BASE_TIME, holder="one")
    two = Coordinator(db, lambda: BASE_TIME, holder="two")
    ttl = timedelta(minutes=5)
    async with one.leased("briefings", ttl) as held:
        assert held
        async with two.leased("briefings", ttl) as also_held:
            assert not also_held
    assert not await two.acquire("briefings", ttl)
    assert await one.acquire("briefings", ttl)


async def test_processes_count_each_other_and_a_leaver_is_counted_out(db: Database) -> None:
    one = Coordinator(db, lambda: BASE_TIME, holder="one")
    two = Coordinator(db, lambda: BASE_TIME, holder="two")
    assert await one.join() == 1
    assert await two.beat() == 2
    await two.leave()
    assert await one.beat() == 1


# Receiving updates: Telegram serves getUpdates to one client at a time.


async def polling_bot(standin: StandIn, url: str, tmp_path: Path) -> BotRuntime:
    """One bot process in polling mode on the database at `url`, started, with a short
    `updates` lease and heartbeat so that a test sees a hand-over within seconds."""
    settings = Settings(
        token=standin.token,
        database_url=url,
        data_dir=tmp_path,
        admin_ids=frozenset(),
        poll_interval_seconds=3600,
        bot_api_url=standin.base_url,
    )
    runtime = await build_runtime(settings)
    runtime.updates_lease = timedelta(seconds=1.5)
    runtime.coordinator.beat_seconds = 0.2
    await runtime.start(schedule=False)
    return runtime


def receiving(runtime: BotRuntime) -> bool:
    updater = runtime.application.updater
    return updater is not None and updater.running


async def answers(standin: StandIn, chat_id: int, text: str) -> int:
    """Write `text`; wait for the answer, then a little longer: how many answers came."""
    before = len(standin.messages_to(chat_id))
    standin.user_message(chat_id, text)
    await standin.wait_for(before + 1, chat_id=chat_id, timeout=15)
    await asyncio.sleep(0.5)
    return len(standin.messages_to(chat_id)) - before


@pytest.mark.skipif(not POSTGRES_URL, reason="several processes share PostgreSQL only")
async def test_one_process_receives_updates_and_another_takes_over_when_it_stops(
    tmp_path: Path,
) -> None:
    async with StandIn() as standin, database_url("postgresql", tmp_path) as url:
        running = [await polling_bot(standin, url, tmp_path)]
        try:
            running.append(await polling_bot(standin, url, tmp_path))
            one, two = running
            await asyncio.sleep(1.0)  # two of the second's turns at the lease
            assert receiving(one) and not receiving(two)
            assert await answers(standin, 901, "/help") == 1  # asked for once, answered once

            await running.pop(0).stop()
            await standin.wait_until(
                lambda: receiving(two), timeout=10, waiting_for="the second to take over"
            )
            assert await answers(standin, 901, "/help") == 1
        finally:
            for runtime in running:
                await runtime.stop()
