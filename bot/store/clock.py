"""How times are written to the database: ISO-8601 UTC text, which sorts as it compares."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(moment: datetime) -> str:
    """Aware datetime -> text; a naive datetime is a bug and is refused."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the database; use aware UTC datetimes")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
