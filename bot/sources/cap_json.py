"""CAP alerts served as JSON, not XML: the US National Weather Service's API, and
MeteoAlarm's.

https://api.weather.gov/alerts/active answers GeoJSON by default (application/geo+json),
{"type": "FeatureCollection", "features": [{"geometry": a polygon or null, "properties":
{...}}]}, one alert a feature; /alerts/{id} answers one feature, and JSON-LD
(application/ld+json) puts the same properties in {"@graph": [...]}. The properties are
the CAP message's own fields under their CAP names: id, sender, senderName, sent, status,
messageType, references [{"identifier", "sender", "sent"}], category, severity,
certainty, urgency, event, headline, description, instruction, expires, areaDesc and
geocode {"SAME": [...], "UGC": [...]}.

https://feeds.meteoalarm.org/api/v1/warnings/feeds-<country> answers {"warnings":
[{"alert": {...}, "uuid": "..."}]}, each alert the CAP message with the XML's names and
nesting: identifier, sender, sent, status, msgType, references ("sender,id,sent ..."),
and "info" a list of blocks (one per language), each with its fields as strings,
"category" a list, and "area" a list of {"areaDesc", "geocode": [{"valueName", "value"}],
"polygon": ["lat,lon ..."]}. It keeps warnings listed for days after they expire.

Each is read into the same `Message` as an XML document, so ids, updates, cancels,
severity, category and countries follow the same rules. GeoJSON points are [lon, lat].
"""

from __future__ import annotations

from typing import Any

from bot.alerts import Alert
from bot.sources.base import ParsedFeed, SchemaChanged, as_object, read_each
from bot.sources.cap import (
    AWARENESS_LEVEL,
    Area,
    Info,
    Message,
    add_to_area,
    alert_from_message,
    geocode_countries,
    is_real_alert,
    ring_centre,
)
from bot.sources.xml import parse_date

# The properties copied into the message's <info> fields, under their CAP names.
INFO_FIELDS = (
    "event", "headline", "description", "instruction", "severity", "urgency", "certainty",
    "onset", "expires", "senderName", "language", "web",
)  # fmt: skip


def read_cap_json(document: Any, *, source: str) -> ParsedFeed:
    """Every alert of an answer of MeteoAlarm's or the NWS's API; an alert that cannot be
    read is a problem, an answer of another shape is a schema change."""
    if isinstance(document, dict) and isinstance(document.get("warnings"), list):
        return read_each(
            document["warnings"],
            lambda warning: read_alert_object(as_object(warning).get("alert"), source=source),
            label="warning",
        )
    if isinstance(document, dict) and isinstance(document.get("alert"), dict):
        return read_each(
            [document["alert"]],
            lambda alert: read_alert_object(alert, source=source),
            label="alert",
        )
    return read_nws_json(document, source=source)


def read_alert_object(value: Any, *, source: str) -> Alert | None:
    """A CAP message written as a JSON object with the XML's names and nesting (MeteoAlarm)
    -> its Alert; None for one that is not a real alert."""
    alert = as_object(value)
    msg_type = str(alert.get("msgType") or "Alert")
    if not is_real_alert(str(alert.get("status") or ""), msg_type, str(alert.get("scope") or "")):
        return None
    identifier = str(alert.get("identifier") or "")
    sent = str(alert.get("sent") or "")
    if not identifier or not sent:
        raise ValueError("an alert without an identifier or a sent time")
    message = Message(
        identifier=identifier,
        sender=str(alert.get("sender") or ""),
        sent=parse_date(sent),
        msg_type=msg_type,
        references=str(alert.get("references") or ""),
        infos=[_info(as_object(block)) for block in _listed(alert.get("info"))],
    )
    return alert_from_message(message, source=source)


def _info(block: dict[str, Any]) -> Info:
    fields = {name: value.strip() for name, value in block.items() if isinstance(value, str)}
    for parameter in _listed(block.get("parameter")):
        named = as_object(parameter)
        if str(named.get("valueName") or "").casefold() == AWARENESS_LEVEL:
            fields[AWARENESS_LEVEL] = str(named.get("value") or "")
    categories = [str(category) for category in _listed(block.get("category"))]
    area = Area()
    for part in _listed(block.get("area")):
        shape = as_object(part)
        geocodes = [as_object(geocode) for geocode in _listed(shape.get("geocode"))]
        add_to_area(
            area,
            descriptions=[str(shape.get("areaDesc") or "").strip()],
            geocodes=[
                (str(named.get("valueName") or ""), str(named.get("value") or ""))
                for named in geocodes
            ],
            polygons=[str(polygon).strip() for polygon in _listed(shape.get("polygon"))],
            circles=[str(circle).strip() for circle in _listed(shape.get("circle"))],
        )
    return Info(fields, categories, area)


