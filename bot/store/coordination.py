"""Several processes on one database: leases on singleton work and process heartbeats.

Every statement is one atomic upsert or update, so the same SQL is correct on SQLite (one
writer at a time) and on PostgreSQL (row locks; `ON CONFLICT ... DO UPDATE ... WHERE`
decides under the row's lock). Times are the processes' own clocks: keep them in sync
(NTP) to well within a lease's length.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store.clock import to_db
from bot.store.database import Database


async def acquire_lease(
    db: Database, name: str, holder: str, *, now: datetime, ttl: timedelta
) -> bool:
    """Take the lease `name` (or renew it, if `holder` has it) until now + ttl.

    False while another holder's lease has not expired.
    """
    changed = await db.execute(
        "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
        " expires_at = excluded.expires_at"
        " WHERE leases.holder = excluded.holder OR leases.expires_at <= ?",
        (name, holder, to_db(now + ttl), to_db(now)),
    )
    return changed > 0


async def release_lease(db: Database, name: str, holder: str) -> bool:
    """Give the lease up now (a clean stop), so another process need not wait for expiry."""
    return await db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder)) > 0


async def release_leases(db: Database, holder: str) -> int:
    return await db.execute("DELETE FROM leases WHERE holder = ?", (holder,))


async def lease_holder(db: Database, name: str, *, now: datetime) -> str | None:
    """Who holds the lease `name` now (None: nobody, or it expired)."""
    value = await db.fetch_value(
        "SELECT holder FROM leases WHERE name = ? AND expires_at > ?", (name, to_db(now))
    )
    return None if value is None else str(value)


async def heartbeat(db: Database, holder: str, *, now: datetime, ttl: timedelta) -> int:
    """Record that `holder` is alive (which keeps its outbox claims), forget processes
    silent for longer than `ttl`; returns how many processes are alive (this one included).

    Each statement commits on its own: held together, two processes' beats could each wait
    for the other's row (a deadlock on PostgreSQL).
    """
    stamp = to_db(now)
    await db.execute(
        "INSERT INTO processes (holder, started_at, seen_at) VALUES (?, ?, ?)"
        " ON CONFLICT (holder) DO UPDATE SET seen_at = excluded.seen_at",
        (holder, stamp, stamp),
    )
    await db.execute("DELETE FROM processes WHERE seen_at <= ?", (to_db(now - ttl),))
    alive = await db.fetch_value("SELECT count(*) FROM processes")
    return max(1, int(alive or 0))


async def leave(db: Database, holder: str) -> None:
    """A clean stop: the process's leases, claims and heartbeat go at once."""
    await db.execute("DELETE FROM leases WHERE holder = ?", (holder,))
    await db.execute(
        "UPDATE deliveries SET claimed_by = NULL WHERE claimed_by = ? AND state = 'pending'",
        (holder,),
    )
    await db.execute("DELETE FROM processes WHERE holder = ?", (holder,))
