"""The chats, users, messages, files and pending updates the stand-in keeps.

This is the Telegram side of the conversation: it knows which chats exist, what was said
in them and which updates the bot has not fetched yet. HTTP lives in `server`, the
methods' rules in `methods`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from bot.standin.records import ApiError

# Telegram's default when a bot never asked for particular update kinds.
DEFAULT_UPDATE_KINDS_LEFT_OUT = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
DEFAULT_GROUP_USER_ID = 10_000  # who speaks in a group when a test does not say


@dataclass(slots=True)
class ChatState:
    """One chat as Telegram sees it."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    language_code: str | None = None
    status: str = "active"  # "blocked" or "deactivated" for a private chat
    migrated_to: int | None = None
    last_message_id: int = 0
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    members: dict[int, str] = field(default_factory=dict)  # user id -> ChatMember status

    def as_chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            chat["first_name"] = self.first_name or "Test"
        else:
            chat["title"] = self.title or f"Group {self.id}"
        if self.username:
            chat["username"] = self.username
        return chat


@dataclass(frozen=True, slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    filename: str
    content: bytes
    mime_type: str | None


class World:
    """Chats, users, files and the update queue; every state change goes through here."""

    def __init__(self, bot_user: dict[str, Any]) -> None:
        self.bot_user = bot_user
        self.chats: dict[int, ChatState] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.files: dict[str, StoredFile] = {}
        self.updates: list[dict[str, Any]] = []
        self.allowed_updates: frozenset[str] | None = None
        self.webhook_url = ""
        self.callbacks: dict[str, dict[str, Any]] = {}  # unanswered callback queries
        self._next_update_id = 1
        self._next_file = 1
        self._next_callback = 1
        self._arrived = asyncio.Event()
        self.closing = False

    # chats and users

    def known_chat(
        self,
        chat_id: int,
        chat_type: str = "private",
        *,
        language_code: str | None = None,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = "Test",
    ) -> ChatState:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = ChatState(chat_id, chat_type, title, username, first_name, language_code)
            self.chats[chat_id] = chat
        else:
            chat.type = chat_type
            chat.title = title or chat.title
            chat.username = username or chat.username
            chat.language_code = language_code or chat.language_code
        if chat_type == "private":
            self.user(
                chat_id, language_code=language_code, username=username, first_name=first_name
            )
        return chat

    def user(
        self,
        user_id: int,
        *,
        language_code: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> dict[str, Any]:
        user = self.users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": first_name or "Test"}
        )
        if first_name:
            user["first_name"] = first_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def find_chat(self, ref: int | str) -> ChatState:
        """The chat a method names, by id or "@username", or Telegram's "chat not found"."""
        if isinstance(ref, str):
            name = ref.removeprefix("@").lower()
            for chat in self.chats.values():
                if chat.username and chat.username.lower() == name:
                    return chat
        elif ref in self.chats:
            return self.chats[ref]
        raise ApiError(400, "Bad Request: chat not found")

    def writable_chat(self, ref: int | str) -> ChatState:
        """The chat, if the bot may post in it now; else the error Telegram gives."""
        chat = self.find_chat(ref)
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.status == "blocked":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.status == "deactivated":
            raise ApiError(403, "Forbidden: user is deactivated")
        if chat.members.get(self.bot_user["id"]) in ("kicked", "left"):
            kind = "supergroup chat" if chat.type == "supergroup" else f"{chat.type} chat"
            if chat.type == "channel":
                kind = "channel chat"
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
        return chat

    def message(self, chat: ChatState, message_id: int) -> dict[str, Any] | None:
        return chat.messages.get(message_id)

    def post(self, chat: ChatState, sender: dict[str, Any], **content: Any) -> dict[str, Any]:
        """Add a message to a chat and return it as a Bot API Message.

        A Message's `reply_markup` is only ever an inline keyboard: Telegram keeps a reply
        keyboard or a force-reply request out of the Message it returns.
        """
        markup = content.get("reply_markup")
        if markup is not None and "inline_keyboard" not in markup:
            content = {**content, "reply_markup": None}
        chat.last_message_id += 1
        message = {
            "message_id": chat.last_message_id,
            "date": int(time.time()),
            "chat": chat.as_chat(),
            "from": sender,
            **{key: value for key, value in content.items() if value is not None},
        }
        chat.messages[chat.last_message_id] = message
        return message

    # files

    def store_file(
        self, filename: str, content: bytes, mime_type: str | None, folder: str = "documents"
    ) -> StoredFile:
        number = self._next_file
        self._next_file += 1
        suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        stored = StoredFile(
            file_id=f"BQACAgIAAx{number:06d}",
            file_unique_id=f"AgAD{number:06d}",
            file_path=f"{folder}/file_{number}.{suffix}",
            filename=filename,
            content=content,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == file_path), None)

    def new_callback_id(self) -> str:
        number = self._next_callback
        self._next_callback += 1
        return f"{4_000_000_000 + number}"

    # updates

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates and wake a waiting long poll."""
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self.updates.append(update)
        self._arrived.set()
        return update

    async def next_updates(
        self, offset: int | None, limit: int, timeout: float
    ) -> list[dict[str, Any]]:
        """getUpdates: confirm what is below `offset`, then wait up to `timeout` for more."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        while True:
            if offset is not None and offset > 0:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            self.updates = [u for u in self.updates if self._allowed(u)]
            pending = self.updates
            if offset is not None and offset < 0:
                pending = pending[offset:]
            remaining = deadline - loop.time()
            if pending or remaining <= 0 or self.closing:
                return pending[: max(1, min(limit, 100))]
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    def wake_pollers(self) -> None:
        self.closing = True
        self._arrived.set()

    def _allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in DEFAULT_UPDATE_KINDS_LEFT_OUT
