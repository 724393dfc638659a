"""The outbox: one `deliveries` row per (chat, alert version), written before anything is sent.

Every row is committed before the dispatcher sends it, and marked sent right after, so a
restart picks up exactly what is left. All the outbox SQL lives here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.store import dialect
from bot.store.clock import to_db
from bot.store.database import Database, Row

# Due immediately: older than any timestamp the bot writes.
EPOCH = "1970-01-01T00:00:00.000000+00:00"


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A pending delivery with what the dispatcher needs to send it: the reader and thread."""

    id: int
    chat_id: int
    alert_version_id: int
    attempts: int
    digest: bool
    parts_sent: int
    chat_kind: str
    chat_active: bool
    language: str
    timezone: str
    quiet_start: str | None
    quiet_end: str | None
    delivery_mode: str
    digest_time: str | None
    severity: int
    change: str
    previous_severity: int | None
    source: str
    alert_id: str
    reply_to: int | None  # this chat's latest message about the same alert, if any


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A delivery that gave up after its last attempt, kept for an admin to retry or drop."""

    id: int
    chat_id: int
    alert_version_id: int
    source: str
    alert_id: str
    attempts: int
    last_error: str | None
    created_at: str


@dataclass(frozen=True, slots=True)
class SentRecord:
    id: int
    message_id: int
    sent_at: datetime


async def enqueue(
    db: Database, alert_version_id: int, chat_ids: Iterable[int], *, now: datetime
) -> int:
    """Add a pending row for each chat; pairs already in the outbox are left alone.

    The ids travel as one JSON array into one statement: 100,000 chats take one round trip.
    """
    ids = json.dumps([int(chat_id) for chat_id in chat_ids])
    at = to_db(now)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT OR IGNORE INTO deliveries"
            " (chat_id, alert_version_id, next_attempt_at, created_at)"
            " SELECT DISTINCT CAST(value AS INTEGER), CAST(? AS INTEGER), ?, ? FROM json_each(?)",
            (alert_version_id, at, at, ids),
        )
        added = cursor.rowcount
    await note_enqueued(db, added)
    return added


# PostgreSQL plans by statistics that autovacuum refreshes only once a tenth of the table
# changed. After a fan-out into a long history of sent rows they still say nothing is
# pending, and the claim was planned to read every pending row for each row of a page
# (seconds a page at 100,000 rows instead of milliseconds).
_ANALYZE_AFTER_ROWS = 1000


async def note_enqueued(db: Database, added: int) -> None:
    """After a bulk enqueue: bring PostgreSQL's statistics of the outbox up to date (a
    fraction of a second, once per fan-out). SQLite's outbox statements name their indexes."""
    if db.dialect is dialect.Dialect.POSTGRES and added >= _ANALYZE_AFTER_ROWS:
        await db.execute("ANALYZE deliveries")


async def pending_count(db: Database) -> int:
    return int(await db.fetch_value("SELECT count(*) FROM deliveries WHERE state = 'pending'"))


async def dead_letters(db: Database, limit: int = 50) -> list[DeadLetter]:
    """The oldest dead letters, for the admin's /deadletters."""
    rows = await db.fetch_all(
        "SELECT d.id, d.chat_id, d.alert_version_id, v.source, v.alert_id, d.attempts,"
        " d.last_error, d.created_at"
        " FROM deliveries AS d JOIN alert_versions AS v ON v.id = d.alert_version_id"
        " WHERE d.state = 'dead' ORDER BY d.id LIMIT ?",
        (limit,),
    )
    return [DeadLetter(*tuple(row)) for row in rows]


async def retry_dead(
    db: Database, delivery_id: int | None = None, *, now: datetime | None = None
) -> int:
    """Give one dead letter (or all) a fresh set of attempts; returns how many."""
    at = EPOCH if now is None else to_db(now)
    sql = (
        "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?"
        " WHERE state = 'dead'"
    )
    if delivery_id is None:
        return await db.execute(sql, (at,))
    return await db.execute(sql + " AND id = ?", (at, delivery_id))


async def drop_dead(db: Database, delivery_id: int | None = None) -> int:
    """Forget one dead letter (or all); returns how many."""
    if delivery_id is None:
        return await db.execute("DELETE FROM deliveries WHERE state = 'dead'")
    return await db.execute(
        "DELETE FROM deliveries WHERE state = 'dead' AND id = ?", (delivery_id,)
    )


