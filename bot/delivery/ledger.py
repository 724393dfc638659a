"""Recording sends in groups: one commit for every send that finished meanwhile.

A send is not finished until its row says so, so each sender waits for the commit that
includes it. That keeps "sent but not recorded" bounded by the number of concurrent sends
(what a crash may repeat) while a busy outbox still costs one commit per group, not per
message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.store import outbox
from bot.store.database import Database


class Ledger:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._waiting: list[tuple[Sequence[outbox.SentRecord], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, records: Sequence[outbox.SentRecord]) -> None:
        """Return once `records` (one message's rows: several for a digest) are committed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((records, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await done

    async def _write(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting, []
            try:
                await outbox.mark_sent(self._db, [r for records, _ in group for r in records])
            except Exception as error:
                for _, done in group:
                    if not done.done():
                        done.set_exception(error)
                continue
            for _, done in group:
                if not done.done():
                    done.set_result(None)
