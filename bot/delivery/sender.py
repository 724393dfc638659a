"""Sending one message to Telegram, with every failure turned into a plain outcome.

This is the only delivery module that imports python-telegram-bot: the dispatcher sees
`SendResult` values, so it can be tested with any `Sender` and never parses error text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

import telegram
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: int


@dataclass(frozen=True, slots=True)
class SlowDown:
    """429: Telegram asks for a pause of `seconds`; not the message's fault."""

    seconds: float


@dataclass(frozen=True, slots=True)
class ChatGone:
    """The bot can never write to this chat again: blocked, kicked, deactivated, not found."""

    reason: str


@dataclass(frozen=True, slots=True)
class ChatMoved:
    """The group became a supergroup with a new id."""

    new_chat_id: int


@dataclass(frozen=True, slots=True)
class Unparsable:
    """400 "can't parse entities": our HTML is not Telegram's; plain text will go."""

    description: str


@dataclass(frozen=True, slots=True)
class TooLong:
    description: str


@dataclass(frozen=True, slots=True)
class Refused:
    """Any other 400: sending the same request again would fail the same way."""

    description: str


@dataclass(frozen=True, slots=True)
class Failed:
    """Server errors, timeouts, network trouble: worth another try later."""

    description: str


SendResult = Sent | SlowDown | ChatGone | ChatMoved | Unparsable | TooLong | Refused | Failed


class Sender(Protocol):
    """What the dispatcher needs from Telegram: send or edit one HTML message."""

    async def send(
        self, chat_id: int, html: str, *, reply_to: int | None = None, silent: bool = False
    ) -> SendResult: ...

    async def edit(self, chat_id: int, message_id: int, html: str) -> SendResult: ...


# 403 descriptions that mean the chat is gone for good. "bot can't send messages to the user"
# is left out on purpose: it has been seen to pass.
_GONE_403 = ("blocked by the user", "user is deactivated", "bot was kicked", "not a member")
_GONE_400 = ("chat not found", "peer_id_invalid", "group chat was deactivated", "user not found")


class TelegramSender:
    """A `Sender` over python-telegram-bot; `paid_broadcast` sends with allow_paid_broadcast
    (up to 1,000 messages a second, charged in Stars), so pass the same flag as the limits."""

    def __init__(self, bot: telegram.Bot, *, paid_broadcast: bool = False) -> None:
        self._bot = bot
        self._paid = paid_broadcast

    async def send(
        self, chat_id: int, html: str, *, reply_to: int | None = None, silent: bool = False
    ) -> SendResult:
        reply = (
            None
            if reply_to is None
            else telegram.ReplyParameters(reply_to, allow_sending_without_reply=True)
        )
        try:
            message = await self._bot.send_message(
                chat_id,
                html,
                parse_mode=ParseMode.HTML,
                disable_notification=silent,
                reply_parameters=reply,
                allow_paid_broadcast=self._paid or None,
            )
        except TelegramError as error:
            return outcome_of(error)
        return Sent(message.message_id)

    async def edit(self, chat_id: int, message_id: int, html: str) -> SendResult:
        try:
            await self._bot.edit_message_text(
                html, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML
            )
        except BadRequest as error:
            if "message is not modified" in error.message.lower():
                return Sent(message_id)
            return outcome_of(error)
        except TelegramError as error:
            return outcome_of(error)
        return Sent(message_id)


def outcome_of(error: TelegramError) -> SendResult:
    """Match on the error itself, most specific first (BadRequest and TimedOut are both
    NetworkErrors, so their order matters). An invalid token is not the message's fault
    and is raised, not recorded against it."""
    description = error.message
    text = description.lower()
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
        return SlowDown(seconds)
    if isinstance(error, ChatMigrated):
        return ChatMoved(int(error.new_chat_id))
    if isinstance(error, Forbidden):
        if any(marker in text for marker in _GONE_403):
            return ChatGone(description)
        return Failed(description)
    if isinstance(error, BadRequest):
        if "can't parse entities" in text or "unsupported start tag" in text:
            return Unparsable(description)
        if "message is too long" in text or "text is too long" in text:
            return TooLong(description)
        if any(marker in text for marker in _GONE_400):
            return ChatGone(description)
        return Refused(description)
    if isinstance(error, TimedOut | NetworkError):
        return Failed(description)
    raise error
