"""/status: what every government says about a country now, side by side.

`/status Japan` shows each source's level with its own label, date and link, says so when
governments disagree, then the hazards active there. `/status` alone gives one line for
each country the reader follows or is travelling to.
"""

from __future__ import annotations

import html
from datetime import datetime

from telegram import LinkPreviewOptions, Update
from telegram.ext import ContextTypes

from bot import countries
from bot.alerts import Alert
from bot.chat import guard
from bot.chat.common import chat_context, reply
from bot.i18n import Translator
from bot.render import category_word, severity_emoji, severity_word, source_name
from bot.services import Services
from bot.store import alerts as alert_store
from bot.store import chats as chat_store
from bot.store import trips as trip_store
from bot.trips import CountryPicture, picture_of

MAX_DETAILED = 3  # countries shown in full in one /status answer
MAX_HAZARDS = 5  # hazards listed per country
MAX_SUMMARY_LINES = 50  # keeps /status alone under Telegram's 4,096 characters
MAX_ARGUMENT_CHARS = 1000  # as for /subscribe: a longer list is refused, not cut
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # several links: no one preview


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services, chat, t = await chat_context(update, context)
    if guard.overlong(update, MAX_ARGUMENT_CHARS):
        await reply(update, t.gettext("That is too long for a list of countries."), t=t)
        return
    text = guard.arguments(update)
    now = services.clock()
    if not text:
        await reply(update, await _summary(services, chat.chat_id, t, now), t=t)
        return
    query = countries.parse_countries(text, chat.language)
    parts = [await _detail(services, code, t, now) for code in query.found[:MAX_DETAILED]]
    for unknown in query.unknown:
        term = guard.echo(unknown.term)
        if term:
            parts.append(guard.unknown_country(term, t))
    if not parts:
        parts.append(guard.no_country_found(t))
    await reply(update, "\n\n".join(parts), t=t, link_preview_options=_NO_PREVIEW)


async def _picture(services: Services, code: str, now: datetime) -> CountryPicture:
    known = await alert_store.current_alerts_for(services.db, code, now=now)
    return picture_of(code, known, now)


async def _detail(services: Services, code: str, t: Translator, now: datetime) -> str:
    picture = await _picture(services, code, now)
    lines = [f"<b>{html.escape(_country_label(code, t))}</b>"]
    if not picture.advisories:
        lines.append(t.gettext("No current advisory"))
    lines += [_advisory_line(alert, t) for alert in picture.advisories]
    if picture.disagree and picture.highest is not None:
        sources = ", ".join(source_name(s, t) for s in picture.highest_sources)
        lines.append(
            "⚠️ "
            + t.gettext(
                "Governments disagree: the highest is %(level)s (%(sources)s).",
                level=severity_word(picture.highest, t),
                sources=html.escape(sources),
            )
        )
    if picture.hazards:
        lines += ["", "<b>" + t.gettext("Active hazards and outbreaks") + "</b>"]
        lines += [_hazard_line(alert, t) for alert in picture.hazards[:MAX_HAZARDS]]
    return "\n".join(lines)


def _advisory_line(alert: Alert, t: Translator) -> str:
    """🟠 UK FCDO: Reconsider travel — “Advise against all but essential travel”, 7 Oct 2025."""
    text = alert.text_for(t.language)  # Canada's own French wording for French readers
    line = t.gettext(
        "%(emoji)s <b>%(source)s</b>: %(level)s — “%(label)s”, %(date)s",
        emoji=severity_emoji(alert.severity),
        source=html.escape(source_name(alert.source, t)),
        level=severity_word(alert.severity, t),
        label=html.escape(text.source_level or text.title),
        date=t.format_date(alert.updated.date()),
    )
    return line + _link(alert, t)


def _hazard_line(alert: Alert, t: Translator) -> str:
    text = alert.text_for(t.language)
    line = (
        f"{severity_emoji(alert.severity)} {html.escape(category_word(alert.category, t))}:"
        f" {html.escape(text.title[:120])}, {t.format_date(alert.updated.date())}"
    )
    return line + _link(alert, t)


def _link(alert: Alert, t: Translator) -> str:
    url = alert.facts.get(f"url_{t.language}") or alert.url
    if not url.startswith(("https://", "http://")):
        return ""
    label = html.escape(t.gettext("details"))
    return f' · <a href="{html.escape(url, quote=True)}">{label}</a>'


async def _summary(services: Services, chat_id: int, t: Translator, now: datetime) -> str:
    """One line per country the reader follows or travels to."""
    followed = await chat_store.subscriptions_of(services.db, chat_id)
    trips = await trip_store.trips_of(services.db, chat_id, now=now)
    codes = list(dict.fromkeys([*followed, *(c for trip in trips for c in trip.countries)]))
    if not codes:
        return t.gettext(
            "You follow no countries yet. Try %(example)s",
            example="<code>/status Japan</code>",
        )
    lines = [
        _summary_line(await _picture(services, code, now), t) for code in codes[:MAX_SUMMARY_LINES]
    ]
    hidden = len(codes) - MAX_SUMMARY_LINES
    if hidden > 0:
        lines.append(t.ngettext("+%(num)s more", "+%(num)s more", hidden))
    return "\n".join(lines)


def _summary_line(picture: CountryPicture, t: Translator) -> str:
    """🟠 🇯🇵 Japan — Reconsider travel · 2 sources · governments disagree · 1 active hazard"""
    highest = picture.highest
    level = severity_word(highest, t) if highest is not None else t.gettext("No current advisory")
    label = html.escape(_country_label(picture.country, t))
    parts = [f"{severity_emoji(highest)} {label} — {level}"]
    if picture.advisories:
        count = len(picture.advisories)
        parts.append(t.ngettext("%(num)s source", "%(num)s sources", count))
    if picture.disagree:
        parts.append("⚠️ " + t.gettext("governments disagree"))
    if picture.hazards:
        count = len(picture.hazards)
        parts.append(t.ngettext("%(num)s active hazard", "%(num)s active hazards", count))
    return " · ".join(parts)


def _country_label(code: str, t: Translator) -> str:
    return f"{countries.flag(code)} {t.country(code)}".strip()
