"""Quiet hours and daily digests, in the reader's own timezone.

Pure functions of a UTC instant and the chat's settings: when an alert that is not urgent
should wait until, or None to send it now.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.alerts import Severity


def parse_clock(text: str | None) -> time | None:
    """ "HH:MM" -> time; None or malformed -> None (a bad setting never holds alerts back)."""
    if not text:
        return None
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def quiet_until(
    now: datetime, timezone: str, start: str | None, end: str | None
) -> datetime | None:
    """The end of the quiet hours `now` falls in (UTC), or None outside them."""
    first, last = parse_clock(start), parse_clock(end)
    if first is None or last is None or first == last:
        return None
    local = now.astimezone(zone(timezone))
    clock = local.time().replace(tzinfo=None)
    quiet = first <= clock < last if first < last else (clock >= first or clock < last)
    if not quiet:
        return None
    return _next_local(local, last)


def next_digest_at(now: datetime, timezone: str, digest_time: str | None) -> datetime:
    """The next daily digest after `now` (UTC); midnight-free default of 08:00."""
    at = parse_clock(digest_time) or time(8, 0)
    return _next_local(now.astimezone(zone(timezone)), at)


def hold_until(
    now: datetime,
    *,
    severity: int,
    timezone: str,
    quiet_start: str | None,
    quiet_end: str | None,
    delivery_mode: str,
    digest_time: str | None,
) -> datetime | None:
    """When a reader wants this alert, if not now. The top level always goes at once."""
    if severity >= Severity.EXTREME:
        return None
    if delivery_mode == "daily":
        return next_digest_at(now, timezone, digest_time)
    return quiet_until(now, timezone, quiet_start, quiet_end)


def _next_local(local: datetime, at: time) -> datetime:
    """The first moment after `local` whose wall clock reads `at`, in UTC."""
    candidate = datetime.combine(local.date(), at, tzinfo=local.tzinfo)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=local.tzinfo)
    return candidate.astimezone(UTC)
