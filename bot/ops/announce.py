"""An admin's announcement travels as an alert version of the source "announcement".

That puts it through the same outbox, pacing, retries and dead letters as any alert; the
renderer sends its text as the admin wrote it (escaped), not as an advisory.
"""

from __future__ import annotations

import html
import json
from datetime import datetime

from bot.alerts import Alert, Category, Severity
from bot.sources.serialise import alert_to_json
from bot.store.admin import ANNOUNCEMENT_SOURCE

MAX_ANNOUNCEMENT_CHARS = 3500  # leaves room under Telegram's 4,096 after escaping


def announcement_alert(announcement_id: int, text: str, *, now: datetime) -> Alert:
    """The alert an announcement is stored as; its first line is the title a digest shows.

    Its level is the lowest, so a reader's quiet hours and daily digest hold it like any
    other non-urgent message.
    """
    title = text.strip().splitlines()[0][:120] if text.strip() else ""
    return Alert(
        source=ANNOUNCEMENT_SOURCE,
        id=f"announcement-{announcement_id}",
        countries=(),
        severity=Severity.NORMAL,
        source_level="",
        category=Category.OTHER,
        title=title,
        summary=text,
        url="",
        published=now,
        updated=now,
    )


def announcement_payload(alert: Alert) -> str:
    return json.dumps(alert_to_json(alert), ensure_ascii=False)


def is_announcement(alert: Alert) -> bool:
    return alert.source == ANNOUNCEMENT_SOURCE


def announcement_text(alert: Alert) -> str:
    """The message a reader gets: the admin's words, escaped for Telegram HTML."""
    return html.escape(alert.summary)