async def next_due_at(db: Database) -> str | None:
    """When the earliest pending row falls due (a timestamp string), or None when empty."""
    value = await db.fetch_value(
        "SELECT min(next_attempt_at) FROM deliveries WHERE state = 'pending'"
    )
    return None if value is None else str(value)


_ROW_SELECT = (
    "SELECT d.id, d.chat_id, d.alert_version_id, d.attempts, d.digest, d.parts_sent,"
    " coalesce(c.kind, 'private'), coalesce(c.active, 1), coalesce(c.language, 'en'),"
    " coalesce(c.timezone, 'UTC'), c.quiet_start, c.quiet_end,"
    " coalesce(c.delivery_mode, 'instant'), c.digest_time,"
    " v.severity, v.change, v.previous_severity, v.source, v.alert_id,"
    " CASE WHEN v.change <> 'new' THEN ("
    "   SELECT e.message_id FROM deliveries AS e"
    "   JOIN alert_versions AS w ON w.id = e.alert_version_id"
    "   WHERE e.chat_id = d.chat_id AND e.state = 'sent' AND e.message_id IS NOT NULL"
    "   AND w.source = v.source AND w.alert_id = v.alert_id"
    "   ORDER BY e.id DESC LIMIT 1) END"
    " FROM deliveries AS d"
    " JOIN alert_versions AS v ON v.id = d.alert_version_id"
    " LEFT JOIN chats AS c ON c.chat_id = d.chat_id"
)


def _row(r: Row) -> OutboxRow:
    return OutboxRow(
        id=r[0],
        chat_id=r[1],
        alert_version_id=r[2],
        attempts=r[3],
        digest=bool(r[4]),
        parts_sent=r[5],
        chat_kind=r[6],
        chat_active=bool(r[7]),
        language=r[8],
        timezone=r[9],
        quiet_start=r[10],
        quiet_end=r[11],
        delivery_mode=r[12],
        digest_time=r[13],
        severity=r[14],
        change=r[15],
        previous_severity=r[16],
        source=r[17],
        alert_id=r[18],
        reply_to=r[19],
    )


async def due_rows(db: Database, *, now: datetime, after_id: int, limit: int) -> list[OutboxRow]:
    """Pending rows due at `now` with an id above `after_id`, in id order (a page of them)."""
    rows = await db.fetch_all(
        _ROW_SELECT + " WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND d.id > ?"
        " ORDER BY d.id LIMIT ?",
        (to_db(now), after_id, limit),
    )
    return [_row(row) for row in rows]


def claim_statement(dialect_: dialect.Dialect) -> str:
    """Claim the first `limit` free due rows above `after_id` for a holder; returns their ids.

    The page walks the pending rows in id order (`deliveries_pending`) and stops at the
    limit, so it costs a page however long the outbox is. A row is free when unclaimed,
    already the holder's, or claimed by a process whose heartbeat is stale; its chat is
    free when no other live process holds a pending row of it: one lookup in
    `deliveries_claimed_chats` per row. (The OFFSET keeps PostgreSQL from turning that
    lookup into a join, which it planned as every row of the page against every claimed
    row.)
    """
    return (
        "UPDATE deliveries SET claimed_by = :holder WHERE id IN ("
        " SELECT d.id FROM deliveries AS d INDEXED BY deliveries_pending"
        " WHERE d.state = 'pending' AND d.id > :after AND d.next_attempt_at <= :now"
        " AND (d.claimed_by IS NULL OR d.claimed_by = :holder OR NOT EXISTS (SELECT 1"
        "  FROM processes AS p WHERE p.holder = d.claimed_by AND p.seen_at > :alive))"
        " AND NOT EXISTS (SELECT 1 FROM deliveries AS o INDEXED BY deliveries_claimed_chats"
        "  JOIN processes AS q ON q.holder = o.claimed_by"
        "  WHERE o.chat_id = d.chat_id AND o.state = 'pending' AND o.claimed_by IS NOT NULL"
        "  AND o.claimed_by <> :holder AND q.seen_at > :alive LIMIT 1 OFFSET 0)"
        " ORDER BY d.id LIMIT :limit" + dialect.skip_locked(dialect_, "d") + ") RETURNING id"
    )


