"""What each feed sample says about its items, read from the source's own fields with the
standard library and CLDR (through Babel), never through `bot.sources` or `bot.countries`.

`derive(name)` gives, per item, the id, the countries those fields name and the severity
the documented mapping (docs/sources.md) gives. It is the independent half of
tests/sources/test_samples_cli.py: the committed tables in tests/sources/expected/ must
agree with it, and add only what needs a person's judgment (a note says why).
"""

from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel import Locale
from babel.core import get_global

FEEDS = Path(__file__).resolve().parents[2] / "feeds"
# Real captures of the same sources found in other public repositories (provenance in the
# folder's PROVENANCE.md): data the adapters were not written against.
CAPTURES = Path(__file__).resolve().parent / "captures"

# Sample file -> the source kind that reads it.
KINDS = {
    "us-state-dept-TAsTWs-2025-10-07.trimmed.xml": "us-state",
    "gdacs-rss-2019-12-30.xml": "gdacs",
    "usgs-significant_month-2023-10-11.geojson": "usgs",
    "cap12-au-nsw-rfs-2011-10-05.cap.xml": "cap",
    "nws-cap11-alert-2010-08-30.cap.xml": "cap",
    "nws-cap11-atom-index-2010-08-31.atom": "cap",
    "canada-travel-voyage-index-alpha-eng-2014-10-02.json": "ca-travel",
    "govuk-content-api-travel_advice-albania.example.json": "uk-fcdo",
    "govuk-content-api-travel_advice_index.example.json": "uk-fcdo",
}

# Capture file -> the source kind that reads it.
CAPTURE_KINDS = {
    "us-state-dept-TAsTWs-2026-10-07.xml": "us-state",
    "govuk-content-api-travel_advice-colombia-2026-10-07.json": "uk-fcdo",
    "govuk-content-api-travel_advice-cote-d-ivoire-2026-10-07.json": "uk-fcdo",
    "govuk-content-api-travel_advice-cuba-2026-10-07.json": "uk-fcdo",
    "govuk-content-api-travel_advice-haiti-2026-10-07.json": "uk-fcdo",
    "govuk-content-api-travel_advice-hong-kong-2026-10-07.json": "uk-fcdo",
    "usgs-2.5_day-2017-07-05.geojson": "usgs",
    "usgs-4.5_day-2024-02-06.geojson": "usgs",
    "usgs-all_hour-2024-05-31.geojson": "usgs",
    "usgs-significant_month-2014-03-24.geojson": "usgs",
    "usgs-significant_week-2016-10-10.geojson": "usgs",
    "usgs-significant_week-2019-06-10.geojson": "usgs",
    "gdacs-rss-archive-india-orange-2016-04-09.xml": "gdacs",
    "gdacs-rss-2024-12-10.xml": "gdacs",
    "gdacs-rss_24h-2019-12-30.xml": "gdacs",
    "cap12-au-bom-thunderstorm-2019-01-16.cap.xml": "cap",
    "cap12-ca-eccc-naad-weather-statement-2019-07-12.cap.xml": "cap",
    "cap12-is-imo-wind-2021-09-10.cap.xml": "cap",
    "cap12-ph-pagasa-test-2014-11-03.cap.xml": "cap",
    "cap12-tw-wra-reservoir-2014-05-14.cap.xml": "cap",
    "cap11-us-nws-ga-special-weather-statement-2012-03-15.cap.xml": "cap",
    "cap12-us-nws-ipaws-hurricane-update-2020-08-26.cap.xml": "cap",
    "cap12-se-krisinformation-atom-index-2018-11-21.atom": "cap",
    "cap12-se-smhi-alerts-2019-03-12.cap.xml": "cap",
    "cap11-ca-naad-pelmorex-atom-index-2014-05-10.atom": "cap",
    "cap11-us-nws-atom-index-2018-08-15.atom": "cap",
    "cap12-eu-meteoalarm-poland-atom-index-2023-04-28.atom": "cap",
    "cap12-eu-meteoalarm-poland-atom-index-2023-05-23.atom": "cap",
    "cap12-eu-meteoalarm-germany-atom-index-2023-04-28.atom": "cap",
    "cap12-ba-meteoalarm-api-json-2024-01-07.json": "cap",
}
ALL_KINDS = KINDS | CAPTURE_KINDS


def path_of(name: str) -> Path:
    """Where the sample or capture `name` is."""
    return (FEEDS if name in KINDS else CAPTURES) / name


