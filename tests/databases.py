"""The databases tests run against: SQLite always, PostgreSQL when TEST_POSTGRES_URL names a
server (`scripts/test` starts one where it can).

Each PostgreSQL test gets a schema of its own in that database, dropped afterwards, so tests
never see each other's rows.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from bot.store.database import Database

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "").strip()
BACKENDS: tuple[str, ...] = ("sqlite", "postgresql") if POSTGRES_URL else ("sqlite",)


def with_schema(url: str, schema: str) -> str:
    """`url` with every connection's search_path set to `schema`."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query), ("search_path", schema)]
    return urlunsplit(parts._replace(query=urlencode(query)))


@asynccontextmanager
async def database_url(backend: str, folder: Path) -> AsyncIterator[str]:
    """A URL of an empty database of `backend`, removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bot.sqlite3'}"
        return
    schema = "test_" + secrets.token_hex(6)
    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        yield with_schema(POSTGRES_URL, schema)
    finally:
        await admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await admin.close()


@asynccontextmanager
async def open_database(backend: str, folder: Path) -> AsyncIterator[Database]:
    """An open, migrated, empty database of `backend`, closed and removed afterwards."""
    async with database_url(backend, folder) as url:
        database = await Database.open(url)
        try:
            yield database
        finally:
            await database.close()
