"""One advisory to one traveller, end to end: the real bot, feeds over local HTTP, and the
local Bot API stand-in, driven through python-telegram-bot's own client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import BotRuntime, build_runtime
from bot.config import PROJECT_ROOT, Settings, SourceConfig
from bot.standin import StandIn
from bot.store import chats as chat_store
from tests.databases import BACKENDS, database_url

STATE_DEPT = (PROJECT_ROOT / "feeds" / "us-state-dept-TAsTWs-2025-10-07.trimmed.xml").read_bytes()


def with_germany_at_level_3(feed: bytes) -> bytes:
    """The feed with Germany's item (title and Threat-Level) raised from level 2 to 3."""
    start = feed.index(b"<title>Germany - ")
    end = feed.index(b"</item>", start)
    item = feed[start:end].replace(
        b"Level 2: Exercise Increased Caution", b"Level 3: Reconsider Travel"
    )
    assert item != feed[start:end]
    return feed[:start] + item + feed[end:]


@dataclass
class FeedFiles:
    """Feed bodies served at paths; a test changes them between polls."""

    bodies: dict[str, bytes] = field(default_factory=dict)
    url: str = ""


@pytest.fixture
async def feeds() -> AsyncIterator[FeedFiles]:
    files = FeedFiles({"/state.xml": STATE_DEPT})

    async def serve(request: web.Request) -> web.Response:
        body = files.bodies.get(request.path)
        if body is None:
            return web.Response(status=404)
        return web.Response(body=body, content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/{name}", serve)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    files.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield files
    await runner.cleanup()


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    async with StandIn() as server:
        yield server


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Each end-to-end test runs on SQLite, and on PostgreSQL where there is a server."""
    async with database_url(str(request.param), tmp_path) as url:
        yield url


def settings_for(tmp_path: Path, standin: StandIn, feeds: FeedFiles, db_url: str) -> Settings:
    return Settings(
        token=standin.token,
        database_url=db_url,
        data_dir=tmp_path,
        admin_ids=frozenset(),
        poll_interval_seconds=3600,
        bot_api_url=standin.base_url,
        sources=(SourceConfig("us-state", "us-state", f"{feeds.url}/state.xml"),),
    )


@pytest.fixture
async def runtime(
    tmp_path: Path, standin: StandIn, feeds: FeedFiles, db_url: str
) -> AsyncIterator[BotRuntime]:
    bot = await build_runtime(settings_for(tmp_path, standin, feeds, db_url))
    await bot.start(schedule=False)
    yield bot
    await bot.stop()


async def say(standin: StandIn, chat_id: int, text: str, language_code: str = "en") -> str:
    """Send what a user types and return the bot's answer."""
    before = len(standin.messages_to(chat_id))
    standin.user_message(chat_id, text, language_code=language_code)
    await standin.wait_for(before + 1, chat_id=chat_id, timeout=10)
    return standin.messages_to(chat_id)[before].text


async def poll_and_send(runtime: BotRuntime) -> None:
    for report in await runtime.poll_all():
        assert report.status in {"ok", "not-modified"}, report
    await runtime.dispatcher.drain()


async def test_french_traveller_subscribes_and_receives_advisories_in_french(
    runtime: BotRuntime, standin: StandIn
) -> None:
    welcome = await say(standin, 700, "/start", language_code="fr")
    assert "Bonjour" in welcome or "pays" in welcome

    answer = await say(standin, 700, "/subscribe Allemagne, 🇲🇽", language_code="fr")
    assert "Allemagne" in answer and "Mexique" in answer
    assert await chat_store.subscriptions_of(runtime.services.db, 700) == ["DE", "MX"]

    before = len(standin.messages_to(700))
    await poll_and_send(runtime)
    alerts = standin.messages_to(700)[before:]
    assert len(alerts) == 2
    germany = next(m for m in alerts if "Allemagne" in m.text)
    assert "Vigilance renforcée" in germany.text  # level 2, in French
    assert "travel.state.gov" in germany.text
    assert germany.parse_mode == "HTML"


async def test_unchanged_feed_polled_again_sends_nothing(
    runtime: BotRuntime, standin: StandIn
) -> None:
    await say(standin, 701, "/start")
    await say(standin, 701, "/subscribe Germany")
    await poll_and_send(runtime)
    sent = len(standin.sent)
    await poll_and_send(runtime)
    await poll_and_send(runtime)
    assert len(standin.sent) == sent


async def test_raised_level_sends_exactly_one_update(
    runtime: BotRuntime, standin: StandIn, feeds: FeedFiles
) -> None:
    await say(standin, 702, "/start")
    await say(standin, 702, "/subscribe Germany")
    await poll_and_send(runtime)
    first = standin.messages_to(702)[-1]
    assert "Germany" in first.text

    feeds.bodies["/state.xml"] = with_germany_at_level_3(STATE_DEPT)
    before = len(standin.messages_to(702))
    await poll_and_send(runtime)
    await poll_and_send(runtime)
    updates = standin.messages_to(702)[before:]
    assert len(updates) == 1
    assert "Reconsider travel" in updates[0].text


async def test_english_and_french_readers_get_their_own_language(
    runtime: BotRuntime, standin: StandIn
) -> None:
    await say(standin, 703, "/start", language_code="en")
    await say(standin, 703, "/subscribe Kenya")
    await say(standin, 704, "/start", language_code="fr")
    await say(standin, 704, "/subscribe Kenya", language_code="fr")
    await poll_and_send(runtime)
    english = standin.messages_to(703)[-1].text
    french = standin.messages_to(704)[-1].text
    assert "Kenya" in english and "Exercise increased caution" in english
    assert "Vigilance renforcée" in french


async def test_unknown_country_gets_suggestions_not_silence(
    runtime: BotRuntime, standin: StandIn
) -> None:
    await say(standin, 705, "/start")
    before = len(standin.messages_to(705))
    standin.user_message(705, "/subscribe Germny")
    await standin.wait_for(before + 1, chat_id=705, timeout=10)
    answer = standin.messages_to(705)[before]
    assert "Germny" in answer.text
    assert "sub:DE" in answer.button_data()


async def test_nonsense_command_gets_a_helpful_answer(
    runtime: BotRuntime, standin: StandIn
) -> None:
    answer = await say(standin, 706, "/frobnicate <b>now</b>")
    assert "/help" in answer


async def test_scheduled_poll_delivers_without_being_asked(
    tmp_path: Path, standin: StandIn, feeds: FeedFiles, db_url: str
) -> None:
    runtime = await build_runtime(settings_for(tmp_path, standin, feeds, db_url))
    # Subscribe first, through the chat, then let the scheduler run its first poll.
    await runtime.start(schedule=False)
    await say(standin, 707, "/start")
    await say(standin, 707, "/subscribe Ukraine")
    await runtime.stop()

    runtime = await build_runtime(settings_for(tmp_path, standin, feeds, db_url))
    await runtime.start(schedule=True)
    try:
        before = len(standin.messages_to(707))
        await standin.wait_for(before + 1, chat_id=707, timeout=15)
        assert "Ukraine" in standin.messages_to(707)[-1].text
    finally:
        await runtime.stop()
    await asyncio.sleep(0)
