"""A local stand-in for the Telegram Bot API: a real HTTP server for tests and the demo.

async with StandIn() as telegram:
    app = ApplicationBuilder().token(telegram.token).base_url(telegram.base_url).build()
    telegram.user_message(42, "/start")
    await telegram.wait_for(1, chat_id=42)
"""

from bot.standin.html_check import HtmlError, ParsedText, Span, parse_html
from bot.standin.ratelimit import RateLimits
from bot.standin.records import (
    AnsweredCallback,
    ApiError,
    Edit,
    RecordedRequest,
    SentDocument,
    SentMessage,
    TooManyRequests,
)
from bot.standin.server import DEFAULT_TOKEN, StandIn
from bot.standin.terminal import render_for_terminal

__all__ = [
    "DEFAULT_TOKEN",
    "AnsweredCallback",
    "ApiError",
    "Edit",
    "HtmlError",
    "ParsedText",
    "RateLimits",
    "RecordedRequest",
    "SentDocument",
    "SentMessage",
    "Span",
    "StandIn",
    "TooManyRequests",
    "parse_html",
    "render_for_terminal",
]
