"""The traveller's everyday commands: subscribe, unsubscribe, list, language, help.

Handlers are thin: they read the update, call the store or the countries module, and reply
in the reader's language. Everything a user typed is cleaned and escaped before it is
echoed; in groups only administrators change what the group follows.
"""

from __future__ import annotations

import html
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot import countries
from bot.chat import guard, picker, settings
from bot.chat.common import chat_context, reply, services_of, ticked
from bot.chat.picker import country_label
from bot.chat.settings import LANGUAGE_NAMES, show
from bot.chat.trips import help_lines as trip_help_lines
from bot.i18n import SUPPORTED_LANGUAGES, Translator
from bot.store import chats as chat_store
from bot.store import preferences

MAX_COUNTRY_LIST_CHARS = 1000
# How long a question ("type the first letters") waits for its answer.
PATIENCE = timedelta(minutes=15)


def command_help(t: Translator) -> str:
    lines = [
        t.gettext("<b>What I can do</b>"),
        t.gettext("/subscribe France, Japan: follow countries (names, codes or flags)"),
        t.gettext("/unsubscribe Japan: stop following a country (or: all)"),
        t.gettext("/list: the countries you follow"),
        *trip_help_lines(t),
        t.gettext("/settings: alert level, topics, quiet hours, timezone, digest"),
        t.gettext("/pause and /resume: stop and restart all alerts"),
        t.gettext("/language: change the language I write in"),
        t.gettext("/about: where my alerts come from"),
        t.gettext("/mydata and /forget: see or delete what I store about you"),
        t.gettext("/help: this message"),
        "",
        t.gettext(
            "I check official travel advisories regularly and write to you when one of your"
            " countries gets a new advisory or a changed level. Official sources prevail."
        ),
    ]
    return "\n".join(lines)


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services, chat, t = await chat_context(update, context)
    if not await guard.allowed(update, context, t):
        return
    if guard.overlong(update, MAX_COUNTRY_LIST_CHARS):
        await reply(update, t.gettext("That is too long for a list of countries."), t=t)
        return
    text = guard.arguments(update)
    if not text:
        await picker.ask(update, context)
        return
    query = countries.parse_countries(text, chat.language)
    added = await chat_store.subscribe(services.db, chat.chat_id, query.found, now=services.clock())
    already = [code for code in query.found if code not in added]
    parts: list[str] = []
    if added:
        names = ", ".join(country_label(code, t) for code in added)
        parts.append(t.gettext("You now follow: %(countries)s.", countries=html.escape(names)))
    if already:
        names = ", ".join(country_label(code, t) for code in already)
        parts.append(t.gettext("You already follow: %(countries)s.", countries=html.escape(names)))
    buttons: list[list[InlineKeyboardButton]] = []
    for unknown in query.unknown[:10]:
        term = guard.echo(unknown.term)
        if not term:
            continue
        close = picker.close_suggestions(unknown.term, unknown.suggestions, chat.language)
        if close:
            parts.append(t.gettext("I don't know “%(term)s”. Did you mean:", term=term))
            buttons.append(
                [
                    InlineKeyboardButton(country_label(code, t), callback_data=f"sub:{code}")
                    for code in close
                ]
            )
        else:
            parts.append(guard.unknown_country(term, t))
    if not parts:
        parts.append(guard.no_country_found(t))
    await reply(
        update,
        "\n".join(parts),
        t=t,
        reply_markup=InlineKeyboardMarkup(buttons) if buttons else None,
    )


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services, chat, t = await chat_context(update, context)
    if not await guard.allowed(update, context, t):
        return
    if guard.overlong(update, MAX_COUNTRY_LIST_CHARS):
        await reply(update, t.gettext("That is too long for a list of countries."), t=t)
        return
    text = guard.arguments(update)
    if not text:
        await list_subscriptions(update, context)
        return
    if text.casefold() in {"all", t.gettext("all").casefold()}:
        removed_count = await chat_store.unsubscribe_all(services.db, chat.chat_id)
        await reply(
            update,
            t.ngettext(
                "You no longer follow %(num)s country.",
                "You no longer follow %(num)s countries.",
                removed_count,
            ),
            t=t,
        )
        return
    query = countries.parse_countries(text, chat.language)
    removed = await chat_store.unsubscribe(services.db, chat.chat_id, query.found)
    if removed:
        names = ", ".join(country_label(code, t) for code in removed)
        await reply(
            update,
            t.gettext("You no longer follow: %(countries)s.", countries=html.escape(names)),
            t=t,
        )
    else:
        await reply(update, t.gettext("You were not following any of those countries."), t=t)


def list_view(followed: list[str], t: Translator) -> tuple[str, InlineKeyboardMarkup | None]:
    """The countries a chat follows, a button to drop each and one to change the level."""
    level_button = [
        InlineKeyboardButton("🎚 " + t.gettext("Change the alert level"), callback_data="set:l")
    ]
    if not followed:
        text = t.gettext(
            "You follow no countries yet. Try %(example)s", example="<code>/subscribe France</code>"
        )
        return text, None
    lines = [
        t.ngettext("You follow %(num)s country:", "You follow %(num)s countries:", len(followed))
    ]
    lines += [html.escape(country_label(code, t)) for code in followed]
    buttons = [
        [InlineKeyboardButton("✖ " + country_label(code, t), callback_data=f"unsub:{code}")]
        for code in followed
    ]
    return "\n".join(lines), InlineKeyboardMarkup([*buttons, level_button])


