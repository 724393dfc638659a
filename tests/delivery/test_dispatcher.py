"""The dispatcher against the Bot API stand-in, through python-telegram-bot."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.matching import fan_out
from bot.standin import StandIn
from bot.store import outbox
from bot.store.database import Database
from tests.builders import make_alert
from tests.clock import Clock
from tests.delivery.travellers import DispatcherFactory, add_chat, add_version


async def test_drain_sends_every_pending_row_once_and_records_it(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    for chat_id in range(1, 41):
        standin.known_chat(chat_id)
        await add_chat(db, chat_id, ["FR"])
    version = await add_version(db, make_alert(id="FR", countries=("FR",)))
    assert await fan_out(db, version, now=clock()) == 40

    report = await make_dispatcher().drain()

    assert report.sent == 40
    assert sorted(m.chat_id for m in standin.sent) == list(range(1, 41))
    assert await outbox.pending_count(db) == 0
    rows = await db.fetch_all("SELECT chat_id, message_id, sent_at FROM deliveries")
    sent = {m.chat_id: m.message_id for m in standin.sent}
    assert all(row["message_id"] == sent[row["chat_id"]] and row["sent_at"] for row in rows)
    assert (await make_dispatcher().drain()).sent == 0


async def test_run_sends_what_is_enqueued_after_a_wake_and_stops_when_asked(
    db: Database, standin: StandIn, make_dispatcher: DispatcherFactory
) -> None:
    standin.known_chat(1)
    await add_chat(db, 1)
    dispatcher = make_dispatcher(wall_clock=lambda: datetime.now(UTC))
    stop = asyncio.Event()
    runner = asyncio.create_task(dispatcher.run(stop))
    await asyncio.sleep(0.2)  # idle: nothing due, it sleeps up to a minute

    version = await add_version(db, make_alert(id="FR", countries=("FR",)))
    await fan_out(db, version, now=datetime.now(UTC))
    dispatcher.wake()
    await standin.wait_for(1, chat_id=1, timeout=2)

    stop.set()
    await asyncio.wait_for(runner, timeout=2)
    assert await outbox.pending_count(db) == 0


async def test_max_messages_bounds_one_round_and_the_next_one_continues(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    for chat_id in range(1, 11):
        standin.known_chat(chat_id)
    version = await add_version(db, make_alert())
    await outbox.enqueue(db, version, range(1, 11), now=clock())
    dispatcher = make_dispatcher()

    assert (await dispatcher.drain(max_messages=4)).sent == 4
    assert await outbox.pending_count(db) == 6
    assert (await dispatcher.drain()).sent == 6
    assert sorted(m.chat_id for m in standin.sent) == list(range(1, 11))
