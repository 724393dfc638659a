"""What every chat handler needs: the services, the reader's chat and language."""

from __future__ import annotations

from typing import NamedTuple

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import Translator, negotiate_language
from bot.render.text import orient
from bot.services import Services
from bot.store import chats as chat_store
from bot.store.chats import Chat

SERVICES_KEY = "services"
TICK = "✓ "  # marks the current choice on a button


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    services = context.application.bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    return services


async def current_chat(update: Update, services: Services) -> Chat:
    """The chat an update came from, registered on first contact.

    A new chat's language comes from the Telegram user's language setting.
    """
    tg_chat = update.effective_chat
    assert tg_chat is not None
    chat = await chat_store.get_chat(services.db, tg_chat.id)
    if chat is not None:
        return chat
    user = update.effective_user
    language = negotiate_language(
        user.language_code if user else None, services.settings.default_language
    )
    chat, _ = await chat_store.register_chat(
        services.db,
        tg_chat.id,
        kind=tg_chat.type,
        language=language,
        now=services.clock(),
        title=tg_chat.title,
        username=tg_chat.username,
    )
    return chat


def translator_for(chat: Chat, services: Services) -> Translator:
    return services.catalogs.translator(chat.language)


class ChatContext(NamedTuple):
    """What nearly every handler starts from: `services, chat, t = await chat_context(...)`."""

    services: Services
    chat: Chat  # registered on first contact
    t: Translator  # in the chat's language


async def chat_context(update: Update, context: ContextTypes.DEFAULT_TYPE) -> ChatContext:
    services = services_of(context)
    chat = await current_chat(update, services)
    return ChatContext(services, chat, translator_for(chat, services))


async def reply(update: Update, text: str, *, t: Translator, **kwargs: object) -> None:
    """Answer in the chat the update came from, as Telegram HTML.

    `t` is the reader's translator: a reply in a right-to-left language is laid out to read
    right to left (`orient`), so Arabic lines that start with a command or a source name
    still read from the right. It is required so that no reply can forget it.
    """
    message = update.effective_message
    assert message is not None
    text = orient(text, t.right_to_left)
    await message.reply_html(text, do_quote=False, **kwargs)  # type: ignore[arg-type]


def ticked(label: str, chosen: bool) -> str:
    """A button label, with the tick when it is the current choice."""
    return TICK + label if chosen else label
