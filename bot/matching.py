"""Matching: which chats an announcement goes to.

Recipients are found by one SQL statement over the subscriptions index (in the store),
never by looping over users in Python. Writing the outbox rows and marking the
announcement fanned out are separate steps, and both are idempotent, so a crash in
between only means the next run writes the (already present) rows again.
"""

from __future__ import annotations

from datetime import datetime

from bot.store import alerts as alert_store
from bot.store import outbox
from bot.store.database import Database


async def fan_out(db: Database, alert_version_id: int, *, now: datetime) -> int:
    """Queue one announcement for every chat that should receive it; returns rows added."""
    queued = await outbox.enqueue_matching(db, alert_version_id, now=now)
    await alert_store.mark_fanned_out(db, alert_version_id)
    return queued


async def fan_out_pending(db: Database, *, now: datetime) -> int:
    """Finish any fan-out a crash interrupted."""
    total = 0
    for alert_version_id in await alert_store.versions_to_fan_out(db):
        total += await fan_out(db, alert_version_id, now=now)
    return total
