"""What the bot knows and where it gets it: /about, /mydata and /forget.

/mydata shows every record stored about the chat, readable (trips with their countries and
dates, places, countries, settings, and any other table's rows as they are), and always
attaches all of it as a JSON file; /forget deletes all of it after a confirmation, from
every table with a chat_id column.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import date, datetime
from io import BytesIO
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import ContextTypes

from bot import countries
from bot.chat import guard
from bot.chat.common import chat_context, reply
from bot.chat.picker import country_label
from bot.chat.settings import show, summary
from bot.i18n import N_, Translator
from bot.render.text import clip
from bot.render.words import source_name
from bot.store import preferences

# What a reader calls the tables shown as more than raw rows; others show their own name.
TABLE_NAMES = {
    "trips": N_("Trips"),
    "places": N_("Places"),
}
# Shown in their own words above; every other table's rows are listed as they are.
DESCRIBED_TABLES = frozenset(
    {"chats", "subscriptions", "deliveries", "trips", "trip_countries", "places"}
)
# The readable /mydata stays under Telegram's 4,096 characters; the file has everything.
MAX_MESSAGE_CHARS = 3500
MAX_ROW_CHARS = 300


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Which official sources are read, how often, and that they prevail."""
    services, _, t = await chat_context(update, context)
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
    await reply(update, "\n".join(lines), t=t)


async def my_data(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Everything stored about the chat: readable in a message, complete in a JSON file."""
    services, chat, t = await chat_context(update, context)
    data = await preferences.personal_data(services.db, chat.chat_id)
    prefs = await preferences.preferences_of(services.db, chat.chat_id)
    assert prefs is not None
    lines = [
        t.gettext("<b>What I store about this chat</b>"),
        *_chat_lines(data.get("chats", []), t),
        t.gettext(
            "Countries: %(countries)s",
            countries=html.escape(
                ", ".join(country_label(row["country"], t) for row in data.get("subscriptions", []))
            )
            or t.gettext("none"),
        ),
        *_trip_lines(data.get("trips", []), data.get("trip_countries", []), t),
        *_place_lines(data.get("places", []), t),
        "",
        summary(prefs, t, services.clock()),
        "",
        t.gettext(
            "Messages recorded as sent or queued: %(num)s", num=len(data.get("deliveries", []))
        ),
    ]
    for table, rows in sorted(data.items()):
        if table not in DESCRIBED_TABLES and rows:
            lines += ["", f"<b>{html.escape(table)}</b>", *(_row_line(row) for row in rows)]
    message = [*_within_limit(lines, t), "", t.gettext("/forget deletes all of it.")]
    await reply(update, "\n".join(message), t=t)
    export = json.dumps(data, ensure_ascii=False, indent=1, default=str)
    answered = update.effective_message
    assert answered is not None
    await answered.reply_document(
        InputFile(BytesIO(export.encode()), filename="mydata.json"),
        caption=t.gettext("Everything, as a JSON file."),
    )


def _chat_lines(rows: list[dict[str, Any]], t: Translator) -> list[str]:
    """The chat's own row: its id, the name Telegram gave it, since when it is known."""
    lines: list[str] = []
    for row in rows:
        lines.append(t.gettext("Chat id: %(id)s", id=row.get("chat_id")))
        name = " ".join(
            part
            for part in (row.get("title"), f"@{row['username']}" if row.get("username") else None)
            if part
        )
        if name:
            lines.append(t.gettext("Name: %(name)s", name=html.escape(name)))
        since = _day(row.get("created_at"))
        if since is not None:
            lines.append(t.gettext("Known since: %(date)s", date=t.format_date(since)))
    return lines


def _trip_lines(
    trips: list[dict[str, Any]], trip_countries: list[dict[str, Any]], t: Translator
) -> list[str]:
    """Each stored trip with its countries (in the order typed) and its first and last day."""
    if not trips:
        return []
    where: dict[object, list[dict[str, Any]]] = {}
    for row in trip_countries:
        where.setdefault(row.get("trip_id"), []).append(row)
    lines = ["", f"<b>{html.escape(t.gettext(TABLE_NAMES['trips']))}</b>"]
    for row in trips:
        stops = sorted(where.get(row.get("id"), []), key=lambda stop: stop.get("position") or 0)
        places = ", ".join(country_label(str(stop.get("country")), t) for stop in stops)
        starts, ends = _day(row.get("starts_on")), _day(row.get("ends_on"))
        days = (
            f"{t.format_date(starts)} – {t.format_date(ends)}"
            if starts is not None and ends is not None
            else f"{row.get('starts_on')} – {row.get('ends_on')}"
        )
        lines.append(f"• {html.escape(places)}, {html.escape(days)}")
    return lines


def _place_lines(places: list[dict[str, Any]], t: Translator) -> list[str]:
    if not places:
        return []
    lines = ["", f"<b>{html.escape(t.gettext(TABLE_NAMES['places']))}</b>"]
    for row in places:
        country = str(row.get("country"))
        label = f"{countries.flag(country)} {row.get('name')}, {t.country(country)}"
        lines.append(f"• {html.escape(label)} ({row.get('latitude')}, {row.get('longitude')})")
    return lines


def _row_line(row: Mapping[str, Any]) -> str:
    """A row of a table /mydata has no words for, as it is stored (minus the chat id)."""
    fields = ", ".join(f"{key}: {value}" for key, value in row.items() if key != "chat_id")
    return "• " + html.escape(clip(fields, MAX_ROW_CHARS))


def _within_limit(lines: list[str], t: Translator) -> list[str]:
    """As many whole lines as fit in one message; the rest is in the file."""
    kept: list[str] = []
    used = 0
    for line in lines:
        used += len(line) + 1
        if used > MAX_MESSAGE_CHARS:
            kept.append(t.gettext("… and more: everything is in the file below."))
            break
        kept.append(line)
    return kept


def _day(value: object) -> date | None:
    """A stored day ("2026-12-01") or moment ("2025-10-07T12:00:00+00:00") as a date."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask before deleting: the deletion cannot be undone."""
    t = (await chat_context(update, context)).t
    if not await guard.allowed(update, context, t):
        return
    await reply(update, _question(t), t=t, reply_markup=_confirm_keyboard(t))


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
    services, chat, t = await chat_context(update, context)
    if not await guard.allowed(update, context, t):
        return
    if query.data == "forget:no":
        await query.answer()
        await show(query, t.gettext("Nothing was deleted."), t=t)
        return
    if query.data != "forget:yes":
        await query.answer(t.gettext("This button has expired."))
        return
    deleted: dict[str, Any] = await preferences.forget_chat(services.db, chat.chat_id)
    await query.answer()
    done = t.gettext(
        "Done: I deleted everything I stored about this chat (%(num)s records)."
        " Send /start if you want alerts again.",
        num=sum(deleted.values()),
    )
    await show(query, done, t=t)
