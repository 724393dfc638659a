"""A running bot with its HTTP server on an ephemeral port of 127.0.0.1, a clock the test
moves, the Bot API stand-in, and feeds served from the repository's samples.

    async def test_x(ops_bot):
        bot = await ops_bot()                     # or ops_bot(webhook=True, admin_ids=...)
        async with httpx.AsyncClient(base_url=bot.url) as http:
            assert (await http.get("/healthz")).status_code == 200
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bot.app import BotRuntime, build_runtime
from bot.config import OperationsConfig, Settings, SourceConfig
from bot.standin import StandIn
from tests.clock import Clock
from tests.conftest import FeedServer

STATE_FEED = "/us-state-dept-TAsTWs-2025-10-07.trimmed.xml"
USGS_FEED = "/usgs-significant_month-2023-10-11.geojson"
WEBHOOK_SECRET = "s3cret_token-for-tests"
WEBHOOK_URL = "https://bot.example.org/telegram/updates"


@dataclass
class OpsBot:
    runtime: BotRuntime
    clock: Clock

    @property
    def url(self) -> str:
        assert self.runtime.ops is not None
        host, port = self.runtime.ops.addresses[0]
        return f"http://{host}:{port}"


def ops_settings(
    tmp_path: Path, standin: StandIn, feeds: FeedServer, *, webhook: bool = False
) -> Settings:
    operations = OperationsConfig(
        http_port=0,
        http_listen="127.0.0.1",
        webhook_url=WEBHOOK_URL if webhook else None,
        webhook_listen="127.0.0.1",
        webhook_port=0,
        webhook_secret=WEBHOOK_SECRET if webhook else None,
        ready_source_failing_minutes=30,
        ready_outbox_stuck_minutes=15,
    )
    return Settings(
        token=standin.token,
        database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        data_dir=tmp_path,
        admin_ids=frozenset(),
        poll_interval_seconds=3600,
        bot_api_url=standin.base_url,
        sources=(
            SourceConfig("us-state", "us-state", feeds.url(STATE_FEED)),
            SourceConfig("usgs", "usgs", feeds.url(USGS_FEED)),
        ),
        operations=operations,
    )


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    async with StandIn() as server:
        yield server


@pytest.fixture
async def ops_bot(
    tmp_path: Path, standin: StandIn, feed_server: FeedServer
) -> AsyncIterator[Callable[..., Awaitable[OpsBot]]]:
    started: list[BotRuntime] = []

    async def start(*, webhook: bool = False, admin_ids: frozenset[int] = frozenset()) -> OpsBot:
        clock = Clock()
        settings = replace(
            ops_settings(tmp_path, standin, feed_server, webhook=webhook), admin_ids=admin_ids
        )
        runtime = await build_runtime(settings, clock=clock)
        await runtime.start(schedule=False)
        started.append(runtime)
        return OpsBot(runtime, clock)

    yield start
    for runtime in started:
        await runtime.stop()
