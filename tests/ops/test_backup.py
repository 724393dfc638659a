"""`python -m bot backup PATH`: a readable copy of the live database, taken while it is
open for writing, and a refusal to overwrite."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.ops.backup import BackupError, backup_database
from bot.store import chats as chat_store
from bot.store.database import Database

NOW = datetime(2025, 10, 7, 12, 0, tzinfo=UTC)


def run_backup(database: Path, target: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "backup", str(target)],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=30,
    )


async def test_backup_of_an_open_database_restores_its_rows(tmp_path: Path) -> None:
    live = await Database.open(tmp_path / "bot.sqlite3")
    try:
        await chat_store.register_chat(live, 42, kind="private", language="fr", now=NOW)
        await chat_store.subscribe(live, 42, ["DE", "JP"], now=NOW)
        result = run_backup(tmp_path / "bot.sqlite3", tmp_path / "copy.sqlite3")
    finally:
        await live.close()
    assert result.returncode == 0, result.stderr
    assert "backup written to" in result.stdout

    restored = await Database.open(tmp_path / "copy.sqlite3")
    try:
        assert await chat_store.subscriptions_of(restored, 42) == ["DE", "JP"]
        chat = await chat_store.get_chat(restored, 42)
        assert chat is not None and chat.language == "fr"
    finally:
        await restored.close()


async def test_backup_refuses_to_overwrite_and_leaves_no_partial_file(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3")
    await db.close()
    target = tmp_path / "copy.sqlite3"
    target.write_bytes(b"keep me")
    result = run_backup(tmp_path / "bot.sqlite3", target)
    assert result.returncode == 1 and "exists already" in result.stderr
    assert target.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir() if "partial" in p.name) == []


def test_backup_of_a_missing_database_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no database"):
        backup_database(tmp_path / "absent.sqlite3", tmp_path / "copy.sqlite3")
    assert not (tmp_path / "absent.sqlite3").exists()
