"""Telegram handlers: parse the command, call the domain, reply. Registered in one place."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.chat import traveller


def register_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Every command and button the bot understands; anything else gets a helpful answer.

    Handlers in one group are tried in order and the first that matches wins, so the
    catch-all for unknown commands comes last.
    """
    application.add_handler(CommandHandler("start", traveller.start))
    application.add_handler(CommandHandler("subscribe", traveller.subscribe))
    application.add_handler(CommandHandler("unsubscribe", traveller.unsubscribe))
    application.add_handler(CommandHandler("list", traveller.list_subscriptions))
    application.add_handler(CommandHandler("language", traveller.language))
    application.add_handler(CommandHandler("help", traveller.help_command))
    application.add_handler(CallbackQueryHandler(traveller.button))
    application.add_handler(MessageHandler(filters.COMMAND, traveller.unknown_command))
    application.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, traveller.plain_text
        )
    )
