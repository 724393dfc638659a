"""Webhook mode against the stand-in: the bot registers its URL and secret at start, answers
an update POSTed with the secret, and refuses one without it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from bot.ops.webhook import SECRET_HEADER
from bot.standin import StandIn
from tests.ops.conftest import WEBHOOK_SECRET, WEBHOOK_URL, OpsBot


async def test_bot_sets_its_webhook_and_answers_updates_posted_there(
    ops_bot: Callable[..., Awaitable[OpsBot]], standin: StandIn
) -> None:
    bot = await ops_bot(webhook=True)
    assert standin.webhook_url == WEBHOOK_URL
    assert bot.runtime.application.updater is None or not bot.runtime.application.updater.running

    update = standin.user_message(820, "/subscribe Germany")
    async with httpx.AsyncClient(base_url=bot.url) as http:
        response = await http.post(
            "/telegram/updates", json=update, headers={SECRET_HEADER: WEBHOOK_SECRET}
        )
    assert response.status_code == 200
    [answer] = await standin.wait_for(1, chat_id=820, timeout=10)
    assert "Germany" in answer.text


async def test_webhook_refuses_updates_without_the_right_secret(
    ops_bot: Callable[..., Awaitable[OpsBot]], standin: StandIn
) -> None:
    bot = await ops_bot(webhook=True)
    update = standin.user_message(821, "/help")
    async with httpx.AsyncClient(base_url=bot.url) as http:
        missing = await http.post("/telegram/updates", json=update)
        wrong = await http.post(
            "/telegram/updates", json=update, headers={SECRET_HEADER: "not-the-secret"}
        )
        garbage = await http.post(
            "/telegram/updates", content=b"{not json", headers={SECRET_HEADER: WEBHOOK_SECRET}
        )
    assert (missing.status_code, wrong.status_code, garbage.status_code) == (403, 403, 400)
    assert standin.messages_to(821) == []


async def test_polling_mode_leaves_no_webhook_route(
    ops_bot: Callable[..., Awaitable[OpsBot]], standin: StandIn
) -> None:
    bot = await ops_bot()
    assert standin.webhook_url == ""
    async with httpx.AsyncClient(base_url=bot.url) as http:
        response = await http.post("/telegram/updates", json={}, headers={SECRET_HEADER: "x"})
    assert response.status_code in (404, 405)
