"""The long-lived parts a running bot is made of, built once and passed to whoever needs them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.config import Settings
from bot.i18n import Catalogs
from bot.render import Renderer
from bot.store.database import Database


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    db: Database
    catalogs: Catalogs
    renderer: Renderer
    clock: Callable[[], datetime] = utc_now