# The documented level tables (docs/sources.md, "Levels and categories at a glance").
CANADA_STATES = {0: 1, 1: 2, 2: 3, 3: 4}
GDACS_LEVELS = {"green": 1, "orange": 3, "red": 4}
PAGER_LEVELS = {"green": 1, "yellow": 2, "orange": 3, "red": 4}
# CAP's severity words on the documented scale; "Unknown" (not graded) counts as 2.
CAP_SEVERITIES = {"extreme": 4, "severe": 3, "moderate": 2, "minor": 1, "unknown": 2}
FCDO_STATUSES = {
    "avoid_all_but_essential_travel_to_parts": 2,
    "avoid_all_travel_to_parts": 3,
    "avoid_all_but_essential_travel_to_whole_country": 3,
    "avoid_all_travel_to_whole_country": 4,
}
# US FIPS 5-2 state codes of the territories; every other code up to 56 is a state or DC.
# FIPS 5-2 numbers of the territories and freely associated states (Palau 70, Micronesia
# 64, the Marshall Islands 68), and of the Minor Outlying Islands.
FIPS_TERRITORIES = {
    "60": "AS", "64": "FM", "66": "GU", "68": "MH", "69": "MP", "70": "PW", "72": "PR",
    "74": "UM", "78": "VI",
}  # fmt: skip

_GDACS = "{http://www.gdacs.org}"
_AFFECTS = re.compile(r"affects these countries: ([^(.]+)")
_ATOM = "{http://www.w3.org/2005/Atom}"
_GLUE = frozenset({"the", "and"})


@dataclass(frozen=True)
class Derived:
    id: str
    countries: frozenset[str]  # what the item's own fields name; may be less than the truth
    severity: int


@cache
def iso_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes: those CLDR maps an alpha-3 code to (so not "IC", "EU")."""
    aliases = get_global("territory_aliases")
    return frozenset(
        targets[0]
        for source, targets in aliases.items()
        if len(source) == 3 and source.isalpha() and len(targets) == 1 and len(targets[0]) == 2
    )


@cache
def alpha3() -> dict[str, str]:
    aliases = get_global("territory_aliases")
    return {
        source: targets[0]
        for source, targets in aliases.items()
        if len(source) == 3 and source.isalpha() and len(targets) == 1 and len(targets[0]) == 2
    }


def fold(text: str) -> str:
    """Accents, case, punctuation, "the" and "and" away, "St." spelt out: "Côte d’Ivoire"
    and "Cote d Ivoire" meet, and so do CLDR's "St. Kitts & Nevis" and the feeds' "Saint
    Kitts and Nevis", "Gambia" and "The Gambia"."""
    letters = (
        char if char.isascii() and char.isalnum() else " "
        for char in unicodedata.normalize("NFKD", text.lower())
        if not unicodedata.combining(char)
    )
    words = "".join(letters).split()
    return " ".join("saint" if word == "st" else word for word in words if word not in _GLUE)


@cache
def english_names() -> dict[str, str]:
    """CLDR's English name of every ISO country, folded -> code."""
    territories = Locale.parse("en").territories
    return {fold(name): code for code, name in territories.items() if code in iso_codes()}


def country_named(name: str) -> set[str]:
    code = english_names().get(fold(name))
    return {code} if code else set()


def countries_mentioned(text: str) -> set[str]:
    """Every CLDR country name that appears as whole words, longest first, no overlaps."""
    folded = f" {fold(text)} "
    found: set[str] = set()
    for name in sorted(english_names(), key=len, reverse=True):
        if f" {name} " in folded:
            found.add(english_names()[name])
            folded = folded.replace(f" {name} ", " | ")
    return found


def slug(name: str) -> str:
    """The documented id of a destination: its name, accents off, every run of other
    characters (spaces, apostrophes) a hyphen."""
    plain = "".join(
        char
        for char in unicodedata.normalize("NFKD", name.lower())
        if not unicodedata.combining(char)
    )
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _us_state(body: bytes) -> list[Derived]:
    rows = []
    for item in ET.fromstring(body).iter("item"):
        title = " ".join((item.findtext("title") or "").split())
        name, _, level = title.partition(" - Level ")  # "Israel - Level 3: ... - Level 3: ..."
        name = name.removesuffix(" - See Summaries").removesuffix(" Travel Advisory").strip()
        rows.append(Derived(slug(name), frozenset(country_named(name)), int(level[0])))
    return rows


