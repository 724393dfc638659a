"""What the stand-in saw the bot do, as plain values a test can assert on."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any


class ApiError(Exception):
    """A Bot API error answer: HTTP status and `error_code` are the same number."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters or {}

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram sends with this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the bot sent (sendMessage, or sendDocument with its caption as `text`).

    `text` is what the bot sent, tags included; `plain_text` is what a reader sees.
    """

    method: str
    chat_id: int
    message_id: int
    text: str
    plain_text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    reply_to_message_id: int | None
    disable_notification: bool
    at: float
    link_preview_options: dict[str, Any] | None = None
    allow_paid_broadcast: bool = False

    def buttons(self) -> list[list[dict[str, Any]]]:
        """The inline keyboard's rows, empty when there is none."""
        if not self.reply_markup:
            return []
        rows: list[list[dict[str, Any]]] = self.reply_markup.get("inline_keyboard", [])
        return rows

    def button_data(self) -> list[str]:
        """Every button's callback_data, in reading order; what a test presses."""
        return [b["callback_data"] for row in self.buttons() for b in row if "callback_data" in b]


@dataclass(frozen=True, slots=True)
class Edit:
    """An editMessageText or editMessageReplyMarkup the bot made."""

    method: str
    chat_id: int
    message_id: int
    text: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    at: float


@dataclass(frozen=True, slots=True)
class SentDocument:
    """A file the bot uploaded with sendDocument."""

    chat_id: int
    message_id: int
    filename: str
    content: bytes
    mime_type: str | None
    caption: str | None
    at: float


@dataclass(frozen=True, slots=True)
class AnsweredCallback:
    """An answerCallbackQuery call: the little toast or alert a user sees."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    at: float


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """Every call the bot made, with the HTTP status it got."""

    method: str
    params: dict[str, Any]
    status: int
    at: float
    description: str | None = None  # the error's, when status is not 200


@dataclass(frozen=True, slots=True)
class TooManyRequests:
    """One 429 answer the rate limiter gave."""

    method: str
    chat_id: int | None
    retry_after: int
    at: float


@dataclass(slots=True)
class Fault:
    """An error to answer instead of the real result, the next `times` calls that match."""

    method: str
    chat_id: int | None
    error: ApiError
    times: int = 1


class Journal:
    """Everything the bot did, in order; waiters are woken on every change."""

    def __init__(self) -> None:
        self.sent: list[SentMessage] = []
        self.edits: list[Edit] = []
        self.documents: list[SentDocument] = []
        self.deleted: list[tuple[int, int]] = []
        self.answered_callbacks: list[AnsweredCallback] = []
        self.too_many_requests: list[TooManyRequests] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._change = asyncio.Event()

    def changed(self) -> None:
        """Wake everyone waiting for the bot to do something."""
        self._change.set()
        self._change = asyncio.Event()

    def next_change(self) -> asyncio.Event:
        """An event set the next time anything is recorded."""
        return self._change
