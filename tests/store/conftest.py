"""Every storage test runs against each database in `tests.databases.BACKENDS`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store.database import Database
from tests.databases import BACKENDS, database_url, open_database


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def db_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database (for tests that open and reopen it themselves)."""
    async with database_url(backend, tmp_path) as url:
        yield url


@pytest.fixture
async def database(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    async with open_database(backend, tmp_path) as opened:
        yield opened


@pytest.fixture
def db(database: Database) -> Database:
    """The name the storage tests use."""
    return database