async def claim_due_rows(
    db: Database,
    holder: str,
    *,
    now: datetime,
    alive_since: datetime,
    after_id: int,
    limit: int,
) -> list[OutboxRow]:
    """Claim a page of due rows for the process `holder` and return them, in id order:
    several processes drain one outbox. `after_id` is where the previous page ended.

    A claim holds while its holder's heartbeat (`processes.seen_at`) is later than
    `alive_since`: a dead process's rows, or those of one that never joined, are free. A
    chat with a row another live process claimed is left to that process, so a chat's
    messages keep their order and their per-chat pace. On PostgreSQL claims are serialised
    by an advisory lock and skip rows that other processes are updating (FOR UPDATE SKIP
    LOCKED); on SQLite the write transaction is exclusive anyway.
    """
    params = {
        "holder": holder,
        "after": after_id,
        "now": to_db(now),
        "alive": to_db(alive_since),
        "limit": limit,
    }
    async with db.transaction() as conn:
        serialise = dialect.serialise(db.dialect, "travel-risk-bot.outbox-claims")
        if serialise is not None:
            await conn.execute(serialise)
        cursor = await conn.execute(claim_statement(db.dialect), params)
        ids = sorted(int(row[0]) for row in await cursor.fetchall())
        if not ids:
            return []
        cursor = await conn.execute(
            _ROW_SELECT + " WHERE d.id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))"
            " ORDER BY d.id",
            (json.dumps(ids),),
        )
        rows = await cursor.fetchall()
    return [_row(row) for row in rows]


async def release_claims(db: Database, holder: str) -> int:
    """Rows `holder` claimed and did not send go back to everyone (a round's end, a stop)."""
    return await db.execute(
        "UPDATE deliveries SET claimed_by = NULL WHERE claimed_by = ? AND state = 'pending'",
        (holder,),
    )


async def crowded_chats(
    db: Database, chat_ids: Iterable[int], *, now: datetime, at_least: int
) -> set[int]:
    """Of `chat_ids`, the chats with at least `at_least` rows due now: the only ones whose
    rows may go together as one message (one statement for a whole page of rows)."""
    ids = sorted({int(chat_id) for chat_id in chat_ids})
    if not ids:
        return set()
    rows = await db.fetch_all(
        "SELECT d.chat_id FROM deliveries AS d"
        " WHERE d.chat_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))"
        " AND d.state = 'pending' AND d.next_attempt_at <= ?"
        " GROUP BY d.chat_id HAVING count(*) >= ?",
        (json.dumps(ids), to_db(now), at_least),
    )
    return {int(row[0]) for row in rows}


async def chat_due_rows(
    db: Database, chat_id: int, *, now: datetime, digest_only: bool = False
) -> list[OutboxRow]:
    """One chat's due rows in id order: its held rows go out together as one digest, and a
    migrated chat's rows are picked up again under the new id."""
    rows = await db.fetch_all(
        _ROW_SELECT + " WHERE d.chat_id = ? AND d.state = 'pending' AND d.next_attempt_at <= ?"
        " AND (d.digest = 1 OR ? = 0) ORDER BY d.id",
        (chat_id, to_db(now), int(digest_only)),
    )
    return [_row(row) for row in rows]


async def thread_message(db: Database, chat_id: int, source: str, alert_id: str) -> int | None:
    """The chat's latest message about this alert, which an update replies to."""
    value = await db.fetch_value(
        "SELECT d.message_id FROM deliveries AS d"
        " JOIN alert_versions AS v ON v.id = d.alert_version_id"
        " WHERE d.chat_id = ? AND d.state = 'sent' AND d.message_id IS NOT NULL"
        " AND v.source = ? AND v.alert_id = ? ORDER BY d.id DESC LIMIT 1",
        (chat_id, source, alert_id),
    )
    return None if value is None else int(value)


async def alert_payloads(db: Database, alert_version_ids: Iterable[int]) -> dict[int, str]:
    """The JSON payload of each alert version, fetched once per version, not per reader."""
    ids = json.dumps(sorted(set(alert_version_ids)))
    rows = await db.fetch_all(
        "SELECT id, payload FROM alert_versions"
        " WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))",
        (ids,),
    )
    return {int(row[0]): str(row[1]) for row in rows}


async def mark_sent(db: Database, records: Sequence[SentRecord]) -> None:
    """Record sends in one transaction (the dispatcher commits a group of them at a time)."""
    await db.executemany(
        "UPDATE deliveries SET state = 'sent', message_id = coalesce(message_id, ?), sent_at = ?,"
        " attempts = attempts + 1, last_error = NULL WHERE id = ?",
        # In id order: writers that lock rows in one order cannot deadlock each other.
        [(r.message_id, to_db(r.sent_at), r.id) for r in sorted(records, key=lambda r: r.id)],
    )


