"""/settings: one message whose buttons edit it in place, and /pause, /resume.

Every choice the delivery side reads is here: the level an alert must reach, its topics,
whether text-only updates count, quiet hours, timezone, language, and instant messages
or a daily digest. Button data is checked against the known values, never trusted.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel.core import get_global
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.alerts import Category, Severity
from bot.chat import guard
from bot.chat.common import chat_context, reply, ticked
from bot.i18n import SUPPORTED_LANGUAGES, Translator
from bot.render.text import orient
from bot.render.words import category_word, severity_emoji, severity_word
from bot.store import chats as chat_store
from bot.store import preferences
from bot.store.database import Database
from bot.store.preferences import PreferenceError, Preferences

log = logging.getLogger(__name__)

# Each language offered in its own name, so a reader finds theirs whatever is shown now.
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "ru": "Русский",
    "ar": "العربية",
}
QUIET_PRESETS = (("22:00", "07:00"), ("23:00", "08:00"), ("21:00", "06:00"))
DIGEST_TIMES = ("07:00", "08:00", "12:00", "18:00", "20:00")
TIMEZONE = "timezone"  # what a chat is asked to type after "type a timezone"


async def show(
    query: CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    t: Translator,
) -> None:
    """Replace a message's text and buttons; pressing the same button twice is no error.

    The text is laid out for the reader's direction, like every reply (`common.reply`)."""
    try:
        await query.edit_message_text(
            orient(text, t.right_to_left), parse_mode=ParseMode.HTML, reply_markup=markup
        )
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


def level_label(level: int, t: Translator) -> str:
    return f"{severity_emoji(Severity(level))} {level} · {severity_word(Severity(level), t)}"


def timezone_label(name: str, now: datetime) -> str:
    if find_timezone(name) != name:
        return html.escape(name)  # not a name zoneinfo knows: shown as stored
    offset = now.astimezone(ZoneInfo(name)).strftime("%z")
    return f"{name} (UTC{offset[:3]}:{offset[3:]})"


@cache
def _known_timezones() -> dict[str, str]:
    """IANA names by their case-folded form, so "europe/paris" is understood."""
    return {name.casefold(): name for name in available_timezones()}


def find_timezone(text: str) -> str | None:
    """The IANA timezone a reader typed ("Europe/Paris", "europe/paris", "UTC"), or None."""
    return _known_timezones().get(text.strip().replace(" ", "_").casefold())


def timezones_for(countries: list[str], limit: int = 8) -> list[str]:
    """The main timezones of the countries a chat follows (CLDR's first zone of each)."""
    zones = get_global("territory_zones")
    found: list[str] = []
    for country in countries:
        for zone in zones.get(country, ())[:2]:
            if zone not in found and find_timezone(zone):
                found.append(zone)
    return found[:limit]


def summary(prefs: Preferences, t: Translator, now: datetime) -> str:
    """What the chat gets, one line per setting."""
    if prefs.categories:
        topics = ", ".join(category_word(Category(c), t) for c in prefs.categories)
    else:
        topics = t.gettext("all topics")
    if prefs.quiet_start and prefs.quiet_end:
        quiet = f"{prefs.quiet_start}–{prefs.quiet_end}"
    else:
        quiet = t.gettext("off")
    if prefs.delivery_mode == "daily":
        delivery = t.gettext("a daily digest at %(time)s", time=prefs.digest_time or "08:00")
    else:
        delivery = t.gettext("as soon as they are published")
    updates = (
        t.gettext("level changes only")
        if prefs.update_mode == "levels"
        else t.gettext("all updates")
    )
    lines = [
        t.gettext("<b>Your settings</b>"),
        t.gettext("Alerts from level: %(level)s", level=level_label(prefs.min_severity, t)),
        t.gettext("Topics: %(topics)s", topics=html.escape(topics)),
        t.gettext("Updates: %(updates)s", updates=updates),
        t.gettext("Quiet hours: %(hours)s", hours=quiet),
        t.gettext("Timezone: %(zone)s", zone=timezone_label(prefs.timezone, now)),
        t.gettext("Language: %(language)s", language=LANGUAGE_NAMES.get(prefs.language, "")),
        t.gettext("Delivery: %(delivery)s", delivery=delivery),
    ]
    if prefs.paused:
        lines.append(t.gettext("⏸ Paused: I send nothing until you resume."))
    return "\n".join(lines)


