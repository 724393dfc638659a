"""/healthz and /readyz over real HTTP: readiness fails when a source has been failing for
longer than the threshold, or when a due delivery waits too long, and recovers after."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from bot.standin import StandIn
from bot.store import chats as chat_store
from tests.conftest import FeedServer
from tests.ops.conftest import STATE_FEED, OpsBot


async def test_liveness_answers_ok(ops_bot: Callable[..., Awaitable[OpsBot]]) -> None:
    bot = await ops_bot()
    async with httpx.AsyncClient(base_url=bot.url) as http:
        response = await http.get("/healthz")
    assert response.status_code == 200 and response.text == "ok\n"


async def test_readiness_fails_once_a_source_fails_for_longer_than_the_threshold(
    ops_bot: Callable[..., Awaitable[OpsBot]], feed_server: FeedServer
) -> None:
    bot = await ops_bot()
    async with httpx.AsyncClient(base_url=bot.url) as http:
        assert (await http.get("/readyz")).json() == {"ready": True, "problems": []}

        feed_server.fail(STATE_FEED, 503, times=3)
        await bot.runtime.poll_all(force=True)
        assert (await http.get("/readyz")).status_code == 200  # failing, but not for long

        bot.clock.advance(minutes=31)
        await bot.runtime.poll_all(force=True)
        response = await http.get("/readyz")
        assert response.status_code == 503
        [problem] = response.json()["problems"]
        assert problem["check"] == "source" and problem["subject"] == "us-state"
        assert "503" in problem["detail"]

        feed_server.failures.clear()
        await bot.runtime.poll_all(force=True)
        assert (await http.get("/readyz")).status_code == 200


async def test_readiness_fails_while_a_due_delivery_waits_too_long(
    ops_bot: Callable[..., Awaitable[OpsBot]], standin: StandIn
) -> None:
    bot = await ops_bot()
    db = bot.runtime.services.db
    standin.known_chat(800)
    await chat_store.register_chat(db, 800, kind="private", language="en", now=bot.clock())
    await chat_store.subscribe(db, 800, ["DE"], now=bot.clock())
    standin.delay("sendMessage", 2.0)  # Telegram hangs: the delivery stays pending meanwhile

    await bot.runtime.poll_all()
    async with httpx.AsyncClient(base_url=bot.url) as http:
        assert (await http.get("/readyz")).status_code == 200
        bot.clock.advance(minutes=16)
        response = await http.get("/readyz")
        assert response.status_code == 503
        assert [p["check"] for p in response.json()["problems"]] == ["outbox"]

        await standin.wait_for(1, chat_id=800, timeout=10)
        standin.delay("sendMessage", 0)
        await bot.runtime.dispatcher.drain()
        assert (await http.get("/readyz")).status_code == 200