async def record_part(db: Database, delivery_id: int, parts_sent: int, message_id: int) -> None:
    """A part of a long message went out; the first part's id is the one threads reply to."""
    await db.execute(
        "UPDATE deliveries SET parts_sent = ?, message_id = coalesce(message_id, ?) WHERE id = ?",
        (parts_sent, message_id, delivery_id),
    )


async def reschedule(
    db: Database,
    delivery_ids: Sequence[int],
    *,
    at: datetime,
    error: str | None,
    count_attempt: bool,
) -> None:
    """Put rows back to pending for a later try; a 429 pause does not count as an attempt."""
    step = 1 if count_attempt else 0
    await db.executemany(
        "UPDATE deliveries SET state = 'pending', next_attempt_at = ?,"
        " attempts = attempts + ?, last_error = coalesce(?, last_error) WHERE id = ?",
        [(to_db(at), step, error, ident) for ident in delivery_ids],
    )


async def hold(db: Database, held: Sequence[tuple[int, datetime]]) -> None:
    """Hold rows for a digest until the given times (end of quiet hours, digest time)."""
    await db.executemany(
        "UPDATE deliveries SET digest = 1, next_attempt_at = ? WHERE id = ?",
        [(to_db(until), ident) for ident, until in held],
    )


async def mark_dead(db: Database, delivery_ids: Sequence[int], error: str) -> None:
    await db.executemany(
        "UPDATE deliveries SET state = 'dead', attempts = attempts + 1, last_error = ?"
        " WHERE id = ?",
        [(error, ident) for ident in delivery_ids],
    )


async def mark_failed(db: Database, delivery_ids: Sequence[int], error: str) -> None:
    """Rows that will never be sent because their chat is gone."""
    await db.executemany(
        "UPDATE deliveries SET state = 'failed', last_error = ? WHERE id = ?",
        [(error, ident) for ident in delivery_ids],
    )


async def deactivate_chat(db: Database, chat_id: int, reason: str, *, now: datetime) -> int:
    """The chat blocked or removed the bot: stop writing to it; returns rows stopped."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE chats SET active = 0, inactive_reason = ?, updated_at = ? WHERE chat_id = ?",
            (reason, to_db(now), chat_id),
        )
        cursor = await conn.execute(
            "UPDATE deliveries SET state = 'failed', last_error = ?"
            " WHERE chat_id = ? AND state = 'pending'",
            (reason, chat_id),
        )
        return cursor.rowcount


async def migrate_chat(db: Database, old_chat_id: int, new_chat_id: int, *, now: datetime) -> int:
    """A group became a supergroup with a new id: move the chat, its subscriptions and its
    pending deliveries there. Returns the pending rows moved."""
    at = to_db(now)
    async with db.transaction() as conn:
        cursor = await conn.execute("SELECT 1 FROM chats WHERE chat_id = ?", (new_chat_id,))
        new_known = await cursor.fetchone() is not None
        if new_known:
            await conn.execute(
                "INSERT OR IGNORE INTO subscriptions (chat_id, country, created_at)"
                " SELECT ?, country, created_at FROM subscriptions WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            await conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (old_chat_id,))
            await conn.execute(
                "UPDATE chats SET active = 0, inactive_reason = ?, updated_at = ?"
                " WHERE chat_id = ?",
                (f"migrated to {new_chat_id}", at, old_chat_id),
            )
        else:
            # The chat keeps every setting; the key moves with its subscriptions, checked at
            # commit.
            await conn.execute("PRAGMA defer_foreign_keys = ON")
            await conn.execute(
                "UPDATE chats SET chat_id = ?, kind = 'supergroup', updated_at = ?"
                " WHERE chat_id = ?",
                (new_chat_id, at, old_chat_id),
            )
            await conn.execute(
                "UPDATE subscriptions SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
        cursor = await conn.execute(
            "UPDATE deliveries SET chat_id = ?, next_attempt_at = ?"
            " WHERE chat_id = ? AND state = 'pending' AND NOT EXISTS (SELECT 1 FROM deliveries"
            " AS n WHERE n.chat_id = ? AND n.alert_version_id = deliveries.alert_version_id)",
            (new_chat_id, at, old_chat_id, new_chat_id),
        )
        moved = cursor.rowcount
        # Rows the new chat already has: one copy is enough.
        await conn.execute(
            "UPDATE deliveries SET state = 'failed', last_error = ?"
            " WHERE chat_id = ? AND state = 'pending'",
            (f"migrated to {new_chat_id}", old_chat_id),
        )
        return moved
