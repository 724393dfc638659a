"""A chat's preferences, what it is asked to type next, and everything stored about it.

The delivery side reads the same columns (min_severity, categories, quiet hours, digest,
update_mode, paused); this module is where a traveller's choices are written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.store import dialect
from bot.store.clock import from_db, to_db
from bot.store.database import Database

UPDATE_MODES = ("levels", "all")
DELIVERY_MODES = ("instant", "daily")
_CLOCK_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class PreferenceError(ValueError):
    """A value a chat cannot have (an unknown mode, a malformed time); nothing was stored."""


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a chat chose: what reaches it, when, and in which language."""

    chat_id: int
    language: str
    timezone: str
    min_severity: int
    categories: tuple[str, ...]  # empty: every category
    update_mode: str
    quiet_start: str | None
    quiet_end: str | None
    delivery_mode: str
    digest_time: str | None
    paused: bool


async def preferences_of(db: Database, chat_id: int) -> Preferences | None:
    row = await db.fetch_one(
        "SELECT chat_id, language, timezone, min_severity, categories, update_mode,"
        " quiet_start, quiet_end, delivery_mode, digest_time, paused"
        " FROM chats WHERE chat_id = ?",
        (chat_id,),
    )
    if row is None:
        return None
    return Preferences(
        chat_id=row["chat_id"],
        language=row["language"],
        timezone=row["timezone"],
        min_severity=row["min_severity"],
        categories=tuple(c for c in str(row["categories"]).split(",") if c),
        update_mode=row["update_mode"],
        quiet_start=row["quiet_start"],
        quiet_end=row["quiet_end"],
        delivery_mode=row["delivery_mode"],
        digest_time=row["digest_time"],
        paused=bool(row["paused"]),
    )


def toggled_categories(
    chosen: Iterable[str], category: str, every: Iterable[str]
) -> tuple[str, ...]:
    """The categories after switching one on or off; () means every category.

    Switching off the last one is refused: a chat that wants nothing should /pause.
    """
    everything = tuple(every)
    if category not in everything:
        raise PreferenceError(f"unknown category {category!r}")
    current = set(chosen) or set(everything)
    current ^= {category}
    if not current:
        raise PreferenceError("at least one category must stay on")
    if current == set(everything):
        return ()
    return tuple(c for c in everything if c in current)


async def set_categories(
    db: Database, chat_id: int, categories: Iterable[str], *, now: datetime
) -> None:
    await _update(db, chat_id, "categories", ",".join(categories), now)


async def set_update_mode(db: Database, chat_id: int, mode: str, *, now: datetime) -> None:
    if mode not in UPDATE_MODES:
        raise PreferenceError(f"unknown update mode {mode!r}")
    await _update(db, chat_id, "update_mode", mode, now)


async def set_quiet_hours(
    db: Database, chat_id: int, start: str | None, end: str | None, *, now: datetime
) -> None:
    """Quiet from `start` to `end` ("HH:MM", in the chat's timezone); both None: never."""
    if (start is None) != (end is None):
        raise PreferenceError("quiet hours need both a start and an end")
    for value in (start, end):
        if value is not None and not _CLOCK_TIME.match(value):
            raise PreferenceError(f"not a time of day: {value!r}")
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE chats SET quiet_start = ?, quiet_end = ?, updated_at = ? WHERE chat_id = ?",
            (start, end, to_db(now), chat_id),
        )


async def set_timezone(db: Database, chat_id: int, timezone: str, *, now: datetime) -> None:
    """The chat's IANA timezone; the caller checks it with zoneinfo first."""
    await _update(db, chat_id, "timezone", timezone, now)


async def set_delivery(
    db: Database, chat_id: int, mode: str, digest_time: str | None, *, now: datetime
) -> None:
    """Instant messages, or one daily digest at `digest_time` ("HH:MM")."""
    if mode not in DELIVERY_MODES:
        raise PreferenceError(f"unknown delivery mode {mode!r}")
    if mode == "daily" and (digest_time is None or not _CLOCK_TIME.match(digest_time)):
        raise PreferenceError(f"a daily digest needs a time of day, got {digest_time!r}")
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE chats SET delivery_mode = ?, digest_time = COALESCE(?, digest_time),"
            " updated_at = ? WHERE chat_id = ?",
            (mode, digest_time, to_db(now), chat_id),
        )


async def set_paused(db: Database, chat_id: int, paused: bool, *, now: datetime) -> bool:
    """Pause or resume; returns False when the chat already was in that state."""
    return (
        await db.execute(
            "UPDATE chats SET paused = ?, updated_at = ? WHERE chat_id = ? AND paused != ?",
            (int(paused), to_db(now), chat_id, int(paused)),
        )
        == 1
    )


