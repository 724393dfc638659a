"""Trips: saved per chat, found by the briefing job, removed once long over."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.store.clock import from_db, to_db
from bot.store.database import Database, Row
from bot.trips import BriefingCutoffs, BriefingKind, Trip, TripPlan

_BRIEFING_COLUMN = {
    BriefingKind.BEFORE: "briefed_before_at",
    BriefingKind.ARRIVAL: "briefed_arrival_at",
}

# A trip's countries in the order typed, as one comma-separated column.
_SELECT = (
    "SELECT t.id, t.chat_id, t.starts_on, t.ends_on, t.starts_at, t.ends_at,"
    " t.briefed_before_at, t.briefed_arrival_at,"
    " (SELECT group_concat(country, ',') FROM"
    "   (SELECT country FROM trip_countries WHERE trip_id = t.id ORDER BY position) AS o)"
)
_FROM = " FROM trips AS t"


@dataclass(frozen=True, slots=True)
class DueBriefing:
    trip: Trip
    kind: BriefingKind


def _trip(row: Row) -> Trip:
    starts_at, ends_at = from_db(row[4]), from_db(row[5])
    assert starts_at is not None and ends_at is not None
    return Trip(
        id=row[0],
        chat_id=row[1],
        countries=tuple(c for c in str(row[8] or "").split(",") if c),
        starts_on=date.fromisoformat(row[2]),
        ends_on=date.fromisoformat(row[3]),
        starts_at=starts_at,
        ends_at=ends_at,
        briefed_before=from_db(row[6]),
        briefed_arrival=from_db(row[7]),
    )


async def add_trip(db: Database, chat_id: int, plan: TripPlan, *, now: datetime) -> Trip:
    """Save a planned trip with its coverage window; returns it with its id."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO trips (chat_id, starts_on, ends_on, starts_at, ends_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                chat_id,
                plan.starts_on.isoformat(),
                plan.ends_on.isoformat(),
                to_db(plan.starts_at),
                to_db(plan.ends_at),
                to_db(now),
            ),
        )
        trip_id = cursor.lastrowid
        assert trip_id is not None
        await conn.executemany(
            "INSERT INTO trip_countries (trip_id, country, position) VALUES (?, ?, ?)",
            [(trip_id, country, position) for position, country in enumerate(plan.countries)],
        )
    trip = await get_trip(db, chat_id, trip_id)
    assert trip is not None
    return trip


async def get_trip(db: Database, chat_id: int, trip_id: int) -> Trip | None:
    """One trip, only if it belongs to `chat_id` (a button's data is never trusted)."""
    row = await db.fetch_one(
        _SELECT + _FROM + " WHERE t.id = ? AND t.chat_id = ?", (trip_id, chat_id)
    )
    return None if row is None else _trip(row)


async def trips_of(db: Database, chat_id: int, *, now: datetime) -> list[Trip]:
    """A chat's trips that have not ended, soonest first."""
    rows = await db.fetch_all(
        _SELECT + _FROM + " WHERE t.chat_id = ? AND t.ends_at > ? ORDER BY t.starts_at, t.id",
        (chat_id, to_db(now)),
    )
    return [_trip(row) for row in rows]


async def trips_under_way(
    db: Database, chat_ids: Iterable[int], *, now: datetime
) -> dict[int, list[Trip]]:
    """The trips in progress of many chats at once (for `bot.trips.effective_timezone` in
    a delivery round): one query, chats without a trip are absent."""
    ids = json.dumps(sorted({int(chat_id) for chat_id in chat_ids}))
    at = to_db(now)
    rows = await db.fetch_all(
        _SELECT + _FROM + " WHERE t.chat_id IN"
        " (SELECT CAST(value AS INTEGER) FROM json_each(?))"
        " AND t.starts_at <= ? AND t.ends_at > ? ORDER BY t.starts_at, t.id",
        (ids, at, at),
    )
    found: dict[int, list[Trip]] = {}
    for row in rows:
        trip = _trip(row)
        found.setdefault(trip.chat_id, []).append(trip)
    return found


async def remove_trip(db: Database, chat_id: int, trip_id: int) -> bool:
    """Delete a trip of this chat; False when there is none (or it is another chat's)."""
    removed = await db.execute("DELETE FROM trips WHERE id = ? AND chat_id = ?", (trip_id, chat_id))
    return removed == 1


async def due_briefings(
    db: Database, cutoffs: BriefingCutoffs, *, now: datetime
) -> list[DueBriefing]:
    """Trips that owe a briefing now (see `bot.trips.briefing_due`, the same rule)."""
    before, arrival, at = to_db(cutoffs.before), to_db(cutoffs.arrival), to_db(now)
    rows = await db.fetch_all(
        _SELECT
        + ", CASE WHEN t.starts_at <= ? THEN 'arrival' ELSE 'before' END"
        + _FROM
        + " WHERE t.starts_at <= ? AND t.ends_at > ?"
        " AND ((t.starts_at <= ? AND t.briefed_arrival_at IS NULL)"
        "   OR (t.starts_at > ? AND t.briefed_before_at IS NULL))"
        " ORDER BY t.starts_at, t.id",
        (arrival, before, at, arrival, arrival),
    )
    return [DueBriefing(_trip(row), BriefingKind(row[9])) for row in rows]


async def claim_briefing(db: Database, trip_id: int, kind: BriefingKind, *, now: datetime) -> bool:
    """Stamp a briefing as sent before sending it; False if it already was (sent once).

    The arrival briefing also stamps the one before departure: a trip added late skips it.
    """
    column = _BRIEFING_COLUMN[kind]
    also = ", briefed_before_at = coalesce(briefed_before_at, ?)" if kind == "arrival" else ""
    params: tuple[object, ...] = (to_db(now), to_db(now)) if also else (to_db(now),)
    changed = await db.execute(
        f"UPDATE trips SET {column} = ?{also} WHERE id = ? AND {column} IS NULL",
        (*params, trip_id),
    )
    return changed == 1


async def release_briefing(db: Database, trip_id: int, kind: BriefingKind) -> None:
    """The send failed for a reason worth retrying: the next run tries again."""
    column = _BRIEFING_COLUMN[kind]
    await db.execute(f"UPDATE trips SET {column} = NULL WHERE id = ?", (trip_id,))


async def remove_ended(db: Database, *, ended_before: datetime) -> int:
    """Forget trips that ended before `ended_before`; returns how many."""
    return await db.execute("DELETE FROM trips WHERE ends_at < ?", (to_db(ended_before),))
