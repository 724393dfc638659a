"""Open output feeds: the normalised alerts republished as Atom, JSON Feed and CAP 1.2.

Anyone (a newsroom, another bot, a dashboard) can follow what this bot knows without
talking to Telegram. The texts are the sources' own; nothing is translated here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from lxml import etree

from bot.alerts import Alert, Category, Change, Severity
from bot.countries import country_name
from bot.desks.warning import is_desk_source
from bot.sources.serialise import alert_from_json
from bot.store.admin import ANNOUNCEMENT_SOURCE
from bot.store.published import PublishedAlert, PublishedVersion

ATOM = "http://www.w3.org/2005/Atom"
CAP = "urn:oasis:names:tc:emergency:cap:1.2"
FEED_TITLE = "Travel risk alerts"

# Travel advisories are standing guidance, not emergency messages: CAP is for the rest.
HAZARDS = frozenset(Category) - {Category.ADVISORY}

_CAP_CATEGORY = {
    Category.EARTHQUAKE: "Geo",
    Category.TSUNAMI: "Geo",
    Category.VOLCANO: "Geo",
    Category.CYCLONE: "Met",
    Category.FLOOD: "Met",
    Category.DROUGHT: "Met",
    Category.WEATHER: "Met",
    Category.WILDFIRE: "Fire",
    Category.HEALTH: "Health",
    Category.SECURITY: "Security",
    Category.CONFLICT: "Security",
    Category.ADVISORY: "Safety",
    Category.OTHER: "Other",
}
_CAP_SEVERITY = {
    Severity.NORMAL: "Minor",
    Severity.CAUTION: "Moderate",
    Severity.HIGH: "Severe",
    Severity.EXTREME: "Extreme",
}


def is_public(alert: Alert) -> bool:
    """From a source the bot polls: a desk's warning or an admin's announcement is private
    to its recipients, whatever its category (the store already leaves them out)."""
    return alert.source != ANNOUNCEMENT_SOURCE and not is_desk_source(alert.source)


def is_hazard(alert: Alert) -> bool:
    return alert.category in HAZARDS and is_public(alert)


def cap_path(version_id: int) -> str:
    return f"/feeds/cap/{version_id}.xml"


def _entry_id(alert: Alert) -> str:
    return f"urn:travel-risk-bot:alert:{quote(alert.source, safe='')}:{quote(alert.id, safe='')}"


def _headline(alert: Alert) -> str:
    places = ", ".join(country_name(code, "en") for code in alert.countries)
    return f"{places}: {alert.title}" if places else alert.title


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def atom_feed(
    alerts: Sequence[PublishedAlert],
    *,
    self_url: str,
    base_url: str,
    now: datetime,
    country: str | None = None,
) -> bytes:
    """An Atom 1.0 document (RFC 4287) of the current alerts."""
    nsmap = {None: ATOM}
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap=nsmap)

    def add(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> Any:
        element = etree.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
        if text is not None:
            element.text = text
        return element

    add(feed, "id", "urn:travel-risk-bot:alerts" + (f":{country}" if country else ""))
    add(feed, "title", FEED_TITLE)
    updated = max((item.last_seen for item in alerts), default=now)
    add(feed, "updated", _rfc3339(updated))
    add(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    add(feed, "generator", "travel-risk-bot")
    for item in alerts:
        alert = alert_from_json(item.payload)
        if not is_public(alert):
            continue
        entry = add(feed, "entry")
        add(entry, "id", _entry_id(alert))
        add(entry, "title", _headline(alert))
        add(entry, "updated", _rfc3339(max(alert.updated, item.last_seen)))
        add(entry, "published", _rfc3339(alert.published))
        author = add(entry, "author")
        add(author, "name", alert.source)
        if alert.url:
            add(entry, "link", rel="alternate", href=alert.url)
        if item.version_id is not None and is_hazard(alert):
            add(
                entry,
                "link",
                rel="alternate",
                type="application/cap+xml",
                href=base_url + cap_path(item.version_id),
            )
        add(entry, "category", term=str(alert.category))
        for code in alert.countries:
            add(entry, "category", term=code, label=country_name(code, "en"))
        add(entry, "summary", alert.summary or alert.title, type="text")
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="utf-8"))


def json_feed(alerts: Sequence[PublishedAlert], *, self_url: str, base_url: str) -> dict[str, Any]:
    """A JSON Feed 1.1 document; `_travel_risk` carries the normalised fields."""
    items: list[dict[str, Any]] = []
    for item in alerts:
        alert = alert_from_json(item.payload)
        if not is_public(alert):
            continue
        extension: dict[str, Any] = {
            "source": alert.source,
            "alert_id": alert.id,
            "countries": list(alert.countries),
            "severity": int(alert.severity),
            "source_level": alert.source_level,
            "category": str(alert.category),
            "cancelled": alert.cancelled,
            "first_seen": _rfc3339(item.first_seen),
        }
        if alert.latitude is not None and alert.longitude is not None:
            extension["coordinates"] = [alert.latitude, alert.longitude]
        if item.version_id is not None and is_hazard(alert):
            extension["cap_url"] = base_url + cap_path(item.version_id)
        entry: dict[str, Any] = {
            "id": _entry_id(alert),
            "title": _headline(alert),
            "content_text": alert.summary or alert.title,
            "date_published": _rfc3339(alert.published),
            "date_modified": _rfc3339(max(alert.updated, item.last_seen)),
            "tags": [str(alert.category), *alert.countries],
            "authors": [{"name": alert.source}],
            "_travel_risk": extension,
        }
        if alert.url:
            entry["url"] = alert.url
        items.append(entry)
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": FEED_TITLE,
        "feed_url": self_url,
        "items": items,
    }


def json_feed_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def _cap_time(moment: datetime) -> str:
    """CAP dates: no fractions, no "Z"; UTC is written -00:00 (CAP 1.2, 3.3.2)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S-00:00")


