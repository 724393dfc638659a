"""Smartraveller's destinations export.

There is no sample in feeds/: the fixture below is derived from the published format of
https://www.smartraveller.gov.au/destinations-export (a JSON array of Drupal fields, texts
abridged), including its quirks: HTML entities, the curly quote exported as "&amp;**",
"Higher levels apply in some areas." and the "Sun, 2026-03-01 10:29" dates.
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
    assert algeria.facts["parts"].endswith("up to: Do not travel")
    assert argentina.facts["parts"].endswith("up to: Exercise a high degree of caution")
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
        AuSmartravellerAdapter().parse(b"<!DOCTYPE html><html>Access denied</html>", source="au")


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
