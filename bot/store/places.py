"""Places a chat named, and the matching queries that respect them and trips.

A chat covers a country through a standing subscription or an active trip. A place in a
country narrows that country's point hazards to the place's surroundings; advisories
still reach the whole chat. The radius itself is decided in `bot.matching`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.places import Place
from bot.store import outbox
from bot.store.clock import to_db
from bot.store.database import Database, Row


@dataclass(frozen=True, slots=True)
class FollowedPlace:
    """A town a chat named; point hazards in its country reach the chat only near it."""

    id: int
    chat_id: int
    country: str
    name: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Box:
    """A latitude/longitude rectangle: the cheap prefilter before the exact distance."""

    south: float
    north: float
    west: float
    east: float


@dataclass(frozen=True, slots=True)
class NearbyPlace:
    chat_id: int
    latitude: float
    longitude: float


_COLUMNS = "id, chat_id, country, name, latitude, longitude"


def _place(row: Row) -> FollowedPlace:
    return FollowedPlace(*tuple(row))


async def add_place(
    db: Database, chat_id: int, place: Place, *, now: datetime
) -> tuple[FollowedPlace, bool]:
    """Remember a town for a chat; returns (place, created)."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO places (chat_id, country, name, latitude, longitude, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, country, name) DO NOTHING",
            (chat_id, place.country, place.name, place.latitude, place.longitude, to_db(now)),
        )
        created = cursor.rowcount == 1
        cursor = await conn.execute(
            f"SELECT {_COLUMNS} FROM places WHERE chat_id = ? AND country = ? AND name = ?",
            (chat_id, place.country, place.name),
        )
        row = await cursor.fetchone()
    assert row is not None
    return _place(row), created


async def places_of(db: Database, chat_id: int) -> list[FollowedPlace]:
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM places WHERE chat_id = ? ORDER BY country, name", (chat_id,)
    )
    return [_place(row) for row in rows]


