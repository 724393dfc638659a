"""The database connection and its schema migrations.

SQL lives in this package only. `Database` is the one interface; `Database.open` picks the
implementation from the URL: SQLite (the default, right for one process) here, PostgreSQL
(several processes, one database) in `bot.store.postgres`. What differs between the two
dialects is in `bot.store.dialect`.

Migrations are numbered `.sql` files applied in order, each in one transaction, and
recorded in `schema_migrations`.
"""

from __future__ import annotations

import asyncio
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, TypeVar

import aiosqlite

from bot.config import ConfigError
from bot.store.dialect import Dialect

Params = Sequence[Any] | Mapping[str, Any]
T = TypeVar("T")
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class DatabaseUnavailable(ConfigError):
    """DATABASE_URL names a database that cannot be reached or refuses us: start-up stops
    with one line naming the setting (the command line reports a `ConfigError` so)."""


class Row(Protocol):
    """A result row: by position (`row[0]`) or by column name (`row["chat_id"]`)."""

    def __getitem__(self, key: Any, /) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...
    def keys(self) -> Any: ...


class Cursor(Protocol):
    """The result of one statement inside a transaction."""

    @property
    def rowcount(self) -> int: ...
    @property
    def lastrowid(self) -> int | None: ...
    async def fetchall(self) -> Iterable[Any]: ...
    async def fetchone(self) -> Any: ...


class Connection(Protocol):
    """What `Database.transaction()` yields: statements run inside that transaction."""

    async def execute(self, sql: str, parameters: Params = (), /) -> Cursor: ...
    async def executemany(self, sql: str, parameters: Iterable[Params], /) -> None: ...


class Database(ABC):
    """One connection per process, with a lock so transactions never interleave."""

    dialect: Dialect

    @staticmethod
    async def open(location: Path | str) -> Database:
        """Open the database at a path or URL and bring its schema up to date.

        `postgresql://user:password@host/db` opens PostgreSQL; `sqlite:///path`, a plain path
        or `:memory:` opens SQLite.
        """
        text = str(location)
        if text.startswith(POSTGRES_SCHEMES):
            from bot.store.postgres import PostgresDatabase

            return await PostgresDatabase.connect(text)
        return await SqliteDatabase.connect(text.removeprefix("sqlite:///"))

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """A transaction that holds the write lock; rolled back on any exception."""

    @abstractmethod
    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]: ...

    @abstractmethod
    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None: ...

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement in its own transaction; returns the number of rows changed."""
        async with self.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    @abstractmethod
    async def _ensure_migrations_table(self) -> None: ...

    async def migrate(self) -> list[str]:
        """Apply every migration not yet applied; returns the names applied now."""
        await self._ensure_migrations_table()
        done = {row[0] for row in await self.fetch_all("SELECT name FROM schema_migrations")}
        applied: list[str] = []
        for name, sql in migration_files():
            if name in done:
                continue
            async with self.transaction() as conn:
                for statement in _statements(sql):
                    await conn.execute(statement)
                await conn.execute("INSERT INTO schema_migrations (name) VALUES (?)", (name,))
            applied.append(name)
        return applied


class FetchedCursor:
    """What one statement returned, read whole when it ran: its rows, the rows it changed,
    the id it inserted."""

    __slots__ = ("_rows", "lastrowid", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int, lastrowid: int | None) -> None:
        self._rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None


class _SqliteTransaction:
    """The statements of one `SqliteDatabase.transaction()`, seen through `Connection`.

    BEGIN IMMEDIATE goes with the first statement and each statement's rows come back with
    it, so a transaction of n statements takes n + 1 hand-offs to SQLite's thread (COMMIT
    is the last), not 2n + 2; a transaction that runs no statement takes none.
    """

    __slots__ = ("_database", "begun")

    def __init__(self, database: SqliteDatabase) -> None:
        self._database = database
        self.begun = False

    async def execute(self, sql: str, parameters: Params = (), /) -> Cursor:
        begin, self.begun = not self.begun, True
        return await self._database._in_sqlite_thread_locked(_run_one, sql, parameters, begin)

    async def executemany(self, sql: str, parameters: Iterable[Params], /) -> None:
        begin, self.begun = not self.begun, True
        await self._database._in_sqlite_thread_locked(_run_many, sql, list(parameters), begin)


class SqliteDatabase(Database):
    """One SQLite connection in WAL mode."""

    dialect = Dialect.SQLITE

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()

    @classmethod
    async def connect(cls, path: Path | str) -> SqliteDatabase:
        """Open (creating if needed) the database at `path` and bring its schema up to date."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(str(path), isolation_level=None)
        connection.row_factory = aiosqlite.Row
        await connection.execute("PRAGMA journal_mode=WAL")
        await connection.execute("PRAGMA synchronous=NORMAL")
        await connection.execute("PRAGMA foreign_keys=ON")
        await connection.execute("PRAGMA busy_timeout=5000")
        database = cls(connection)
        await database.migrate()
        return database

    async def close(self) -> None:
        await self._connection.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        async with self._lock:
            statements = _SqliteTransaction(self)
            try:
                yield statements
            except BaseException:
                if statements.begun:
                    await self._in_sqlite_thread_locked(_roll_back)
                raise
            if statements.begun:
                await self._in_sqlite_thread_locked(_commit)

    # A statement that is a transaction of its own (most writes: the ledger's marks, leases,
    # counts) and every read go to SQLite's thread once, not once per step: each hand-off
    # wakes that thread and costs more CPU than SQLite's own work on a small statement
    # (`benchmarks/storage.py`, outbox marks).

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self._in_sqlite_thread(_on_its_own, _run_one, sql, params)
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._in_sqlite_thread(_on_its_own, _run_many, sql, list(rows))

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._in_sqlite_thread(_fetch_all, sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        return await self._in_sqlite_thread(_fetch_one, sql, params)

    async def _in_sqlite_thread(self, work: Callable[..., T], *args: Any) -> T:
        """`work(connection, *args)` run in aiosqlite's thread, in one hand-off, under the lock.

        aiosqlite has no public call for this: `_execute` and `_conn` are what its own
        methods use (the version is pinned below 0.23, and every store test runs through
        here).
        """
        async with self._lock:
            return await self._in_sqlite_thread_locked(work, *args)

    async def _in_sqlite_thread_locked(self, work: Callable[..., T], *args: Any) -> T:
        """`_in_sqlite_thread` for a caller that holds the lock (a transaction)."""
        connection: sqlite3.Connection = self._connection._conn
        result: T = await self._connection._execute(work, connection, *args)
        return result

    async def _ensure_migrations_table(self) -> None:
        await self._connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )


