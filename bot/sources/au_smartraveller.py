"""Australia's Smartraveller (DFAT), from either of the two documents the site publishes.

The RSS feed, https://www.smartraveller.gov.au/countries/documents/index.rss, one item
per destination:
    title           "South Korea (Republic of Korea)"
    link            "https://www.smartraveller.gov.au/destinations/asia/south-korea-republic-korea"
    description     the latest update, HTML
    pubDate         "27 Mar 2025 23:00:00 AEDT": no weekday, an Australian zone name
    ta:warnings     dc:coverage (the place), ta:level ("5/5": five steps, the lowest
                    unused, so 2/5 is level 1) and dc:description (the level's wording)

The destinations export, https://www.smartraveller.gov.au/destinations-export, a JSON array
of the site's Drupal fields, one object per destination:
    title                       "Algeria"
    field_overall_advice_level  "Exercise a high degree of caution"
    field_advice_levels         every level that applies, overall and regional, as text
    field_last_update_notes     "We advise: ... Higher levels apply in some areas."
    field_last_update           the latest update, plain text with HTML entities
    field_region, field_url     "Africa", "https://www.smartraveller.gov.au/destinations/..."
    changed                     "Mon, 2026-01-05 12:58" (Canberra time)

The four levels map 1..4 by their wording, which is trusted over a number. When part of a
country is at a higher level than the country overall, the overall level is the severity
and facts["parts"] holds the highest level that applies in parts ("Do not travel"), shown
under "Parts of the country". Both documents give a destination the same id, the last part
of its page address, so a source can move from one to the other without announcing every
destination again.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.alerts import Alert, Category, Severity
from bot.countries import destination_countries, find_in_text
from bot.sources.base import (
    ITEM_ERRORS,
    ParsedFeed,
    SchemaChanged,
    SourceAdapter,
    as_object,
    item_problem,
    load_json,
    read_each,
)
from bot.sources.text import plain_text, shorten
from bot.sources.xml import (
    NS,
    Element,
    children_text,
    parse_rfc822,
    parse_xml,
    qname,
    rss_channel,
)

# The four levels in Smartraveller's own words, lowest first.
LEVELS: dict[str, Severity] = {
    "exercise normal safety precautions": Severity.NORMAL,
    "exercise a high degree of caution": Severity.CAUTION,
    "reconsider your need to travel": Severity.HIGH,
    "do not travel": Severity.EXTREME,
}
LABELS = {severity: label.capitalize() for label, severity in LEVELS.items()}
NS_TA = NS["ta"]
NS_DC = NS["dc"]
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


def destination_id(url: Any, name: str) -> str:
    """The destination's slug from its page address ("algeria"), stable across re-exports."""
    if isinstance(url, str) and url.strip().rstrip("/"):
        return url.strip().rstrip("/").rsplit("/", 1)[-1]
    return _SPACES.sub("-", name.casefold())


