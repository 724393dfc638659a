"""Alerts to and from JSON-ready dicts, for the store and for command-line output.

The round trip is exact: `alert_from_json(alert_to_json(a)) == a`, so a stored alert
compares equal (and has the same `version`) as the one freshly parsed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.alerts import Alert, Category, LocalText, Severity
from bot.sources.xml import as_utc


def alert_to_json(alert: Alert) -> dict[str, Any]:
    """A dict of JSON types only; dates are ISO 8601 strings in UTC."""
    return {
        "source": alert.source,
        "id": alert.id,
        "version": alert.version,
        "countries": list(alert.countries),
        "severity": int(alert.severity),
        "source_level": alert.source_level,
        "category": str(alert.category),
        "title": alert.title,
        "summary": alert.summary,
        "url": alert.url,
        "published": _date_to_json(alert.published),
        "updated": _date_to_json(alert.updated),
        "body": alert.body,
        "advice": alert.advice,
        "expires": None if alert.expires is None else _date_to_json(alert.expires),
        "starts": None if alert.starts is None else _date_to_json(alert.starts),
        "cancelled": alert.cancelled,
        "latitude": alert.latitude,
        "longitude": alert.longitude,
        "translations": {
            language: _local_text_to_json(text)
            for language, text in sorted(alert.translations.items())
        },
        "facts": dict(sorted(alert.facts.items())),
    }


def _local_text_to_json(text: LocalText) -> dict[str, str]:
    """Title and summary, and the level and advice when the source gave them."""
    fields = {"title": text.title, "summary": text.summary}
    if text.source_level:
        fields["source_level"] = text.source_level
    if text.advice:
        fields["advice"] = text.advice
    return fields


def alert_from_json(data: Mapping[str, Any]) -> Alert:
    """The `Alert` a dict of `alert_to_json` describes; `version` is recomputed, not read.

    Raises KeyError or ValueError when a required key is missing or malformed.
    """
    translations = {
        language: LocalText(
            title=text["title"],
            summary=text["summary"],
            source_level=text.get("source_level", ""),
            advice=text.get("advice", ""),
        )
        for language, text in (data.get("translations") or {}).items()
    }
    expires = data.get("expires")
    starts = data.get("starts")
    return Alert(
        source=data["source"],
        id=data["id"],
        countries=tuple(data["countries"]),
        severity=Severity(int(data["severity"])),
        source_level=data["source_level"],
        category=Category(data["category"]),
        title=data["title"],
        summary=data.get("summary", ""),
        url=data.get("url", ""),
        published=_date_from_json(data["published"]),
        updated=_date_from_json(data["updated"]),
        body=data.get("body", ""),
        advice=data.get("advice", ""),
        expires=None if expires is None else _date_from_json(expires),
        starts=None if starts is None else _date_from_json(starts),
        cancelled=bool(data.get("cancelled", False)),
        latitude=_optional_float(data.get("latitude")),
        longitude=_optional_float(data.get("longitude")),
        translations=translations,
        facts={str(k): str(v) for k, v in (data.get("facts") or {}).items()},
    )


def _date_to_json(moment: datetime) -> str:
    return as_utc(moment).isoformat()


def _date_from_json(text: str) -> datetime:
    return as_utc(datetime.fromisoformat(text))


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)
