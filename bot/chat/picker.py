"""Finding a country by its first letters: a keyboard of matches, one tap to follow.

`/subscribe` alone asks for a few letters; the next plain-text message is read as a search
and answered with buttons, a page at a time. Onboarding uses the same keyboard, with
buttons that lead on to its last step.
"""

from __future__ import annotations

import contextlib
from functools import cache

from rapidfuzz import fuzz
from telegram import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import countries
from bot.chat import guard
from bot.chat.common import TICK, chat_context, reply, services_of
from bot.countries.names import fold, language_index
from bot.i18n import Translator
from bot.store import chats as chat_store
from bot.store import preferences

PAGE_SIZE = 6
SEARCH = "search"
SEARCH_AT_START = "search:start"
_CLOSE_ENOUGH = 75.0  # rapidfuzz ratio: below this a suggestion is a guess, not a help
_BEST_MARGIN = 15.0  # and it must not be far behind the best one
_CALLBACK_BYTES = 64


def country_label(code: str, t: Translator) -> str:
    return f"{countries.flag(code)} {t.country(code)}".strip()


def close_suggestions(term: str, suggestions: tuple[str, ...], language: str) -> tuple[str, ...]:
    """The suggestions a reader would recognise as what they meant; poor guesses dropped.

    "Spian" suggests Spain, not Iran; "Austrlia" keeps Australia and Austria.
    """
    key = fold(term)
    if not key:
        return ()
    scored = [(code, _closeness(key, code, language)) for code in suggestions]
    best = max((score for _, score in scored), default=0.0)
    return tuple(
        code for code, score in scored if score >= _CLOSE_ENOUGH and score >= best - _BEST_MARGIN
    )


def _closeness(key: str, code: str, language: str) -> float:
    names = _names_by_code(language).get(code, ())
    return max((fuzz.ratio(key, name) for name in names), default=0.0)


@cache
def _names_by_code(language: str) -> dict[str, tuple[str, ...]]:
    """Folded names and aliases of each country, in `language` and in English."""
    names: dict[str, set[str]] = {}
    for lang in {language if language in countries.SUPPORTED_LANGUAGES else "en", "en"}:
        for key, codes in language_index(lang).codes_by_key.items():
            for code in codes:
                names.setdefault(code, set()).add(key)
    return {code: tuple(sorted(keys)) for code, keys in names.items()}


def matches(term: str, language: str) -> list[str]:
    """Countries for a typed search: by first letters, else whatever the text names."""
    found = countries.search(term[:100], language, limit=len(countries.ALL_COUNTRIES))
    if found:
        return found
    query = countries.parse_countries(term[:1000], language)
    codes = list(query.found)
    for unknown in query.unknown:
        codes += [
            c
            for c in close_suggestions(unknown.term, unknown.suggestions, language)
            if c not in codes
        ]
    return codes