async def expect_input(db: Database, chat_id: int, what: str | None, *, now: datetime) -> None:
    """Remember what the chat's next plain-text message answers (None: nothing)."""
    await db.execute(
        "UPDATE chats SET awaiting = ?, awaiting_since = ? WHERE chat_id = ?",
        (what, None if what is None else to_db(now), chat_id),
    )


async def take_expected_input(
    db: Database, chat_id: int, *, now: datetime, patience: timedelta
) -> str | None:
    """What the chat was asked to type, if asked within `patience`; the question is cleared."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "SELECT awaiting, awaiting_since FROM chats WHERE chat_id = ?", (chat_id,)
        )
        row = await cursor.fetchone()
        if row is None or row["awaiting"] is None:
            return None
        await conn.execute(
            "UPDATE chats SET awaiting = NULL, awaiting_since = NULL WHERE chat_id = ?",
            (chat_id,),
        )
    since = from_db(row["awaiting_since"])
    if since is None or now - since > patience:
        return None
    return str(row["awaiting"])


async def tables_with_chat_id(db: Database) -> list[str]:
    """Every table with a chat_id column: what a chat's personal data is spread over.

    Asked of the schema itself, so tables added by later migrations are covered too.
    """
    rows = await db.fetch_all(dialect.tables_with_column(db.dialect), ("chat_id",))
    return [row["name"] for row in rows]


@dataclass(frozen=True, slots=True)
class _Dependent:
    """A table without chat_id whose rows belong to rows of one that has it (trip_countries)."""

    table: str
    column: str
    parent: str
    parent_column: str

    def where(self) -> str:
        return (
            f"{_quoted(self.column)} IN (SELECT {_quoted(self.parent_column)}"
            f" FROM {_quoted(self.parent)} WHERE chat_id = ?)"
        )


async def _dependents(db: Database, owners: list[str]) -> list[_Dependent]:
    """Tables whose rows hang from the chat's rows through a foreign key (trip_countries)."""
    rows = await db.fetch_all(dialect.foreign_keys(db.dialect))
    return [
        _Dependent(row["child"], row["col"], row["parent"], row["parent_col"] or "rowid")
        for row in rows
        if row["parent"] in owners and row["child"] not in owners
    ]


async def personal_data(db: Database, chat_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row about the chat, table by table (the chat's own row under "chats"), and
    the rows that hang from them (a trip's countries)."""
    data: dict[str, list[dict[str, Any]]] = {}
    owners = await tables_with_chat_id(db)
    for table in owners:
        rows = await db.fetch_all(f"SELECT * FROM {_quoted(table)} WHERE chat_id = ?", (chat_id,))
        data[table] = [dict(row) for row in rows]
    for dependent in await _dependents(db, owners):
        rows = await db.fetch_all(
            f"SELECT * FROM {_quoted(dependent.table)} WHERE {dependent.where()}", (chat_id,)
        )
        data.setdefault(dependent.table, []).extend(dict(row) for row in rows)
    for listed in data.values():
        listed.sort(key=_row_order)
    return data


def _row_order(row: dict[str, Any]) -> tuple[tuple[bool, str, Any], ...]:
    """Rows by their values, column after column, so both databases list them alike: without
    ORDER BY, SQLite returns an index's order and PostgreSQL the order rows were written."""
    return tuple((value is None, type(value).__name__, value) for value in row.values())


async def forget_chat(db: Database, chat_id: int) -> dict[str, int]:
    """Delete every row about the chat in one transaction; returns rows deleted per table.

    Rows that hang from the chat's rows go first, then the chat's own; foreign keys are
    checked at commit, so the order of the chat's tables does not matter.
    """
    deleted: dict[str, int] = {}
    owners = await tables_with_chat_id(db)
    dependents = await _dependents(db, owners)
    async with db.transaction() as conn:
        await conn.execute("PRAGMA defer_foreign_keys = ON")
        for dependent in dependents:
            cursor = await conn.execute(
                f"DELETE FROM {_quoted(dependent.table)} WHERE {dependent.where()}", (chat_id,)
            )
            deleted[dependent.table] = deleted.get(dependent.table, 0) + cursor.rowcount
        for table in sorted(owners, key=lambda name: name == "chats"):
            cursor = await conn.execute(
                f"DELETE FROM {_quoted(table)} WHERE chat_id = ?", (chat_id,)
            )
            deleted[table] = cursor.rowcount
    return deleted


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


async def _update(db: Database, chat_id: int, column: str, value: object, now: datetime) -> None:
    await db.execute(
        f"UPDATE chats SET {column} = ?, updated_at = ? WHERE chat_id = ?",
        (value, to_db(now), chat_id),
    )
