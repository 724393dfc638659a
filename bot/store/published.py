"""What the open feeds republish: the current alerts, and one announcement's alert version.

Only what polled public sources published: a desk's warnings and an admin's announcements
are alert versions too, with sequential ids, but they are private to their recipients.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.store.admin import public_source
from bot.store.clock import from_db
from bot.store.database import Database


@dataclass(frozen=True, slots=True)
class PublishedAlert:
    """An alert's latest state, with the id of its latest announcement (for CAP)."""

    payload: dict[str, Any]
    first_seen: datetime
    last_seen: datetime
    version_id: int | None


@dataclass(frozen=True, slots=True)
class PublishedVersion:
    id: int
    payload: dict[str, Any]
    change: str
    seen_at: datetime
    previous: tuple[int, datetime] | None  # the same alert's announcement before this one


async def current_alerts(
    db: Database, *, country: str | None = None, limit: int = 100
) -> list[PublishedAlert]:
    """The latest state of alerts, most recently seen first, optionally for one country."""
    where = f"WHERE {public_source('a.source')}"
    params: tuple[str, ...] = ()
    if country:
        where, params = f"{where} AND ',' || a.countries || ',' LIKE ?", (f"%,{country},%",)
    rows = await db.fetch_all(
        "SELECT a.payload, a.first_seen, a.last_seen, (SELECT max(v.id) FROM alert_versions AS v"
        "  WHERE v.source = a.source AND v.alert_id = a.alert_id)"
        f" FROM alerts AS a {where} ORDER BY a.last_seen DESC, a.source, a.alert_id LIMIT ?",
        (*params, limit),
    )
    published: list[PublishedAlert] = []
    for row in rows:
        first_seen, last_seen = from_db(row[1]), from_db(row[2])
        assert first_seen is not None and last_seen is not None
        published.append(PublishedAlert(json.loads(row[0]), first_seen, last_seen, row[3]))
    return published


async def alert_version(db: Database, version_id: int) -> PublishedVersion | None:
    """One announcement of a public source; any other id is None, as if it did not exist."""
    row = await db.fetch_one(
        "SELECT v.id, v.payload, v.change, v.seen_at, p.id, p.seen_at"
        " FROM alert_versions AS v LEFT JOIN alert_versions AS p ON p.id = ("
        "  SELECT max(w.id) FROM alert_versions AS w"
        "  WHERE w.source = v.source AND w.alert_id = v.alert_id AND w.id < v.id)"
        f" WHERE v.id = ? AND {public_source('v.source')}",
        (version_id,),
    )
    if row is None:
        return None
    seen_at = from_db(row[3])
    assert seen_at is not None
    previous_seen = from_db(row[5])
    previous = None if row[4] is None or previous_seen is None else (int(row[4]), previous_seen)
    return PublishedVersion(int(row[0]), json.loads(row[1]), row[2], seen_at, previous)
