"""GOV.UK foreign travel advice (FCDO), read through the GOV.UK Content API.

The index (`/api/content/foreign-travel-advice`) lists every country in `links.children`;
each child's `api_path` is that country's content item, whose `details.alert_status`
carries the FCDO's "advise against travel" level and whose `details.parts` are the
sections of the advice (Summary, Safety and security, Terrorism, ...).

Level mapping (see docs/sources.md):
    avoid_all_travel_to_whole_country               -> 4
    avoid_all_but_essential_travel_to_whole_country -> 3
    avoid_all_travel_to_parts                       -> 3
    avoid_all_but_essential_travel_to_parts         -> 2
    no alert_status                                 -> 1
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

from bot.alerts import Alert, Category, Severity
from bot.countries import resolve
from bot.sources.base import (
    FeedClient,
    FetchFailed,
    ParsedFeed,
    PollOutcome,
    SchemaChanged,
    SourceAdapter,
    SourceError,
    Validators,
    load_json,
)
from bot.sources.text import plain_text, shorten
from bot.sources.xml import parse_iso8601

WEBSITE = "https://www.gov.uk"
SUMMARY_CHARS = 600

# alert_status value -> (severity, the FCDO's own wording), most severe first.
ALERT_STATUSES: dict[str, tuple[Severity, str]] = {
    "avoid_all_travel_to_whole_country": (
        Severity.EXTREME,
        "FCDO advises against all travel to the whole country",
    ),
    "avoid_all_but_essential_travel_to_whole_country": (
        Severity.HIGH,
        "FCDO advises against all but essential travel to the whole country",
    ),
    "avoid_all_travel_to_parts": (
        Severity.HIGH,
        "FCDO advises against all travel to parts of the country",
    ),
    "avoid_all_but_essential_travel_to_parts": (
        Severity.CAUTION,
        "FCDO advises against all but essential travel to parts of the country",
    ),
}
NO_ADVICE_AGAINST_TRAVEL = "No FCDO advice against travel"


def is_index(document: Mapping[str, Any]) -> bool:
    """The index lists countries; a country's item has `details.country` instead."""
    kind = document.get("document_type") or document.get("schema_name")
    if kind == "travel_advice_index":
        return True
    links = document.get("links")
    return kind is None and isinstance(links, dict) and isinstance(links.get("children"), list)


def item_urls(index: Mapping[str, Any], index_url: str) -> list[str]:
    """The content-item URL of each country the index lists, on the index's own host.

    `api_path` is relative ("/api/content/foreign-travel-advice/albania"), so the
    items come from wherever the index came from: gov.uk in production, a local
    server in tests. Withdrawn countries are left out.
    """
    links = index.get("links")
    children = links.get("children") if isinstance(links, dict) else None
    if not isinstance(children, list):
        raise SchemaChanged("the travel advice index has no links.children list")
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(index_url))
    urls: list[str] = []
    for child in children:
        if not isinstance(child, dict) or child.get("withdrawn") is True:
            continue
        path = child.get("api_path")
        if not isinstance(path, str) or not path:
            base_path = child.get("base_path")
            if not isinstance(base_path, str) or not base_path:
                continue
            path = "/api/content" + base_path
        urls.append(urljoin(origin, path))
    return urls


def severity_of(statuses: Sequence[str]) -> tuple[Severity, str]:
    """The most severe of the item's alert statuses, with its readable label."""
    unknown = [status for status in statuses if status not in ALERT_STATUSES]
    if unknown:
        raise SchemaChanged(f"unknown details.alert_status value(s): {', '.join(unknown)}")
    for status, (severity, label) in ALERT_STATUSES.items():
        if status in statuses:
            return severity, label
    return Severity.NORMAL, NO_ADVICE_AGAINST_TRAVEL


def part_text(body: Any) -> str:
    """A part's body as plain text: HTML in the content store, or a list of
    {content_type, content} alternatives in the publishing schema."""
    if isinstance(body, str):
        return plain_text(body)
    if isinstance(body, list):
        by_type: dict[str, str] = {
            str(entry.get("content_type")): entry["content"]
            for entry in body
            if isinstance(entry, dict) and isinstance(entry.get("content"), str)
        }
        if "text/html" in by_type:
            return plain_text(by_type["text/html"])
        # Only govspeak (GOV.UK's markdown): its text is readable as it is.
        return next(iter(by_type.values()), "").strip()
    return ""


def sections(parts: Any) -> list[tuple[str, str]]:
    """(title, plain text) of each part of the advice, in the published order."""
    if not isinstance(parts, list):
        return []
    found: list[tuple[str, str]] = []
    for part in parts:
        if not isinstance(part, dict):
            continue
        title = str(part.get("title") or part.get("slug") or "").strip()
        found.append((title, part_text(part.get("body"))))
    return found


def body_with_headings(found: Sequence[tuple[str, str]]) -> str:
    """All sections as one text, each under a "## Title" line, so that a section
    diff can name the parts that changed."""
    return "\n\n".join(f"## {title}\n\n{text}".rstrip() for title, text in found)


