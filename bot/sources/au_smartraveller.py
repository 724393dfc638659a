"""Australia's Smartraveller (DFAT), read from its destinations export.

https://www.smartraveller.gov.au/destinations-export is a JSON array, one object per
destination, exported from the site's Drupal:
    title                       "Algeria"
    field_overall_advice_level  "Exercise a high degree of caution"
    field_advice_levels         every level that applies, overall and regional, as text
    field_last_update_notes     "We advise: ... Higher levels apply in some areas."
    field_last_update           the latest update, plain text with HTML entities
    field_region, field_url     "Africa", "https://www.smartraveller.gov.au/destinations/..."
    changed                     "Mon, 2026-01-05 12:58" (Canberra time)

The four levels map 1..4 by their wording. When part of a country is at a higher level
than the country overall, the overall level is the severity and facts["parts"] says so.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.alerts import Alert, Category, Severity
from bot.countries import resolve
from bot.sources.base import ParsedFeed, SchemaChanged, SourceAdapter, load_json
from bot.sources.text import plain_text, shorten

# The four levels in Smartraveller's own words, lowest first.
LEVELS: dict[str, Severity] = {
    "exercise normal safety precautions": Severity.NORMAL,
    "exercise a high degree of caution": Severity.CAUTION,
    "reconsider your need to travel": Severity.HIGH,
    "do not travel": Severity.EXTREME,
}
# Destinations the site lists without a level of its own (Australia itself, for one).
NO_LEVEL = frozenset({"", "no travel advice"})
LEVEL_FIELD = "field_overall_advice_level"
WEBSITE = "https://www.smartraveller.gov.au/destinations"
CANBERRA = ZoneInfo("Australia/Sydney")
SUMMARY_CHARS = 500
_SPACES = re.compile(r"\s+")
# The export writes a curly quote as "&amp;**" ("see &amp;**Safety&amp;**", "don&amp;**t").
_BROKEN_QUOTE = "&**"
_HIGHER_LEVELS_NOTE = "higher levels apply in some areas"


def text_of(value: Any) -> str:
    """A field as plain text: entities decoded, tags dropped, the export's broken quotes
    mended."""
    if not isinstance(value, str):
        return ""
    text = plain_text(html.unescape(value).replace(_BROKEN_QUOTE, "'"))
    return text.replace(_BROKEN_QUOTE, "'")


def level_of(label: str) -> Severity | None:
    """The severity of one of the four level names, whatever its case and spacing."""
    return LEVELS.get(_SPACES.sub(" ", label).strip().casefold())


def highest_level_in(text: str) -> tuple[Severity, str] | None:
    """The highest of the four levels named anywhere in `text` (field_advice_levels)."""
    folded = _SPACES.sub(" ", text).casefold()
    named = [(severity, label) for label, severity in LEVELS.items() if label in folded]
    return max(named) if named else None


def changed_at(text: str) -> datetime:
    """Drupal's "Sun, 2026-03-01 10:29" in Canberra time, or ISO 8601, as UTC."""
    text = text.strip()
    try:
        moment = datetime.strptime(text, "%a, %Y-%m-%d %H:%M")
    except ValueError:
        moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CANBERRA)
    return moment.astimezone(UTC)


def destination_id(entry: Mapping[str, Any], name: str) -> str:
    """The destination's slug from its URL ("algeria"), stable across re-exports."""
    url = entry.get("field_url")
    if isinstance(url, str) and url.strip().rstrip("/"):
        return url.strip().rstrip("/").rsplit("/", 1)[-1]
    return _SPACES.sub("-", name.casefold())


def parse_destination(entry: Mapping[str, Any], *, source: str) -> Alert | None:
    """One destination -> its Alert; None when it has no level; ValueError when unusable."""
    name = text_of(entry.get("title"))
    if not name:
        raise ValueError("destination has no title")
    raw_level = entry.get(LEVEL_FIELD)
    label = _SPACES.sub(" ", raw_level).strip() if isinstance(raw_level, str) else ""
    if label.casefold() in NO_LEVEL:
        return None
    severity = level_of(label)
    if severity is None:
        raise ValueError(f"{name}: unknown advice level {label!r}")
    codes = resolve(name)
    if not codes:
        raise ValueError(f"destination {name!r} is not a recognised country")
    changed = entry.get("changed")
    if not isinstance(changed, str):
        raise ValueError(f"{name}: no 'changed' date")
    try:
        updated = changed_at(changed)
    except ValueError as error:
        raise ValueError(f"{name}: 'changed' {changed!r} is not a date") from error

    notes = text_of(entry.get("field_last_update_notes"))
    levels_text = text_of(entry.get("field_advice_levels"))
    latest = text_of(entry.get("field_last_update"))
    facts = {"level": label}
    region = text_of(entry.get("field_region"))
    if region:
        facts["region"] = region
    highest = highest_level_in(levels_text)
    if highest is not None and highest[0] > severity:
        facts["parts"] = f"higher levels apply in some areas, up to: {highest[1].capitalize()}"
    elif _HIGHER_LEVELS_NOTE in notes.casefold():
        facts["parts"] = "higher levels apply in some areas"
    url = entry.get("field_url")
    sections = [("We advise", notes), ("Advice levels", levels_text), ("Latest update", latest)]
    return Alert(
        source=source,
        id=destination_id(entry, name),
        countries=tuple(sorted(codes)),
        severity=severity,
        source_level=label[:1].upper() + label[1:],
        category=Category.ADVISORY,
        title=f"{name} travel advice",
        summary=shorten(latest or notes or label, SUMMARY_CHARS),
        url=url.strip() if isinstance(url, str) and url.strip() else WEBSITE,
        published=updated,
        updated=updated,
        body="\n\n".join(f"## {title}\n\n{text}" for title, text in sections if text),
        advice=notes,
        facts=facts,
    )


class AuSmartravellerAdapter(SourceAdapter):
    """Every destination's Australian advice level from the destinations export."""

    kind = "au-smartraveller"

    def parse(self, body: bytes, *, source: str) -> ParsedFeed:
        document = load_json(body)
        if not isinstance(document, list):
            raise SchemaChanged("expected the destinations export: a JSON array")
        entries = [entry for entry in document if isinstance(entry, dict)]
        if not entries:
            raise SchemaChanged("the destinations export lists no destinations")
        for key in ("title", LEVEL_FIELD):
            if not any(key in entry for entry in entries):
                raise SchemaChanged(f"key {key!r} is missing from every destination")
        alerts: list[Alert] = []
        problems: list[str] = []
        for position, entry in enumerate(document):
            if not isinstance(entry, dict):
                problems.append(f"item {position}: not an object")
                continue
            try:
                alert = parse_destination(entry, source=source)
            except ValueError as error:
                problems.append(f"item {position}: {error}")
                continue
            if alert is not None:
                alerts.append(alert)
        return ParsedFeed(tuple(alerts), tuple(problems))
