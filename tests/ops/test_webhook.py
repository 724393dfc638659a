"""Webhook mode against the stand-in: the bot registers its URL and secret at start, answers
an update POSTed with the secret, and refuses one without it. Behind a load balancer, two
processes on one database take a chat's updates in turn and its conversation carries on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import httpx
import pytest
from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.app import BotRuntime, build_runtime
from bot.ops.webhook import SECRET_HEADER
from bot.standin import StandIn
from bot.store import trips as trip_store
from tests.conftest import FeedServer
from tests.databases import BACKENDS, database_url
from tests.ops.conftest import WEBHOOK_SECRET, WEBHOOK_URL, OpsBot, ops_settings


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


# Several processes behind a load balancer: any process takes any update.

PACKING_BAG, PACKING_ITEM = range(2)


async def _pack(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_message is not None and context.chat_data is not None
    context.chat_data["started"] = date(2025, 10, 7)
    await update.effective_message.reply_text("Which bag?")
    raise ApplicationHandlerStop(PACKING_BAG)  # and no other handler answers


async def _bag(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_message is not None and context.chat_data is not None
    context.chat_data["bag"] = update.effective_message.text
    await update.effective_message.reply_text(f"What goes in the {context.chat_data['bag']}?")
    raise ApplicationHandlerStop(PACKING_ITEM)


async def _item(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_message is not None and context.chat_data is not None
    bag, started = context.chat_data.pop("bag", "?"), context.chat_data.pop("started", "?")
    text = f"{update.effective_message.text} packed in the {bag} (since {started})"
    await update.effective_message.reply_text(text)
    raise ApplicationHandlerStop(ConversationHandler.END)


def packing() -> ConversationHandler[ContextTypes.DEFAULT_TYPE]:
    """A three-step conversation with a draft in chat_data, as /trip has."""
    answer = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[CommandHandler("pack", _pack)],
        states={
            PACKING_BAG: [MessageHandler(answer, _bag)],
            PACKING_ITEM: [MessageHandler(answer, _item)],
        },
        fallbacks=[],
        name="packing",
        persistent=True,
    )


@pytest.fixture(params=BACKENDS)
async def shared_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with database_url(str(request.param), tmp_path) as url:
        yield url


@pytest.fixture
async def load_balanced(
    tmp_path: Path, standin: StandIn, feed_server: FeedServer, shared_database: str
) -> AsyncIterator[list[BotRuntime]]:
    """Two bot processes in webhook mode on one database, started."""
    settings = replace(
        ops_settings(tmp_path, standin, feed_server, webhook=True), database_url=shared_database
    )
    processes: list[BotRuntime] = []
    try:
        for _ in range(2):
            runtime = await build_runtime(settings)
            runtime.coordinator.beat_seconds = 0.2
            runtime.application.add_handler(packing(), group=-3)
            await runtime.start(schedule=False)
            processes.append(runtime)
        yield processes
    finally:
        for runtime in processes:
            await runtime.stop()


async def say_through(runtime: BotRuntime, standin: StandIn, chat_id: int, text: str) -> str:
    """The load balancer hands the update of what a user typed to `runtime`; the bot's
    answer, once that process has finished with the update."""
    before = len(standin.messages_to(chat_id))
    update = standin.user_message(chat_id, text)
    assert runtime.ops is not None
    host, port = runtime.ops.addresses[0]
    async with httpx.AsyncClient(base_url=f"http://{host}:{port}") as http:
        response = await http.post(
            "/telegram/updates", json=update, headers={SECRET_HEADER: WEBHOOK_SECRET}
        )
    assert response.status_code == 200
    answer = (await standin.wait_for(before + 1, chat_id=chat_id, timeout=10))[before]
    await runtime.application.update_queue.join()
    return answer.text


async def test_a_conversation_continues_whichever_process_takes_each_answer(
    load_balanced: list[BotRuntime], standin: StandIn
) -> None:
    one, two = load_balanced
    assert await say_through(one, standin, 830, "/pack") == "Which bag?"
    assert await say_through(two, standin, 830, "backpack") == "What goes in the backpack?"
    assert await say_through(one, standin, 830, "passport") == (
        "passport packed in the backpack (since 2025-10-07)"
    )
    # Over: a plain message now gets the bot's ordinary answer, from either process.
    assert "backpack" not in await say_through(two, standin, 830, "sunscreen")
    db = one.services.db  # nothing left behind: no conversation, no draft
    assert await db.fetch_value("SELECT count(*) FROM conversations") == 0
    assert await db.fetch_value("SELECT count(*) FROM chat_state") == 0


async def test_trip_questions_continue_whichever_process_takes_each_answer(
    load_balanced: list[BotRuntime], standin: StandIn
) -> None:
    one, two = load_balanced
    assert "Where are you going?" in await say_through(one, standin, 832, "/trip")
    assert "When do you leave?" in await say_through(two, standin, 832, "Italy")
    assert "What is the last day?" in await say_through(one, standin, 832, "01.12.2026")
    assert "Trip saved" in await say_through(two, standin, 832, "09.12.2026")
    saved = await trip_store.trips_of(one.services.db, 832, now=one.services.clock())
    assert [(t.countries, t.starts_on, t.ends_on) for t in saved] == [
        (("IT",), date(2026, 12, 1), date(2026, 12, 9))
    ]


async def test_a_chat_has_one_command_allowance_whichever_process_takes_its_updates(
    load_balanced: list[BotRuntime], standin: StandIn
) -> None:
    for _ in range(100):  # each process learns of the other at its next heartbeat
        if all(runtime.coordinator.processes == 2 for runtime in load_balanced):
            break
        await asyncio.sleep(0.05)
    answers = [await say_through(load_balanced[n % 2], standin, 840, "/help") for n in range(20)]
    assert all("What I can do" in answer for answer in answers)

    # Each process has seen ten commands, the chat twenty: its allowance is spent.
    slow_down = await say_through(load_balanced[0], standin, 840, "/help")

    assert "faster than I can answer" in slow_down
    assert "What I can do" in await say_through(load_balanced[1], standin, 841, "/help")