def parse_item(document: Mapping[str, Any], *, source: str) -> Alert:
    """One country's content item -> its Alert; SchemaChanged when a field it needs is gone."""
    details = document.get("details")
    if not isinstance(details, dict):
        raise SchemaChanged("travel advice item has no details object")
    content_id = document.get("content_id")
    if not isinstance(content_id, str) or not content_id:
        raise SchemaChanged("travel advice item has no content_id")
    country = details.get("country")
    if not isinstance(country, dict):
        raise SchemaChanged(f"travel advice item {content_id} has no details.country")
    name = str(country.get("name") or "").strip()
    slug = str(country.get("slug") or "").strip()
    codes = resolve(name) if name else frozenset()
    if not codes and slug:
        codes = resolve(slug.replace("-", " "))
    if not codes:
        raise SchemaChanged(f"country {name or slug!r} of item {content_id} is not recognised")

    statuses = details.get("alert_status") or []
    if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
        raise SchemaChanged(f"details.alert_status of {content_id} is not a list of strings")
    severity, label = severity_of(statuses)

    updated_text = document.get("public_updated_at") or details.get("updated_at")
    if not isinstance(updated_text, str):
        raise SchemaChanged(f"travel advice item {content_id} has no public_updated_at")
    try:
        updated = parse_iso8601(updated_text)
        first = document.get("first_published_at")
        published = parse_iso8601(first) if isinstance(first, str) else updated
    except ValueError as error:
        raise SchemaChanged(f"item {content_id}: {error}") from error

    found = sections(details.get("parts"))
    summary_part = next((text for title, text in found if title.casefold() == "summary"), "")
    if not summary_part and found:
        summary_part = found[0][1]
    change = plain_text(str(details.get("change_description") or ""))
    summary = shorten("\n\n".join(text for text in (change, summary_part) if text), SUMMARY_CHARS)

    base_path = document.get("base_path")
    url = WEBSITE + base_path if isinstance(base_path, str) else WEBSITE
    title = str(document.get("title") or f"{name} travel advice").strip()
    country_name = name or slug
    advice = label.replace("the whole country", country_name).replace(
        "parts of the country", f"parts of {country_name}"
    )
    facts = {"alert_status": ",".join(statuses) if statuses else "none"}
    if any(status.endswith("_to_parts") for status in statuses):
        facts["parts"] = "yes"
    return Alert(
        source=source,
        id=content_id,
        countries=tuple(sorted(codes)),
        severity=severity,
        source_level=label,
        category=Category.ADVISORY,
        title=title,
        summary=summary,
        url=url,
        published=published,
        updated=updated,
        body=body_with_headings(found),
        advice=advice + "." if statuses else "",
        facts=facts,
    )


class UkFcdoAdapter(SourceAdapter):
    """FCDO travel advice: the index plus one content item per country."""

    kind = "uk-fcdo"

    def __init__(self, *, concurrency: int = 8) -> None:
        self.concurrency = concurrency

    def parse(self, body: bytes, *, source: str) -> ParsedFeed:
        """A country's content item -> one Alert; the index itself -> no alerts."""
        document = load_json(body)
        if not isinstance(document, dict):
            raise SchemaChanged("a GOV.UK content item is a JSON object")
        if is_index(document):
            return ParsedFeed(())
        kind = document.get("document_type") or document.get("schema_name")
        if kind not in (None, "travel_advice"):
            raise SchemaChanged(f"expected a travel_advice content item, got {kind!r}")
        return ParsedFeed((parse_item(document, source=source),))

    async def poll(
        self, client: FeedClient, url: str, *, source: str, validators: Validators
    ) -> PollOutcome:
        """Fetch the index (conditionally), then every country's item, a few at a time."""
        fetched = await client.get(url, validators)
        if fetched.status == "not-modified":
            return PollOutcome(None, validators)
        # Parsing happens in worker threads, as in `SourceAdapter.poll`: some two hundred
        # country items a poll must not stall chat handlers.
        index = await asyncio.to_thread(load_json, fetched.body)
        if not isinstance(index, dict) or not is_index(index):
            raise SchemaChanged(f"{url} is not the GOV.UK travel advice index")
        urls = item_urls(index, fetched.url or url)
        gate = asyncio.Semaphore(self.concurrency)

        async def one(item_url: str) -> Alert | str:
            async with gate:
                try:
                    item = await client.get_document(item_url)
                    parsed = await asyncio.to_thread(self.parse, item.body, source=source)
                except SourceError as error:
                    return f"{item_url}: {error}"
            if not parsed.alerts:
                return f"{item_url}: is not a country's travel advice"
            return parsed.alerts[0]

        results = await asyncio.gather(*(one(item_url) for item_url in urls))
        alerts = tuple(result for result in results if isinstance(result, Alert))
        problems = tuple(result for result in results if isinstance(result, str))
        if urls and not alerts:
            # Every item failed: an empty result would read as "all advice withdrawn".
            raise FetchFailed(f"none of the {len(urls)} country items could be read: {problems[0]}")
        return PollOutcome(
            ParsedFeed(alerts, problems),
            fetched.validators,
            documents_fetched=1 + len(urls),
        )
