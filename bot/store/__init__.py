"""Storage: SQL and migrations behind a small async interface."""

from bot.store.database import Database

__all__ = ["Database"]
