"""What admins ask the database: statistics, one user's record, blocks and announcements.

Also the two questions operations ask: how late is the outbox, and how long did each
recent delivery take from the alert's first sighting (for the delay metric).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.desks.warning import DESK_SOURCE_PREFIX
from bot.store.chats import Chat, get_chat
from bot.store.clock import from_db, to_db
from bot.store.database import Database
from bot.store.dialect import table_exists

ANNOUNCEMENT_SOURCE = "announcement"
# Tables other features add; the statistics count them when they exist.
TRIPS_TABLES = ("trips", "desk_trips")  # travellers' own trips, and those desks record
ORGANISATIONS_TABLE = "desk_organisations"


def public_source(column: str) -> str:
    """SQL that holds when `column` names a source the bot polls: not an admin's
    announcement, not a desk's warning ("desk:<org>"), both private to their recipients.

    A polled source has a row in source_state; the two names are excluded as well, so that
    a source configured under one of those names still never exposes them.
    """
    return (
        f"({column} IN (SELECT source FROM source_state)"
        f" AND {column} <> '{ANNOUNCEMENT_SOURCE}' AND {column} NOT LIKE '{DESK_SOURCE_PREFIX}%')"
    )


@dataclass(frozen=True, slots=True)
class ChatCounts:
    active: int
    inactive: int  # the chat blocked or removed the bot, or was deleted
    blocked: int  # users an admin blocked


@dataclass(frozen=True, slots=True)
class SourceActivity:
    source: str
    last_day: int
    last_week: int


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    pending: int
    sent: int
    failed: int
    dead: int


@dataclass(frozen=True, slots=True)
class DelayStats:
    """Seconds from an alert's first sighting to its delivery, over the last week's sends."""

    count: int
    median_seconds: float | None
    p95_seconds: float | None


@dataclass(frozen=True, slots=True)
class Statistics:
    chats: ChatCounts
    top_countries: tuple[tuple[str, int], ...]
    trips: int | None  # personal and desk trips; None: this installation has no trips table
    organisations: int | None
    alerts: tuple[SourceActivity, ...]
    deliveries: DeliveryCounts
    delay: DelayStats


@dataclass(frozen=True, slots=True)
class Block:
    user_id: int
    blocked_by: int
    blocked_at: datetime
    reason: str | None


@dataclass(frozen=True, slots=True)
class UserRecord:
    """One chat as an admin sees it: settings, subscriptions, deliveries, block."""

    chat: Chat
    created_at: datetime | None
    inactive_reason: str | None
    subscriptions: tuple[str, ...]
    deliveries: DeliveryCounts
    block: Block | None


@dataclass(frozen=True, slots=True)
class Announcement:
    id: int
    text: str
    created_by: int
    created_at: datetime
    state: str  # draft, sending, sent, cancelled
    alert_version_id: int | None
    recipients: int | None


@dataclass(frozen=True, slots=True)
class DeliveryDelay:
    delivery_id: int
    sent_at: str  # as stored: the watermark for the next call
    seconds: float


# statistics


async def statistics(db: Database, *, now: datetime, top: int = 10) -> Statistics:
    """Everything /stats shows, read in a handful of indexed queries."""
    row = await db.fetch_one(
        "SELECT coalesce(sum(CASE WHEN active = 1 THEN 1 ELSE 0 END), 0),"
        " coalesce(sum(CASE WHEN active = 0 THEN 1 ELSE 0 END), 0) FROM chats"
    )
    assert row is not None
    blocked = int(await db.fetch_value("SELECT count(*) FROM blocked_users"))
    countries = await db.fetch_all(
        "SELECT country, count(*) AS n FROM subscriptions GROUP BY country"
        " ORDER BY n DESC, country LIMIT ?",
        (top,),
    )
    day, week = to_db(now - timedelta(days=1)), to_db(now - timedelta(days=7))
    activity = await db.fetch_all(
        "SELECT source, coalesce(sum(CASE WHEN seen_at >= ? THEN 1 ELSE 0 END), 0), count(*)"
        f" FROM alert_versions WHERE seen_at >= ? AND {public_source('source')}"
        " GROUP BY source ORDER BY source",
        (day, week),
    )
    return Statistics(
        chats=ChatCounts(int(row[0]), int(row[1]), blocked),
        top_countries=tuple((r[0], int(r[1])) for r in countries),
        trips=await _count_trips(db),
        organisations=await _count_if_table(db, ORGANISATIONS_TABLE),
        alerts=tuple(SourceActivity(r[0], int(r[1]), int(r[2])) for r in activity),
        deliveries=await delivery_counts(db),
        delay=await delay_stats(db, since=now - timedelta(days=7)),
    )


async def delivery_counts(db: Database, chat_id: int | None = None) -> DeliveryCounts:
    where, params = ("WHERE chat_id = ?", (chat_id,)) if chat_id is not None else ("", ())
    rows = await db.fetch_all(
        f"SELECT state, count(*) FROM deliveries {where} GROUP BY state", params
    )
    counts = {r[0]: int(r[1]) for r in rows}
    pending, sent, failed, dead = (counts.get(s, 0) for s in ("pending", "sent", "failed", "dead"))
    return DeliveryCounts(pending, sent, failed, dead)


_DELAY = "(julianday(d.sent_at) - julianday(v.seen_at)) * 86400.0"
_SENT_SINCE = (
    " FROM deliveries AS d JOIN alert_versions AS v ON v.id = d.alert_version_id"
    " WHERE d.state = 'sent' AND d.sent_at >= ?"
    f" AND {public_source('v.source')}"
)


async def delay_stats(db: Database, *, since: datetime) -> DelayStats:
    """Median and 95th percentile (nearest rank) of polled alerts' delivery delays."""
    stamp = to_db(since)
    count = int(await db.fetch_value(f"SELECT count(*){_SENT_SINCE}", (stamp,)) or 0)
    if count == 0:
        return DelayStats(0, None, None)

    async def rank(fraction: float) -> float:
        offset = max(0, math.ceil(fraction * count) - 1)
        value = await db.fetch_value(
            f"SELECT {_DELAY}{_SENT_SINCE} ORDER BY 1 LIMIT 1 OFFSET ?", (stamp, offset)
        )
        return round(max(0.0, float(value)), 3)

    return DelayStats(count, await rank(0.5), await rank(0.95))