def cap_alert(version: PublishedVersion, *, sender: str) -> bytes | None:
    """One announcement as a CAP 1.2 alert; None for an advisory (not a hazard), a desk's
    warning or an admin's announcement (not public)."""
    alert = alert_from_json(version.payload)
    if not is_hazard(alert):
        return None
    root = etree.Element(f"{{{CAP}}}alert", nsmap={None: CAP})

    def add(parent: etree._Element, name: str, text: str | None = None) -> Any:
        element = etree.SubElement(parent, f"{{{CAP}}}{name}")
        if text is not None:
            element.text = text
        return element

    cancelled = alert.cancelled or version.change == Change.CANCELLED
    add(root, "identifier", f"{sender}.{version.id}")
    add(root, "sender", sender)
    add(root, "sent", _cap_time(version.seen_at))
    add(root, "status", "Actual")
    first = version.previous is None
    add(root, "msgType", "Cancel" if cancelled else "Alert" if first else "Update")
    add(root, "source", alert.source)
    add(root, "scope", "Public")
    add(root, "note", "Republished from an official source; the source's own text prevails.")
    if version.previous is not None:
        previous_id, previous_sent = version.previous
        add(root, "references", f"{sender},{sender}.{previous_id},{_cap_time(previous_sent)}")
    info = add(root, "info")
    add(info, "category", _CAP_CATEGORY[alert.category])
    add(info, "event", str(alert.category).capitalize())
    add(info, "urgency", "Past" if cancelled else "Unknown")
    add(info, "severity", _CAP_SEVERITY[alert.severity])
    add(info, "certainty", "Unknown")
    add(info, "effective", _cap_time(alert.published))
    if alert.starts is not None:
        add(info, "onset", _cap_time(alert.starts))
    if alert.expires is not None:
        add(info, "expires", _cap_time(alert.expires))
    add(info, "senderName", alert.source)
    add(info, "headline", _headline(alert)[:160])
    if alert.summary or alert.body:
        add(info, "description", alert.body or alert.summary)
    if alert.advice:
        add(info, "instruction", alert.advice)
    if alert.url:
        add(info, "web", alert.url)
    for name, value in sorted(alert.facts.items()):
        parameter = add(info, "parameter")
        add(parameter, "valueName", name)
        add(parameter, "value", value)
    area = add(info, "area")
    places = ", ".join(country_name(code, "en") for code in alert.countries)
    add(area, "areaDesc", places or "Unspecified")
    if alert.latitude is not None and alert.longitude is not None:
        add(area, "circle", f"{alert.latitude:.4f},{alert.longitude:.4f} 0")
    for code in alert.countries:
        geocode = add(area, "geocode")
        add(geocode, "valueName", "ISO3166-1-alpha-2")
        add(geocode, "value", code)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
