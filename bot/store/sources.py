"""Source health and HTTP validators, kept between polls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.store.clock import from_db, to_db
from bot.store.database import Database


@dataclass(frozen=True, slots=True)
class SourceHealth:
    source: str
    etag: str | None
    last_modified: str | None
    last_attempt: datetime | None
    last_success: datetime | None
    consecutive_failures: int
    items_seen: int
    last_error: str | None
    next_attempt_at: datetime | None
    paused: bool
    # Of the last poll that read the feed: its items skipped or read oddly, and the first.
    item_problems: int = 0
    first_item_problem: str | None = None


async def get_health(db: Database, source: str) -> SourceHealth:
    row = await db.fetch_one("SELECT * FROM source_state WHERE source = ?", (source,))
    if row is None:
        return SourceHealth(source, None, None, None, None, 0, 0, None, None, False)
    return SourceHealth(
        source=row["source"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_attempt=from_db(row["last_attempt"]),
        last_success=from_db(row["last_success"]),
        consecutive_failures=row["consecutive_failures"],
        items_seen=row["items_seen"],
        last_error=row["last_error"],
        next_attempt_at=from_db(row["next_attempt_at"]),
        paused=bool(row["paused"]),
        item_problems=row["item_problems"],
        first_item_problem=row["first_item_problem"],
    )


async def all_health(db: Database) -> list[SourceHealth]:
    rows = await db.fetch_all("SELECT source FROM source_state ORDER BY source")
    return [await get_health(db, row["source"]) for row in rows]


async def record_success(
    db: Database,
    source: str,
    *,
    now: datetime,
    etag: str | None,
    last_modified: str | None,
    items_seen: int | None,
    item_problems: Sequence[str] | None = None,
) -> None:
    """A poll worked; `items_seen` and `item_problems` are None for a 304, which keeps
    what the last poll that read the feed said."""
    stamp = to_db(now)
    count = None if item_problems is None else len(item_problems)
    first = item_problems[0][:500] if item_problems else None
    await db.execute(
        "INSERT INTO source_state (source, etag, last_modified, last_attempt, last_success,"
        " consecutive_failures, items_seen, last_error, next_attempt_at, item_problems,"
        " first_item_problem)"
        " VALUES (?, ?, ?, ?, ?, 0, COALESCE(?, 0), NULL, NULL, COALESCE(?, 0), ?)"
        " ON CONFLICT (source) DO UPDATE SET etag = excluded.etag,"
        " last_modified = excluded.last_modified, last_attempt = excluded.last_attempt,"
        " last_success = excluded.last_success, consecutive_failures = 0,"
        " items_seen = COALESCE(?, source_state.items_seen), last_error = NULL,"
        " next_attempt_at = NULL,"
        " item_problems = COALESCE(?, source_state.item_problems),"
        " first_item_problem = CASE WHEN ? THEN ? ELSE source_state.first_item_problem END",
        (
            source, etag, last_modified, stamp, stamp, items_seen, count, first,
            items_seen, count, count is not None, first,
        ),
    )  # fmt: skip


async def record_failure(
    db: Database, source: str, error: str, *, now: datetime, retry_at: datetime
) -> int:
    """A poll failed; returns the number of failures in a row."""
    stamp = to_db(now)
    await db.execute(
        "INSERT INTO source_state (source, last_attempt, consecutive_failures, last_error,"
        " next_attempt_at) VALUES (?, ?, 1, ?, ?)"
        " ON CONFLICT (source) DO UPDATE SET last_attempt = excluded.last_attempt,"
        " consecutive_failures = source_state.consecutive_failures + 1,"
        " last_error = excluded.last_error, next_attempt_at = excluded.next_attempt_at",
        (source, stamp, error[:500], to_db(retry_at)),
    )
    return int(
        await db.fetch_value(
            "SELECT consecutive_failures FROM source_state WHERE source = ?", (source,)
        )
    )


async def set_paused(db: Database, source: str, paused: bool) -> None:
    await db.execute(
        "INSERT INTO source_state (source, paused) VALUES (?, ?)"
        " ON CONFLICT (source) DO UPDATE SET paused = excluded.paused",
        (source, int(paused)),
    )