def _run_one(
    connection: sqlite3.Connection, sql: str, params: Params, begin: bool
) -> FetchedCursor:
    if begin:
        connection.execute("BEGIN IMMEDIATE")
    cursor = connection.execute(sql, params)
    rows = cursor.fetchall() if cursor.description else []
    return FetchedCursor(rows, cursor.rowcount, cursor.lastrowid)


def _run_many(connection: sqlite3.Connection, sql: str, rows: list[Params], begin: bool) -> None:
    if begin:
        connection.execute("BEGIN IMMEDIATE")
    connection.executemany(sql, rows)


def _commit(connection: sqlite3.Connection) -> None:
    connection.execute("COMMIT")


def _roll_back(connection: sqlite3.Connection) -> None:
    """ROLLBACK, when a transaction is open: the BEGIN that went with the first statement
    may itself have failed (the database busy past its timeout)."""
    if connection.in_transaction:
        connection.execute("ROLLBACK")


def _on_its_own(connection: sqlite3.Connection, run: Callable[..., T], sql: str, params: Any) -> T:
    """A statement that is a transaction of its own, in SQLite's thread: `run` begins it,
    then COMMIT, or ROLLBACK on any exception (as `SqliteDatabase.transaction` does)."""
    try:
        result = run(connection, sql, params, True)
    except BaseException:
        _roll_back(connection)
        raise
    _commit(connection)
    return result


def _fetch_all(connection: sqlite3.Connection, sql: str, params: Params) -> list[Row]:
    return connection.execute(sql, params).fetchall()


def _fetch_one(connection: sqlite3.Connection, sql: str, params: Params) -> Row | None:
    row: Row | None = connection.execute(sql, params).fetchone()
    return row


def migration_files() -> list[tuple[str, str]]:
    """(name, sql) of every migration shipped with the package, in order."""
    folder = resources.files("bot.store") / "migrations"
    files = sorted(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    )
    return files


def _statements(sql: str) -> list[str]:
    """Split a migration into statements, the way sqlite3 itself sees where one ends.

    A semicolon inside a comment, a string or a trigger body does not end a statement.
    """
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        raise ValueError(f"migration ends with an incomplete statement: {buffer.strip()[:80]}")
    return statements
