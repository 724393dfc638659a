"""USGS earthquakes, GeoJSON summary feeds (earthquake.usgs.gov/earthquakes/feed/v1.0/).

One feature per event; the feature id ("us6000len8") is the alert id, and USGS revises
magnitude, PAGER level and place under that id.

Severity, from the PAGER alert (estimated fatalities and losses) when there is one:

    PAGER    green 1   yellow 2   orange 3   red 4

and from the magnitude when PAGER has not run (alert null):

    magnitude   < 6: 1   6-6.9: 2   7-7.9: 3   >= 8: 4

The tsunami flag does not change severity. USGS: "This flag is set to 1 for large events
in oceanic regions and 0 otherwise. The existence or value of this flag does not indicate
if a tsunami actually did or will exist" (a M4.3 near Port Townsend, WA has it). It is
kept in the facts ("tsunami": "1") and the title says where to look, tsunami.gov.

Countries come from the place text ("35 km NNW of Herāt, Afghanistan", "Port Townsend,
WA": the region after the last comma, not the town), else from the coordinates. A
feature with status "deleted" is a cancelled alert.

Facts: magnitude, magnitude_type, depth_km, pager_alert, tsunami, felt, mmi,
significance, status, event_type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.alerts import Alert, Category, Severity
from bot.countries import find_in_text, from_coordinates
from bot.sources.base import ParsedFeed, SchemaChanged, SourceAdapter, load_json
from bot.sources.xml import from_epoch_ms

PAGER_LEVELS = {
    "green": Severity.NORMAL,
    "yellow": Severity.CAUTION,
    "orange": Severity.HIGH,
    "red": Severity.EXTREME,
}
TSUNAMI_NOTE = "tsunami information: tsunami.gov"


def severity_for_magnitude(magnitude: float | None) -> Severity:
    """The severity of a quake PAGER has not assessed, from its magnitude alone."""
    if magnitude is None or magnitude < 6:
        return Severity.NORMAL
    if magnitude < 7:
        return Severity.CAUTION
    if magnitude < 8:
        return Severity.HIGH
    return Severity.EXTREME


class UsgsAdapter(SourceAdapter):
    """USGS earthquakes: one alert per event, severity from PAGER or magnitude."""

    kind = "usgs"

    def parse(self, body: bytes, *, source: str) -> ParsedFeed:
        document = load_json(body)
        if not isinstance(document, dict) or not isinstance(document.get("features"), list):
            raise SchemaChanged("expected a GeoJSON FeatureCollection with a 'features' list")
        alerts: list[Alert] = []
        problems: list[str] = []
        for index, feature in enumerate(document["features"]):
            try:
                alerts.append(_parse_feature(feature, source=source))
            except (_SkippedFeature, KeyError, TypeError, ValueError, OverflowError) as error:
                name = feature.get("id") if isinstance(feature, dict) else None
                problems.append(f"feature {name or index}: skipped, {_reason(error)}")
        return ParsedFeed(tuple(alerts), tuple(problems))


class _SkippedFeature(Exception):
    """One feature cannot become an alert; the message says why."""


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing {error.args[0]!r}"
    return str(error)


def _parse_feature(feature: Any, *, source: str) -> Alert:
    if not isinstance(feature, dict):
        raise _SkippedFeature("not a GeoJSON feature object")
    properties = feature["properties"]
    if not isinstance(properties, Mapping):
        raise _SkippedFeature("its properties are not an object")
    feature_id = feature.get("id") or properties.get("code")
    if not feature_id:
        raise _SkippedFeature("no id")
    longitude, latitude, depth = _point(feature.get("geometry"))
    magnitude = _number(properties.get("mag"))
    pager = _text(properties, "alert").casefold()
    severity = PAGER_LEVELS.get(pager) or severity_for_magnitude(magnitude)
    place = _text(properties, "place")
    tsunami = str(properties.get("tsunami") or 0) == "1"
    event_type = _text(properties, "type") or "earthquake"

    title = _text(properties, "title") or _title(magnitude, place)
    if tsunami:
        title = f"{title} ({TSUNAMI_NOTE})"
    published = from_epoch_ms(int(properties["time"]))
    updated = from_epoch_ms(int(properties.get("updated") or properties["time"]))
    text = _summary(magnitude, properties.get("magType"), depth, place, pager, tsunami)
    countries = _countries(place, latitude, longitude)
    if not countries and latitude is None:
        raise _SkippedFeature("no country in its place and no position: it reaches nobody")
    return Alert(
        source=source,
        id=str(feature_id),
        countries=countries,
        severity=severity,
        source_level=f"PAGER {pager}" if pager else _magnitude_label(magnitude),
        category=Category.EARTHQUAKE if event_type == "earthquake" else Category.OTHER,
        title=title,
        summary=text,
        url=_text(properties, "url"),
        published=published,
        updated=max(published, updated),
        body=text,
        cancelled=properties.get("status") == "deleted",
        latitude=latitude,
        longitude=longitude,
        facts=_facts(properties, magnitude, depth, pager, tsunami, event_type),
    )


def _text(properties: Mapping[str, Any], name: str) -> str:
    """A text property, stripped; "" when absent or null. Any other type is a feature
    this adapter cannot read: it is skipped and reported, the others come through."""
    value = properties.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _SkippedFeature(f"{name!r} is {type(value).__name__}, not text")
    return value.strip()


def _point(geometry: Any) -> tuple[float | None, float | None, float | None]:
    """(longitude, latitude, depth in km) of a GeoJSON Point: GeoJSON puts longitude first."""
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return None, None, None
    coordinates = geometry.get("coordinates") or []
    values = [_number(value) for value in coordinates[:3]] + [None, None, None]
    return values[0], values[1], values[2]


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    return float(value)


def _countries(place: str, latitude: float | None, longitude: float | None) -> tuple[str, ...]:
    """What the region after the place's last comma names ("Oregon", "CA", "Japan region"),
    else the whole place, else the coordinates: the town before the comma is no country,
    though many are named like one ("Lebanon, Oregon", "Mexico, Missouri")."""
    _, comma, region = place.rpartition(",")
    found = set(find_in_text(comma + region)) if comma else set()
    if not found and place:
        found = set(find_in_text(place))
    if not found and latitude is not None and longitude is not None:
        code = from_coordinates(latitude, longitude)
        if code:
            found.add(code)
    return tuple(sorted(found))


def _format_magnitude(magnitude: float | None) -> str:
    return "?" if magnitude is None else f"{magnitude:.1f}"


def _title(magnitude: float | None, place: str) -> str:
    return f"M {_format_magnitude(magnitude)} - {place or 'unknown place'}"


def _magnitude_label(magnitude: float | None) -> str:
    return f"M {_format_magnitude(magnitude)}"


def _summary(
    magnitude: float | None,
    magnitude_type: Any,
    depth: float | None,
    place: str,
    pager: str,
    tsunami: bool,
) -> str:
    kind = f" ({magnitude_type})" if magnitude_type else ""
    quake = f"magnitude {_format_magnitude(magnitude)}{kind} earthquake"
    if depth is not None:
        quake += f" at {depth:.0f} km depth"
    sentences = [f"{place}: {quake}." if place else f"{quake[0].upper()}{quake[1:]}."]
    if pager:
        sentences.append(f"USGS PAGER alert: {pager}.")
    if tsunami:
        sentences.append("For official tsunami information, see tsunami.gov.")
    return " ".join(sentences)


def _facts(
    properties: Mapping[str, Any],
    magnitude: float | None,
    depth: float | None,
    pager: str,
    tsunami: bool,
    event_type: str,
) -> dict[str, str]:
    facts = {
        "magnitude": "" if magnitude is None else f"{magnitude:g}",
        "magnitude_type": str(properties.get("magType") or ""),
        "depth_km": "" if depth is None else f"{depth:g}",
        "pager_alert": pager,
        "tsunami": "1" if tsunami else "0",
        "felt": "" if properties.get("felt") is None else str(properties["felt"]),
        "mmi": "" if properties.get("mmi") is None else str(properties["mmi"]),
        "significance": "" if properties.get("sig") is None else str(properties["sig"]),
        "status": str(properties.get("status") or ""),
        "event_type": event_type,
    }
    return {key: value for key, value in facts.items() if value}
