"""The chats and alert versions delivery tests work with, built as the rest of the bot
builds them (chats through the chat store, versions as the poller records them)."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from bot.alerts import Alert, Change, Severity
from bot.delivery.dispatcher import DeliveryLimits, Dispatcher, RenderRequest
from bot.sources.serialise import alert_to_json
from bot.store import chats
from bot.store.clock import to_db
from bot.store.database import Database
from tests.clock import START


@dataclass
class Renders:
    """A renderer that says which alert and change it was given, and counts its calls."""

    calls: list[tuple[str, RenderRequest]] = field(default_factory=list)
    digests: list[list[tuple[Alert, Change]]] = field(default_factory=list)

    def alert(self, alert: Alert, request: RenderRequest) -> str:
        self.calls.append((alert.id, request))
        return f"<b>{html.escape(alert.title)}</b> [{request.change}/{request.language}]"

    def digest(self, items: list[tuple[Alert, Change]], request: RenderRequest) -> str:
        self.digests.append(items)
        lines = [f"{html.escape(alert.title)} ({change})" for alert, change in items]
        return "<b>Digest</b>\n" + "\n".join(lines)


FAST = DeliveryLimits(
    global_per_second=1000,
    private_chat_per_second=1000,
    group_per_minute=60_000,
    backoff_seconds=0.01,
    max_backoff_seconds=0.05,
)


async def add_chat(
    db: Database,
    chat_id: int,
    countries: Iterable[str] = ("FR",),
    *,
    kind: str = "private",
    language: str = "en",
    min_severity: int = 1,
    categories: str = "",
    timezone: str = "UTC",
    quiet: tuple[str, str] | None = None,
    daily_at: str | None = None,
) -> None:
    """A chat as the chat handlers leave it, plus the delivery settings of this package."""
    await chats.register_chat(db, chat_id, kind=kind, language=language, now=START)
    await chats.subscribe(db, chat_id, countries, now=START)
    await db.execute(
        "UPDATE chats SET min_severity = ?, categories = ?, timezone = ?, quiet_start = ?,"
        " quiet_end = ?, delivery_mode = ?, digest_time = ? WHERE chat_id = ?",
        (
            min_severity,
            categories,
            timezone,
            quiet[0] if quiet else None,
            quiet[1] if quiet else None,
            "daily" if daily_at else "instant",
            daily_at,
            chat_id,
        ),
    )


async def add_version(
    db: Database,
    alert: Alert,
    change: Change = Change.NEW,
    previous: Severity | None = None,
    *,
    seen_at: datetime = START,
) -> int:
    """An announced alert version, as the poller records it."""
    return int(
        await db.fetch_value(
            "INSERT INTO alert_versions (source, alert_id, version, change, severity,"
            " previous_severity, payload, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                alert.source,
                alert.id,
                alert.version,
                str(change),
                int(alert.severity),
                None if previous is None else int(previous),
                json.dumps(alert_to_json(alert)),
                to_db(seen_at),
            ),
        )
    )


DispatcherFactory = Callable[..., Dispatcher]