async def delays_since(
    db: Database, *, after: tuple[str, int], limit: int = 5000
) -> list[DeliveryDelay]:
    """Deliveries sent after the watermark (sent_at, id), oldest first, with their delay."""
    stamp, last_id = after
    rows = await db.fetch_all(
        "SELECT d.id, d.sent_at, (julianday(d.sent_at) - julianday(v.seen_at)) * 86400.0"
        " FROM deliveries AS d JOIN alert_versions AS v ON v.id = d.alert_version_id"
        " WHERE d.state = 'sent' AND (d.sent_at > ? OR (d.sent_at = ? AND d.id > ?))"
        " ORDER BY d.sent_at, d.id LIMIT ?",
        (stamp, stamp, last_id, limit),
    )
    # julianday() is a double: round the float noise away (to the millisecond).
    return [DeliveryDelay(int(r[0]), str(r[1]), round(max(0.0, float(r[2])), 3)) for r in rows]


async def oldest_due_pending(db: Database, *, now: datetime) -> datetime | None:
    """When the longest-waiting due delivery fell due (None: nothing is waiting)."""
    value = await db.fetch_value(
        "SELECT min(next_attempt_at) FROM deliveries WHERE state = 'pending'"
        " AND next_attempt_at <= ?",
        (to_db(now),),
    )
    return from_db(value)


async def _count_trips(db: Database) -> int | None:
    counts = [await _count_if_table(db, table) for table in TRIPS_TABLES]
    found = [count for count in counts if count is not None]
    return sum(found) if found else None


async def _count_if_table(db: Database, table: str) -> int | None:
    exists = await db.fetch_value(table_exists(db.dialect), (table,))
    if not exists:
        return None
    # The name comes from the constants above, never from a user.
    return int(await db.fetch_value(f'SELECT count(*) FROM "{table}"'))


# users


async def find_chat_id(db: Database, ref: str) -> int | None:
    """A chat by numeric id or @username (case-insensitive), if the bot knows it."""
    ref = ref.strip()
    if ref.lstrip("-").isdigit():
        value = await db.fetch_value("SELECT chat_id FROM chats WHERE chat_id = ?", (int(ref),))
    else:
        value = await db.fetch_value(
            "SELECT chat_id FROM chats WHERE username = ? COLLATE NOCASE ORDER BY chat_id LIMIT 1",
            (ref.removeprefix("@"),),
        )
    return None if value is None else int(value)


