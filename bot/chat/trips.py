"""Trips and places: /trip, /trips, /place, and their buttons.

`/trip Japan 2026-12-01 2026-12-15` saves a trip at once (dates also as 01.12.2026 or
01/12/2026). Whatever is missing is asked for, one question at a time, with buttons:
every answer (typed or pressed) fills in the same draft until the trip is complete.
`/place Nice, France` narrows France's point hazards to the surroundings of Nice.
Button data naming a trip or a place is checked against the chat that pressed it. In a
group only its administrators add or remove trips and places; anyone may list them.
Arguments longer than a trip or a town needs are refused, never cut and acted on.
"""

from __future__ import annotations

import html
import re
import warnings
from dataclasses import dataclass, replace
from datetime import date, timedelta

from babel.lists import format_list
from babel.numbers import format_decimal
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import countries
from bot.chat import guard
from bot.chat.common import chat_context, reply
from bot.i18n import Translator
from bot.matching import HAZARD_RADIUS_KM
from bot.places import find_place
from bot.services import Services
from bot.store import chats as chat_store
from bot.store import places as place_store
from bot.store import trips as trip_store
from bot.store.chats import Chat
from bot.trips import (
    MAX_TRIPS_PER_CHAT,
    Trip,
    TripError,
    TripPlan,
    TripProblem,
    find_dates,
    plan_trip,
)

PLANNING = 0  # the one conversation state: a draft waiting for what is missing
DRAFT_KEY = "trip_draft"
MAX_ARGUMENT_CHARS = 1000  # countries and dates of a trip; longer is refused, not cut
MAX_PLACE_CHARS = 300  # "Nice, France"
MAX_COUNTRY_BUTTONS = 8
CONVERSATION_TIMEOUT = timedelta(minutes=30)
BUTTON_PATTERN = r"^(trip:rm|place:rm):\d{1,12}$"
_DRAFT_BUTTON = r"^trip:[cse]:[A-Za-z0-9-]{2,10}$"


@dataclass(frozen=True, slots=True)
class TripDraft:
    """What the traveller has told so far."""

    countries: tuple[str, ...] = ()
    starts_on: date | None = None
    ends_on: date | None = None


def help_lines(t: Translator) -> list[str]:
    """Lines for /help: trips, places and status."""
    return [
        t.gettext("/status Japan: the level every government gives a country, side by side"),
        t.gettext(
            "/trip Japan 2026-12-01 2026-12-15: follow countries during a trip, with a briefing"
            " before you leave and on arrival"
        ),
        t.gettext("/trips: your trips, to remove one"),
        t.gettext(
            "/place Nice, France: hear of earthquakes, storms and floods in France only near"
            " Nice (advisories still cover the whole country)"
        ),
    ]


def conversation() -> ConversationHandler[ContextTypes.DEFAULT_TYPE]:
    """/trip and its follow-up answers; any other command passes through untouched."""
    with warnings.catch_warnings():
        # Tracking per chat and user (not per message) is what we want: the buttons belong
        # to the draft of whoever is planning, whichever question they answer.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[CommandHandler("trip", trip)],
            states={
                PLANNING: [
                    MessageHandler(filters.TEXT & ~filters.COMMAND, answer),
                    CallbackQueryHandler(draft_button, pattern=_DRAFT_BUTTON),
                ]
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
            conversation_timeout=CONVERSATION_TIMEOUT,
            # Kept in the database, so behind a load balancer any process takes the next answer.
            name="trip",
            persistent=True,
        )


