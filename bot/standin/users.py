"""What users do, played by a test: write, press buttons, send files, block the bot.

Each action changes the stand-in's world and queues the update Telegram would send, so
the bot under test receives it through getUpdates like any other.
"""

from __future__ import annotations

import mimetypes
import re
import time
from typing import Any

from bot.standin.rules import chat_member
from bot.standin.world import DEFAULT_GROUP_USER_ID, ChatState, World

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,})?")


class Users:
    """The user-facing half of `StandIn`."""

    _world: World
    bot_id: int

    # what users do

    def known_chat(
        self,
        chat_id: int,
        chat_type: str = "private",
        *,
        language_code: str | None = None,
        title: str | None = None,
        username: str | None = None,
        first_name: str = "Test",
    ) -> None:
        """Make a chat exist (as if its user had started the bot) without an update."""
        self._world.known_chat(
            chat_id,
            chat_type,
            language_code=language_code,
            title=title,
            username=username,
            first_name=first_name,
        )

    def user_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        language_code: str | None = "en",
        chat_type: str = "private",
        username: str | None = None,
        first_name: str = "Test",
        title: str | None = None,
    ) -> dict[str, Any]:
        """A user writes `text` in a chat; returns the update the bot will receive."""
        chat, user = self._speaker(
            chat_id, user_id, chat_type, language_code, username, first_name, title
        )
        entities = None
        command = _COMMAND.match(text)
        if command is not None:
            length = len(command.group(0).encode("utf-16-le")) // 2
            entities = [{"type": "bot_command", "offset": 0, "length": length}]
        message = self._world.post(chat, user, text=text, entities=entities)
        return self._world.push_update("message", message)

    def user_document(
        self,
        chat_id: int,
        filename: str,
        content: bytes,
        *,
        user_id: int | None = None,
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> dict[str, Any]:
        """A user sends a file (a CSV of trips, say); the bot can getFile and download it."""
        chat, user = self._speaker(chat_id, user_id, None, None, None, None, None)
        mime_type = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        stored = self._world.store_file(filename, content, mime_type)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        message = self._world.post(chat, user, document=document, caption=caption)
        return self._world.push_update("message", message)

    def press_button(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        forged: bool = False,
    ) -> str:
        """A user presses an inline button; returns the callback query id.

        The message must carry a button with that data, unless `forged` (a modified client
        can send any data)."""
        chat = self._chat(chat_id)
        message = chat.messages.get(message_id)
        if message is None:
            raise LookupError(f"chat {chat_id} has no message {message_id}")
        offered = [
            button.get("callback_data")
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
        ]
        if not forged and data not in offered:
            raise ValueError(f"message {message_id} has no button {data!r}; it has {offered}")
        _, user = self._speaker(chat_id, user_id, None, None, None, None, None)
        query_id = self._world.new_callback_id()
        query = {
            "id": query_id,
            "from": user,
            "chat_instance": str(10**12 + chat_id),
            "data": data,
            "message": message,
        }
        self._world.callbacks[query_id] = query
        self._world.push_update("callback_query", query)
        return query_id

    def member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Set what getChatMember answers: "creator", "administrator", "member", "left",
        "kicked" or "restricted". For the bot's own id, "kicked" makes sends fail with 403."""
        chat = self._chat(chat_id)
        chat_member({"id": user_id}, status)  # rejects an unknown status
        if user_id != self.bot_id:
            self._world.user(user_id)
        chat.members[user_id] = status

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group becomes a supergroup: service messages in both, and sends to the old id
        are refused with migrate_to_chat_id."""
        old = self._chat(old_id)
        new = self._world.known_chat(new_id, "supergroup", title=old.title)
        new.members.update(old.members)
        upgrader = self._world.user(DEFAULT_GROUP_USER_ID)
        self._world.push_update(
            "message", self._world.post(old, upgrader, migrate_to_chat_id=new_id)
        )
        self._world.push_update(
            "message", self._world.post(new, upgrader, migrate_from_chat_id=old_id)
        )
        old.migrated_to = new_id

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: sends get 403, and the bot gets a my_chat_member update."""
        chat = self._private(chat_id)
        chat.status = "blocked"
        bot_user = self._world.bot_user
        self._world.push_update(
            "my_chat_member",
            {
                "chat": chat.as_chat(),
                "from": self._world.user(chat_id),
                "date": int(time.time()),
                "old_chat_member": chat_member(bot_user, "member"),
                "new_chat_member": chat_member(bot_user, "kicked"),
            },
        )

    def deactivate(self, chat_id: int) -> None:
        """The user deleted their account: sends get 403 "user is deactivated"."""
        self._private(chat_id).status = "deactivated"

    def _chat(self, chat_id: int) -> ChatState:
        chat = self._world.chats.get(chat_id)
        if chat is None:
            raise LookupError(f"chat {chat_id} is unknown: send user_message or known_chat")
        return chat

    def _private(self, chat_id: int) -> ChatState:
        chat = self._chat(chat_id)
        if chat.type != "private":
            raise ValueError(
                f"chat {chat_id} is a {chat.type}; use member_status(chat_id, bot_id, 'kicked')"
            )
        return chat

    def _speaker(
        self,
        chat_id: int,
        user_id: int | None,
        chat_type: str | None,
        language_code: str | None,
        username: str | None,
        first_name: str | None,
        title: str | None,
    ) -> tuple[ChatState, dict[str, Any]]:
        existing = self._world.chats.get(chat_id)
        chat_type = chat_type or (existing.type if existing else "private")
        if user_id is None:
            user_id = chat_id if chat_type == "private" else DEFAULT_GROUP_USER_ID
        chat = self._world.known_chat(
            chat_id,
            chat_type,
            language_code=language_code if chat_type == "private" else None,
            title=title,
            username=username if chat_type == "private" else None,
            first_name=first_name,
        )
        user = self._world.user(
            user_id, language_code=language_code, username=username, first_name=first_name
        )
        if chat.type == "private" and chat.status == "blocked":
            chat.status = "active"  # writing to the bot means the user unblocked it
        elif chat.type != "private":
            chat.members.setdefault(user_id, "member")
        return chat, user