def _listed(value: Any) -> list[Any]:
    """A field that CAP allows several times: a list as it is, one value as a list of one."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def read_nws_json(document: Any, *, source: str) -> ParsedFeed:
    """Every alert of an api.weather.gov answer; a feature that cannot be read is a problem,
    an answer of another shape is a schema change."""
    return read_each(
        _features(document),
        lambda feature: read_properties(*feature, source=source),
        label="feature",
    )


def _features(document: Any) -> list[tuple[Any, Any]]:
    if isinstance(document, dict) and isinstance(document.get("features"), list):
        features = document["features"]
    elif isinstance(document, dict) and isinstance(document.get("@graph"), list):
        features = [{"properties": item} for item in document["@graph"]]
    elif isinstance(document, dict) and isinstance(document.get("properties"), dict):
        features = [document]
    else:
        raise SchemaChanged(
            "expected CAP XML, MeteoAlarm's JSON ('warnings'), or the NWS alerts API's GeoJSON"
            " ('features') or JSON-LD ('@graph')"
        )
    return [
        (feature.get("properties"), feature.get("geometry"))
        if isinstance(feature, dict)
        else (feature, None)
        for feature in features
    ]


def nws_references(value: Any) -> str:
    """The NWS API's references (a list of objects) as CAP writes them, "sender,identifier,
    sent" triples; a string is taken as CAP's own, and anything else as none: the alert
    still comes through, as a message of its own."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        return ""
    return " ".join(
        f"{ref.get('sender', '')},{ref.get('identifier', '')},{ref.get('sent', '')}"
        for ref in value
        if isinstance(ref, dict)
    )


def read_properties(value: Any, geometry: Any, *, source: str) -> Alert | None:
    """One alert's properties -> its Alert; None for one that is not a real alert;
    ValueError when they cannot be used."""
    properties = as_object(value)
    msg_type = str(properties.get("messageType") or "Alert")
    if not is_real_alert(
        str(properties.get("status") or ""), msg_type, str(properties.get("scope") or "")
    ):
        return None
    identifier = str(properties.get("id") or properties.get("identifier") or "")
    sent = str(properties.get("sent") or "")
    if not identifier or not sent:
        raise ValueError("an alert without an id or a sent time")
    fields = {
        name: str(value) for name in INFO_FIELDS if (value := properties.get(name)) is not None
    }
    fields.setdefault("web", str(properties.get("@id") or ""))
    geocode = properties.get("geocode") or {}
    area = Area(descriptions=[str(properties["areaDesc"])] if properties.get("areaDesc") else [])
    for name, values in geocode.items() if isinstance(geocode, dict) else ():
        if isinstance(values, list):
            area.countries |= geocode_countries(name, " ".join(map(str, values)))
    centre = polygon_centre(geometry)
    if centre is not None:
        area.centres.append(centre)
    category = properties.get("category")
    message = Message(
        identifier=identifier,
        sender=str(properties.get("sender") or ""),
        sent=parse_date(sent),
        msg_type=msg_type,
        references=nws_references(properties.get("references")),
        infos=[Info(fields, [str(category)] if category else [], area)],
    )
    return alert_from_message(message, source=source, url=fields["web"])


def polygon_centre(geometry: Any) -> tuple[float, float] | None:
    """The mean (lat, lon) of a GeoJSON Polygon's outer ring ([lon, lat] points)."""
    if not isinstance(geometry, dict) or geometry.get("type") != "Polygon":
        return None
    rings = geometry.get("coordinates")
    if not isinstance(rings, list) or not rings or not isinstance(rings[0], list):
        return None
    try:
        points = [
            (float(point[1]), float(point[0]))
            for point in rings[0]
            if isinstance(point, list) and len(point) >= 2
        ]
    except (TypeError, ValueError):  # a broken shape: the alert without a position
        return None
    return ring_centre(points)
