"""PostgreSQL behind the same `Database` interface, through asyncpg.

Statements arrive in the SQLite dialect with `?` placeholders; `dialect.to_postgres`
rewrites each once. asyncpg is strict about Python types where SQLite is not (an int for a
TEXT column, a str of digits for a BIGINT), so arguments are coerced to the types the server
reports for the prepared statement: the store code stays the same for both databases.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bot.store.database import (
    Connection,
    Cursor,
    Database,
    DatabaseUnavailable,
    FetchedCursor,
    Params,
    Row,
)
from bot.store.dialect import Dialect, PostgresStatement, identity_tables, to_postgres

_PREPARED_CACHE_SIZE = 512
_CONNECT_TIMEOUT_SECONDS = 20.0
_DEADLOCK_RETRIES = 3
_INTEGER_TYPES = frozenset({"int2", "int4", "int8"})
_FLOAT_TYPES = frozenset({"float4", "float8"})
_TEXT_TYPES = frozenset({"text", "varchar", "bpchar", "name"})


def _decode_numeric(text: str) -> int | float:
    """sum() and avg() give NUMERIC; the store expects the int or float SQLite gives."""
    if text.lstrip("-").isdigit():
        return int(text)
    return float(text)


def _coerce(value: Any, type_name: str) -> Any:
    """A Python value as the server's type for its parameter wants it."""
    if value is None:
        return None
    if type_name in _TEXT_TYPES:
        if isinstance(value, bool):
            return str(int(value))
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, datetime | date):
            return value.isoformat()
    elif type_name in _INTEGER_TYPES:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, str):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif type_name in _FLOAT_TYPES:
        if isinstance(value, int | str):
            return float(value)
    elif type_name == "numeric" and isinstance(value, bool):
        return int(value)
    return value


def _where(url: str) -> str:
    """host:port/database of a URL, without its user and password."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or "localhost"
    return f"{host}:{port or 5432}{parts.path or '/'}"


def _why(error: BaseException) -> str:
    """The error's own words on one line (an OSError without any: its kind)."""
    text = " ".join(str(error).split())
    if isinstance(error, TimeoutError) or not text:
        return "no answer" if isinstance(error, TimeoutError) else type(error).__name__
    return text


