"""/start: set up in three taps (language, a first country, an alert level), and deep links.

The language is preselected from Telegram's language_code, so most readers only confirm
it. A deep link's payload (`/start join_<token>`) goes to whoever registered its prefix;
an unknown payload is mentioned politely and the usual setup follows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ContextTypes

from bot import countries
from bot.chat import guard, picker
from bot.chat.common import chat_context, current_chat, reply, services_of, ticked, translator_for
from bot.chat.settings import LANGUAGE_NAMES, level_label, show
from bot.i18n import SUPPORTED_LANGUAGES, Translator
from bot.store import chats as chat_store
from bot.store import preferences

StartPayloadHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]
PAYLOADS_KEY = "start_payloads"
# Telegram allows A-Z, a-z, 0-9, _ and - in a start parameter, up to 64 characters.
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Where travellers most often go: offered as the first country, one tap away.
LIKELY_COUNTRIES = ("FR", "ES", "IT", "US", "TH", "TR", "MX", "JP")


def register_start_payload(
    application: Application[Any, Any, Any, Any, Any, Any],
    prefix: str,
    handler: StartPayloadHandler,
) -> None:
    """Send `/start <payload>` whose payload starts with `prefix` to `handler`.

    The handler gets the whole payload (prefix included) and answers the reader itself.
    The registry lives with the application, so two bots in one process never share it.
    """
    if not _PAYLOAD.match(prefix):
        raise ValueError(f"a start payload prefix uses A-Z, a-z, 0-9, _ and - only: {prefix!r}")
    registry: dict[str, StartPayloadHandler] = application.bot_data.setdefault(PAYLOADS_KEY, {})
    registry[prefix] = handler


def _payload_handler(
    context: ContextTypes.DEFAULT_TYPE, payload: str
) -> StartPayloadHandler | None:
    registry = context.application.bot_data.get(PAYLOADS_KEY) or {}
    for prefix in sorted(registry, key=len, reverse=True):
        if payload.startswith(prefix):
            handler: StartPayloadHandler = registry[prefix]
            return handler
    return None


def welcome(t: Translator) -> str:
    return t.gettext(
        "Hello! I tell travellers when official advisories, hazards or outbreaks affect the"
        " countries they follow."
    )


def language_step(t: Translator, current: str) -> tuple[str, InlineKeyboardMarkup]:
    text = "\n\n".join([welcome(t), t.gettext("<b>1/3</b> Which language shall I write in?")])
    buttons = [
        InlineKeyboardButton(
            ticked(LANGUAGE_NAMES[code], code == current),
            callback_data=f"ob:lang:{code}",
        )
        for code in SUPPORTED_LANGUAGES
    ]
    return text, InlineKeyboardMarkup([buttons[:3], buttons[3:]])


def country_step(t: Translator, followed: list[str]) -> tuple[str, InlineKeyboardMarkup]:
    offered = [code for code in (*followed, *LIKELY_COUNTRIES) if code in countries.ALL_COUNTRIES]
    offered = list(dict.fromkeys(offered))[:8]
    buttons = [
        InlineKeyboardButton(
            ticked(picker.country_label(code, t), code in followed),
            callback_data=f"ob:c:{code}",
        )
        for code in offered
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton("🔎 " + t.gettext("Type a name"), callback_data="ob:type")])
    text = t.gettext(
        "<b>2/3</b> Which country shall I watch for you first? Tap one, or type a name."
    )
    return text, InlineKeyboardMarkup(rows)


def level_step(t: Translator, current: int) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [
            InlineKeyboardButton(
                ticked(level_label(level, t), level == current),
                callback_data=f"ob:lvl:{level}",
            )
        ]
        for level in (1, 2, 3, 4)
    ]
    text = t.gettext(
        "<b>3/3</b> From which level shall I write to you? Level 1 means everything; level 4"
        " only the most serious advisories."
    )
    return text, InlineKeyboardMarkup(rows)


def all_set(t: Translator, followed: list[str], level: int) -> str:
    names = ", ".join(picker.country_label(code, t) for code in followed)
    lines = [
        t.gettext("✅ All set."),
        t.gettext("You follow: %(countries)s.", countries=html.escape(names))
        if followed
        else t.gettext("You follow no countries yet: add them with /subscribe."),
        t.gettext("I write from level %(level)s.", level=level_label(level, t)),
        "",
        t.gettext(
            "Add countries with /subscribe, change anything with /settings, and see all"
            " commands with /help. Official sources prevail: I pass on what they publish."
        ),
    ]
    return "\n".join(lines)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start, with or without a deep-link payload."""
    services = services_of(context)
    chat = await current_chat(update, services)
    chat, _ = await chat_store.register_chat(
        services.db, chat.chat_id, kind=chat.kind, language=chat.language, now=services.clock()
    )
    t = translator_for(chat, services)
    payload = guard.arguments(update)
    if payload:
        handler = _payload_handler(context, payload) if _PAYLOAD.match(payload) else None
        if handler is not None:
            await handler(update, context, payload)
            return
        await reply(
            update, t.gettext("That link is not valid (any more), so let us simply start."), t=t
        )
    if not await guard.may_change(update, context):
        await reply(update, "\n\n".join([welcome(t), guard.admins_only(t)]), t=t)
        return
    text, markup = language_step(t, chat.language)
    await reply(update, text, reply_markup=markup, t=t)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ob:lang:xx, ob:c:XX, ob:type, ob:lvl:N: each step edits the same message."""
    query = update.callback_query
    assert query is not None
    services, chat, t = await chat_context(update, context)
    if not await guard.allowed(update, context, t):
        return
    db, now = services.db, services.clock()
    parts = (query.data or "").split(":", 2)
    step = parts[1] if len(parts) > 1 else ""
    value = parts[2] if len(parts) > 2 else ""
    followed = await chat_store.subscriptions_of(db, chat.chat_id)
    if step == "lang" and value in SUPPORTED_LANGUAGES:
        await chat_store.set_language(db, chat.chat_id, value, now=now)
        t = services.catalogs.translator(value)
        await query.answer()
        await show(query, *country_step(t, followed), t=t)
        return
    if step == "c" and value in countries.ALL_COUNTRIES:
        await chat_store.subscribe(db, chat.chat_id, [value], now=now)
        await query.answer(
            t.gettext("You now follow: %(countries)s.", countries=picker.country_label(value, t))
        )
        prefs = await preferences.preferences_of(db, chat.chat_id)
        assert prefs is not None
        await show(query, *level_step(t, prefs.min_severity), t=t)
        return
    if step == "type" and not value:
        await picker.ask_in_place(query, context, chat.chat_id, t, picker.SEARCH_AT_START)
        return
    if step == "lvl" and value in {"1", "2", "3", "4"}:
        await chat_store.set_min_severity(db, chat.chat_id, int(value), now=now)
        await query.answer()
        await show(query, all_set(t, followed, int(value)), t=t)
        return
    await query.answer(t.gettext("This button has expired."))
