"""The dispatcher against the Bot API stand-in, through python-telegram-bot."""

from __future__ import annotations

from bot.standin import StandIn
from bot.store import outbox
from bot.store.database import Database
from tests.builders import make_alert
from tests.delivery.travellers import Clock, DispatcherFactory, add_chat, add_version


async def test_drain_sends_every_pending_row_once_and_records_it(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    for chat_id in range(1, 41):
        standin.known_chat(chat_id)
        await add_chat(db, chat_id, ["FR"])
    version = await add_version(db, make_alert(id="FR", countries=("FR",)))
    assert await outbox.enqueue_matching(db, version, now=clock()) == 40

    report = await make_dispatcher().drain()

    assert report.sent == 40
    assert sorted(m.chat_id for m in standin.sent) == list(range(1, 41))
    assert await outbox.pending_count(db) == 0
    rows = await db.fetch_all("SELECT chat_id, message_id, sent_at FROM deliveries")
    sent = {m.chat_id: m.message_id for m in standin.sent}
    assert all(row["message_id"] == sent[row["chat_id"]] and row["sent_at"] for row in rows)
    assert (await make_dispatcher().drain()).sent == 0
