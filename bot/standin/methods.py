"""The Bot API methods the stand-in answers, with Telegram's rules and error texts.

Each handler takes the request's `Params` and returns the `result` of a successful call, or
raises `ApiError` with the code and description Telegram would send.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.standin.params import Params
from bot.standin.ratelimit import FloodControl
from bot.standin.records import (
    AnsweredCallback,
    ApiError,
    Edit,
    Journal,
    SentDocument,
    SentMessage,
    TooManyRequests,
)
from bot.standin.rules import (
    BOT_CAPABILITIES,
    COMMAND_NAME,
    MAX_CAPTION,
    MAX_TEXT,
    NOT_MODIFIED,
    chat_member,
    commands_key,
    document_object,
    parse_text,
    reply_markup,
)
from bot.standin.world import ChatState, World

Handler = Callable[[Params], Any]


class BotApi:
    """The method table: name (case-insensitive, as Telegram) -> handler."""

    def __init__(
        self,
        world: World,
        journal: Journal,
        *,
        token: str,
        clock: Callable[[], float],
        flood: FloodControl | None,
    ) -> None:
        self.world = world
        self.journal = journal
        self.token = token
        self.clock = clock
        self.flood = flood
        self.handlers: dict[str, Handler] = {
            "getme": lambda p: dict(self.world.bot_user, **BOT_CAPABILITIES),
            "logout": lambda p: True,
            "close": lambda p: True,
            "deletewebhook": self.delete_webhook,
            "setwebhook": self.set_webhook,
            "getwebhookinfo": self.get_webhook_info,
            "getupdates": self.get_updates,
            "sendmessage": self.send_message,
            "editmessagetext": self.edit_message_text,
            "editmessagereplymarkup": self.edit_message_reply_markup,
            "deletemessage": self.delete_message,
            "answercallbackquery": self.answer_callback_query,
            "setmycommands": self.set_my_commands,
            "getmycommands": self.get_my_commands,
            "deletemycommands": self.delete_my_commands,
            "senddocument": self.send_document,
            "getfile": self.get_file,
            "getchat": self.get_chat,
            "getchatmember": self.get_chat_member,
            "getchatadministrators": self.get_chat_administrators,
            "sendchataction": self.send_chat_action,
        }

    async def call(self, method: str, params: Params) -> Any:
        handler = self.handlers.get(method.lower())
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        result = handler(params)
        if isinstance(result, Awaitable):
            return await result
        return result

    # webhook and updates

    def delete_webhook(self, p: Params) -> bool:
        self.world.webhook_url = ""
        if p.flag("drop_pending_updates"):
            self.world.updates.clear()
        return True

    def set_webhook(self, p: Params) -> bool:
        self.world.webhook_url = p.string("url") or ""
        return True

    def get_webhook_info(self, p: Params) -> dict[str, Any]:
        return {
            "url": self.world.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
        }

    async def get_updates(self, p: Params) -> list[dict[str, Any]]:
        if self.world.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        allowed = p.json("allowed_updates")
        if isinstance(allowed, list):
            self.world.allowed_updates = frozenset(str(kind) for kind in allowed)
        limit = p.integer("limit") or 100
        timeout = p.integer("timeout") or 0
        return await self.world.next_updates(p.integer("offset"), limit, timeout)

    # messages

    def send_message(self, p: Params) -> dict[str, Any]:
        chat = self.world.writable_chat(p.chat_ref())
        parse_mode = p.string("parse_mode")
        text = p.string("text") or ""
        parsed = parse_text(text, parse_mode)
        if not parsed.text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(parsed.text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = reply_markup(p)
        reply_to = self._reply_to(chat, p)
        self._check_flood(chat, "sendMessage", p.flag("allow_paid_broadcast"))
        entities = parsed.entities() or p.json("entities")
        message = self.world.post(
            chat,
            self.world.bot_user,
            text=parsed.text,
            entities=entities or None,
            reply_markup=markup,
            reply_to_message=reply_to,
            link_preview_options=p.json("link_preview_options"),
        )
        self.journal.sent.append(
            SentMessage(
                method="sendMessage",
                chat_id=chat.id,
                message_id=message["message_id"],
                text=text,
                plain_text=parsed.text,
                parse_mode=parse_mode,
                reply_markup=markup,
                reply_to_message_id=reply_to["message_id"] if reply_to else None,
                disable_notification=p.flag("disable_notification"),
                at=self.clock(),
                link_preview_options=p.json("link_preview_options"),
                allow_paid_broadcast=p.flag("allow_paid_broadcast"),
            )
        )
        self.journal.changed()
        return message

    def edit_message_text(self, p: Params) -> dict[str, Any]:
        chat, message = self._own_message(p, "edit")
        parse_mode = p.string("parse_mode")
        text = p.string("text") or ""
        parsed = parse_text(text, parse_mode)
        if not parsed.text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(parsed.text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = reply_markup(p)
        entities = parsed.entities() or p.json("entities") or None
        if (
            message.get("text") == parsed.text
            and message.get("entities") == entities
            and message.get("reply_markup") == markup
        ):
            raise ApiError(400, NOT_MODIFIED)
        return self._edit(
            chat,
            message,
            "editMessageText",
            text,
            parse_mode,
            markup,
            {"text": parsed.text, "entities": entities},
        )

    def edit_message_reply_markup(self, p: Params) -> dict[str, Any]:
        chat, message = self._own_message(p, "edit")
        markup = reply_markup(p)
        if message.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        return self._edit(chat, message, "editMessageReplyMarkup", None, None, markup, {})

    def delete_message(self, p: Params) -> bool:
        chat = self.world.find_chat(p.chat_ref())
        message_id = p.integer("message_id")
        if message_id is None or chat.messages.pop(message_id, None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        self.journal.deleted.append((chat.id, message_id))
        self.journal.changed()
        return True

    def answer_callback_query(self, p: Params) -> bool:
        query_id = p.string("callback_query_id") or ""
        if self.world.callbacks.pop(query_id, None) is None:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.journal.answered_callbacks.append(
            AnsweredCallback(
                callback_query_id=query_id,
                text=p.string("text"),
                show_alert=p.flag("show_alert"),
                url=p.string("url"),
                at=self.clock(),
            )
        )
        self.journal.changed()
        return True

    def send_document(self, p: Params) -> dict[str, Any]:
        chat = self.world.writable_chat(p.chat_ref())
        upload = p.upload("document")
        if upload is not None:
            stored = self.world.store_file(upload.filename, upload.content, upload.content_type)
        else:
            file_id = p.string("document") or ""
            known = self.world.files.get(file_id)
            if known is None:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            stored = known
        caption = p.string("caption") or ""
        parse_mode = p.string("parse_mode")
        parsed = parse_text(caption, parse_mode)
        if len(parsed.text) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        markup = reply_markup(p)
        reply_to = self._reply_to(chat, p)
        self._check_flood(chat, "sendDocument", p.flag("allow_paid_broadcast"))
        message = self.world.post(
            chat,
            self.world.bot_user,
            document=document_object(stored),
            caption=parsed.text or None,
            caption_entities=parsed.entities() or None,
            reply_markup=markup,
            reply_to_message=reply_to,
        )
        at = self.clock()
        self.journal.documents.append(
            SentDocument(
                chat_id=chat.id,
                message_id=message["message_id"],
                filename=stored.filename,
                content=stored.content,
                mime_type=stored.mime_type,
                caption=caption or None,
                at=at,
            )
        )
        self.journal.sent.append(
            SentMessage(
                method="sendDocument",
                chat_id=chat.id,
                message_id=message["message_id"],
                text=caption,
                plain_text=parsed.text,
                parse_mode=parse_mode,
                reply_markup=markup,
                reply_to_message_id=reply_to["message_id"] if reply_to else None,
                disable_notification=p.flag("disable_notification"),
                at=at,
            )
        )
        self.journal.changed()
        return message

    def get_file(self, p: Params) -> dict[str, Any]:
        stored = self.world.files.get(p.string("file_id") or "")
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    # commands

    def set_my_commands(self, p: Params) -> bool:
        commands = p.json("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: commands must be an array")
        for command in commands:
            if not COMMAND_NAME.fullmatch(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description is empty or too long")
        self.journal.commands[commands_key(p)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        self.journal.changed()
        return True

    def get_my_commands(self, p: Params) -> list[dict[str, Any]]:
        return list(self.journal.commands.get(commands_key(p), []))

    def delete_my_commands(self, p: Params) -> bool:
        self.journal.commands.pop(commands_key(p), None)
        return True

    # chats

    def get_chat(self, p: Params) -> dict[str, Any]:
        chat = self.world.find_chat(p.chat_ref())
        info = chat.as_chat()
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return info

    def get_chat_member(self, p: Params) -> dict[str, Any]:
        chat = self.world.find_chat(p.chat_ref())
        user_id = p.integer("user_id")
        if user_id is None:
            raise ApiError(400, "Bad Request: user_id is empty")
        return self._member(chat, user_id)

    def get_chat_administrators(self, p: Params) -> list[dict[str, Any]]:
        chat = self.world.find_chat(p.chat_ref())
        if chat.type == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        return [
            self._member(chat, user_id)
            for user_id, status in chat.members.items()
            if status in ("creator", "administrator")
        ]

    def send_chat_action(self, p: Params) -> bool:
        chat = self.world.writable_chat(p.chat_ref())
        action = p.string("action")
        if not action:
            raise ApiError(400, "Bad Request: action is empty")
        self.journal.chat_actions.append((chat.id, action))
        return True

    # helpers

    def _member(self, chat: ChatState, user_id: int) -> dict[str, Any]:
        if user_id == self.world.bot_user["id"]:
            user = self.world.bot_user
        else:
            user = self.world.users.get(user_id) or {
                "id": user_id,
                "is_bot": False,
                "first_name": "Test",
            }
        status = chat.members.get(user_id)
        if status is None:
            in_chat = chat.type == "private" and user_id in (chat.id, self.world.bot_user["id"])
            status = "member" if in_chat else "left"
        return chat_member(user, status)

    def _own_message(self, p: Params, action: str) -> tuple[ChatState, dict[str, Any]]:
        if p.has("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat = self.world.find_chat(p.chat_ref())
        message_id = p.integer("message_id")
        message = chat.messages.get(message_id or 0)
        if message is None:
            raise ApiError(400, f"Bad Request: message to {action} not found")
        if message["from"]["id"] != self.world.bot_user["id"]:
            raise ApiError(400, f"Bad Request: message can't be {action}ed")
        return chat, message

    def _edit(
        self,
        chat: ChatState,
        message: dict[str, Any],
        method: str,
        text: str | None,
        parse_mode: str | None,
        markup: dict[str, Any] | None,
        changes: dict[str, Any],
    ) -> dict[str, Any]:
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        self.journal.edits.append(
            Edit(method, chat.id, message["message_id"], text, parse_mode, markup, self.clock())
        )
        self.journal.changed()
        return message

    def _reply_to(self, chat: ChatState, p: Params) -> dict[str, Any] | None:
        parameters = p.json("reply_parameters")
        if isinstance(parameters, dict):
            message_id = parameters.get("message_id")
            lenient = bool(parameters.get("allow_sending_without_reply"))
        else:
            message_id = p.integer("reply_to_message_id")
            lenient = p.flag("allow_sending_without_reply")
        if message_id is None:
            return None
        original = chat.messages.get(int(message_id))
        if original is None:
            if lenient:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return {k: v for k, v in original.items() if k != "reply_to_message"}

    def _check_flood(self, chat: ChatState, method: str, paid: bool) -> None:
        if self.flood is None:
            return
        wait = self.flood.check(self.token, chat.id, chat.type, paid)
        if wait:
            self.journal.too_many_requests.append(
                TooManyRequests(method, chat.id, wait, self.clock())
            )
            self.journal.changed()
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
