"""One of several bot processes draining one outbox; the several-processes test runs three.

Usage: python several_drainer.py DATABASE_URL BASE_URL TOKEN RATE BEAT_SECONDS CONCURRENCY

It joins (heartbeat, then a beat's wait so the others count it before it sends), drains
until the outbox is empty, leaves, and prints what it sent.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from telegram import Bot

from bot.alerts import Alert
from bot.coordination import Coordinator
from bot.delivery.dispatcher import DeliveryLimits, Dispatcher, RenderRequest
from bot.delivery.sender import TelegramSender
from bot.store import outbox
from bot.store.database import Database


def render(alert: Alert, request: RenderRequest) -> str:
    return f"<b>{alert.title}</b>"


def now() -> datetime:
    return datetime.now(UTC)


async def main(
    url: str, base_url: str, token: str, rate: float, beat: float, parallel: int
) -> None:
    db = await Database.open(url)
    coordinator = Coordinator(db, now, beat_seconds=beat)
    limits = DeliveryLimits(
        global_per_second=rate, private_chat_per_second=1000, concurrency=parallel, margin=0.2
    )
    stop = asyncio.Event()
    sent = 0
    async with Bot(token, base_url=base_url) as bot:
        dispatcher = Dispatcher(
            db,
            TelegramSender(bot),
            render,
            limits=limits,
            clock=now,
            holder=coordinator.holder,
            claim_seconds=coordinator.heartbeat_ttl.total_seconds(),
        )
        await coordinator.join()
        heartbeat = asyncio.create_task(coordinator.run(stop, on_count=dispatcher.pacer.share))
        print("draining", flush=True)
        while await outbox.pending_count(db):
            sent += (await dispatcher.drain()).sent
            await asyncio.sleep(0.1)
        stop.set()
        await heartbeat
        await coordinator.leave()
    print(f"sent {sent}", flush=True)
    await db.close()


if __name__ == "__main__":
    database, api, bot_token, per_second, beat_seconds, concurrency = sys.argv[1:7]
    asyncio.run(
        main(database, api, bot_token, float(per_second), float(beat_seconds), int(concurrency))
    )