def main_menu(prefs: Preferences, t: Translator) -> InlineKeyboardMarkup:
    pause = (
        InlineKeyboardButton("▶ " + t.gettext("Resume"), callback_data="set:p:0")
        if prefs.paused
        else InlineKeyboardButton("⏸ " + t.gettext("Pause"), callback_data="set:p:1")
    )
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t.gettext("Alert level"), callback_data="set:l"),
                InlineKeyboardButton(t.gettext("Topics"), callback_data="set:c"),
            ],
            [
                InlineKeyboardButton(t.gettext("Updates"), callback_data="set:u"),
                InlineKeyboardButton(t.gettext("Quiet hours"), callback_data="set:q"),
            ],
            [
                InlineKeyboardButton(t.gettext("Timezone"), callback_data="set:tz"),
                InlineKeyboardButton(t.gettext("Language"), callback_data="set:lang"),
            ],
            [InlineKeyboardButton(t.gettext("Instant or daily"), callback_data="set:d")],
            [pause, InlineKeyboardButton("✔ " + t.gettext("Done"), callback_data="set:done")],
        ]
    )


def _back(t: Translator) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton("« " + t.gettext("Back"), callback_data="set:menu")]


def level_menu(prefs: Preferences, t: Translator) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                ticked(level_label(level, t), level == prefs.min_severity),
                callback_data=f"set:l:{level}",
            )
        ]
        for level in Severity
    ]
    return InlineKeyboardMarkup([*rows, _back(t)])


def category_menu(prefs: Preferences, t: Translator) -> InlineKeyboardMarkup:
    chosen = set(prefs.categories) or {str(c) for c in Category}
    buttons = [
        InlineKeyboardButton(
            ("✅ " if str(c) in chosen else "⬜ ") + category_word(c, t), callback_data=f"set:c:{c}"
        )
        for c in Category
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(t.gettext("All topics"), callback_data="set:c:all")])
    return InlineKeyboardMarkup([*rows, _back(t)])


def choice_menu(
    options: list[tuple[str, str]], current: str, t: Translator
) -> InlineKeyboardMarkup:
    """One button per (label, data) option, a tick on the current one, and Back."""
    rows = [
        [InlineKeyboardButton(ticked(label, data == current), callback_data=data)]
        for label, data in options
    ]
    return InlineKeyboardMarkup([*rows, _back(t)])


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services, chat, t = await chat_context(update, context)
    if not await guard.allowed(update, context, t):
        return
    prefs = await preferences.preferences_of(services.db, chat.chat_id)
    assert prefs is not None
    await reply(update, summary(prefs, t, services.clock()), reply_markup=main_menu(prefs, t), t=t)


async def pause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _pause(update, context, paused=True)


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _pause(update, context, paused=False)


async def _pause(update: Update, context: ContextTypes.DEFAULT_TYPE, *, paused: bool) -> None:
    services, chat, t = await chat_context(update, context)
    if not await guard.allowed(update, context, t):
        return
    changed = await preferences.set_paused(services.db, chat.chat_id, paused, now=services.clock())
    if paused:
        text = (
            t.gettext("Paused. I will send nothing until you send /resume.")
            if changed
            else t.gettext("I am already paused. Send /resume to hear from me again.")
        )
    else:
        text = (
            t.gettext("Welcome back: I will send you alerts again.")
            if changed
            else t.gettext("I was not paused: alerts reach you as usual.")
        )
    await reply(update, text, t=t)


