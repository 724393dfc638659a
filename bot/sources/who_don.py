"""WHO Disease Outbreak News, from the WHO website's OData API.

https://www.who.int/api/news/diseaseoutbreaknews (add `?$orderby=PublicationDate desc&$top=50`)
answers {"@odata.context": ..., "value": [item, ...]} where an item has:
    Id                  GUID of the page
    DonId               "2024-DON537" (empty on some old items)
    Title               "Marburg virus disease - Rwanda"; OverrideTitle when UseOverrideTitle
    PublicationDate     ISO 8601 UTC (PublicationDateAndTime on some versions), LastModified
    ItemDefaultUrl      "/2024-DON537" (UrlName without the slash on some versions)
    Summary, Overview, Epidemiology, Assessment, Advice, Response, FurtherInformation: HTML

Each report is its own alert (a later report on the same outbreak has a new DonId).
Severity is 2 by default and 3 for diseases with a high case fatality ratio.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.alerts import Alert, Category, Severity
from bot.countries import find_in_text, resolve
from bot.sources.base import (
    ParsedFeed,
    SchemaChanged,
    SourceAdapter,
    as_object,
    load_json,
    read_each,
)
from bot.sources.text import plain_text, shorten
from bot.sources.xml import parse_iso8601

ITEM_PAGE = "https://www.who.int/emergencies/disease-outbreak-news/item/"
SUMMARY_CHARS = 500
# Diseases whose reported case fatality is high enough that a traveller should reconsider
# going near the outbreak: viral haemorrhagic fevers, MERS, plague, human avian influenza.
HIGH_FATALITY = re.compile(
    r"ebola|marburg|bundibugyo|sudan virus|lassa|crimean-congo|cchf|nipah|"
    r"middle east respiratory|mers|plague|avian influenza|influenza a\s*\(h5|h5n1|h7n9|"
    r"rift valley|hantavirus",
    re.IGNORECASE,
)
# The sections of a report, in the order the website shows them.
SECTIONS = (
    ("Summary", "Summary"),
    ("Overview", "Overview"),
    ("Epidemiology", "Epidemiology"),
    ("Assessment", "Risk assessment"),
    ("Response", "Public health response"),
    ("Advice", "WHO advice"),
    ("FurtherInformation", "Further information"),
)
_DASH = re.compile(r"\s+[-–—]\s+")
_LIST_SEPARATORS = re.compile(r",\s+|\s+&\s+|\s+and\s+|\s+in\s+")
# "- Update 2", "(update)", "(Update 3)" after the place.
_UPDATE_SUFFIX = re.compile(r"\s*(?:[-–—]\s*update\s*\d*|\(\s*update[^)]*\))\s*$", re.IGNORECASE)


def title_of(item: Mapping[str, Any]) -> str:
    override = item.get("OverrideTitle")
    if item.get("UseOverrideTitle") and isinstance(override, str) and override.strip():
        return override.strip()
    title = item.get("Title")
    return title.strip() if isinstance(title, str) else ""


def countries_in_title(title: str) -> frozenset[str]:
    """Countries a report is about, from its title: "Cholera - Somalia, Kenya and Ethiopia".

    The part after the disease name is resolved whole ("Bosnia and Herzegovina"), else
    piece by piece; when nothing resolves ("Avian influenza - situation in Egypt") it is
    searched for country names (the whole title when it has no such part).
    """
    title = _UPDATE_SUFFIX.sub("", title).strip()
    parts = _DASH.split(title, maxsplit=1)
    tail = parts[1] if len(parts) == 2 else ""
    codes: set[str] = set(resolve(tail.strip(" ()"))) if tail else set()
    if not codes:
        for piece in _LIST_SEPARATORS.split(tail or title):
            piece = piece.strip(" ()")
            if piece:
                codes |= resolve(piece)
    if not codes:
        # Only the place part: the disease's name can hold a country's ("Sudan virus").
        codes |= find_in_text(tail or title)
    return frozenset(codes)


def severity_of(title: str) -> Severity:
    return Severity.HIGH if HIGH_FATALITY.search(title) else Severity.CAUTION


def parse_report(item: Mapping[str, Any], *, source: str) -> Alert:
    """One report -> its Alert; ValueError says why a report is unusable."""
    title = title_of(item)
    if not title:
        raise ValueError("report has no Title")
    ident = item.get("DonId") or item.get("Id")
    if not isinstance(ident, str) or not ident.strip():
        raise ValueError(f"{title!r} has neither DonId nor Id")
    when = item.get("PublicationDate") or item.get("PublicationDateAndTime")
    if not isinstance(when, str):
        raise ValueError(f"{ident}: no PublicationDate")
    published = parse_iso8601(when)
    modified = item.get("LastModified")
    updated = parse_iso8601(modified) if isinstance(modified, str) and modified else published
    texts = {
        heading: plain_text(value)
        for key, heading in SECTIONS
        if isinstance(value := item.get(key), str) and value.strip()
    }
    # A regional or global report ("Cholera - Global situation", "Mpox - African Region")
    # names its countries in the text: their readers are the ones it concerns.
    codes = countries_in_title(title) or find_in_text(
        texts.get("Summary") or texts.get("Overview", "")
    )
    if not codes:
        raise ValueError(f"{ident}: no country in the title {title!r} or its summary")
    path = item.get("ItemDefaultUrl") or item.get("UrlName") or ident
    url = ITEM_PAGE + str(path).strip().lstrip("/")
    summary_text = texts.get("Summary") or texts.get("Overview") or title
    severity = severity_of(title)
    return Alert(
        source=source,
        id=ident.strip(),
        countries=tuple(sorted(codes)),
        severity=severity,
        source_level="Disease Outbreak News",
        category=Category.HEALTH,
        title=title,
        summary=shorten(summary_text, SUMMARY_CHARS),
        url=url,
        published=published,
        updated=max(updated, published),
        body="\n\n".join(f"## {heading}\n\n{text}" for heading, text in texts.items()),
        advice=texts.get("WHO advice", ""),
        facts={"high_fatality": "yes" if severity is Severity.HIGH else "no"},
    )


class WhoDonAdapter(SourceAdapter):
    """WHO Disease Outbreak News reports, one alert per report."""

    kind = "who-don"

    def parse(self, body: bytes, *, source: str) -> ParsedFeed:
        document = load_json(body)
        if not isinstance(document, dict) or not isinstance(document.get("value"), list):
            raise SchemaChanged("expected the OData answer {'value': [...]}")
        items = document["value"]
        reports = [item for item in items if isinstance(item, dict)]
        if reports and not any("Title" in item for item in reports):
            raise SchemaChanged("key 'Title' is missing from every report")
        if reports and not any(
            "PublicationDate" in item or "PublicationDateAndTime" in item for item in reports
        ):
            raise SchemaChanged("key 'PublicationDate' is missing from every report")
        return read_each(
            items, lambda item: parse_report(as_object(item), source=source), label="item"
        )
