"""When handling an update fails: the reader is told in their language, an admin finds the
error in the logs (with its traceback) and in the errors metric, and the bot goes on with
the next update. A button's spinner stops too, so nobody waits on a press that failed."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.chat.common import services_of
from bot.i18n import Translator, negotiate_language
from bot.render.text import orient
from bot.store import chats as chat_store

log = logging.getLogger(__name__)

# bot_data key of a callable that counts an error by kind (the runtime wires its metrics).
COUNT_ERROR_KEY = "count_error"


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    log.error("handling an update failed: %s", type(error).__name__, exc_info=error or None)
    count = context.application.bot_data.get(COUNT_ERROR_KEY)
    if callable(count):
        count("handler")
    if not isinstance(update, Update):
        return
    try:
        t = await _translator(update, context)
        text = t.gettext("Sorry, something went wrong on my side. Please try again in a moment.")
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, orient(text, t.right_to_left))
    except Exception:  # telling the reader failed too (Telegram away): the log has both
        log.exception("could not tell the chat that handling its update failed")


async def _translator(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Translator:
    """The chat's language, else the user's; the default when even the database fails."""
    services = services_of(context)
    chat = update.effective_chat
    try:
        known = await chat_store.get_chat(services.db, chat.id) if chat else None
    except Exception:
        known = None
    if known is not None:
        return services.catalogs.translator(known.language)
    user = update.effective_user
    return services.catalogs.translator(
        negotiate_language(user.language_code if user else None, services.settings.default_language)
    )