async def typed_timezone(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """The answer to "type your timezone": an IANA name, checked with zoneinfo."""
    services, chat, t = await chat_context(update, context)
    if not await guard.allowed(update, context, t):
        return
    zone = find_timezone(guard.clean(text, 64))
    if zone is None:
        await preferences.expect_input(services.db, chat.chat_id, TIMEZONE, now=services.clock())
        await reply(
            update,
            t.gettext(
                "I don't know the timezone “%(zone)s”. Write it like %(example)s:",
                zone=guard.echo(text),
                example="<code>Europe/Paris</code>",
            ),
            t=t,
        )
        return
    await preferences.set_timezone(services.db, chat.chat_id, zone, now=services.clock())
    await reply(
        update,
        t.gettext("Your timezone is now %(zone)s.", zone=timezone_label(zone, services.clock())),
        t=t,
    )


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """set:<key> opens a sub-menu; set:<key>:<value> stores a choice and shows the menu."""
    query = update.callback_query
    assert query is not None
    services, chat, t = await chat_context(update, context)
    if not await guard.allowed(update, context, t):
        return
    now, db = services.clock(), services.db
    prefs = await preferences.preferences_of(db, chat.chat_id)
    assert prefs is not None
    _, _, rest = (query.data or "").partition(":")
    key, _, value = rest.partition(":")
    if key == "c" and value:
        try:
            await _toggle_topic(db, chat.chat_id, prefs, value, now)
        except PreferenceError as error:
            log.info("refused a topic for chat %s: %s", chat.chat_id, error)
            await query.answer(
                t.gettext("Keep at least one topic, or use /pause."), show_alert=True
            )
            return
        value = ""  # stay in the topics menu
        prefs = await preferences.preferences_of(db, chat.chat_id)
        assert prefs is not None
    if key == "tz" and value == "type":
        await preferences.expect_input(db, chat.chat_id, TIMEZONE, now=now)
        value = ""
        key = "tz-type"
    if not value and key in _SUBMENUS:
        await query.answer()
        followed = await chat_store.subscriptions_of(db, chat.chat_id)
        text, markup = _SUBMENUS[key](prefs, t, now, followed)
        await show(query, text, markup, t=t)
        return
    if not await _store_choice(db, chat.chat_id, key, value, now):
        await query.answer(t.gettext("This button has expired."))
        return
    if key == "lang":
        t = services.catalogs.translator(value)
    prefs = await preferences.preferences_of(db, chat.chat_id)
    assert prefs is not None
    await query.answer()
    await show(query, summary(prefs, t, now), main_menu(prefs, t), t=t)


async def _toggle_topic(
    db: Database, chat_id: int, prefs: Preferences, value: str, now: datetime
) -> None:
    every = [str(c) for c in Category]
    if value == "all":
        chosen: tuple[str, ...] = ()
    else:
        chosen = preferences.toggled_categories(prefs.categories, value, every)
    await preferences.set_categories(db, chat_id, chosen, now=now)


async def _store_choice(db: Database, chat_id: int, key: str, value: str, now: datetime) -> bool:
    """Store one checked choice; False when the button's data is not one we offer."""
    if key == "l" and value in {"1", "2", "3", "4"}:
        await chat_store.set_min_severity(db, chat_id, int(value), now=now)
    elif key == "u" and value in preferences.UPDATE_MODES:
        await preferences.set_update_mode(db, chat_id, value, now=now)
    elif key == "q" and value == "off":
        await preferences.set_quiet_hours(db, chat_id, None, None, now=now)
    elif key == "q" and tuple(value.split("-")) in QUIET_PRESETS:
        start, _, end = value.partition("-")
        await preferences.set_quiet_hours(db, chat_id, start, end, now=now)
    elif key == "tz" and value and find_timezone(value) == value:
        await preferences.set_timezone(db, chat_id, value, now=now)
    elif key == "lang" and value in SUPPORTED_LANGUAGES:
        await chat_store.set_language(db, chat_id, value, now=now)
    elif key == "d" and value == "instant":
        await preferences.set_delivery(db, chat_id, "instant", None, now=now)
    elif key == "d" and value in DIGEST_TIMES:
        await preferences.set_delivery(db, chat_id, "daily", value, now=now)
    elif key == "p" and value in {"0", "1"}:
        await preferences.set_paused(db, chat_id, value == "1", now=now)
    else:
        return False
    return True


Screen = tuple[str, InlineKeyboardMarkup | None]


def _main(prefs: Preferences, t: Translator, now: datetime, followed: list[str]) -> Screen:
    return summary(prefs, t, now), main_menu(prefs, t)


def _done(prefs: Preferences, t: Translator, now: datetime, followed: list[str]) -> Screen:
    return summary(prefs, t, now), None


def _levels(prefs: Preferences, t: Translator, now: datetime, followed: list[str]) -> Screen:
    return t.gettext("From which level shall I write?"), level_menu(prefs, t)


def _topics(prefs: Preferences, t: Translator, now: datetime, followed: list[str]) -> Screen:
    text = t.gettext("Which topics do you want alerts about? Tap to switch one on or off.")
    return text, category_menu(prefs, t)


def _updates(prefs: Preferences, t: Translator, now: datetime, followed: list[str]) -> Screen:
    options = [
        (t.gettext("Level changes only"), "set:u:levels"),
        (t.gettext("All updates, also changes to the text"), "set:u:all"),
    ]
    text = t.gettext("Which updates of an advisory shall I send?")
    return text, choice_menu(options, f"set:u:{prefs.update_mode}", t)


def _quiet(prefs: Preferences, t: Translator, now: datetime, followed: list[str]) -> Screen:
    options = [(f"{a}–{b}", f"set:q:{a}-{b}") for a, b in QUIET_PRESETS]
    options.append((t.gettext("No quiet hours"), "set:q:off"))
    current = f"set:q:{prefs.quiet_start}-{prefs.quiet_end}" if prefs.quiet_start else "set:q:off"
    text = t.gettext(
        "During quiet hours I hold alerts back, except the most serious ones, until they end."
    )
    return text, choice_menu(options, current, t)


def _timezones(prefs: Preferences, t: Translator, now: datetime, followed: list[str]) -> Screen:
    zones = timezones_for(followed)
    if "UTC" not in zones:
        zones.append("UTC")
    options = [(timezone_label(zone, now), f"set:tz:{zone}") for zone in zones]
    options.append((t.gettext("Type another timezone"), "set:tz:type"))
    text = t.gettext(
        "Quiet hours and digests follow your timezone. Now: %(zone)s",
        zone=timezone_label(prefs.timezone, now),
    )
    return text, choice_menu(options, f"set:tz:{prefs.timezone}", t)


def _type_timezone(prefs: Preferences, t: Translator, now: datetime, followed: list[str]) -> Screen:
    text = t.gettext(
        "Type your timezone, for example %(example)s:", example="<code>Europe/Paris</code>"
    )
    return text, None


def _languages(prefs: Preferences, t: Translator, now: datetime, followed: list[str]) -> Screen:
    options = [(LANGUAGE_NAMES[code], f"set:lang:{code}") for code in SUPPORTED_LANGUAGES]
    return t.gettext("Choose your language:"), choice_menu(options, f"set:lang:{prefs.language}", t)


def _delivery(prefs: Preferences, t: Translator, now: datetime, followed: list[str]) -> Screen:
    options = [(t.gettext("Instantly"), "set:d:instant")]
    options += [
        (t.gettext("Daily digest at %(time)s", time=time), f"set:d:{time}") for time in DIGEST_TIMES
    ]
    current = f"set:d:{prefs.digest_time}" if prefs.delivery_mode == "daily" else "set:d:instant"
    text = t.gettext(
        "Shall I write as soon as something happens, or once a day? The most serious alerts"
        " always come at once."
    )
    return text, choice_menu(options, current, t)


_SUBMENUS: dict[str, Callable[[Preferences, Translator, datetime, list[str]], Screen]] = {
    "menu": _main,
    "done": _done,
    "l": _levels,
    "c": _topics,
    "u": _updates,
    "q": _quiet,
    "tz": _timezones,
    "tz-type": _type_timezone,
    "lang": _languages,
    "d": _delivery,
}
