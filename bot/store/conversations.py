"""What a chat is in the middle of: its chat_data and its conversations' states, as text.

Kept in the database so that several processes behind a load balancer can each take any
message of a chat (`bot.chat.persistence` puts python-telegram-bot's state here). Values
are opaque JSON text to this module.

A conversation row carries a version: a process changes or ends a conversation only if
the row still has the version it read, so a process with an outdated view (say its own
timeout firing while another process moved the conversation on) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.store.clock import from_db, to_db
from bot.store.database import Database


@dataclass(frozen=True, slots=True)
class StoredConversation:
    """One conversation under way: its state (JSON text), version and last change."""

    state: str
    version: int
    updated_at: datetime


async def chat_state(db: Database, chat_id: int) -> str | None:
    """The chat's data as stored (JSON text), or None."""
    value = await db.fetch_value("SELECT data FROM chat_state WHERE chat_id = ?", (chat_id,))
    return None if value is None else str(value)


async def save_chat_state(db: Database, chat_id: int, data: str | None, *, now: datetime) -> None:
    """Store the chat's data; None forgets it."""
    if data is None:
        await db.execute("DELETE FROM chat_state WHERE chat_id = ?", (chat_id,))
        return
    await db.execute(
        "INSERT INTO chat_state (chat_id, data, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (chat_id) DO UPDATE SET data = excluded.data,"
        " updated_at = excluded.updated_at",
        (chat_id, data, to_db(now)),
    )


async def conversation(db: Database, name: str, key: str) -> StoredConversation | None:
    row = await db.fetch_one(
        "SELECT state, version, updated_at FROM conversations"
        " WHERE name = ? AND conversation_key = ?",
        (name, key),
    )
    if row is None:
        return None
    updated_at = from_db(row["updated_at"])
    assert updated_at is not None
    return StoredConversation(str(row["state"]), int(row["version"]), updated_at)


async def save_conversation(
    db: Database,
    name: str,
    key: str,
    state: str,
    *,
    chat_id: int | None,
    read_version: int | None,
    now: datetime,
) -> int | None:
    """Record the conversation's new state over `read_version` (None: there was no row).

    Returns the new version, or None when another process changed the row since it was
    read (nothing is written then).
    """
    if read_version is None:
        changed = await db.execute(
            "INSERT INTO conversations"
            " (name, conversation_key, chat_id, state, version, updated_at)"
            " VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (name, conversation_key) DO NOTHING",
            (name, key, chat_id, state, to_db(now)),
        )
        return 1 if changed else None
    changed = await db.execute(
        "UPDATE conversations SET state = ?, version = version + 1, updated_at = ?"
        " WHERE name = ? AND conversation_key = ? AND version = ?",
        (state, to_db(now), name, key, read_version),
    )
    return read_version + 1 if changed else None


async def end_conversation(db: Database, name: str, key: str, *, read_version: int) -> bool:
    """Forget the conversation if it still has `read_version`; False when it moved on."""
    deleted = await db.execute(
        "DELETE FROM conversations WHERE name = ? AND conversation_key = ? AND version = ?",
        (name, key, read_version),
    )
    return deleted > 0
