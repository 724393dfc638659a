"""Telling desks about official alerts that touch their travellers.

`notify_desks` is called by matching once an announcement is fanned out; it only records
how many of each organisation's travellers are there or on their way. The desk job sends
the notices to the operators, so matching never waits on Telegram.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.desks.warning import is_desk_source
from bot.store import desks as desk_store
from bot.store.database import Database

NOTICE_DAYS_AHEAD = 14  # travellers whose trip starts within this many days are "bound for"


async def notify_desks(db: Database, alert_version_id: int, *, now: datetime) -> int:
    """Queue a notice for every organisation with travellers in or bound for the alert's
    countries; returns how many. A desk's own warnings are not announced back to desks."""
    found = await desk_store.announced_countries(db, alert_version_id)
    if found is None or is_desk_source(found[0]) or not found[1]:
        return 0
    countries = found[1]
    today = now.date()
    return await desk_store.queue_notices(
        db,
        alert_version_id,
        countries,
        today=today,
        until=today + timedelta(days=NOTICE_DAYS_AHEAD),
        now=now,
    )
