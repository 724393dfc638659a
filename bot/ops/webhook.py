"""Webhook mode: Telegram POSTs each update to us instead of us asking with getUpdates.

Served by the bot's own aiohttp server (the one with /healthz and /metrics) rather than
python-telegram-bot's tornado-based one: no extra dependency, one port for a platform that
gives a process a single $PORT, and the same server tested the same way. Updates go to the
application's update queue, exactly where getUpdates would have put them.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.ops.metrics import Metrics

log = logging.getLogger(__name__)

# Telegram sends the secret given to setWebhook in this header with every update.
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

TelegramApplication = Application[Any, Any, Any, Any, Any, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def webhook_path(url: str) -> str:
    """The local path updates arrive at: the path of the public WEBHOOK_URL."""
    return urlsplit(url).path or "/"


def webhook_handler(application: TelegramApplication, secret: str, metrics: Metrics) -> Handler:
    """Accept an update only with the right secret; never tell a caller why it failed."""
    expected = secret.encode()

    async def handle(request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return web.Response(status=403)
        try:
            data = await request.json()
        except (ValueError, json.JSONDecodeError):
            return web.Response(status=400)
        if not isinstance(data, dict):
            return web.Response(status=400)
        try:
            update = Update.de_json(data, application.bot)
        except (KeyError, TypeError, ValueError) as error:
            log.warning("webhook: unreadable update: %s", error)
            return web.Response(status=400)
        await application.update_queue.put(update)
        metrics.updates.inc()
        return web.Response(status=200)

    return handle


async def register_webhook(application: TelegramApplication, url: str, secret: str) -> None:
    """Tell Telegram where to send updates (every kind the handlers may use)."""
    await application.bot.set_webhook(
        url=url, secret_token=secret, allowed_updates=Update.ALL_TYPES
    )
    log.info("webhook set; updates arrive at %s", webhook_path(url))
