"""Smartraveller's destinations export and RSS feed.

There is no sample of either in feeds/: the fixtures below are derived from the published
formats. The export (https://www.smartraveller.gov.au/destinations-export, a JSON array of
Drupal fields, texts abridged) with its quirks: HTML entities, the curly quote exported as
"&amp;**", "Higher levels apply in some areas." and the "Sun, 2026-03-01 10:29" dates. The
RSS feed (https://www.smartraveller.gov.au/countries/documents/index.rss) with its own:
pubDates with no weekday and an Australian zone name, the level as "N/5" inside
<ta:warnings> next to its wording, titles such as "South Korea (Republic of Korea)".
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bot.alerts import Alert, Category, Severity
from bot.sources.au_smartraveller import AuSmartravellerAdapter
from bot.sources.base import FeedClient, FeedMalformed, SchemaChanged, Validators


def destination(
    title: str,
    level: str,
    *,
    region: str = "Asia",
    levels: str = "",
    notes: str = "",
    update: str = "",
    changed: str = "Thu, 2026-02-19 12:19",
    slug: str = "",
) -> dict[str, str]:
    slug = slug or title.lower().replace(" ", "-")
    return {
        "title": title,
        "field_overall_advice_level": level,
        "field_last_update": update or f"We reviewed our advice for {title}.",
        "field_last_update_notes": notes or f"We advise:\n{level} in {title}.\n",
        "field_region": region,
        "field_advice_levels": levels or f"{level} {level} in {title}.",
        "field_url": f"https://www.smartraveller.gov.au/destinations/{region.lower()}/{slug}",
        "field_seo_title": f"{title} Travel Advice and Safety",
        "field_seo_description": f"Australian Government travel advice for {title}.",
        "changed": changed,
    }


EXPORT: list[dict[str, str]] = [
    destination(
        "Afghanistan",
        "Do not travel",
        update="Do not travel to Afghanistan. Airports and borders may close suddenly "
        "(see &amp;**Safety&amp;**).",
        changed="Sun, 2026-03-01 10:29",
    ),
    destination("Albania", "Exercise a high degree of caution", region="Europe"),
    destination(
        "Algeria",
        "Exercise a high degree of caution",
        region="Africa",
        notes="We advise:\nExercise a high degree of caution in Algeria overall&nbsp;due to the "
        "threat of terrorism and kidnapping.\nHigher levels apply in some areas.\n&nbsp;\n",
        levels="Exercise a high degree of caution Exercise a high degree of caution in Algeria "
        "overall due to the threat of terrorism and kidnapping., Do not travel Do not travel to "
        "the area within 450km of the borders with Mali and Niger.",
    ),
    destination(
        "Argentina",
        "Exercise normal safety precautions",
        region="Americas",
        notes="We advise:\nExercise normal safety precautions in Argentina.\n"
        "Higher levels apply in some areas.\n",
        levels="Exercise normal safety precautions in Argentina., Exercise a high degree of "
        "caution in Rosario.",
    ),
    destination("Austria", "Exercise normal safety precautions", region="Europe"),
    destination("Bangladesh", "Reconsider your need to travel"),
    destination("Bahrain", "Do not travel", region="Middle East"),
    destination("Papua New Guinea", "Exercise a high degree of caution", region="Pacific"),
    destination(
        "Côte d&#039;Ivoire",
        "Exercise a high degree of caution",
        region="Africa",
        slug="cote-divoire",
    ),
    destination(
        "Israel and the Occupied Palestinian Territories",
        "Reconsider your need to travel",
        region="Middle East",
        slug="israel-and-occupied-palestinian-territories",
    ),
    destination("Antarctica", "", region="Antarctica"),  # listed without a level
    destination("Atlantis", "Exercise normal safety precautions"),  # not a country
    destination("Mali", "Panic"),  # a level we do not know
    destination("Niger", "Do not travel", changed="yesterday"),
]
EXPECTED = {  # destination id -> (countries, severity)
    "afghanistan": (("AF",), Severity.EXTREME),
    "albania": (("AL",), Severity.CAUTION),
    "algeria": (("DZ",), Severity.CAUTION),
    "argentina": (("AR",), Severity.NORMAL),
    "austria": (("AT",), Severity.NORMAL),
    "bangladesh": (("BD",), Severity.HIGH),
    "bahrain": (("BH",), Severity.EXTREME),
    "papua-new-guinea": (("PG",), Severity.CAUTION),
    "cote-divoire": (("CI",), Severity.CAUTION),
    "israel-and-occupied-palestinian-territories": (("IL", "PS"), Severity.HIGH),
}


def parse(document: Any) -> Any:
    return AuSmartravellerAdapter().parse(json.dumps(document).encode(), source="au")


@pytest.fixture(scope="module")
def feed() -> Any:
    return parse(EXPORT)


@pytest.fixture(scope="module")
def by_id(feed: Any) -> dict[str, Alert]:
    return {alert.id: alert for alert in feed.alerts}


@pytest.mark.parametrize("destination_id", sorted(EXPECTED))
def test_each_destination_gets_its_level(by_id: dict[str, Alert], destination_id: str) -> None:
    countries, severity = EXPECTED[destination_id]
    alert = by_id[destination_id]

    assert alert.countries == countries
    assert alert.severity is severity
    assert alert.category is Category.ADVISORY


def test_destinations_without_a_usable_level_or_country_are_reported(feed: Any) -> None:
    assert set(alert.id for alert in feed.alerts) == set(EXPECTED)  # Antarctica: no level
    problems = " | ".join(feed.problems)
    assert len(feed.problems) == 3
    assert "'Atlantis' is not a recognised country" in problems
    assert "unknown advice level 'Panic'" in problems
    assert "'yesterday' is not a date" in problems


def test_afghanistan_reads_like_the_website(by_id: dict[str, Alert]) -> None:
    alert = by_id["afghanistan"]

    assert alert.title == "Afghanistan travel advice"
    assert alert.source_level == "Do not travel"
    assert alert.url == "https://www.smartraveller.gov.au/destinations/asia/afghanistan"
    # Canberra is at UTC+11 in March (daylight saving).
    assert alert.updated == datetime(2026, 2, 28, 23, 29, tzinfo=UTC)
    assert "(see 'Safety')" in alert.summary
    assert "&" not in alert.summary


def test_higher_levels_in_parts_are_noted_with_the_overall_level(
    by_id: dict[str, Alert],
) -> None:
    algeria = by_id["algeria"]
    argentina = by_id["argentina"]

    assert algeria.severity is Severity.CAUTION
    assert algeria.facts["parts"] == "Do not travel"
    assert argentina.facts["parts"] == "Exercise a high degree of caution"
    assert "parts" not in by_id["austria"].facts
    assert "Higher levels apply in some areas." in algeria.advice


def test_body_has_advice_levels_and_latest_update_sections(by_id: dict[str, Alert]) -> None:
    body = by_id["algeria"].body

    assert (
        body.index("## We advise") < body.index("## Advice levels") < body.index("## Latest update")
    )
    assert "within 450km of the borders with Mali and Niger" in body


def test_level_label_is_matched_whatever_its_case() -> None:
    entry = destination("Fiji", "EXERCISE  a High Degree of caution", region="Pacific")

    [alert] = parse([entry]).alerts

    assert alert.severity is Severity.CAUTION


@pytest.mark.parametrize(
    "document",
    [
        {"destinations": EXPORT},
        [],
        [{key: value for key, value in entry.items() if key != "field_overall_advice_level"}
         for entry in EXPORT],
    ],
)  # fmt: skip
def test_unknown_shapes_are_schema_changes(document: Any) -> None:
    with pytest.raises(SchemaChanged):
        parse(document)


def test_non_object_item_among_good_ones_is_reported() -> None:
    feed = parse([copy.deepcopy(EXPORT[1]), "oops"])

    assert [alert.id for alert in feed.alerts] == ["albania"]
    assert feed.problems == ("item 1: not an object",)


def test_invalid_json_is_malformed() -> None:
    with pytest.raises(FeedMalformed):
        AuSmartravellerAdapter().parse(b'[{"title": "Fiji", ', source="au")


@pytest.mark.parametrize(
    ("page", "error"),
    [
        (b"<!DOCTYPE html><html><body>Access denied</body></html>", SchemaChanged),
        (b"<html><body><p>Access denied<br></body></html>", FeedMalformed),
    ],
)
def test_a_bot_protection_page_is_a_loud_failure(page: bytes, error: type[Exception]) -> None:
    """The site answers plain HTTP clients with an HTML page at times: never "no alerts"."""
    with pytest.raises(error):
        AuSmartravellerAdapter().parse(page, source="au")


async def test_poll_reads_the_export_over_http(feed_server: Any) -> None:
    url = feed_server.add(
        "/destinations-export", json.dumps(EXPORT).encode(), content_type="application/json"
    )
    async with httpx.AsyncClient() as http:
        outcome = await AuSmartravellerAdapter().poll(
            FeedClient(http), url, source="au", validators=Validators()
        )

    assert outcome.feed is not None
    assert {alert.id for alert in outcome.feed.alerts} == set(EXPECTED)


# ---- the RSS feed ---------------------------------------------------------------------

RSS_HEAD = """<?xml version="1.0" encoding="utf-8"?>
<rss xmlns:ta="http://www.smartraveller.gov.au/schema/rss/travel_advisories/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
<channel>
<title>Smartraveller travel advisories</title>
<link>https://www.smartraveller.gov.au/</link>
"""


def rss_item(
    title: str,
    path: str,
    levels: list[tuple[str, str, str]],
    *,
    published: str = "21 Jul 2026 22:00:00 AEST",
    update: str = "&lt;p&gt;We&amp;#39;ve reviewed our advice.&lt;/p&gt;",
) -> str:
    """An <item>; `levels` are (coverage, ta:level, wording) for each <ta:warnings>."""
    warnings = "".join(
        f"<ta:warnings><dc:coverage>{coverage}</dc:coverage><ta:level>{number}</ta:level>"
        f"<dc:description>{wording}</dc:description></ta:warnings>"
        for coverage, number, wording in levels
    )
    return (
        f"<item><title>{title}</title>"
        f"<link>https://www.smartraveller.gov.au/destinations/{path}</link>"
        f"<description>{update}</description><pubDate>{published}</pubDate>{warnings}</item>\n"
    )


RSS_ITEMS = [
    rss_item(
        "Afghanistan",
        "asia/afghanistan",
        [("Afghanistan", "5/5", "Do not travel")],
        published="01 Mar 2026 10:29:00 AEDT",
    ),
    rss_item("Japan", "asia/japan", [("Japan", "2/5", "Exercise normal safety precautions")]),
    rss_item(
        "South Korea (Republic of Korea)",
        "asia/south-korea-republic-korea",
        [("South Korea (Republic of Korea)", "2/5", "Exercise normal safety precautions")],
    ),
    rss_item(
        "Israel and the Occupied Palestinian Territories",
        "middle-east/israel-and-occupied-palestinian-territories",
        [
            (
                "Israel and the Occupied Palestinian Territories",
                "4/5",
                "Reconsider your need to travel",
            )
        ],
    ),
    rss_item(
        "C&#244;te d&#39;Ivoire (Ivory Coast)",
        "africa/cote-divoire-ivory-coast",
        [("Côte d'Ivoire", "3/5", "Exercise a high degree of caution")],
    ),
    rss_item(  # a region at a higher level than the country
        "Mexico",
        "americas/mexico",
        [
            ("Mexico", "3/5", "Exercise a high degree of caution"),
            ("Sinaloa", "5/5", "Do not travel"),
        ],
    ),
    rss_item("Ukraine", "europe/ukraine", [("Ukraine", "4", "")]),  # a bare number, no words
    rss_item("Fiji", "pacific/fiji", [("Fiji", "3/5", "")]),
    rss_item(  # the number and the words disagree: the words win
        "Nepal", "asia/nepal", [("Nepal", "2/5", "Exercise a high degree of caution")]
    ),
    rss_item("Antarctica", "antarctica/antarctica", [("Antarctica", "", "No travel advice")]),
    rss_item(
        "Atlantis", "atlantis/atlantis", [("Atlantis", "2/5", "Exercise normal safety precautions")]
    ),
    rss_item("Mali", "africa/mali", [("Mali", "9/5", "Panic")]),
    rss_item(
        "Niger",
        "africa/niger",
        [("Niger", "5/5", "Do not travel")],
        published="yesterday",
    ),
    "<item><title>Chad</title><link>https://www.smartraveller.gov.au/destinations/africa/chad"
    "</link><pubDate>21 Jul 2026 22:00:00 AEST</pubDate></item>\n",
]
RSS = (RSS_HEAD + "".join(RSS_ITEMS) + "</channel></rss>\n").encode()
RSS_EXPECTED = {  # destination id -> (countries, severity)
    "afghanistan": (("AF",), Severity.EXTREME),
    "japan": (("JP",), Severity.NORMAL),
    "south-korea-republic-korea": (("KR",), Severity.NORMAL),
    "israel-and-occupied-palestinian-territories": (("IL", "PS"), Severity.HIGH),
    "cote-divoire-ivory-coast": (("CI",), Severity.CAUTION),
    "mexico": (("MX",), Severity.CAUTION),
    "ukraine": (("UA",), Severity.EXTREME),
    "fiji": (("FJ",), Severity.CAUTION),
    "nepal": (("NP",), Severity.CAUTION),
}


@pytest.fixture(scope="module")
def rss_feed() -> Any:
    return AuSmartravellerAdapter().parse(RSS, source="au")


@pytest.fixture(scope="module")
def rss_by_id(rss_feed: Any) -> dict[str, Alert]:
    return {alert.id: alert for alert in rss_feed.alerts}


@pytest.mark.parametrize("destination_id", sorted(RSS_EXPECTED))
def test_each_rss_destination_gets_its_level(
    rss_by_id: dict[str, Alert], destination_id: str
) -> None:
    countries, severity = RSS_EXPECTED[destination_id]
    alert = rss_by_id[destination_id]

    assert alert.countries == countries
    assert alert.severity is severity
    assert alert.category is Category.ADVISORY


def test_rss_items_without_a_usable_level_country_or_date_are_reported(rss_feed: Any) -> None:
    assert {alert.id for alert in rss_feed.alerts} == set(RSS_EXPECTED)  # Antarctica: no level
    problems = " | ".join(rss_feed.problems)
    assert len(rss_feed.problems) == 5
    assert "'Atlantis' is not a recognised country" in problems
    assert "Mali: unknown advice level 'Panic'" in problems
    assert "Niger: pubDate 'yesterday' is not a date" in problems
    assert "Chad: no ta:warnings" in problems
    assert "Nepal: level '2/5' does not match 'Exercise a high degree of caution'" in problems


def test_an_rss_item_reads_like_the_website(rss_by_id: dict[str, Alert]) -> None:
    alert = rss_by_id["afghanistan"]

    assert alert.title == "Afghanistan travel advice"
    assert alert.source_level == "Do not travel"
    assert alert.url == "https://www.smartraveller.gov.au/destinations/asia/afghanistan"
    assert alert.summary == "We've reviewed our advice."
    # AEDT is UTC+11, AEST UTC+10.
    assert alert.updated == datetime(2026, 2, 28, 23, 29, tzinfo=UTC)
    assert rss_by_id["japan"].updated == datetime(2026, 7, 21, 12, 0, tzinfo=UTC)
    assert rss_by_id["ukraine"].source_level == "Do not travel"


def test_a_region_at_a_higher_level_is_noted_in_the_rss_too(rss_by_id: dict[str, Alert]) -> None:
    mexico = rss_by_id["mexico"]

    assert mexico.severity is Severity.CAUTION
    assert mexico.facts["parts"] == "Do not travel"
    assert "Sinaloa: Do not travel" in mexico.body
    assert "parts" not in rss_by_id["japan"].facts


def test_both_documents_give_a_destination_the_same_id(
    by_id: dict[str, Alert], rss_by_id: dict[str, Alert]
) -> None:
    """A source moved from the export to the feed must not announce everything again."""
    for destination_id in ("afghanistan", "israel-and-occupied-palestinian-territories"):
        assert by_id[destination_id].countries == rss_by_id[destination_id].countries


@pytest.mark.parametrize(
    "document",
    [
        RSS_HEAD + "</channel></rss>",  # no destinations
        RSS_HEAD + "<item><title>Japan</title></item></channel></rss>",  # no levels at all
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Smartraveller</title></feed>',
    ],
)
def test_unknown_rss_shapes_are_schema_changes(document: str) -> None:
    with pytest.raises(SchemaChanged):
        AuSmartravellerAdapter().parse(document.encode(), source="au")


async def test_poll_reads_the_rss_feed_over_http(feed_server: Any) -> None:
    url = feed_server.add("/countries/documents/index.rss", RSS, content_type="application/rss+xml")
    async with httpx.AsyncClient() as http:
        outcome = await AuSmartravellerAdapter().poll(
            FeedClient(http), url, source="au", validators=Validators()
        )

    assert outcome.feed is not None
    assert {alert.id for alert in outcome.feed.alerts} == set(RSS_EXPECTED)
