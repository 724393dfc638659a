"""Telegram handlers: parse the command, call the domain, reply. Registered in one place."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.chat import (
    admin,
    desk,
    desk_broadcast,
    desk_checkin,
    errors,
    guard,
    onboarding,
    picker,
    privacy,
    settings,
    status,
    traveller,
    trips,
)


def register_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Every command and button the bot understands; anything else gets a helpful answer.

    Handlers in one group are tried in order and the first that matches wins, so the
    catch-all for unknown commands comes last.
    """
    guard.install(application)  # flood control before anything else (group -2)
    application.add_error_handler(errors.on_error)  # a failed handler: say so, log, count
    application.add_handler(CommandHandler("start", onboarding.start))
    application.add_handler(CommandHandler("subscribe", traveller.subscribe))
    application.add_handler(CommandHandler("unsubscribe", traveller.unsubscribe))
    application.add_handler(CommandHandler("list", traveller.list_subscriptions))
    application.add_handler(CommandHandler("language", traveller.language))
    application.add_handler(CommandHandler("help", traveller.help_command))
    application.add_handler(CommandHandler("settings", settings.settings_command))
    application.add_handler(CommandHandler("pause", settings.pause))
    application.add_handler(CommandHandler("resume", settings.resume))
    application.add_handler(CommandHandler("about", privacy.about))
    application.add_handler(CommandHandler("mydata", privacy.my_data))
    application.add_handler(CommandHandler("forget", privacy.forget))
    application.add_handler(CallbackQueryHandler(onboarding.button, pattern=r"^ob:"))
    application.add_handler(CallbackQueryHandler(settings.button, pattern=r"^set:"))
    application.add_handler(CallbackQueryHandler(picker.button, pattern=r"^srch:"))
    application.add_handler(CallbackQueryHandler(privacy.button, pattern=r"^forget:"))
    application.add_handler(trips.conversation())  # /trip, then its questions until complete
    application.add_handler(CommandHandler("trips", trips.list_trips))
    application.add_handler(CommandHandler("place", trips.place))
    application.add_handler(CommandHandler("status", status.status))
    application.add_handler(CallbackQueryHandler(trips.button, pattern=trips.BUTTON_PATTERN))
    admin.register(application)  # the blocked-user gate (group -1) and admin commands
    register_desk(application)  # travel desks: before the catch-alls below
    application.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & filters.ChatType.GROUPS, traveller.group_text
        )
    )  # a group's answer to "type the first letters" or "type your timezone"
    application.add_handler(CallbackQueryHandler(traveller.button))
    application.add_handler(MessageHandler(filters.COMMAND, traveller.unknown_command))
    application.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, traveller.plain_text
        )
    )


def register_desk(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Travel-desk commands (private chats only), buttons, files, invite links and the
    round that asks safety questions; the desk's plain-text step comes before the
    traveller's plain-text answer, which it passes text on to."""
    private = filters.ChatType.PRIVATE
    onboarding.register_start_payload(application, "join_", desk.join)
    commands = {
        "desk": desk.desk_help,
        "org_create": desk.org_create,
        "org": desk.org_choose,
        "operator_add": desk.operator_add,
        "invite": desk.invite,
        "invites": desk.invites,
        "invite_revoke": desk.invite_revoke,
        "roster": desk.roster,
        "trip_add": desk.trip_add,
        "broadcast": desk_broadcast.broadcast,
        "broadcast_cancel": desk_broadcast.cancel,
        "broadcasts": desk_broadcast.broadcasts,
        "report": desk_broadcast.report_command,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=private))
    application.add_handler(CallbackQueryHandler(desk_broadcast.desk_button, pattern=r"^dsk:"))
    application.add_handler(CallbackQueryHandler(desk_checkin.check_in_button, pattern=r"^chk:"))
    application.add_handler(
        MessageHandler(filters.Document.FileExtension("csv") & private, desk.trips_file)
    )
    application.add_handler(
        MessageHandler(filters.Document.FileExtension("txt") & private, desk_broadcast.warning_file)
    )
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & private, desk_broadcast.compose_text)
    )
    desk_checkin.schedule_desk_round(application)