class PostgresConnection:
    """One asyncpg connection seen through `Connection`, with its prepared statements."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.raw = connection
        self.identity_tables: frozenset[str] = frozenset()
        self._prepared: OrderedDict[str, tuple[Any, PostgresStatement, bool]] = OrderedDict()

    async def _prepare(self, sql: str) -> tuple[Any, PostgresStatement, bool]:
        cached = self._prepared.get(sql)
        if cached is not None:
            self._prepared.move_to_end(sql)
            return cached
        statement = to_postgres(sql)
        text = statement.sql
        returns_id = statement.insert_into in self.identity_tables
        if returns_id:
            text += " RETURNING id"
        prepared = await self.raw.prepare(text)
        entry = (prepared, statement, returns_id)
        self._prepared[sql] = entry
        if len(self._prepared) > _PREPARED_CACHE_SIZE:
            self._prepared.popitem(last=False)
        return entry

    def forget_prepared(self) -> None:
        """After a schema change: statements prepared before it may describe old tables."""
        self._prepared.clear()

    @staticmethod
    def _arguments(prepared: Any, statement: PostgresStatement, params: Params) -> list[Any]:
        if statement.names is not None:
            if not isinstance(params, dict):
                raise TypeError("a statement with :name placeholders needs a dict of values")
            values: Sequence[Any] = [params[name] for name in statement.names]
        else:
            values = list(params)
        types = prepared.get_parameters()
        if len(values) != len(types):
            raise ValueError(
                f"statement takes {len(types)} parameters, {len(values)} given: {statement.sql}"
            )
        return [_coerce(v, t.name) for v, t in zip(values, types, strict=True)]

    async def execute(self, sql: str, parameters: Params = (), /) -> Cursor:
        prepared, statement, returns_id = await self._prepare(sql)
        rows = await prepared.fetch(*self._arguments(prepared, statement, parameters))
        status = prepared.get_statusmsg() or ""
        verb, _, tail = status.partition(" ")
        changes = verb in {"INSERT", "UPDATE", "DELETE", "MERGE"}
        rowcount = int(tail.rsplit(" ", 1)[-1]) if changes and tail else -1
        if returns_id:
            lastrowid = int(rows[-1]["id"]) if rows else None
            return FetchedCursor([], rowcount, lastrowid)
        return FetchedCursor(list(rows), rowcount, None)

    async def executemany(self, sql: str, parameters: Iterable[Params], /) -> None:
        prepared, statement, _ = await self._prepare(sql)
        arguments = [self._arguments(prepared, statement, p) for p in parameters]
        if arguments:
            await prepared.executemany(arguments)

    async def run(self, sql: str) -> None:
        """A statement with no parameters and no result (BEGIN, COMMIT, SET ...)."""
        await self.raw.execute(sql)


class PostgresDatabase(Database):
    """One asyncpg connection; transactions in this process are serialised by a lock.

    Processes coordinate through the database itself (row locks, leases), never through
    this lock.
    """

    dialect = Dialect.POSTGRES

    def __init__(self, connection: PostgresConnection) -> None:
        self._conn = connection
        self._lock = asyncio.Lock()

    @classmethod
    async def connect(cls, url: str) -> PostgresDatabase:
        """Connect to the database at `url` and bring its schema up to date."""
        url = url.replace("postgres://", "postgresql://", 1)
        try:
            raw = await asyncpg.connect(url, timeout=_CONNECT_TIMEOUT_SECONDS)
        except (OSError, TimeoutError, ValueError, asyncpg.PostgresError) as error:
            raise DatabaseUnavailable(
                f"DATABASE_URL: cannot connect to PostgreSQL at {_where(url)}: {_why(error)}"
            ) from None
        except asyncpg.InterfaceError as error:  # a malformed option in the URL
            raise DatabaseUnavailable(f"DATABASE_URL: {_why(error)}") from None
        await raw.set_type_codec(
            "numeric", encoder=str, decoder=_decode_numeric, schema="pg_catalog", format="text"
        )
        database = cls(PostgresConnection(raw))
        # Several processes may start at once: one migrates, the others wait for it.
        await raw.execute("SELECT pg_advisory_lock(hashtext('travel-risk-bot.migrate'))")
        try:
            await database.migrate()
        finally:
            await raw.execute("SELECT pg_advisory_unlock(hashtext('travel-risk-bot.migrate'))")
        return database

    @property
    def connection(self) -> asyncpg.Connection:
        """The asyncpg connection, for PostgreSQL-only statements in this package."""
        return self._conn.raw

    async def close(self) -> None:
        await self._conn.raw.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._lock:
            await self._conn.run("BEGIN")
            try:
                yield self._conn
            except BaseException:
                await self._conn.run("ROLLBACK")
                raise
            await self._conn.run("COMMIT")

    async def execute(self, sql: str, params: Params = ()) -> int:
        """One statement in its own transaction, tried again if PostgreSQL chose it as the
        victim of a deadlock with another process (nothing of it was applied)."""
        attempt = 1
        while True:
            try:
                return await super().execute(sql, params)
            except asyncpg.DeadlockDetectedError:
                if attempt == _DEADLOCK_RETRIES:
                    raise
                attempt += 1

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        batch = list(rows)
        for attempt in range(_DEADLOCK_RETRIES):
            try:
                await super().executemany(sql, batch)
                return
            except asyncpg.DeadlockDetectedError:
                if attempt == _DEADLOCK_RETRIES - 1:
                    raise

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._lock:
            cursor = await self._conn.execute(sql, params)
            return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        async with self._lock:
            cursor = await self._conn.execute(sql, params)
            row: Row | None = await cursor.fetchone()
            return row

    async def _ensure_migrations_table(self) -> None:
        await self._conn.run(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        await self._refresh_identity_tables()

    async def migrate(self) -> list[str]:
        applied = await super().migrate()
        if applied:
            self._conn.forget_prepared()
            await self._refresh_identity_tables()
        return applied

    async def _refresh_identity_tables(self) -> None:
        rows = await self._conn.raw.fetch(identity_tables())
        self._conn.identity_tables = frozenset(row[0] for row in rows)
