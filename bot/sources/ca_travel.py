"""Global Affairs Canada travel advice (data.international.gc.ca/travel-voyage/...json).

One JSON document, {"metadata": {...}, "data": {KEY: {...}}}, in two known shapes:

- the 2014 schema: keyed by ISO alpha-2 (or a subdivision such as "PT-20", the Azores),
  no "country-iso" field;
- the current schema (index-updated.json): the same entries plus "country-id",
  "country-iso", "country-eng", "country-fra".

Both carry "advisory-state" 0..3, "has-regional-advisory", "date-published"
{"timestamp", "date", "asp"} and "eng"/"fra" {"name", "url-slug", "advisory-text",
"recent-updates"} with HTML entities. advisory-state maps to severity 1..4 rung for rung.
An entry shaped like the 2026 documents of one destination (no "date-published", an
English "friendly-date", "update-metadata") is read too; a document of which no entry
can be read is a schema change.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.alerts import Alert, Category, LocalText, Severity
from bot.countries import normalise_code, resolve
from bot.sources.base import (
    ITEM_ERRORS,
    ParsedFeed,
    SchemaChanged,
    SourceAdapter,
    item_problem,
    load_json,
)
from bot.sources.text import plain_text, shorten

# advisory-state -> (severity, Canada's wording in English, in French)
LEVELS: dict[int, tuple[Severity, str, str]] = {
    0: (
        Severity.NORMAL,
        "Take normal security precautions",
        "Prendre des mesures de sécurité normales",
    ),
    1: (
        Severity.CAUTION,
        "Exercise a high degree of caution",
        "Faire preuve d'une grande prudence",
    ),
    2: (Severity.HIGH, "Avoid non-essential travel", "Éviter les voyages non essentiels"),
    3: (Severity.EXTREME, "Avoid all travel", "Éviter tout voyage"),
}
# Said after the level when parts of the country have advisories of their own.
REGIONAL_EN = "Regional advisories also apply."
REGIONAL_FR = "Des avertissements régionaux s'appliquent aussi."
REQUIRED_KEYS = ("advisory-state", "eng")
ENGLISH_SITE = "https://travel.gc.ca/destinations/"
FRENCH_SITE = "https://voyage.gc.ca/destinations/"
# "date" and "asp" are Ottawa wall-clock time ("friendly-date" says EDT/EST).
OTTAWA = ZoneInfo("America/Toronto")
SUMMARY_CHARS = 400


def text_of(value: Any) -> str:
    """A field of the feed as plain text: entities ("&eacute;") decoded, any tags gone."""
    if not isinstance(value, str):
        return ""
    return plain_text(html.unescape(value)) if "<" in value else html.unescape(value).strip()


def country_of(key: str, entry: Mapping[str, Any]) -> str | None:
    """ISO alpha-2 of an entry: "country-iso" when present, else the key; a subdivision
    key ("PT-20", the Azores) belongs to its country. Codes that are not ISO 3166-1
    ("IC", the Canary Islands, is only reserved) fall back to the English name."""
    code = entry.get("country-iso")
    raw = code if isinstance(code, str) and code.strip() else key
    country = normalise_code(raw.strip().split("-")[0])
    if country is not None:
        return country
    eng = entry.get("eng")
    name = text_of(eng.get("name")) if isinstance(eng, dict) else ""
    found = resolve(name) if name else frozenset()
    return next(iter(found)) if len(found) == 1 else None


def published_of(entry: Mapping[str, Any]) -> datetime:
    """When the advice was published: the Unix timestamp, else "asp" in Ottawa time, else
    the English "friendly-date" ("October 5, 2026 07:02 EDT", which the documents of one
    destination carry instead)."""
    when = entry.get("date-published")
    if when is None:
        eng = entry.get("eng")
        friendly = eng.get("friendly-date") if isinstance(eng, dict) else None
        if isinstance(friendly, str) and friendly.strip():
            return friendly_date(friendly)
        raise ValueError("neither date-published nor a friendly-date")
    if not isinstance(when, dict):
        raise ValueError("date-published is not an object")
    timestamp = when.get("timestamp")
    if isinstance(timestamp, int | float) and not isinstance(timestamp, bool):
        try:
            return datetime.fromtimestamp(timestamp, UTC)
        except (OverflowError, OSError) as error:
            raise ValueError(f"date-published timestamp {timestamp} is out of range") from error
    local = when.get("asp") or when.get("date")
    if isinstance(local, str) and local.strip():
        moment = datetime.fromisoformat(local.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=OTTAWA)
        return moment.astimezone(UTC)
    raise ValueError("date-published has neither timestamp nor asp")


def friendly_date(text: str) -> datetime:
    """ "October 5, 2026 07:02 EDT" as UTC: Ottawa time, whose zone name says EDT or EST."""
    words = text.split()
    if words and words[-1].isalpha() and words[-1].isupper():
        words = words[:-1]  # EDT / EST: the Ottawa zone gives the same offset
    try:
        moment = datetime.strptime(" ".join(words), "%B %d, %Y %H:%M")
    except ValueError as error:
        raise ValueError(f"friendly-date {text!r} is not a date") from error
    return moment.replace(tzinfo=OTTAWA).astimezone(UTC)


def check_shape(data: Mapping[str, Any]) -> None:
    """Fail loudly when the document is not a shape we know: a key every entry lacks
    means the schema changed, not that every country is fine."""
    entries = [entry for entry in data.values() if isinstance(entry, dict)]
    if not entries:
        raise SchemaChanged("'data' holds no country entries")
    for key in REQUIRED_KEYS:
        if not any(key in entry for entry in entries):
            raise SchemaChanged(f"key {key!r} is missing from every country entry")


def parse_entry(key: str, entry: Mapping[str, Any], *, source: str) -> Alert:
    """One country's entry -> its Alert; ValueError says why an entry is unusable."""
    country = country_of(key, entry)
    if country is None:
        raise ValueError("no ISO country code")
    state = entry.get("advisory-state")
    if isinstance(state, str) and state.strip().isdigit():
        state = int(state)
    if not isinstance(state, int) or isinstance(state, bool) or state not in LEVELS:
        raise ValueError(f"advisory-state {state!r} is not 0..3")
    severity, label_en, label_fr = LEVELS[state]
    eng = entry.get("eng")
    if not isinstance(eng, dict):
        raise ValueError("no 'eng' object")
    french = entry.get("fra")
    fra: Mapping[str, Any] = french if isinstance(french, dict) else {}
    name_en = text_of(eng.get("name")) or text_of(entry.get("country-eng")) or key
    name_fr = text_of(fra.get("name")) or text_of(entry.get("country-fra")) or name_en
    published = published_of(entry)

    regional = bool(entry.get("has-regional-advisory"))
    summary_en = _summary(text_of(eng.get("advisory-text")) or label_en, eng)
    summary_fr = _summary(text_of(fra.get("advisory-text")) or label_fr, fra)
    slug = eng.get("url-slug")
    url = ENGLISH_SITE + slug if isinstance(slug, str) and slug else ENGLISH_SITE
    facts = {
        "advisory_state": str(state),
        "regional_advisories": "yes" if regional else "no",
    }
    if entry.get("has-advisory-warning"):
        facts["advisory_warning"] = "yes"
    update_type = entry.get("recent-updates-type") or entry.get("update-metadata")
    if isinstance(update_type, str) and update_type.strip():
        facts["update_type"] = update_type.strip()
    slug_fr = fra.get("url-slug")
    if isinstance(slug_fr, str) and slug_fr:
        facts["url_fr"] = FRENCH_SITE + slug_fr
    return Alert(
        source=source,
        id=key,
        countries=(country,),
        severity=severity,
        source_level=label_en,
        category=Category.ADVISORY,
        title=f"{name_en} travel advice",
        summary=summary_en,
        url=url,
        published=published,
        updated=published,
        body=summary_en,
        advice=f"{label_en}." + (f" {REGIONAL_EN}" if regional else ""),
        translations={
            "fr": LocalText(
                f"Conseils aux voyageurs : {name_fr}",
                summary_fr,
                source_level=label_fr,
                advice=f"{label_fr}." + (f" {REGIONAL_FR}" if regional else ""),
            )
        },
        facts=facts,
    )


