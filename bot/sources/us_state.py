"""US Department of State travel advisories (travel.state.gov RSS 2.0, "TAsTWs").

One item per destination: "Maldives - Level 2: Exercise Increased Caution". The feed's
quirks, each handled below:

- Country-Tag categories hold FIPS 10-4 codes, not ISO (AS is Australia, AU Austria),
  plus State's own pseudo-codes A1/A2/A3; Hong Kong and Macau items carry no tag at all,
  and Bonaire, Sint Eustatius and Saba share A1.
- Titles vary: "Kenya  - Level 2", "Mexico Travel Advisory - Level 2",
  "Mainland China, Hong Kong & Macau - See Summaries - Level 2".
- dc:identifier ("MV,advisory", "GL,GL") is not an identifier; links are being moved
  from ".../maldives-travel-advisory.html" to ".../destination.ata.html". The alert id is
  therefore the destination's name from the title, folded into a slug ("maldives").
- pubDate has no time ("Tue, 07 Oct 2025"): read as midnight UTC.
- The HTML description starts with a change note ("There was no change to the advisory
  level..."); it is kept at the top of the summary because it says what changed.

Severity is the level itself: 1 normal precautions ... 4 do not travel.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.alerts import Alert, Category, Severity
from bot.countries import destination_countries, from_fips, normalise_code
from bot.sources.base import ParsedFeed, ParsedItem, SkippedItem, SourceAdapter, parse_items
from bot.sources.text import plain_texts, shorten
from bot.sources.xml import Element, child_text, parse_date, parse_xml, qname, rss_channel

LEVEL_LABELS = {
    1: "Exercise Normal Precautions",
    2: "Exercise Increased Caution",
    3: "Reconsider Travel",
    4: "Do Not Travel",
}

# Umbrella advisories whose own text lists places that neither their tag nor their title
# name: "The Kingdom of Denmark consists of Denmark, the Faroe Islands, and Greenland."
# (State publishes no advisory for the Faroe Islands of their own.) Keyed by alert id.
COVERS: dict[str, frozenset[str]] = {
    "kingdom-of-denmark": frozenset({"DK", "FO", "GL"}),
}

_LEVEL = re.compile(r"\bLevel\s*([1-4])\b(?:\s*[:\-–]\s*([^-–]+?))?\s*$", re.IGNORECASE)
_TITLE_SEPARATOR = re.compile(r"\s+[-–—]\s+")
# "Israel - Level 3: Reconsider Travel - Level 3: Reconsider Travel" (October 2026).
_REPEATED_LEVEL = re.compile(r"(\s+[-–—]\s+Level\s*[1-4]\b[^-–—]*?)\1\s*$", re.IGNORECASE)
_TRAVEL_ADVISORY_SUFFIX = re.compile(r"\s+travel\s+advisory$", re.IGNORECASE)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_DC_DATE = qname("dc", "date")


@dataclass(frozen=True, slots=True)
class Level:
    """A State Department advisory level and its label as the feed words it."""

    number: int
    label: str

    @property
    def source_level(self) -> str:
        return f"Level {self.number}: {self.label}"


class UsStateAdapter(SourceAdapter):
    """travel.state.gov advisories: one alert per destination, severity = level."""

    kind = "us-state"

    def parse(self, body: bytes, *, source: str) -> ParsedFeed:
        root = parse_xml(body)
        channel = rss_channel(root)
        fallback_date = child_text(channel, "pubDate") or child_text(channel, _DC_DATE)
        items = [(item, _fields(item)) for item in channel.iterfind("item")]
        # Every description's HTML to text in one go: most of the time of this feed.
        texts = plain_texts([fields.get("description", "") for _, fields in items])

        def parse_one(read: tuple[tuple[Element, _Fields], str]) -> ParsedItem:
            (item, fields), text = read
            return _parse_item(item, fields, text, source=source, fallback_date=fallback_date)

        return parse_items(zip(items, texts, strict=True), parse_one)


@dataclass(frozen=True, slots=True)
class _Fields:
    """An item's element texts by name (the first of each) and its <category> texts by
    their domain, case folded: read in one pass over the item's children."""

    texts: dict[str, str]
    categories: dict[str, list[str]]

    def get(self, name: str, default: str = "") -> str:
        return self.texts.get(name, default)


def _fields(item: Element) -> _Fields:
    texts: dict[str, str] = {}
    categories: dict[str, list[str]] = {}
    for child in item.iterchildren("{}*"):  # elements in no namespace, as RSS 2.0 has them
        tag, text = child.tag, child.text
        if tag == "category":
            if text:
                domain = child.get("domain", "").casefold()
                categories.setdefault(domain, []).append(text.strip())
        elif tag not in texts:
            texts[tag] = (text or "").strip()
    return _Fields(texts, categories)


