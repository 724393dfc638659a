"""Chats and their subscriptions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.store.clock import to_db
from bot.store.database import Database, Row


@dataclass(frozen=True, slots=True)
class Chat:
    chat_id: int
    kind: str
    language: str
    timezone: str
    min_severity: int
    categories: tuple[str, ...]
    active: bool
    title: str | None = None
    username: str | None = None


_COLUMNS = "chat_id, kind, language, timezone, min_severity, categories, active, title, username"


def _chat(r: Row) -> Chat:
    categories = tuple(c for c in str(r["categories"]).split(",") if c)
    return Chat(
        chat_id=r["chat_id"],
        kind=r["kind"],
        language=r["language"],
        timezone=r["timezone"],
        min_severity=r["min_severity"],
        categories=categories,
        active=bool(r["active"]),
        title=r["title"],
        username=r["username"],
    )


async def register_chat(
    db: Database,
    chat_id: int,
    *,
    kind: str,
    language: str,
    now: datetime,
    title: str | None = None,
    username: str | None = None,
) -> tuple[Chat, bool]:
    """Record a chat that talked to the bot; returns (chat, created).

    A chat that had blocked the bot and comes back with /start is active again. The language
    of an existing chat is kept: it may have been chosen with /language.
    """
    stamp = to_db(now)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO chats (chat_id, kind, language, title, username, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO NOTHING",
            (chat_id, kind, language, title, username, stamp, stamp),
        )
        created = cursor.rowcount == 1
        if not created:
            await conn.execute(
                "UPDATE chats SET active = 1, inactive_reason = NULL, kind = ?,"
                " title = COALESCE(?, title), username = COALESCE(?, username), updated_at = ?"
                " WHERE chat_id = ?",
                (kind, title, username, stamp, chat_id),
            )
    chat = await get_chat(db, chat_id)
    assert chat is not None
    return chat, created


async def get_chat(db: Database, chat_id: int) -> Chat | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM chats WHERE chat_id = ?", (chat_id,))
    return None if row is None else _chat(row)


async def set_language(db: Database, chat_id: int, language: str, *, now: datetime) -> None:
    await db.execute(
        "UPDATE chats SET language = ?, updated_at = ? WHERE chat_id = ?",
        (language, to_db(now), chat_id),
    )


async def set_min_severity(db: Database, chat_id: int, severity: int, *, now: datetime) -> None:
    await db.execute(
        "UPDATE chats SET min_severity = ?, updated_at = ? WHERE chat_id = ?",
        (severity, to_db(now), chat_id),
    )


async def deactivate(db: Database, chat_id: int, reason: str, *, now: datetime) -> None:
    await db.execute(
        "UPDATE chats SET active = 0, inactive_reason = ?, updated_at = ? WHERE chat_id = ?",
        (reason, to_db(now), chat_id),
    )


async def subscribe(
    db: Database, chat_id: int, countries: Iterable[str], *, now: datetime
) -> list[str]:
    """Add subscriptions; returns the countries that were new for this chat."""
    added: list[str] = []
    async with db.transaction() as conn:
        for country in countries:
            cursor = await conn.execute(
                "INSERT INTO subscriptions (chat_id, country, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (chat_id, country) DO NOTHING",
                (chat_id, country, to_db(now)),
            )
            if cursor.rowcount == 1:
                added.append(country)
    return added


async def unsubscribe(db: Database, chat_id: int, countries: Iterable[str]) -> list[str]:
    """Remove subscriptions; returns the countries that were actually followed."""
    removed: list[str] = []
    async with db.transaction() as conn:
        for country in countries:
            cursor = await conn.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND country = ?", (chat_id, country)
            )
            if cursor.rowcount == 1:
                removed.append(country)
    return removed


async def unsubscribe_all(db: Database, chat_id: int) -> int:
    return await db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))


async def subscriptions_of(db: Database, chat_id: int) -> list[str]:
    rows = await db.fetch_all(
        "SELECT country FROM subscriptions WHERE chat_id = ? ORDER BY country", (chat_id,)
    )
    return [row["country"] for row in rows]