def results_keyboard(
    codes: list[str], t: Translator, *, page: int, mode: str, term: str
) -> InlineKeyboardMarkup:
    """A page of countries, two to a row, with previous/next buttons when there are more."""
    pages = max(1, -(-len(codes) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = codes[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    action = "ob:c:" if mode == SEARCH_AT_START else "srch:add:"
    buttons = [InlineKeyboardButton(country_label(c, t), callback_data=action + c) for c in shown]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton(
                "« " + t.gettext("Previous"), callback_data=_page(mode, page - 1, term)
            )
        )
    if page < pages - 1:
        navigation.append(
            InlineKeyboardButton(
                t.gettext("Next") + " »", callback_data=_page(mode, page + 1, term)
            )
        )
    if navigation:
        rows.append(navigation)
    return InlineKeyboardMarkup(rows)


def _page(mode: str, page: int, term: str) -> str:
    """srch:p:<mode>:<page>:<term>, the term cut to fit Telegram's 64 bytes."""
    head = f"srch:p:{'s' if mode == SEARCH_AT_START else 'a'}:{page}:"
    room = _CALLBACK_BYTES - len(head.encode())
    clipped = term.encode()[:room].decode(errors="ignore")
    return head + clipped


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE, mode: str = SEARCH) -> None:
    """Ask for the first letters of a country; the next plain-text message answers."""
    services, chat, t = await chat_context(update, context)
    await preferences.expect_input(services.db, chat.chat_id, mode, now=services.clock())
    # In a group the bot only sees replies to its own messages (privacy mode): ask for one.
    private = chat.kind == ChatType.PRIVATE
    await reply(
        update, _question(t), reply_markup=None if private else ForceReply(selective=True), t=t
    )


async def ask_in_place(
    query: CallbackQuery,
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    t: Translator,
    mode: str,
) -> None:
    """The same question, asked by editing the message whose button was pressed."""
    services = services_of(context)
    await preferences.expect_input(services.db, chat_id, mode, now=services.clock())
    await query.answer()
    await query.edit_message_text(_question(t), parse_mode=ParseMode.HTML)


def _question(t: Translator) -> str:
    return t.gettext(
        "Type the first letters of a country, in any language (for example: %(example)s).",
        example="<code>ger</code>",
    )


async def answer_search(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, mode: str
) -> None:
    """A typed search: matching countries as buttons, or a request to try other letters."""
    services, chat, t = await chat_context(update, context)
    term = guard.clean(text, 100)
    codes = matches(term, chat.language)
    if not codes:
        await preferences.expect_input(services.db, chat.chat_id, mode, now=services.clock())
        await reply(
            update,
            t.gettext("No country matches “%(term)s”. Type other letters:", term=guard.echo(text)),
            t=t,
        )
        return
    await reply(
        update,
        t.ngettext(
            "%(num)s country matches “%(term)s”. Tap one to follow it:",
            "%(num)s countries match “%(term)s”. Tap one to follow it:",
            len(codes),
            term=guard.echo(text),
        ),
        reply_markup=results_keyboard(codes, t, page=0, mode=mode, term=term),
        t=t,
    )


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """srch:add:XX follows a country; srch:p:<mode>:<page>:<term> turns the page."""
    query = update.callback_query
    assert query is not None
    services, chat, t = await chat_context(update, context)
    parts = (query.data or "").split(":", 4)
    if len(parts) == 3 and parts[1] == "add" and parts[2] in countries.ALL_COUNTRIES:
        if not await guard.allowed(update, context, t):
            return
        code = parts[2]
        await chat_store.subscribe(services.db, chat.chat_id, [code], now=services.clock())
        await query.answer(
            t.gettext("You now follow: %(countries)s.", countries=country_label(code, t))[:190]
        )
        message = query.message
        markup = message.reply_markup if isinstance(message, Message) else None
        if markup is not None:
            with contextlib.suppress(BadRequest):  # "not modified": it was ticked already
                await query.edit_message_reply_markup(_ticked(markup, query.data or ""))
        return
    if len(parts) == 5 and parts[1] == "p" and parts[2] in ("a", "s") and parts[3].isdigit():
        mode = SEARCH_AT_START if parts[2] == "s" else SEARCH
        term = guard.clean(parts[4], 100)
        codes = matches(term, chat.language)
        await query.answer()
        if codes:
            await query.edit_message_reply_markup(
                results_keyboard(codes, t, page=int(parts[3]), mode=mode, term=term)
            )
        return
    await query.answer(t.gettext("This button has expired."))


def _ticked(markup: InlineKeyboardMarkup, data: str) -> InlineKeyboardMarkup:
    """The same keyboard with a tick on the button just pressed."""
    rows = []
    for row in markup.inline_keyboard:
        rows.append(
            [
                InlineKeyboardButton(
                    TICK + str(b.text).removeprefix(TICK), callback_data=b.callback_data
                )
                if b.callback_data == data
                else b
                for b in row
            ]
        )
    return InlineKeyboardMarkup(rows)