def _parse_item(
    item: Element, fields: _Fields, body: str, *, source: str, fallback_date: str
) -> ParsedItem:
    title = " ".join(fields.get("title", "").split())
    if title.lower().count("level") > 1:  # the expression costs more than the test
        title = _REPEATED_LEVEL.sub(r"\1", title)
    if not title:
        raise SkippedItem("an item has no title")
    problems: list[str] = []
    name = destination_name(title)
    categories = fields.categories
    level = _item_level(categories.get("threat-level", ()), title, problems)
    alert_id = slug(name) or slug(title)
    countries = tuple(
        sorted(
            set(_item_countries(categories.get("country-tag", ()), title, name, problems))
            | COVERS.get(alert_id, frozenset())
        )
    )
    published = _item_date(fields, item, title, fallback_date)
    link = fields.get("link") or fields.get("guid", "")
    # A title with no letters or digits at all ("🇺🇳") names its destination by its tags.
    alert_id = alert_id or "-".join(countries).lower()
    alert = Alert(
        source=source,
        id=alert_id,
        countries=countries,
        severity=Severity(level.number),
        source_level=level.source_level,
        category=Category.ADVISORY,
        title=title,
        summary=shorten(body),
        url=link,
        published=published,
        updated=published,
        body=body,
    )
    return ParsedItem(alert, tuple(problems))


def destination_name(title: str) -> str:
    """The destination a title is about: "Mexico Travel Advisory - Level 2: ..." -> "Mexico"."""
    level = _LEVEL.search(title)
    head = title[: level.start()] if level else title
    head = _TITLE_SEPARATOR.split(head.strip(" -–—"), maxsplit=1)[0]
    return _TRAVEL_ADVISORY_SUFFIX.sub("", head.strip(" -–—")).strip()


def slug(text: str) -> str:
    """A stable ASCII id for a destination name: "Curaçao" -> "curacao"."""
    folded = text.casefold()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_SLUG.sub("-", folded).strip("-")


def parse_level(text: str) -> Level | None:
    """The level in a Threat-Level category or a title: "Level 2: Exercise Increased Caution"."""
    match = _LEVEL.search(" ".join(text.split()))
    if match is None:
        return None
    number = int(match.group(1))
    label = (match.group(2) or "").strip() or LEVEL_LABELS[number]
    return Level(number, label)


def _item_level(threat_levels: Sequence[str], title: str, problems: list[str]) -> Level:
    tagged = [level for text in threat_levels if (level := parse_level(text))]
    from_title = parse_level(title)
    if tagged:
        level = tagged[0]
        if from_title is not None and from_title.number != level.number:
            problems.append(
                f"{title!r}: the title says level {from_title.number} but the Threat-Level"
                f" category says {level.number}; used the category"
            )
        return level
    if from_title is None:
        raise SkippedItem(f"{title!r}: no advisory level in its Threat-Level or its title")
    return from_title


def _item_countries(
    country_tags: Sequence[str], title: str, name: str, problems: list[str]
) -> tuple[str, ...]:
    named = set(destination_countries(name))
    tagged: set[str] = set()
    for code in country_tags:
        found = from_fips(code)
        iso = normalise_code(code)
        if iso in named and iso not in found:
            # The feed writes some tags in ISO, not FIPS: "TN" on Tunisia (FIPS TN is
            # Tonga), "KN" on Saint Kitts and Nevis (FIPS KN is North Korea).
            found = frozenset({iso})
        if not found:
            problems.append(f"{title!r}: unknown Country-Tag {code!r}")
        tagged |= found
    if tagged and named and not tagged & named:
        # Both are evidence: a reader of either country should hear of it, and an admin
        # should look at why the feed (or our FIPS table) disagrees with the title.
        problems.append(
            f"{title!r}: Country-Tag means {sorted(tagged)} but the title names"
            f" {sorted(named)}; kept both"
        )
    countries = tagged | named
    if not countries:
        raise SkippedItem(f"{title!r}: no Country-Tag and no country recognised in the title")
    return tuple(sorted(countries))


def _date_texts(fields: _Fields, item: Element, fallback: str) -> Iterator[str]:
    yield fields.get("pubDate", "")
    yield child_text(item, _DC_DATE)  # searched for only when pubDate would not do
    yield fallback


def _item_date(fields: _Fields, item: Element, title: str, fallback: str) -> datetime:
    """pubDate, else dc:date, else the channel's date."""
    for text in _date_texts(fields, item, fallback):
        if text:
            try:
                return parse_date(text)
            except ValueError:
                continue
    raise SkippedItem(f"{title!r}: no readable pubDate")