async def remove_place(db: Database, chat_id: int, place_id: int) -> FollowedPlace | None:
    """Forget a town of this chat; None when there is none (or it is another chat's)."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            f"SELECT {_COLUMNS} FROM places WHERE id = ? AND chat_id = ?", (place_id, chat_id)
        )
        row = await cursor.fetchone()
        if row is None:
            return None
        await conn.execute("DELETE FROM places WHERE id = ?", (place_id,))
    return _place(row)


# Chats that cover a country, with the country: standing subscriptions and active trips.
# The countries are one placeholder each ({countries}): PostgreSQL then estimates each
# country's share of the subscriptions from its statistics and reads a rare country through
# the index (a JSON array, estimated at 100 values, had it read every subscription).
_COVERAGE = (
    "SELECT s.chat_id, s.country FROM subscriptions AS s INDEXED BY subscriptions_by_country"
    " WHERE s.country IN ({countries})"
    " UNION"
    " SELECT t.chat_id, tc.country FROM trip_countries AS tc JOIN trips AS t ON t.id = tc.trip_id"
    " WHERE tc.country IN ({countries}) AND t.starts_at <= :now AND t.ends_at > :now"
)

# The chat's own filters (see store/preferences.py): active and not paused, the level and
# categories it wants, and text-only updates only if it asked for every update.
_WANTS = (
    "c.active = 1 AND c.paused = 0 AND c.min_severity <= :severity"
    " AND (c.categories = '' OR instr(',' || c.categories || ',', ',' || :category || ',') > 0)"
    " AND (:change <> 'text' OR c.update_mode = 'all')"
)


@dataclass(frozen=True, slots=True)
class Reach:
    """Who an announcement is for: chats covering one of `countries` that want its level
    (`severity`), its category and its kind of change; for a point hazard, not those that
    named a town in the country (`places_near` finds them if the hazard is close)."""

    countries: tuple[str, ...]
    severity: int
    category: str
    change: str
    point_hazard: bool


# The recipients of an announcement, once each however many of its countries they cover.
_COVERING = (
    f" FROM ({_COVERAGE}) AS cover JOIN chats AS c ON c.chat_id = cover.chat_id"
    f" WHERE {_WANTS}"
    " AND (:point = 0 OR NOT EXISTS (SELECT 1 FROM places AS p"
    "   WHERE p.chat_id = cover.chat_id AND p.country = cover.country))"
)
_ENQUEUE_COVERING = (
    "INSERT OR IGNORE INTO deliveries (chat_id, alert_version_id, next_attempt_at, created_at)"
    " SELECT DISTINCT cover.chat_id, :version, :at, :at" + _COVERING
)
_COUNT_COVERING = "SELECT count(DISTINCT cover.chat_id)" + _COVERING


def _statement(template: str, reach: Reach, now: datetime) -> tuple[str, dict[str, Any]]:
    countries = sorted({c.upper() for c in reach.countries})
    at = to_db(now)
    params: dict[str, Any] = {
        "at": at,
        "now": at,
        "severity": reach.severity,
        "category": reach.category,
        "change": reach.change,
        "point": int(reach.point_hazard),
    }
    params.update((f"country{i}", country) for i, country in enumerate(countries))
    listed = ", ".join(f":country{i}" for i in range(len(countries))) or "NULL"
    return template.replace("{countries}", listed), params


def covering_statement(
    alert_version_id: int, reach: Reach, *, now: datetime
) -> tuple[str, dict[str, Any]]:
    """The one statement `enqueue_covering` runs, with its parameters (tests EXPLAIN it)."""
    sql, params = _statement(_ENQUEUE_COVERING, reach, now)
    return sql, {"version": alert_version_id, **params}


async def enqueue_covering(
    db: Database, alert_version_id: int, reach: Reach, *, now: datetime
) -> int:
    """Queue the version for every chat the announcement reaches; returns rows added.

    One statement over the subscriptions, trips and places indexes, any number of chats.
    """
    sql, params = covering_statement(alert_version_id, reach, now=now)
    # Named parameters, so through the connection itself.
    async with db.transaction() as conn:
        cursor = await conn.execute(sql, params)
        added = cursor.rowcount
    await outbox.note_enqueued(db, added)
    return added


async def count_covering(db: Database, reach: Reach, *, now: datetime) -> int:
    """How many chats `enqueue_covering` would queue a new announcement for."""
    return int(await db.fetch_value(*_statement(_COUNT_COVERING, reach, now)))


async def places_near(
    db: Database, box: Box, *, severity: int, category: str, change: str, now: datetime
) -> list[NearbyPlace]:
    """Places inside `box` whose chat still covers the place's country and wants the alert.

    The country of the hazard is not required to match: a town near a border hears of a
    quake across it. The caller keeps those within the exact distance.
    """
    # Named parameters (shared with the enqueue), so through the connection itself.
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "SELECT p.chat_id, p.latitude, p.longitude"
            " FROM places AS p INDEXED BY places_by_position"
            " JOIN chats AS c ON c.chat_id = p.chat_id"
            " WHERE p.latitude BETWEEN :south AND :north AND p.longitude BETWEEN :west AND :east"
            f" AND {_WANTS}"
            " AND (EXISTS (SELECT 1 FROM subscriptions AS s"
            "     WHERE s.chat_id = p.chat_id AND s.country = p.country)"
            "   OR EXISTS (SELECT 1 FROM trips AS t JOIN trip_countries AS tc ON tc.trip_id = t.id"
            "     WHERE t.chat_id = p.chat_id AND tc.country = p.country"
            "     AND t.starts_at <= :now AND t.ends_at > :now))",
            {
                "south": box.south,
                "north": box.north,
                "west": box.west,
                "east": box.east,
                "severity": severity,
                "category": category,
                "change": change,
                "now": to_db(now),
            },
        )
        rows = await cursor.fetchall()
    return [NearbyPlace(int(r[0]), float(r[1]), float(r[2])) for r in rows]
