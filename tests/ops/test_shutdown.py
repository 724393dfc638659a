"""SIGTERM in the middle of a fan-out: the process stops cleanly, and after a restart every
recipient has the message exactly once."""

from __future__ import annotations

from pathlib import Path

from bot.standin import StandIn
from bot.store import chats as chat_store
from bot.store.admin import delivery_counts
from bot.store.database import Database
from tests.clock import START
from tests.conftest import FeedServer
from tests.ops.botprocess import start_bot
from tests.ops.conftest import STATE_FEED

READERS = range(5000, 5060)


async def test_sigterm_mid_fan_out_loses_nothing_and_repeats_nothing(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    database = tmp_path / "bot.sqlite3"
    db = await Database.open(database)
    async with StandIn(token="424242:SHUTDOWN-test-token") as standin:
        for chat_id in READERS:
            standin.known_chat(chat_id)
            await chat_store.register_chat(db, chat_id, kind="private", language="en", now=START)
            await chat_store.subscribe(db, chat_id, ["DE"], now=START)
        await db.close()
        sources = f"us-state=us-state@{feed_server.url(STATE_FEED)}"

        def received() -> int:
            return sum(len(standin.messages_to(chat_id)) for chat_id in READERS)

        bot = await start_bot(standin, database, sources, tmp_path / "first.log")
        await standin.wait_until(lambda: received() >= 10, timeout=30, waiting_for="sends")
        assert await bot.terminate() == 0, bot.logs()
        sent_before_restart = received()
        assert sent_before_restart < len(READERS), "the fan-out finished before SIGTERM"
        assert not Path(f"{database}-wal").exists()  # closed cleanly: the WAL was checkpointed

        db = await Database.open(database)
        counts = await delivery_counts(db)
        await db.close()
        assert counts.sent == sent_before_restart  # every send was recorded before exit
        assert counts.pending == len(READERS) - sent_before_restart

        bot = await start_bot(standin, database, sources, tmp_path / "second.log")
        await standin.wait_until(
            lambda: received() >= len(READERS), timeout=30, waiting_for="the rest"
        )
        assert await bot.terminate() == 0, bot.logs()
        for chat_id in READERS:
            messages = standin.messages_to(chat_id)
            assert len(messages) == 1, (chat_id, [m.text[:40] for m in messages])
            assert "Germany" in messages[0].text
