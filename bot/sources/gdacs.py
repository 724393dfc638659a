"""GDACS, the Global Disaster Alert and Coordination System (gdacs.org/xml/rss.xml).

RSS 2.0 with `gdacs:` fields. One item per event; an event's later episodes (a cyclone
moving on, a drought re-assessed) come with the same guid, so the alert id is the event
type + event id ("TC1000643") and a new episode is an update of the same alert.

Severity, from the event's `gdacs:alertlevel` (its highest over all episodes):

    GDACS    meaning (GDACS)                              Severity
    Green    minor impact, international help unlikely    1 NORMAL: still worth a note
    Orange   moderate impact, help may be needed          3 HIGH
    Red      severe impact, international help needed     4 EXTREME

Green stays at 1: most Green events touch nobody (a M5.5 quake 100 km offshore), and a
reader who follows a country should not get them at the same level as a real warning.

Countries: `gdacs:iso3` (one code), plus every name in `gdacs:country` (droughts list
many: "Argentina, Bolivia, Brazil, Paraguay") and the cyclone's "affects these
countries:" list. Offshore events often name a region ("Southeast Of Loyalty Islands");
when nothing resolves, the country is found in the text, then from the coordinates.

Ended events stay in the feed with `gdacs:iscurrent` false (the past droughts in the
sample): they are marked `cancelled`, so no one is told of them as news and followers of
the earlier alert learn it is over.

Facts: event_type, event_id, event_name, episode, alert_level, episode_alert_level,
alert_score, severity (GDACS's own words), population, vulnerability, current, and
magnitude for earthquakes.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial

from bot.alerts import Alert, Category, Severity
from bot.countries import find_in_text, from_coordinates, normalise_code, resolve
from bot.sources.base import ParsedFeed, ParsedItem, SkippedItem, SourceAdapter, parse_items
from bot.sources.text import plain_text, shorten
from bot.sources.xml import (
    NS,
    Element,
    children_text,
    parse_date,
    parse_xml,
    qname,
    rss_channel,
)

ALERT_LEVELS = {
    "green": Severity.NORMAL,
    "orange": Severity.HIGH,
    "red": Severity.EXTREME,
}

EVENT_TYPES = {
    "EQ": Category.EARTHQUAKE,
    "TC": Category.CYCLONE,
    "FL": Category.FLOOD,
    "VO": Category.VOLCANO,
    "DR": Category.DROUGHT,
    "WF": Category.WILDFIRE,
    "TS": Category.TSUNAMI,
}

_AFFECTED = re.compile(r"affects these countries:\s*([^.(]+)", re.IGNORECASE)
_MAGNITUDE = re.compile(r"Magnitude\s+(\d+(?:\.\d+)?)", re.IGNORECASE)
_GEO_POINT = qname("geo", "Point")
_GEO_LAT = qname("geo", "lat")
_GEO_LONG = qname("geo", "long")
_GEORSS_POINT = qname("georss", "point")
_GDACS = NS["gdacs"]


class GdacsAdapter(SourceAdapter):
    """GDACS disaster alerts: one alert per event, updated by each new episode."""

    kind = "gdacs"

    def parse(self, body: bytes, *, source: str) -> ParsedFeed:
        root = parse_xml(body)
        channel = rss_channel(root)
        return parse_items(channel.iterfind("item"), partial(_parse_item, source=source))


def _parse_item(item: Element, *, source: str) -> ParsedItem:
    rss = children_text(item)
    gdacs = children_text(item, _GDACS)
    title = " ".join(rss.get("title", "").split())
    event_type = gdacs.get("eventtype", "").upper()
    event_id = gdacs.get("eventid", "")
    alert_id = f"{event_type}{event_id}" if event_type and event_id else rss.get("guid", "")
    label = title or alert_id or "an item"
    if not alert_id:
        raise SkippedItem(f"{label!r}: no gdacs:eventtype/eventid and no guid")
    level_name = gdacs.get("alertlevel", "")
    severity = ALERT_LEVELS.get(level_name.casefold())
    if severity is None:
        raise SkippedItem(f"{label!r}: unknown gdacs:alertlevel {level_name!r}")
    category = EVENT_TYPES.get(event_type, Category.OTHER)

    problems: list[str] = []
    latitude, longitude = _coordinates(item)
    description = _body(rss.get("description", ""), gdacs)
    countries = _countries(gdacs, title, description, latitude, longitude)
    if not countries and latitude is None:
        raise SkippedItem(f"{label!r}: no country recognised and no position: it reaches nobody")
    if not countries:
        problems.append(f"{label!r}: no country recognised; only readers nearby will hear of it")

    published = _date(gdacs.get("fromdate", "")) or _date(rss.get("pubDate", ""))
    updated = _date(rss.get("pubDate", "")) or _date(gdacs.get("todate", "")) or published
    if published is None or updated is None:
        raise SkippedItem(f"{label!r}: no readable pubDate or gdacs:fromdate")

    alert = Alert(
        source=source,
        id=alert_id,
        countries=countries,
        severity=severity,
        source_level=f"{level_name.capitalize()} alert",
        category=category,
        title=title or alert_id,
        summary=shorten(description),
        url=rss.get("link", ""),
        published=published,
        updated=max(published, updated),
        body=description,
        cancelled=gdacs.get("iscurrent", "true").casefold() == "false",
        latitude=latitude,
        longitude=longitude,
        facts=_facts(gdacs, event_type, event_id, item),
    )
    return ParsedItem(alert, tuple(problems))


def _countries(
    gdacs: dict[str, str],
    title: str,
    description: str,
    latitude: float | None,
    longitude: float | None,
) -> tuple[str, ...]:
    found: set[str] = set()
    iso3 = gdacs.get("iso3", "")
    if iso3:
        code = normalise_code(iso3)
        if code:
            found.add(code)
    names = gdacs.get("country", "")
    affected = _AFFECTED.search(description)
    if affected:
        names = f"{names},{affected.group(1)}"
    for name in names.split(","):
        if name.strip():
            # "Southeast Of Loyalty Islands" is a region, not a name: look inside it.
            found |= resolve(name) or find_in_text(name)
    if not found:
        found |= find_in_text(title)
    if not found and latitude is not None and longitude is not None:
        code = from_coordinates(latitude, longitude)
        if code:
            found.add(code)
    return tuple(sorted(found))


def _body(description_html: str, gdacs: dict[str, str]) -> str:
    """The description, then GDACS's impact wording when the description leaves it out
    (drought descriptions only say "The Drought alert level is Green.")."""
    paragraphs = [plain_text(description_html)]
    for key in ("severity", "population"):
        text = gdacs.get(key, "")
        if text and text.casefold() not in paragraphs[0].casefold():
            paragraphs.append(text if text.endswith(".") else f"{text}.")
    return "\n\n".join(p for p in paragraphs if p)


def _coordinates(item: Element) -> tuple[float | None, float | None]:
    point = item.find(_GEO_POINT)
    try:
        if point is not None:
            lat, lon = point.findtext(_GEO_LAT), point.findtext(_GEO_LONG)
            if lat and lon:
                return float(lat), float(lon)
        georss = item.findtext(_GEORSS_POINT)
        if georss:
            lat, lon = georss.split()[:2]
            return float(lat), float(lon)
    except ValueError:
        pass
    return None, None


def _date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        return None


def _facts(gdacs: dict[str, str], event_type: str, event_id: str, item: Element) -> dict[str, str]:
    facts = {
        "event_type": event_type,
        "event_id": event_id,
        "event_name": gdacs.get("eventname", ""),
        "episode": gdacs.get("episodeid", ""),
        "alert_level": gdacs.get("alertlevel", ""),
        "episode_alert_level": gdacs.get("episodealertlevel", ""),
        "alert_score": gdacs.get("alertscore", ""),
        "severity": gdacs.get("severity", ""),
        "population": gdacs.get("population", ""),
        "vulnerability": gdacs.get("vulnerability", ""),
        "current": gdacs.get("iscurrent", ""),
    }
    if event_type == "EQ":
        severity = item.find(qname("gdacs", "severity"))
        value = severity.get("value") if severity is not None else None
        match = _MAGNITUDE.search(gdacs.get("severity", ""))
        magnitude = value or (match.group(1) if match else "")
        if magnitude:
            facts["magnitude"] = magnitude
    return {key: value for key, value in facts.items() if value}
