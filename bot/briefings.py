"""Trip briefings: the job that tells a traveller what to expect, before and on arrival.

Run every hour or so (bot/scheduler.py). Each briefing is stamped in the trips table
before it is sent, so two runs never send it twice; a send that failed for a passing
reason is unstamped and tried again next run. The clock comes from the services.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.delivery.sender import ChatGone, Sender, Sent
from bot.services import Services
from bot.store import alerts as alert_store
from bot.store import chats as chat_store
from bot.store import trips as trip_store
from bot.store.chats import Chat
from bot.trips import (
    BriefingKind,
    Trip,
    briefing_cutoffs,
    cleanup_cutoff,
    effective_timezone,
    picture_of,
    recent_alerts,
)

log = logging.getLogger(__name__)


async def send_due_briefings(services: Services, sender: Sender) -> int:
    """Send every briefing due now; returns how many went out."""
    db = services.db
    now = services.clock()
    cutoffs = briefing_cutoffs(now, services.settings.briefing_days_before)
    sent = 0
    for due in await trip_store.due_briefings(db, cutoffs, now=now):
        trip, kind = due.trip, due.kind
        chat = await chat_store.get_chat(db, trip.chat_id)
        if chat is None or not chat.active:
            continue
        if not await trip_store.claim_briefing(db, trip.id, kind, now=now):
            continue
        text = await briefing_text(services, trip, chat, kind, now=now)
        result = await sender.send(trip.chat_id, text)
        if isinstance(result, Sent):
            sent += 1
        elif isinstance(result, ChatGone):
            await chat_store.deactivate(db, trip.chat_id, result.reason, now=now)
        else:
            log.warning("briefing for trip %d not sent, retrying later: %s", trip.id, result)
            await trip_store.release_briefing(db, trip.id, kind)
    return sent


async def briefing_text(
    services: Services, trip: Trip, chat: Chat, kind: BriefingKind, *, now: datetime
) -> str:
    """The briefing in the reader's language: a line saying when, then templates/trip.j2."""
    t = services.catalogs.translator(chat.language)
    destinations = []
    alerts = []
    for country in trip.countries:
        known = await alert_store.current_alerts_for(services.db, country, now=now)
        destinations.append((country, picture_of(country, known, now).highest))
        alerts.extend(known)
    days = max(0, (trip.starts_on - now.date()).days)
    if kind == BriefingKind.ARRIVAL or days == 0:
        opening = t.gettext("Your trip begins today. Have a safe journey!")
    else:
        opening = t.ngettext(
            "Your trip begins in %(num)s day.", "Your trip begins in %(num)s days.", days
        )
    body = services.renderer.render(
        "trip.j2",
        language=chat.language,
        destinations=destinations,
        alerts=recent_alerts(alerts, now),
        starts=trip.starts_on,
        ends=trip.ends_on,
        timezone=effective_timezone(chat.timezone, [trip], now),
    )
    return f"{opening}\n\n{body}"


async def remove_ended_trips(services: Services) -> int:
    """The daily cleanup: trips over for more than a month are forgotten."""
    removed = await trip_store.remove_ended(
        services.db, ended_before=cleanup_cutoff(services.clock())
    )
    if removed:
        log.info("removed %d trips that ended long ago", removed)
    return removed