def _gdacs(body: bytes) -> list[Derived]:
    rows = []
    for item in ET.fromstring(body.removeprefix(b"\xef\xbb\xbf")).iter("item"):
        iso3 = item.findtext(f"{_GDACS}iso3", "").split(",")
        countries = {alpha3()[code.strip()] for code in iso3 if code.strip()}
        names = item.findtext(f"{_GDACS}country", "").split(",")
        # Cyclones list more in the text: "The cyclone affects these countries: Fiji, Tonga,
        # Niue (vulnerability Medium)."
        affected = _AFFECTS.search(item.findtext("description") or "")
        names += affected.group(1).split(",") if affected else []
        for name in names:
            countries |= country_named(name)
        level = GDACS_LEVELS[item.findtext(f"{_GDACS}alertlevel", "").lower()]
        rows.append(Derived(item.findtext("guid") or "", frozenset(countries), level))
    return rows


def _usgs(body: bytes) -> list[Derived]:
    rows = []
    for feature in json.loads(body)["features"]:
        properties = feature["properties"]
        place = properties.get("place") or ""
        countries = country_named(place.rpartition(", ")[2]) if ", " in place else set()
        countries = countries or countries_mentioned(place.replace("-", " "))
        if properties.get("alert"):
            severity = PAGER_LEVELS[properties["alert"]]
        else:
            magnitude = float(properties["mag"])
            severity = 1 if magnitude < 6 else 2 if magnitude < 7 else 3 if magnitude < 8 else 4
        rows.append(Derived(feature["id"], frozenset(countries), severity))
    return rows


def _emma_countries(values: list[str]) -> set[str]:
    """MeteoAlarm's EMMA_ID areas start with the country in Eurostat's spelling ("PL805";
    Greece is "EL", the United Kingdom "UK")."""
    eurostat = {"EL": "GR", "UK": "GB"}
    return {eurostat.get(value[:2], value[:2]) for value in values if value[:2].isalpha()}


def _fips6_countries(values: list[str]) -> set[str]:
    countries = set()
    for value in " ".join(values).split():
        state, county = value[-5:-3], value[-3:]  # PSSCCC: part of county, state, county
        if state == "66" and county != "010":
            # The NWS's Guam office writes the Northern Marianas' municipalities (Rota 100,
            # Saipan 110, Tinian 120) under Guam's number; Guam itself is 010.
            countries.add("MP")
            continue
        countries.add(FIPS_TERRITORIES.get(state, "US" if "01" <= state <= "56" else "?"))
    return countries


def _cap(body: bytes) -> list[Derived]:
    if body.lstrip()[:1] == b"{":  # MeteoAlarm's API: the CAP message as a JSON object
        return [row for warning in json.loads(body)["warnings"] if (row := _cap_json(warning))]
    root = ET.fromstring(body)
    if root.tag == f"{_ATOM}feed":
        rows = [row for entry in root.iter(f"{_ATOM}entry") if (row := _cap_entry(entry))]
        return _one_row_per_message(rows)
    if root.tag.endswith("}alerts"):  # several messages in one document
        return [row for alert in root if (row := _cap_alert(alert))]
    row = _cap_alert(root)
    return [row] if row else []


def _one_row_per_message(rows: list[Derived]) -> list[Derived]:
    """Index entries with one identifier are one message listed once per area (MeteoAlarm's
    German index): one row, every country of its entries, the highest severity."""
    merged: dict[str, Derived] = {}
    for row in rows:
        seen = merged.get(row.id)
        merged[row.id] = (
            row
            if seen is None
            else Derived(row.id, seen.countries | row.countries, max(seen.severity, row.severity))
        )
    return list(merged.values())


def _cap_alert(root: ET.Element) -> Derived | None:
    ns = root.tag.partition("}")[0] + "}"
    if root.findtext(f"{ns}status") != "Actual":
        return None  # tests and exercises are no alerts
    severity = max(CAP_SEVERITIES[s.text.lower()] for s in root.iter(f"{ns}severity") if s.text)
    fips = [
        geocode.findtext(f"{ns}value", "")
        for geocode in root.iter(f"{ns}geocode")
        if geocode.findtext(f"{ns}valueName") in ("FIPS6", "SAME")
    ]
    countries = _fips6_countries(fips) or _domain_country(root.findtext(f"{ns}sender", ""))
    identifier = _first_of_chain(root.findtext(f"{ns}references") or "")
    return Derived(
        identifier or root.findtext(f"{ns}identifier", ""), frozenset(countries), severity
    )


def _cap_json(warning: dict[str, Any]) -> Derived | None:
    alert = warning["alert"]
    if alert.get("status") != "Actual":
        return None
    infos = alert.get("info", [])
    severity = max(
        max(CAP_SEVERITIES[info.get("severity", "unknown").lower()], _awareness(info))
        for info in infos
    )
    emma = [
        geocode["value"]
        for info in infos
        for area in info.get("area", [])
        for geocode in area.get("geocode", [])
        if geocode.get("valueName") == "EMMA_ID"
    ]
    countries = _emma_countries(emma) or _domain_country(alert.get("sender", ""))
    identifier = _first_of_chain(alert.get("references") or "") or alert["identifier"]
    return Derived(identifier, frozenset(countries), severity)


