"""What stands between a chat and the handlers: flood control, group admins, hostile text.

A chat that sends commands faster than a person would is told once to slow down, then
ignored until its window has room again; other chats are not affected. In groups only
administrators change what the group follows. Anything a user typed is cleaned of
control and direction-override characters before it is echoed, and escaped.
"""

from __future__ import annotations

import html
import logging
import unicodedata
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, TypeHandler

from bot.chat.common import reply, services_of
from bot.i18n import Translator, negotiate_language
from bot.render.text import orient
from bot.store import chats as chat_store
from bot.store import flood as flood_store
from bot.store.database import Database

log = logging.getLogger(__name__)

FLOOD_KEY = "flood_guard"
ADMINS_KEY = "group_admins"
MAX_ARGUMENT_CHARS = 4096  # Telegram's own limit for a message: anything longer is hostile
ECHO_CHARS = 60
# Handler groups run in order and one handler per group sees an update: the flood screen
# gets a group of its own, before the others (the block gate has -1).
SCREEN_GROUP = -2


@dataclass(frozen=True, slots=True)
class FloodLimits:
    commands: int = 20
    seconds: float = 10.0


class FloodGuard:
    """A sliding window of accepted commands per chat.

    `admit` answers "yes", "warn" (the first refusal, which gets one polite message) or
    "no" (ignored silently until the window has room). Several processes behind one bot
    (`processes` > 1, kept up to date by the heartbeat) count together in the database
    with `admit_shared`, so a chat's allowance does not grow with their number.
    """

    def __init__(self, limits: FloodLimits | None = None) -> None:
        self.limits = limits or FloodLimits()
        self.processes = 1
        self._accepted: dict[int, deque[float]] = {}
        self._warned: set[int] = set()
        self._checks = 0

    async def admit_shared(self, db: Database, chat_id: int, now: datetime) -> str:
        """`admit`, counted in the database with the other processes (a sliding window
        estimated from two fixed ones, see `flood_store.FloodCount`)."""
        window = timedelta(seconds=self.limits.seconds)
        count = await flood_store.count_command(db, chat_id, now=now, window=window)
        self._checks += 1
        if self._checks % 1000 == 0:  # forget chats long quiet, now and then
            await flood_store.forget_quiet(db, before=now - 10 * window)
        if count.estimate <= self.limits.commands:
            if count.warned:
                await flood_store.clear_warned(db, chat_id)
            return "yes"
        if not count.warned and await flood_store.mark_warned(db, chat_id):
            return "warn"
        return "no"

    def admit(self, chat_id: int, now: float) -> str:
        window = self._accepted.setdefault(chat_id, deque())
        while window and window[0] <= now - self.limits.seconds:
            window.popleft()
        self._sweep(now)
        if len(window) < self.limits.commands:
            window.append(now)
            self._warned.discard(chat_id)
            return "yes"
        if chat_id in self._warned:
            return "no"
        self._warned.add(chat_id)
        return "warn"

    def _sweep(self, now: float) -> None:
        """Forget quiet chats now and then, so the table holds only recent talkers."""
        self._checks += 1
        if self._checks % 1000:
            return
        quiet = [
            chat_id
            for chat_id, window in self._accepted.items()
            if not window or window[-1] <= now - self.limits.seconds
        ]
        for chat_id in quiet:
            del self._accepted[chat_id]
            self._warned.discard(chat_id)


class GroupAdmins:
    """Who administers which group, asked of Telegram and remembered for a short while."""

    def __init__(self, ttl_seconds: float = 60.0) -> None:
        self.ttl_seconds = ttl_seconds
        self._known: dict[tuple[int, int], tuple[bool, float]] = {}

    def cached(self, chat_id: int, user_id: int, now: float) -> bool | None:
        entry = self._known.get((chat_id, user_id))
        if entry is None or entry[1] <= now:
            return None
        return entry[0]

    def remember(self, chat_id: int, user_id: int, is_admin: bool, now: float) -> None:
        if len(self._known) > 10_000:
            self._known = {k: v for k, v in self._known.items() if v[1] > now}
        self._known[(chat_id, user_id)] = (is_admin, now + self.ttl_seconds)