async def list_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services, chat, t = await chat_context(update, context)
    followed = await chat_store.subscriptions_of(services.db, chat.chat_id)
    text, markup = list_view(followed, t)
    await reply(update, text, t=t, reply_markup=markup)


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services, chat, t = await chat_context(update, context)
    if not await guard.allowed(update, context, t):
        return
    wanted = guard.arguments(update).lower()[:10]
    if wanted in SUPPORTED_LANGUAGES:
        await chat_store.set_language(services.db, chat.chat_id, wanted, now=services.clock())
        t = services.catalogs.translator(wanted)
        await reply(update, t.gettext("I will write to you in English."), t=t)
        return
    await reply(
        update,
        t.gettext("Choose your language:"),
        t=t,
        reply_markup=_language_keyboard(chat.language),
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = (await chat_context(update, context)).t
    await reply(update, command_help(t), t=t)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An unknown command gets pointed to /help; in a group, only when it was meant for us."""
    message = update.effective_message
    command = (message.text or "").split()[0] if message and message.text else ""
    _, at, addressee = command.partition("@")
    chat_type = update.effective_chat.type if update.effective_chat else ChatType.PRIVATE
    if chat_type != ChatType.PRIVATE and (
        not at or addressee.casefold() != (context.bot.username or "").casefold()
    ):
        return  # another bot's command, or one for every bot in the group
    t = (await chat_context(update, context)).t
    await reply(
        update,
        t.gettext(
            "I don't know the command %(command)s. Send /help to see what I can do.",
            command=guard.echo(command, 40),
        ),
        t=t,
    )


async def plain_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private message that is not a command: the answer to a question, or a search."""
    services, chat, t = await chat_context(update, context)
    message = update.effective_message
    text = (message.text or "") if message else ""
    expected = await preferences.take_expected_input(
        services.db, chat.chat_id, now=services.clock(), patience=PATIENCE
    )
    if expected == settings.TIMEZONE:
        await settings.typed_timezone(update, context, text)
        return
    if expected in (picker.SEARCH, picker.SEARCH_AT_START):
        await picker.answer_search(update, context, text, expected)
        return
    named = countries.parse_countries(guard.clean(text, MAX_COUNTRY_LIST_CHARS), chat.language)
    if named.found and not named.unknown:  # "Japan": offer it rather than lecture
        await picker.answer_search(update, context, text, picker.SEARCH)
        return
    await reply(
        update,
        t.gettext(
            "To follow a country, send for example %(example)s",
            example="<code>/subscribe Japan</code>",
        ),
        t=t,
    )


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text in a group reaches the bot when it answers the bot's question; else ignored."""
    services = services_of(context)
    tg_chat = update.effective_chat
    if tg_chat is None or await chat_store.get_chat(services.db, tg_chat.id) is None:
        return
    expected = await preferences.take_expected_input(
        services.db, tg_chat.id, now=services.clock(), patience=PATIENCE
    )
    message = update.effective_message
    text = (message.text or "") if message else ""
    if expected == settings.TIMEZONE:
        await settings.typed_timezone(update, context, text)
    elif expected in (picker.SEARCH, picker.SEARCH_AT_START):
        await picker.answer_search(update, context, text, expected)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Inline buttons: sub:XX, unsub:XX, lang:xx. The data is checked, never trusted."""
    query = update.callback_query
    assert query is not None
    services, chat, t = await chat_context(update, context)
    action, _, value = (query.data or "").partition(":")
    valid = (action == "lang" and value in SUPPORTED_LANGUAGES) or (
        action in {"sub", "unsub"} and value in countries.ALL_COUNTRIES
    )
    if not valid:
        await query.answer(t.gettext("This button has expired."))
        return
    if not await guard.allowed(update, context, t):
        return
    if action == "lang":
        await chat_store.set_language(services.db, chat.chat_id, value, now=services.clock())
        t = services.catalogs.translator(value)
        await query.answer()
        await reply(update, t.gettext("I will write to you in English."), t=t)
        return
    if action == "sub":
        await chat_store.subscribe(services.db, chat.chat_id, [value], now=services.clock())
        text = t.gettext("You now follow: %(countries)s.", countries=country_label(value, t))
        await query.answer(text[:190])
        await reply(update, html.escape(text), t=t)
        return
    await chat_store.unsubscribe(services.db, chat.chat_id, [value])
    text = t.gettext("You no longer follow: %(countries)s.", countries=country_label(value, t))
    await query.answer(text[:190])
    if isinstance(query.message, Message) and query.message.text:
        followed = await chat_store.subscriptions_of(services.db, chat.chat_id)
        text, markup = list_view(followed, t)
        await show(query, text, markup, t=t)  # one country shorter
    else:
        await reply(update, html.escape(text), t=t)


def _language_keyboard(current: str) -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(
            ticked(LANGUAGE_NAMES[code], code == current), callback_data=f"lang:{code}"
        )
        for code in SUPPORTED_LANGUAGES
    ]
    return InlineKeyboardMarkup([row[:3], row[3:]])