async def trip(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/trip Japan 2026-12-01 2026-12-15, or any part of it; in a group, admins only."""
    t = (await chat_context(update, context)).t
    if not await guard.allowed(update, context, t):
        return ConversationHandler.END
    if guard.overlong(update, MAX_ARGUMENT_CHARS):
        await _too_long(update, t)
        return ConversationHandler.END
    return await _advance(update, context, TripDraft(), guard.arguments(update))


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A typed answer to the draft's question."""
    t = (await chat_context(update, context)).t
    if not await guard.allowed(update, context, t):
        return ConversationHandler.END
    message = update.effective_message
    text = guard.without_controls((message.text or "") if message else "")
    if len(text) > MAX_ARGUMENT_CHARS:
        await _too_long(update, t)
        return PLANNING
    return await _advance(update, context, _draft(context), text)


async def draft_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """trip:c:JP, trip:s:2026-12-01, trip:e:2026-12-15: the same as typing it."""
    query = update.callback_query
    assert query is not None
    if not await guard.allowed(update, context, (await chat_context(update, context)).t):
        return ConversationHandler.END
    await query.answer()
    _, kind, value = (query.data or "").split(":", 2)
    draft = _draft(context)
    if kind == "c" and value in countries.ALL_COUNTRIES:
        draft = replace(draft, countries=(value,))
    elif kind == "s" and _iso_date(value) is not None:
        draft = replace(draft, starts_on=_iso_date(value))
    elif kind == "e" and _iso_date(value) is not None:
        draft = replace(draft, ends_on=_iso_date(value))
    return await _advance(update, context, draft, "")


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    t = (await chat_context(update, context)).t
    _clear(context)
    await reply(update, t.gettext("All right, no trip."), t=t)
    return ConversationHandler.END


async def _too_long(update: Update, t: Translator) -> None:
    text = t.gettext("That is too long for a trip: name the countries and two dates.")
    await reply(update, text, t=t)


async def _advance(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: TripDraft, text: str
) -> int:
    """Merge what was said into the draft, then save the trip or ask for what is missing.

    Every way in (`trip`, `answer`, `draft_button`) has checked `guard.allowed` first.
    """
    services, chat, t = await chat_context(update, context)
    dates, rest = find_dates(text)
    notes: list[str] = []
    if rest and not draft.countries:
        query = countries.parse_countries(rest, chat.language)
        draft = replace(draft, countries=query.found)
        notes += [
            guard.unknown_country(term, t)
            for term in (guard.echo(u.term) for u in query.unknown)
            if term
        ]
    elif text and not dates:
        notes.append(
            t.gettext(
                "I didn't find a date. Write it like %(example)s.",
                example="<code>2026-12-01</code>, <code>01.12.2026</code>",
            )
        )
    for day in dates:
        if draft.starts_on is None:
            draft = replace(draft, starts_on=day)
        elif draft.ends_on is None:
            draft = replace(draft, ends_on=day)
    today = services.clock().date()
    if draft.countries and draft.starts_on and draft.ends_on:
        try:
            plan = plan_trip(draft.countries, draft.starts_on, draft.ends_on, today=today)
        except TripError as error:
            notes.append(_problem(error.reason, t))
            draft = _without_bad_dates(draft, error.reason)
        else:
            await _save(update, services, chat, plan, t, notes)
            _clear(context)
            return ConversationHandler.END
    if context.chat_data is not None:
        context.chat_data[DRAFT_KEY] = draft
    question, buttons = await _question(services, chat, draft, t, today)
    markup = InlineKeyboardMarkup(buttons) if any(buttons) else None  # none to offer: none
    await reply(update, "\n".join([*notes, question]), t=t, reply_markup=markup)
    return PLANNING


async def _question(
    services: Services, chat: Chat, draft: TripDraft, t: Translator, today: date
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """The next question, with buttons for the likely answers."""
    if not draft.countries:
        followed = await chat_store.subscriptions_of(services.db, chat.chat_id)
        buttons = [
            InlineKeyboardButton(_country_label(code, t), callback_data=f"trip:c:{code}")
            for code in followed[:MAX_COUNTRY_BUTTONS]
        ]
        question = t.gettext(
            "Where are you going? Write the countries, for example %(example)s (or /cancel).",
            example="<code>Japan, South Korea</code>",
        )
        return question, [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    where = html.escape(", ".join(_country_label(c, t) for c in draft.countries))
    if draft.starts_on is None:
        picks = [(t.gettext("Today"), today), (t.gettext("Tomorrow"), today + timedelta(1))]
        picks.append((t.format_date(today + timedelta(7)), today + timedelta(7)))
        question = t.gettext(
            "Trip to %(countries)s. When do you leave? Write a date like %(example)s.",
            countries=where,
            example="<code>2026-12-01</code>",
        )
        return question, [[_date_button("s", label, day) for label, day in picks]]
    start = draft.starts_on
    picks = [(t.format_date(start + timedelta(d)), start + timedelta(d)) for d in (6, 13, 29)]
    question = t.gettext(
        "Trip to %(countries)s from %(start)s. What is the last day?",
        countries=where,
        start=t.format_date(start),
    )
    return question, [[_date_button("e", label, day) for label, day in picks]]


async def _save(
    update: Update,
    services: Services,
    chat: Chat,
    plan: TripPlan,
    t: Translator,
    notes: list[str],
) -> None:
    now = services.clock()
    if len(await trip_store.trips_of(services.db, chat.chat_id, now=now)) >= MAX_TRIPS_PER_CHAT:
        await reply(
            update, t.gettext("You have too many trips. Remove one with /trips first."), t=t
        )
        return
    saved = await trip_store.add_trip(services.db, chat.chat_id, plan, now=now)
    days = services.settings.briefing_days_before
    lines = [
        *notes,
        t.gettext("Trip saved: %(trip)s.", trip=_trip_label(saved, t)),
        t.ngettext(
            "While you travel I tell you about these countries, even those you don't follow."
            " You get a briefing %(num)s day before you leave and another on arrival.",
            "While you travel I tell you about these countries, even those you don't follow."
            " You get a briefing %(num)s days before you leave and another on arrival.",
            days,
        ),
        t.gettext("Your trips: /trips"),
    ]
    await reply(update, "\n".join(lines), t=t)


async def list_trips(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services, chat, t = await chat_context(update, context)
    trips = await trip_store.trips_of(services.db, chat.chat_id, now=services.clock())
    if not trips:
        await reply(
            update,
            t.gettext(
                "You have no trips. Add one like %(example)s",
                example="<code>/trip Japan 2026-12-01 2026-12-15</code>",
            ),
            t=t,
        )
        return
    lines = [t.ngettext("Your %(num)s trip:", "Your %(num)s trips:", len(trips))]
    lines += [_trip_label(item, t) for item in trips]
    buttons = [
        [
            InlineKeyboardButton(
                "✖ " + _trip_label(item, t, html_safe=False)[:60],
                callback_data=f"trip:rm:{item.id}",
            )
        ]
        for item in trips
    ]
    await reply(update, "\n".join(lines), t=t, reply_markup=InlineKeyboardMarkup(buttons))


async def place(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/place Nice, France: add a town; /place alone: list them, with buttons to remove."""
    services, chat, t = await chat_context(update, context)
    text = guard.arguments(update)
    if not text:
        await _list_places(update, services, chat, t)
        return
    if not await guard.allowed(update, context, t):
        return
    if guard.overlong(update, MAX_PLACE_CHARS):
        await reply(update, t.gettext("That is too long for the name of a town."), t=t)
        return
    name, comma, country_text = text.rpartition(",")
    found = None
    if comma and name.strip():
        query = countries.parse_countries(country_text, chat.language)
        if len(query.found) == 1 and not query.unknown:
            found = find_place(name.strip(), query.found[0])
    if found is None:
        found = find_place(text)
    if found is None:
        example = "<code>/place Nice, France</code>"
        shown = guard.echo(text)
        if shown:
            unknown = t.gettext(
                "I don't know a town called “%(name)s”. Try %(example)s",
                name=shown,
                example=example,
            )
        else:
            unknown = t.gettext(
                "Name a town to hear of local hazards only near it, for example %(example)s",
                example=example,
            )
        await reply(update, unknown, t=t)
        return
    now = services.clock()
    saved, _ = await place_store.add_place(services.db, chat.chat_id, found, now=now)
    covered = await _covered_countries(services, chat.chat_id)
    lines: list[str] = []
    if saved.country not in covered:
        await chat_store.subscribe(services.db, chat.chat_id, [saved.country], now=now)
        lines.append(
            t.gettext(
                "You now follow: %(countries)s.",
                countries=html.escape(_country_label(saved.country, t)),
            )
        )
    lines.append(
        t.gettext(
            "Earthquakes, storms, floods and other local hazards in %(country)s now reach you"
            " only near %(place)s: within %(radii)s km, the more severe the farther."
            " Advisories still cover all of %(country)s.",
            country=html.escape(t.country(saved.country)),
            place=html.escape(saved.name),
            radii=radius_tiers(t),
        )
    )
    await reply(update, "\n".join(lines), t=t)


def radius_tiers(t: Translator) -> str:
    """Every distance at which matching lets a point hazard reach a town ("50, 100 or 350"),
    read from the table matching itself uses, in the reader's words and digits."""
    distances = sorted(set(HAZARD_RADIUS_KM.values()))
    numbers = [format_decimal(km, format="#,##0.#", locale=t.locale) for km in distances]
    return format_list(numbers, style="or", locale=t.locale)


async def _list_places(update: Update, services: Services, chat: Chat, t: Translator) -> None:
    places = await place_store.places_of(services.db, chat.chat_id)
    usage = t.gettext(
        "Name a town to hear of local hazards only near it, for example %(example)s",
        example="<code>/place Nice, France</code>",
    )
    if not places:
        await reply(update, usage, t=t)
        return
    labels = [f"{countries.flag(p.country)} {p.name}, {t.country(p.country)}" for p in places]
    buttons = [
        [InlineKeyboardButton("✖ " + label[:60], callback_data=f"place:rm:{p.id}")]
        for p, label in zip(places, labels, strict=True)
    ]
    text = "\n".join([*(html.escape(label) for label in labels), "", usage])
    await reply(update, text, t=t, reply_markup=InlineKeyboardMarkup(buttons))


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """trip:rm:ID and place:rm:ID. Only this chat's own trips and places are touched."""
    query = update.callback_query
    assert query is not None
    services, chat, t = await chat_context(update, context)
    match = re.fullmatch(BUTTON_PATTERN, query.data or "")
    if match is None:
        await query.answer(t.gettext("This button has expired."))
        return
    if not await guard.allowed(update, context, t):
        return
    ident = int((query.data or "").rsplit(":", 1)[1])
    if match.group(1) == "trip:rm":
        removed_trip = await trip_store.get_trip(services.db, chat.chat_id, ident)
        if removed_trip is None or not await trip_store.remove_trip(
            services.db, chat.chat_id, ident
        ):
            await query.answer(t.gettext("This button has expired."))
            return
        text = t.gettext("Trip removed: %(trip)s.", trip=_trip_label(removed_trip, t))
    else:
        removed_place = await place_store.remove_place(services.db, chat.chat_id, ident)
        if removed_place is None:
            await query.answer(t.gettext("This button has expired."))
            return
        text = t.gettext("Place removed: %(place)s.", place=html.escape(removed_place.name))
    await query.answer()
    await reply(update, text, t=t)


async def _covered_countries(services: Services, chat_id: int) -> set[str]:
    """Countries followed, or on a trip not yet over (a town for a coming trip is fine)."""
    followed = await chat_store.subscriptions_of(services.db, chat_id)
    trips = await trip_store.trips_of(services.db, chat_id, now=services.clock())
    return {*followed, *(c for item in trips for c in item.countries)}


def _draft(context: ContextTypes.DEFAULT_TYPE) -> TripDraft:
    draft = (context.chat_data or {}).get(DRAFT_KEY)
    return draft if isinstance(draft, TripDraft) else TripDraft()


def _clear(context: ContextTypes.DEFAULT_TYPE) -> None:
    if context.chat_data is not None:
        context.chat_data.pop(DRAFT_KEY, None)


def _without_bad_dates(draft: TripDraft, problem: TripProblem) -> TripDraft:
    if problem == TripProblem.ALREADY_OVER:
        return replace(draft, starts_on=None, ends_on=None)
    return replace(draft, ends_on=None)


def _problem(problem: TripProblem, t: Translator) -> str:
    if problem == TripProblem.ENDS_BEFORE_START:
        return t.gettext("The last day is before the first.")
    if problem == TripProblem.ALREADY_OVER:
        return t.gettext("That trip is already over.")
    if problem == TripProblem.TOO_LONG:
        return t.gettext("A trip can last a year at most; /subscribe suits a longer stay.")
    return t.gettext(
        "Where are you going? Write the countries, for example %(example)s (or /cancel).",
        example="<code>Japan, South Korea</code>",
    )


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _date_button(kind: str, label: str, day: date) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=f"trip:{kind}:{day.isoformat()}")


def _country_label(code: str, t: Translator) -> str:
    return f"{countries.flag(code)} {t.country(code)}".strip()


def _trip_label(item: Trip, t: Translator, *, html_safe: bool = True) -> str:
    """🇯🇵 Japan, 1 Dec 2026 – 15 Dec 2026"""
    where = ", ".join(_country_label(c, t) for c in item.countries)
    label = f"{where}, {t.format_date(item.starts_on)} – {t.format_date(item.ends_on)}"
    return html.escape(label) if html_safe else label
