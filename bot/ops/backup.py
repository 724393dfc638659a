"""`python -m bot backup PATH`: a consistent copy of the SQLite database, taken while the
bot keeps running (SQLite's online backup API copies pages under a read transaction, so
the copy is one moment's state even in WAL mode)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path


class BackupError(Exception):
    """The backup could not be made; the message says why, and nothing was left behind."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    bytes: int


def backup_database(source: Path, target: Path, *, pages_per_step: int = 1024) -> BackupReport:
    """Copy `source` to `target` (which must not exist yet) and return its size.

    The copy is written next to the target and renamed into place at the end, so a
    half-written file never carries the backup's name.
    """
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new name")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    partial = target.with_name(target.name + ".partial")
    try:
        # Read-only: a backup must never create, migrate or lock the live database for writing.
        origin = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(partial)
            try:
                origin.backup(copy, pages=pages_per_step)
            finally:
                copy.close()
        finally:
            origin.close()
        os.replace(partial, target)
    except sqlite3.Error as error:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise BackupError(f"the backup failed: {error}") from error
    return BackupReport(target, target.stat().st_size)
