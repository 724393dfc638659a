"""Drain an outbox against a Bot API server, as the bot would; the crash test kills it.

Usage: python crash_drainer.py DATABASE BASE_URL TOKEN CONCURRENCY
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from telegram import Bot

from bot.alerts import Alert
from bot.delivery.dispatcher import DeliveryLimits, Dispatcher, RenderRequest
from bot.delivery.sender import TelegramSender
from bot.store.database import Database


def render(alert: Alert, request: RenderRequest) -> str:
    return f"<b>{alert.title}</b>"


async def main(path: str, base_url: str, token: str, concurrency: int) -> None:
    db = await Database.open(path)
    limits = DeliveryLimits(
        global_per_second=5000, private_chat_per_second=1000, concurrency=concurrency
    )
    async with Bot(token, base_url=base_url) as bot:
        dispatcher = Dispatcher(
            db, TelegramSender(bot), render, limits=limits, clock=lambda: datetime.now(UTC)
        )
        print("draining", flush=True)
        report = await dispatcher.drain()
        print(f"sent {report.sent}", flush=True)
    await db.close()


if __name__ == "__main__":
    database, url, bot_token, parallel = sys.argv[1:5]
    asyncio.run(main(database, url, bot_token, int(parallel)))