async def user_record(db: Database, chat_id: int) -> UserRecord | None:
    chat = await get_chat(db, chat_id)
    if chat is None:
        return None
    row = await db.fetch_one(
        "SELECT created_at, inactive_reason FROM chats WHERE chat_id = ?", (chat_id,)
    )
    assert row is not None
    subscriptions = await db.fetch_all(
        "SELECT country FROM subscriptions WHERE chat_id = ? ORDER BY country", (chat_id,)
    )
    return UserRecord(
        chat=chat,
        created_at=from_db(row[0]),
        inactive_reason=row[1],
        subscriptions=tuple(r[0] for r in subscriptions),
        deliveries=await delivery_counts(db, chat_id),
        block=await get_block(db, chat_id),
    )


async def block_user(
    db: Database, user_id: int, *, by: int, now: datetime, reason: str | None = None
) -> bool:
    """Block a user (True), or leave an existing block as it is (False)."""
    return (
        await db.execute(
            "INSERT INTO blocked_users (user_id, blocked_by, blocked_at, reason)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO NOTHING",
            (user_id, by, to_db(now), reason),
        )
        == 1
    )


async def unblock_user(db: Database, user_id: int) -> bool:
    return await db.execute("DELETE FROM blocked_users WHERE user_id = ?", (user_id,)) == 1


async def is_blocked(db: Database, user_id: int) -> bool:
    return bool(await db.fetch_value("SELECT 1 FROM blocked_users WHERE user_id = ?", (user_id,)))


async def get_block(db: Database, user_id: int) -> Block | None:
    row = await db.fetch_one(
        "SELECT user_id, blocked_by, blocked_at, reason FROM blocked_users WHERE user_id = ?",
        (user_id,),
    )
    if row is None:
        return None
    blocked_at = from_db(row[2])
    assert blocked_at is not None
    return Block(int(row[0]), int(row[1]), blocked_at, row[3])


# announcements


async def create_announcement(db: Database, text: str, *, by: int, now: datetime) -> int:
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO announcements (text, created_by, created_at) VALUES (?, ?, ?)",
            (text, by, to_db(now)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid


async def get_announcement(db: Database, announcement_id: int) -> Announcement | None:
    row = await db.fetch_one(
        "SELECT id, text, created_by, created_at, state, alert_version_id, recipients"
        " FROM announcements WHERE id = ?",
        (announcement_id,),
    )
    if row is None:
        return None
    created_at = from_db(row[3])
    assert created_at is not None
    return Announcement(row[0], row[1], row[2], created_at, row[4], row[5], row[6])


async def announcement_audience(db: Database) -> list[int]:
    """Every chat an announcement goes to: active, and not blocked by an admin."""
    rows = await db.fetch_all(
        "SELECT chat_id FROM chats WHERE active = 1"
        " AND chat_id NOT IN (SELECT user_id FROM blocked_users) ORDER BY chat_id"
    )
    return [int(r[0]) for r in rows]


async def begin_announcement(
    db: Database,
    announcement_id: int,
    *,
    version: str,
    severity: int,
    payload: str,
    now: datetime,
) -> int | None:
    """Record the announcement's alert version (once); None when it is not a draft.

    A second confirmation, or one after a crash, finds the version already recorded and
    returns it, so queuing it again (idempotent) finishes the job rather than repeating it.
    """
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "SELECT state, alert_version_id FROM announcements WHERE id = ?", (announcement_id,)
        )
        row = await cursor.fetchone()
        if row is None or row[0] not in ("draft", "sending"):
            return None
        if row[1] is not None:
            return int(row[1])
        cursor = await conn.execute(
            "INSERT INTO alert_versions (source, alert_id, version, change, severity, payload,"
            " seen_at, fanned_out) VALUES (?, ?, ?, 'new', ?, ?, ?, 1)",
            (
                ANNOUNCEMENT_SOURCE,
                f"announcement-{announcement_id}",
                version,
                severity,
                payload,
                to_db(now),
            ),
        )
        version_id = cursor.lastrowid
        assert version_id is not None
        await conn.execute(
            "UPDATE announcements SET state = 'sending', alert_version_id = ? WHERE id = ?",
            (version_id, announcement_id),
        )
        return version_id


async def finish_announcement(
    db: Database, announcement_id: int, *, recipients: int, now: datetime
) -> None:
    await db.execute(
        "UPDATE announcements SET state = 'sent', recipients = ?, decided_at = ? WHERE id = ?",
        (recipients, to_db(now), announcement_id),
    )


async def cancel_announcement(db: Database, announcement_id: int, *, now: datetime) -> bool:
    """Cancel a draft; False when it was already sent or cancelled."""
    changed = await db.execute(
        "UPDATE announcements SET state = 'cancelled', decided_at = ?"
        " WHERE id = ? AND state = 'draft'",
        (to_db(now), announcement_id),
    )
    return changed == 1
