"""The audit log: who did what, when, to what. Every admin and desk action writes one row.

Admins read it with /audit; it answers "who paused that source" and "who blocked me".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.store.clock import from_db, to_db
from bot.store.database import Database


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor_id: int | None
    action: str
    details: Mapping[str, Any]


async def record(
    db: Database,
    actor_id: int | None,
    action: str,
    details: Mapping[str, Any] | str,
    now: datetime,
) -> int:
    """Write one entry; `details` is a small mapping (or a sentence) saying to what.

    `action` is a dotted name (`source.pause`, `desk.invite`); returns the entry's id.
    """
    payload = {"note": details} if isinstance(details, str) else dict(details)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO audit_log (at, actor_id, action, details) VALUES (?, ?, ?, ?)",
            (to_db(now), actor_id, action, json.dumps(payload, ensure_ascii=False, default=str)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid


async def recent(
    db: Database,
    *,
    limit: int = 20,
    actor_id: int | None = None,
    action_prefix: str | None = None,
) -> list[AuditEntry]:
    """The latest entries, newest first, optionally by one actor or one kind of action."""
    clauses: list[str] = []
    params: list[Any] = []
    if actor_id is not None:
        clauses.append("actor_id = ?")
        params.append(actor_id)
    if action_prefix:
        clauses.append("substr(action, 1, ?) = ?")
        params += [len(action_prefix), action_prefix]
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = await db.fetch_all(
        f"SELECT id, at, actor_id, action, details FROM audit_log{where} ORDER BY id DESC LIMIT ?",
        (*params, limit),
    )
    entries: list[AuditEntry] = []
    for row in rows:
        at = from_db(row["at"])
        assert at is not None
        entries.append(
            AuditEntry(row["id"], at, row["actor_id"], row["action"], json.loads(row["details"]))
        )
    return entries