def install(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Keep the guard's state with the application and screen every update first."""
    application.bot_data.setdefault(FLOOD_KEY, FloodGuard())
    application.bot_data.setdefault(ADMINS_KEY, GroupAdmins())
    application.add_handler(TypeHandler(Update, screen), group=SCREEN_GROUP)


def clean(text: str, limit: int = ECHO_CHARS) -> str:
    """Text fit to show back: no control, format or direction-override characters, short.

    Format characters (Unicode category Cf) include the right-to-left override U+202E and
    the zero-width ones, which can make an echoed term read as something else.
    """
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc":
            kept.append(" " if char in "\n\t\r" else "")
        elif category not in ("Cf", "Co", "Cs"):
            kept.append(char)
    flat = " ".join("".join(kept).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def echo(text: str, limit: int = ECHO_CHARS) -> str:
    """`clean`, then escaped for Telegram HTML."""
    return html.escape(clean(text, limit))


def arguments(update: Update) -> str:
    """What follows the command (`/cmd@bot args`), control characters removed, or ''."""
    message = update.effective_message
    text = (message.text or "") if message else ""
    parts = text.split(maxsplit=1)  # any whitespace ends the command: "/cmd\nGermany"
    return without_controls(parts[1] if len(parts) > 1 else "")


def without_controls(text: str) -> str:
    """Typed text without control characters (NUL, bell, ...); new lines and tabs stay."""
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()


def overlong(update: Update, limit: int = MAX_ARGUMENT_CHARS) -> bool:
    """True when the message is longer than Telegram allows, or what follows the command
    is longer than `limit`: such a message is refused, not cut and acted on."""
    message = update.effective_message
    text = (message.text or "") if message else ""
    return len(text) > MAX_ARGUMENT_CHARS or len(arguments(update)) > limit


async def screen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: a flooding chat is told once, then ignored."""
    chat = update.effective_chat
    if chat is None or not _counts(update):
        return
    guard = context.application.bot_data.get(FLOOD_KEY)
    if not isinstance(guard, FloodGuard):
        return
    services = services_of(context)
    now = services.clock()
    if guard.processes > 1:
        verdict = await guard.admit_shared(services.db, chat.id, now)
    else:
        verdict = guard.admit(chat.id, now.timestamp())
    if verdict == "yes":
        return
    if verdict == "warn":
        t = await _translator(update, context)
        text = t.gettext(
            "You are sending commands faster than I can answer. I will listen again in a few"
            " seconds."
        )
        text = orient(text, t.right_to_left)
        try:
            await context.bot.send_message(chat.id, text)
        except TelegramError as error:
            log.warning("could not ask chat %s to slow down: %s", chat.id, error)
    raise ApplicationHandlerStop


def _counts(update: Update) -> bool:
    """Commands, button presses and private messages: what makes the bot answer."""
    if update.callback_query is not None:
        return True
    message = update.message
    if message is None or message.text is None:
        return False
    return message.text.startswith("/") or message.chat.type == ChatType.PRIVATE


async def may_change(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True when whoever sent the update may change the chat's subscriptions and settings.

    Anyone in a private chat; in a group, its administrators (an anonymous administrator
    writes as the group itself). The answer is cached for a minute.
    """
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    message = update.effective_message
    if update.callback_query is None and message is not None:
        sender_chat = message.sender_chat
        if sender_chat is not None and sender_chat.id == chat.id:
            return True
    user = update.effective_user
    if user is None:
        return False
    admins = context.application.bot_data.get(ADMINS_KEY)
    now = services_of(context).clock().timestamp()
    if isinstance(admins, GroupAdmins):
        known = admins.cached(chat.id, user.id, now)
        if known is not None:
            return known
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as error:
        log.warning("could not check whether %s administers %s: %s", user.id, chat.id, error)
        return False
    is_admin = member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)
    if isinstance(admins, GroupAdmins):
        admins.remember(chat.id, user.id, is_admin, now)
    return is_admin


def unknown_country(term: str, t: Translator) -> str:
    """The answer to a country term nothing matched; `term` is already cleaned (`echo`)."""
    return t.gettext(
        "I don't know “%(term)s”. Try a country name, a two-letter code like DE, or a flag.",
        term=term,
    )


def no_country_found(t: Translator) -> str:
    return t.gettext(
        "I found no country in that. Try a name, a two-letter code like DE, or a flag."
    )


def admins_only(t: Translator) -> str:
    return t.gettext("Only this group's administrators can change what it follows.")


async def allowed(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator) -> bool:
    """`may_change`, with the polite refusal sent when the answer is no."""
    if await may_change(update, context):
        return True
    query = update.callback_query
    if query is not None:
        await query.answer(admins_only(t), show_alert=True)
    else:
        await reply(update, admins_only(t), t=t)
    return False


async def _translator(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Translator:
    """The chat's language if it is known, else the user's; registers nothing."""
    services = services_of(context)
    chat = update.effective_chat
    known = await chat_store.get_chat(services.db, chat.id) if chat else None
    if known is not None:
        return services.catalogs.translator(known.language)
    user = update.effective_user
    return services.catalogs.translator(
        negotiate_language(user.language_code if user else None, services.settings.default_language)
    )
