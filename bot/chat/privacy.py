"""What the bot knows and where it gets it: /about, /mydata and /forget.

/mydata shows every row stored about the chat (as a JSON file too when it is long);
/forget deletes all of it after a confirmation, from every table with a chat_id column.
"""

from __future__ import annotations

import html
import json
from io import BytesIO
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import ContextTypes

from bot.chat import guard
from bot.chat.common import current_chat, reply, services_of, translator_for
from bot.chat.picker import country_label
from bot.chat.settings import show, summary
from bot.i18n import N_, Translator
from bot.render.words import source_name
from bot.store import preferences

# What a reader calls the tables other parts of the bot keep; others show their own name.
TABLE_NAMES = {
    "trips": N_("Trips"),
    "trip_countries": N_("Countries of trips"),
    "places": N_("Places"),
}
# Above this many characters the full export goes out as a file as well.
LONG_EXPORT_CHARS = 3000


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Which official sources are read, how often, and that they prevail."""
    services = services_of(context)
    chat = await current_chat(update, services)
    t = translator_for(chat, services)
    settings = services.settings
    lines = [t.gettext("<b>Where my alerts come from</b>")]
    for source in settings.sources:
        if not source.enabled:
            continue
        minutes = max(1, round((source.interval_seconds or settings.poll_interval_seconds) / 60))
        every = t.ngettext("every %(num)s minute", "every %(num)s minutes", minutes)
        lines.append(f"• {html.escape(source_name(source.name, t))}: {every}")
    if len(lines) == 1:
        lines.append(t.gettext("No sources are configured on this bot yet."))
    lines += [
        "",
        t.gettext(
            "I pass on what official sources publish, in your language, as soon as I see it."
            " I can be late or wrong: the official sources prevail, and in an emergency"
            " follow local authorities."
        ),
        t.gettext("/mydata shows what I store about you; /forget deletes it."),
    ]
    await reply(update, "\n".join(lines))


async def my_data(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Everything stored about the chat, readable, and as JSON when it is long."""
    services = services_of(context)
    chat = await current_chat(update, services)
    t = translator_for(chat, services)
    data = await preferences.personal_data(services.db, chat.chat_id)
    prefs = await preferences.preferences_of(services.db, chat.chat_id)
    assert prefs is not None
    followed = [row["country"] for row in data.get("subscriptions", [])]
    lines = [
        t.gettext("<b>What I store about this chat</b>"),
        t.gettext("Chat id: %(id)s", id=chat.chat_id),
        t.gettext(
            "Countries: %(countries)s",
            countries=html.escape(", ".join(country_label(c, t) for c in followed))
            or t.gettext("none"),
        ),
        "",
        summary(prefs, t, services.clock()),
        "",
        t.gettext(
            "Messages recorded as sent or queued: %(num)s", num=len(data.get("deliveries", []))
        ),
    ]
    for table, rows in sorted(data.items()):
        if table not in {"chats", "subscriptions", "deliveries"} and rows:
            name = TABLE_NAMES.get(table)
            label = html.escape(t.gettext(name) if name else table)
            lines.append(
                t.ngettext(
                    "%(table)s: %(num)s record",
                    "%(table)s: %(num)s records",
                    len(rows),
                    table=label,
                )
            )
    lines += ["", t.gettext("/forget deletes all of it.")]
    export = json.dumps(data, ensure_ascii=False, indent=1, default=str)
    await reply(update, "\n".join(lines))
    if len(export) > LONG_EXPORT_CHARS:
        message = update.effective_message
        assert message is not None
        await message.reply_document(
            InputFile(BytesIO(export.encode()), filename="mydata.json"),
            caption=t.gettext("Everything, as a JSON file."),
        )


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask before deleting: the deletion cannot be undone."""
    services = services_of(context)
    chat = await current_chat(update, services)
    t = translator_for(chat, services)
    if not await guard.allowed(update, context, t):
        return
    await reply(update, _question(t), reply_markup=_confirm_keyboard(t))


def _question(t: Translator) -> str:
    return t.gettext(
        "Delete everything I store about this chat: countries, settings and the record of"
        " messages sent? This cannot be undone."
    )


def _confirm_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "🗑 " + t.gettext("Yes, delete everything"), callback_data="forget:yes"
                ),
                InlineKeyboardButton(t.gettext("No, keep it"), callback_data="forget:no"),
            ]
        ]
    )


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """forget:yes deletes every row about the chat; forget:no keeps them."""
    query = update.callback_query
    assert query is not None
    services = services_of(context)
    chat = await current_chat(update, services)
    t = translator_for(chat, services)
    if not await guard.allowed(update, context, t):
        return
    if query.data == "forget:no":
        await query.answer()
        await show(query, t.gettext("Nothing was deleted."))
        return
    if query.data != "forget:yes":
        await query.answer(t.gettext("This button has expired."))
        return
    deleted: dict[str, Any] = await preferences.forget_chat(services.db, chat.chat_id)
    await query.answer()
    await show(
        query,
        t.gettext(
            "Done: I deleted everything I stored about this chat (%(num)s records)."
            " Send /start if you want alerts again.",
            num=sum(deleted.values()),
        ),
    )
