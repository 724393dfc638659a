"""The traveller's commands: start, subscribe, unsubscribe, list, language, help.

Handlers are thin: they read the update, call the store or the countries module, and reply
in the reader's language. Everything a user typed is escaped before it is echoed.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import countries
from bot.chat.common import current_chat, reply, services_of, translator_for
from bot.i18n import SUPPORTED_LANGUAGES, Translator
from bot.store import chats as chat_store

# Each language offered in its own name, so a reader finds theirs whatever is shown now.
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "ru": "Русский",
    "ar": "العربية",
}
MAX_ARGUMENT_CHARS = 1000


def country_label(code: str, t: Translator) -> str:
    return f"{countries.flag(code)} {t.country(code)}".strip()


def command_help(t: Translator) -> str:
    lines = [
        t.gettext("<b>What I can do</b>"),
        t.gettext("/subscribe France, Japan: follow countries (names, codes or flags)"),
        t.gettext("/unsubscribe Japan: stop following a country (or: all)"),
        t.gettext("/list: the countries you follow"),
        t.gettext("/language: change the language I write in"),
        t.gettext("/help: this message"),
        "",
        t.gettext(
            "I check official travel advisories regularly and write to you when one of your"
            " countries gets a new advisory or a changed level. Official sources prevail."
        ),
    ]
    return "\n".join(lines)


def _arguments(update: Update) -> str:
    """The text after the command, or '' (a command alone, or with @botname)."""
    message = update.effective_message
    text = (message.text or "") if message else ""
    _, _, rest = text.partition(" ")
    return rest.strip()


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = services_of(context)
    chat = await current_chat(update, services)
    chat, _ = await chat_store.register_chat(
        services.db, chat.chat_id, kind=chat.kind, language=chat.language, now=services.clock()
    )
    t = translator_for(chat, services)
    welcome = t.gettext(
        "Hello! I tell travellers when official advisories, hazards or outbreaks affect the"
        " countries they follow."
    )
    next_step = t.gettext(
        "Which countries do you want to follow? For example: %(example)s",
        example="<code>/subscribe France, Japan</code>",
    )
    await reply(
        update,
        f"{welcome}\n\n{next_step}\n\n{command_help(t)}",
        reply_markup=_language_keyboard(),
    )


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = services_of(context)
    chat = await current_chat(update, services)
    t = translator_for(chat, services)
    text = _arguments(update)
    if not text:
        await reply(
            update,
            t.gettext(
                "Tell me which countries, for example: %(example)s",
                example="<code>/subscribe Germany, 🇯🇵, ES</code>",
            ),
        )
        return
    if len(text) > MAX_ARGUMENT_CHARS:
        await reply(update, t.gettext("That is too long for a list of countries."))
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
    for unknown in query.unknown:
        term = html.escape(unknown.term[:60])
        if unknown.suggestions:
            parts.append(t.gettext("I don't know “%(term)s”. Did you mean:", term=term))
            buttons.append(
                [
                    InlineKeyboardButton(country_label(code, t), callback_data=f"sub:{code}")
                    for code in unknown.suggestions
                ]
            )
        else:
            parts.append(
                t.gettext(
                    "I don't know “%(term)s”. Try a country name, a two-letter code like DE,"
                    " or a flag.",
                    term=term,
                )
            )
    await reply(
        update,
        "\n".join(parts),
        reply_markup=InlineKeyboardMarkup(buttons) if buttons else None,
    )


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = services_of(context)
    chat = await current_chat(update, services)
    t = translator_for(chat, services)
    text = _arguments(update)
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
        )
        return
    query = countries.parse_countries(text[:MAX_ARGUMENT_CHARS], chat.language)
    removed = await chat_store.unsubscribe(services.db, chat.chat_id, query.found)
    if removed:
        names = ", ".join(country_label(code, t) for code in removed)
        await reply(
            update, t.gettext("You no longer follow: %(countries)s.", countries=html.escape(names))
        )
    else:
        await reply(update, t.gettext("You were not following any of those countries."))


async def list_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = services_of(context)
    chat = await current_chat(update, services)
    t = translator_for(chat, services)
    followed = await chat_store.subscriptions_of(services.db, chat.chat_id)
    if not followed:
        await reply(
            update,
            t.gettext(
                "You follow no countries yet. Try %(example)s",
                example="<code>/subscribe France</code>",
            ),
        )
        return
    lines = [
        t.ngettext("You follow %(num)s country:", "You follow %(num)s countries:", len(followed))
    ]
    lines += [html.escape(country_label(code, t)) for code in followed]
    buttons = [
        [InlineKeyboardButton("✖ " + country_label(code, t), callback_data=f"unsub:{code}")]
        for code in followed
    ]
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons))


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = services_of(context)
    chat = await current_chat(update, services)
    wanted = _arguments(update).lower()[:10]
    if wanted in SUPPORTED_LANGUAGES:
        await chat_store.set_language(services.db, chat.chat_id, wanted, now=services.clock())
        t = services.catalogs.translator(wanted)
        await reply(update, t.gettext("I will write to you in English."))
        return
    t = translator_for(chat, services)
    await reply(update, t.gettext("Choose your language:"), reply_markup=_language_keyboard())


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = services_of(context)
    chat = await current_chat(update, services)
    await reply(update, command_help(translator_for(chat, services)))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = services_of(context)
    chat = await current_chat(update, services)
    t = translator_for(chat, services)
    message = update.effective_message
    command = (message.text or "").split()[0] if message and message.text else ""
    await reply(
        update,
        t.gettext(
            "I don't know the command %(command)s. Send /help to see what I can do.",
            command=html.escape(command[:40]),
        ),
    )


async def plain_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private message that is not a command: point to the commands."""
    services = services_of(context)
    chat = await current_chat(update, services)
    t = translator_for(chat, services)
    await reply(
        update,
        t.gettext(
            "To follow a country, send for example %(example)s",
            example="<code>/subscribe Japan</code>",
        ),
    )


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Inline buttons: sub:XX, unsub:XX, lang:xx. The data is checked, never trusted."""
    query = update.callback_query
    assert query is not None
    services = services_of(context)
    chat = await current_chat(update, services)
    action, _, value = (query.data or "").partition(":")
    if action == "lang" and value in SUPPORTED_LANGUAGES:
        await chat_store.set_language(services.db, chat.chat_id, value, now=services.clock())
        t = services.catalogs.translator(value)
        await query.answer()
        await reply(update, t.gettext("I will write to you in English."))
        return
    t = translator_for(chat, services)
    if action in {"sub", "unsub"} and value in countries.ALL_COUNTRIES:
        if action == "sub":
            await chat_store.subscribe(services.db, chat.chat_id, [value], now=services.clock())
            text = t.gettext("You now follow: %(countries)s.", countries=country_label(value, t))
        else:
            await chat_store.unsubscribe(services.db, chat.chat_id, [value])
            text = t.gettext(
                "You no longer follow: %(countries)s.", countries=country_label(value, t)
            )
        await query.answer(text[:190])
        await reply(update, html.escape(text))
        return
    await query.answer(t.gettext("This button has expired."))


def _language_keyboard() -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=f"lang:{code}")
        for code in SUPPORTED_LANGUAGES
    ]
    return InlineKeyboardMarkup([row[:3], row[3:]])