def _summary(level_text: str, language: Mapping[str, Any]) -> str:
    """The published level sentence, then what changed last."""
    level_text = level_text.rstrip(". ") + "."
    recent = text_of(language.get("recent-updates"))
    return shorten(f"{level_text} {recent}".strip(), SUMMARY_CHARS)


class CaTravelAdapter(SourceAdapter):
    """Every country's Canadian advisory level from the one JSON index."""

    kind = "ca-travel"

    def parse(self, body: bytes, *, source: str) -> ParsedFeed:
        document = load_json(body)
        if not isinstance(document, dict):
            raise SchemaChanged("expected a JSON object with 'data'")
        data = document.get("data")
        if not isinstance(data, dict):
            raise SchemaChanged("'data' object is missing")
        if "advisory-state" in data:
            raise SchemaChanged(
                "this is one destination's document (cta-cap-XX.json): configure the index,"
                " https://data.international.gc.ca/travel-voyage/index-updated.json"
            )
        check_shape(data)
        alerts: list[Alert] = []
        problems: list[str] = []
        for key, entry in data.items():
            if not isinstance(entry, dict):
                problems.append(f"{key}: entry is not an object")
                continue
            try:
                alerts.append(parse_entry(key, entry, source=source))
            except ITEM_ERRORS as error:
                problems.append(item_problem(key, error))
        if problems and not alerts:  # not one entry readable: the schema, not the countries
            raise SchemaChanged(f"no entry could be read ({problems[0]}, ...)")
        return ParsedFeed(tuple(alerts), tuple(problems))
