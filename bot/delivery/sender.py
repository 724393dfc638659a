"""Sending one message to Telegram, with every failure turned into a plain outcome.

This is the only delivery module that imports python-telegram-bot: the dispatcher sees
`SendResult` values, so it can be tested with any `Sender` and never parses error text.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import aiohttp
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
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter
from telegram.warnings import PTBDeprecationWarning


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
        # A bot with defaults or a rate limiter of its own needs the full path, which
        # applies them; a plain one can take the lean path.
        self._lean = (
            getattr(bot, "defaults", None) is None and getattr(bot, "rate_limiter", None) is None
        )

    async def send(
        self, chat_id: int, html: str, *, reply_to: int | None = None, silent: bool = False
    ) -> SendResult:
        if self._lean:
            return await self._send_lean(chat_id, html, reply_to, silent)
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

    async def _send_lean(
        self, chat_id: int, html: str, reply_to: int | None, silent: bool
    ) -> SendResult:
        """sendMessage through the bot's own transport and python-telegram-bot's own error
        mapping (`BaseRequest.post`), reading only the message id from the answer.

        Building a full `Message` from every answer (`Message.de_json`) cost about a third
        of the CPU of a send; a broadcast needs nothing from it but the id.
        """
        parameters = [
            RequestParameter("chat_id", chat_id, None),
            RequestParameter("text", html, None),
            RequestParameter("parse_mode", ParseMode.HTML.value, None),
        ]
        if silent:
            parameters.append(RequestParameter("disable_notification", True, None))
        if reply_to is not None:
            reply = {"message_id": reply_to, "allow_sending_without_reply": True}
            parameters.append(RequestParameter("reply_parameters", reply, None))
        if self._paid:
            parameters.append(RequestParameter("allow_paid_broadcast", True, None))
        try:
            result = await self._bot.request.post(
                f"{self._bot.base_url}/sendMessage", request_data=RequestData(parameters)
            )
        except TelegramError as error:
            return outcome_of(error)
        if not isinstance(result, dict) or not isinstance(result.get("message_id"), int):
            return Failed(f"sendMessage answered without a message id: {result!r:.200}")
        return Sent(result["message_id"])

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
        with warnings.catch_warnings():
            # An int today, a timedelta in a future major version: both are handled.
            warnings.simplefilter("ignore", PTBDeprecationWarning)
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


class AiohttpRequest(BaseRequest):
    """python-telegram-bot's transport over aiohttp, for broadcasts.

    The default httpx transport spends about 4 ms of CPU per request here; this one a
    fraction of that, which is what lets one core pass 1,000 messages a second (paid
    broadcasts). Use it as `Bot(token, base_url=..., request=AiohttpRequest(...))`.
    """

    def __init__(
        self,
        *,
        connections: int = 64,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
    ) -> None:
        self._connections = connections
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[Any, Any], aiohttp.ClientTimeout] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized: use `async with bot`")
        default = type(BaseRequest.DEFAULT_NONE)  # "not given": use this transport's own
        read = self._read_timeout if isinstance(read_timeout, default) else read_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, default) else connect_timeout
        timeout = self._timeouts.get((connect, read))
        if timeout is None:
            timeout = self._timeouts[(connect, read)] = aiohttp.ClientTimeout(
                sock_connect=connect, sock_read=read
            )
        body = _form(request_data)
        headers = _URLENCODED if isinstance(body, bytes) else None
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


_URLENCODED = {"Content-Type": "application/x-www-form-urlencoded"}


def _form(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
    """Form fields as python-telegram-bot encodes them; files make it multipart. Without
    files the body is encoded here: aiohttp's `FormData` costs several times as much."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return urlencode(fields).encode()
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, part in files.items():
        mime_type = part[2] if len(part) > 2 else None
        form.add_field(
            name,
            part[1],
            filename=str(part[0]),
            content_type=None if mime_type is None else str(mime_type),
        )
    return form