def countries_of(name: str, url: Any, coverage: str = "") -> frozenset[str]:
    """The countries of a destination: its name, else the place its level covers, else the
    words of its page address ("israel-and-occupied-palestinian-territories")."""
    found = destination_countries(name) or destination_countries(coverage)
    if not found and isinstance(url, str):
        found = find_in_text(destination_id(url, "").replace("-", " "))
    return found


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
    codes = countries_of(name, entry.get("field_url"))
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
        facts["parts"] = highest[1].capitalize()  # the highest level in parts, in its words
    elif _HIGHER_LEVELS_NOTE in notes.casefold():
        facts["parts"] = "Higher levels apply in some areas"
    url = entry.get("field_url")
    sections = [("We advise", notes), ("Advice levels", levels_text), ("Latest update", latest)]
    return Alert(
        source=source,
        id=destination_id(entry.get("field_url"), name),
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


# ---- the RSS feed ---------------------------------------------------------------------

_WARNINGS = qname("ta", "warnings")
_NUMBER = re.compile(r"^\s*([0-9])\s*(?:/\s*([0-9])\s*)?$")
# The zone names the feed writes after a pubDate's time, as offsets.
AUSTRALIAN_ZONES = {
    "AEST": "+1000",
    "AEDT": "+1100",
    "ACST": "+0930",
    "ACDT": "+1030",
    "AWST": "+0800",
    "AWDT": "+0900",
}
_ZONE_AT_END = re.compile(r"\b(" + "|".join(AUSTRALIAN_ZONES) + r")\s*$")


@dataclass(frozen=True, slots=True)
class PlaceLevel:
    """One <ta:warnings>: a place and the level that applies there."""

    coverage: str
    severity: Severity | None
    label: str


def feed_date(text: str) -> datetime:
    """A pubDate such as "27 Mar 2025 23:00:00 AEDT" as UTC; ValueError when unreadable."""
    return parse_rfc822(_ZONE_AT_END.sub(lambda zone: AUSTRALIAN_ZONES[zone.group(1)], text))


def level_of_number(text: str) -> Severity | None:
    """ "5/5" (five steps, the first unused) or a bare "4" on the four-level scale."""
    match = _NUMBER.match(text)
    if match is None:
        return None
    step, out_of = int(match.group(1)), match.group(2)
    level = step - 1 if out_of == "5" else step if out_of is None else 0
    return Severity(level) if 1 <= level <= 4 else None


def read_place_level(element: Element, problems: list[str], name: str) -> PlaceLevel:
    fields = children_text(element, NS_DC) | children_text(element, NS_TA)
    wording = _SPACES.sub(" ", fields.get("description", "")).strip()
    number = fields.get("level", "")
    by_wording, by_number = level_of(wording), level_of_number(number)
    if by_wording and by_number and by_wording != by_number:
        problems.append(f"{name}: level {number!r} does not match {wording!r}; used the wording")
    severity = by_wording or by_number
    label = wording if by_wording else (LABELS[severity] if severity else wording)
    return PlaceLevel(fields.get("coverage", ""), severity, label)


def parse_rss_item(item: Element, *, source: str) -> tuple[Alert | None, list[str]]:
    """One destination -> its Alert (None when it has no level), and what was odd about it;
    ValueError when it cannot be used."""
    fields = children_text(item)
    name = text_of(fields.get("title"))  # entities are sometimes escaped twice
    if not name:
        raise ValueError("an item has no title")
    problems: list[str] = []
    levels = [read_place_level(element, problems, name) for element in item.iter(_WARNINGS)]
    if not levels:
        raise ValueError(f"{name}: no ta:warnings")
    folded = name.casefold()
    overall = next((level for level in levels if level.coverage.casefold() == folded), levels[0])
    if overall.severity is None:
        if overall.label.casefold() in NO_LEVEL:
            return None, problems
        raise ValueError(f"{name}: unknown advice level {overall.label or '(none)'!r}")
    link = fields.get("link") or fields.get("guid", "")
    codes = countries_of(name, link, overall.coverage)
    if not codes:
        raise ValueError(f"destination {name!r} is not a recognised country")
    try:
        updated = feed_date(fields.get("pubDate", ""))
    except ValueError as error:
        raise ValueError(f"{name}: pubDate {fields.get('pubDate', '')!r} is not a date") from error
    latest = text_of(fields.get("description"))
    facts = {"level": overall.label}
    higher = [level for level in levels if (level.severity or 0) > overall.severity]
    if higher:
        top = max(higher, key=lambda level: level.severity or 0)
        facts["parts"] = top.label.capitalize()
    levels_text = "\n".join(
        f"{level.coverage or name}: {level.label}" for level in levels if level.label
    )
    sections = [("Advice levels", levels_text), ("Latest update", latest)]
    label = overall.label
    return (
        Alert(
            source=source,
            id=destination_id(link, name),
            countries=tuple(sorted(codes)),
            severity=overall.severity,
            source_level=label[:1].upper() + label[1:],
            category=Category.ADVISORY,
            title=f"{name} travel advice",
            summary=shorten(latest or label, SUMMARY_CHARS),
            url=link or WEBSITE,
            published=updated,
            updated=updated,
            body="\n\n".join(f"## {title}\n\n{text}" for title, text in sections if text),
            facts=facts,
        ),
        problems,
    )


def parse_rss(body: bytes, *, source: str) -> ParsedFeed:
    channel = rss_channel(parse_xml(body))
    items = channel.findall("item")
    if not items:
        raise SchemaChanged("the RSS feed lists no destinations")
    if not any(item.find(_WARNINGS) is not None for item in items):
        raise SchemaChanged("no item has a ta:warnings level: not the Smartraveller feed")
    alerts: list[Alert] = []
    problems: list[str] = []
    for position, item in enumerate(items):
        try:
            alert, odd = parse_rss_item(item, source=source)
        except ITEM_ERRORS as error:
            problems.append(item_problem(f"item {position}", error))
            continue
        problems.extend(odd)
        if alert is not None:
            alerts.append(alert)
    return ParsedFeed(tuple(alerts), tuple(problems))


# ---- the destinations export -----------------------------------------------------------


def parse_export(body: bytes, *, source: str) -> ParsedFeed:
    document = load_json(body)
    if not isinstance(document, list):
        raise SchemaChanged("expected the destinations export: a JSON array")
    entries = [entry for entry in document if isinstance(entry, dict)]
    if not entries:
        raise SchemaChanged("the destinations export lists no destinations")
    for key in ("title", LEVEL_FIELD):
        if not any(key in entry for entry in entries):
            raise SchemaChanged(f"key {key!r} is missing from every destination")
    return read_each(
        document, lambda entry: parse_destination(as_object(entry), source=source), label="item"
    )


class AuSmartravellerAdapter(SourceAdapter):
    """Every destination's Australian advice level, from the RSS feed or the export."""

    kind = "au-smartraveller"

    def parse(self, body: bytes, *, source: str) -> ParsedFeed:
        if is_xml(body):
            return parse_rss(body, source=source)
        return parse_export(body, source=source)


def is_xml(body: bytes) -> bool:
    """Whether the document is the RSS feed rather than the JSON export."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, which JSON never is here
        return True
    return body.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<"
