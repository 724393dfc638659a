"""Telegram's rules for message content and the objects it answers with.

Error texts are Telegram's own; python-telegram-bot strips "Bad Request: " and capitalises
the rest, so a client sees "Message is too long".
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.standin.html_check import HtmlError, ParsedText, parse_html
from bot.standin.params import Params
from bot.standin.records import ApiError
from bot.standin.world import StoredFile

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_BUTTON_URL = re.compile(r"(https?|tg)://\S+")


BOT_CAPABILITIES = {
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}


def chat_member(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ChatMember object with the fields its status requires."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(dict.fromkeys(_ADMIN_RIGHTS, True), can_be_edited=False, is_anonymous=False)
    elif status == "restricted":
        member.update(dict.fromkeys(_RESTRICTED_RIGHTS, False), is_member=True, until_date=0)
    elif status == "kicked":
        member["until_date"] = 0
    elif status not in ("member", "left"):
        raise ValueError(f"unknown chat member status {status!r}")
    return member


_ADMIN_RIGHTS = [
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
]
_RESTRICTED_RIGHTS = [
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_send_messages",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_manage_topics",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_edit_tag",
]


def parse_text(text: str, parse_mode: str | None) -> ParsedText:
    if parse_mode is None or parse_mode == "":
        return ParsedText(text)
    if parse_mode.lower() != "html":
        # Markdown is passed through unchecked: the bot writes HTML.
        return ParsedText(text)
    try:
        return parse_html(text)
    except HtmlError as error:
        raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None


def reply_markup(p: Params) -> dict[str, Any] | None:
    markup = p.json("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            _check_button(button)
    return markup


def _check_button(button: dict[str, Any]) -> None:
    if not button.get("text"):
        raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not _BUTTON_URL.fullmatch(str(url)):
        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
    if len(button) < 2:
        raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")


def commands_key(p: Params) -> tuple[str, str]:
    scope = p.json("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), p.string("language_code") or ""


def document_object(stored: StoredFile) -> dict[str, Any]:
    document = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": stored.filename,
        "file_size": len(stored.content),
    }
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return document