def _awareness(info: dict[str, Any]) -> int:
    """MeteoAlarm's colour as a level ("3; orange; Severe" is 3), 1 when it gives none."""
    levels = [
        int(parameter["value"].split(";")[0])
        for parameter in info.get("parameter", [])
        if parameter.get("valueName") == "awareness_level"
    ]
    return max(levels, default=1)


def _first_of_chain(references: str) -> str:
    """CAP: an Update or Cancel keeps the identifier of the earliest message it references
    ("sender,identifier,sent" triples; the first listed of equally early ones)."""
    triples = [triple.split(",") for triple in references.split()]
    dated = [(datetime.fromisoformat(sent), identifier) for _, identifier, sent in triples]
    earliest = min((moment for moment, _ in dated), default=None)
    return next((identifier for moment, identifier in dated if moment == earliest), "")


def _domain_country(sender: str) -> set[str]:
    """The country of an e-mail or web address's top-level domain, as the adapter falls
    back to: "cap@bom.gov.au" is AU."""
    host = urlsplit(sender if "://" in sender else "//" + sender.rpartition("@")[2]).hostname
    tld = (host or "").rpartition(".")[2].upper()
    return {tld} if tld in iso_codes() else set()


def _cap_entry(entry: ET.Element) -> Derived | None:
    caps = [f"{{urn:oasis:names:tc:emergency:cap:{version}}}" for version in ("1.1", "1.2")]
    cap = next((ns for ns in caps if any(e.tag.startswith(ns) for e in entry)), None)
    if cap is None:
        return None  # no cap:* field: the linked document holds the alert
    identifier = entry.findtext(f"{cap}identifier") or entry.findtext(f"{_ATOM}id", "")
    severity = CAP_SEVERITIES[entry.findtext(f"{cap}severity", "unknown").lower()]
    fips = [
        geocode.findtext(f"{_ATOM}value", "") or geocode.findtext("value", "")
        for geocode in entry.iter(f"{cap}geocode")
        if (geocode.findtext(f"{_ATOM}valueName") or geocode.findtext("valueName")) == "FIPS6"
    ]
    emma = [
        geocode.findtext(f"{_ATOM}value", "") or geocode.findtext("value", "")
        for geocode in entry.iter(f"{cap}geocode")
        if (geocode.findtext(f"{_ATOM}valueName") or geocode.findtext("valueName")) == "EMMA_ID"
    ]
    author = entry.findtext(f"{_ATOM}author/{_ATOM}name", "")
    if author == "meteoalarm.org":
        # MeteoAlarm's titles open with the colour of its awareness level, which its
        # documents give as a parameter: "Orange Thunderstorm Warning issued for ...".
        words = [entry.findtext(f"{_ATOM}title", ""), entry.findtext(f"{cap}event", "")]
        colours = [_COLOUR_LEVELS.get(text.split(" ")[0].lower(), 0) for text in words]
        severity = max(severity, next((level for level in colours if level), 1))
    countries = _fips6_countries(fips) or _emma_countries(emma) or _domain_country(author)
    return Derived(identifier, frozenset(countries), severity)


_COLOUR_LEVELS = {"green": 1, "yellow": 2, "orange": 3, "red": 4}


def _canada(body: bytes) -> list[Derived]:
    rows = []
    for key, entry in json.loads(body)["data"].items():
        code = str(entry.get("country-iso") or key).split("-")[0]
        countries = {code} if code in iso_codes() else set()
        rows.append(Derived(key, frozenset(countries), CANADA_STATES[entry["advisory-state"]]))
    return rows


def _govuk(body: bytes) -> list[Derived]:
    document = json.loads(body)
    details = document.get("details", {})
    if "country" not in details:
        return []  # the index: parsing it alone gives no alerts
    statuses = details.get("alert_status") or []
    severity = max([1, *(FCDO_STATUSES[status] for status in statuses)])
    countries = country_named(details["country"]["name"])
    return [Derived(document["content_id"], frozenset(countries), severity)]


_READERS: dict[str, Callable[[bytes], list[Derived]]] = {
    "us-state": _us_state,
    "gdacs": _gdacs,
    "usgs": _usgs,
    "cap": _cap,
    "ca-travel": _canada,
    "uk-fcdo": _govuk,
}


def derive(name: str) -> list[Derived]:
    """Every item of the sample or capture `name`, in its order."""
    return _READERS[ALL_KINDS[name]](path_of(name).read_bytes())
