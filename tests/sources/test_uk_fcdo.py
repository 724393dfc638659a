"""GOV.UK travel advice: content items, the index, and a poll of both over local HTTP.

Variants of the real Albania item (feeds/) are built here: another country, another
alert_status, a body in the publishing schema's list form.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.alerts import Category, Severity
from bot.sources.base import FeedClient, FeedMalformed, FetchFailed, SchemaChanged, Validators
from bot.sources.uk_fcdo import NO_ADVICE_AGAINST_TRAVEL, UkFcdoAdapter

FEEDS = Path(__file__).resolve().parents[2] / "feeds"
ALBANIA = FEEDS / "govuk-content-api-travel_advice-albania.example.json"
INDEX = FEEDS / "govuk-content-api-travel_advice_index.example.json"
INDEX_NAME = INDEX.name


def albania() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(ALBANIA.read_bytes())
    return document


def variant(slug: str, name: str, statuses: list[str]) -> dict[str, Any]:
    """The Albania item re-labelled as another country with another alert status."""
    item = copy.deepcopy(albania())
    item["content_id"] = f"id-{slug}"
    item["base_path"] = f"/foreign-travel-advice/{slug}"
    item["title"] = f"{name} travel advice"
    item["details"]["country"] = {"slug": slug, "name": name}
    item["details"]["alert_status"] = statuses
    return item


def parse(document: dict[str, Any]) -> Any:
    return UkFcdoAdapter().parse(json.dumps(document).encode(), source="uk-fcdo")


def test_albania_item_becomes_one_advisory_for_albania() -> None:
    feed = UkFcdoAdapter().parse(ALBANIA.read_bytes(), source="uk-fcdo")

    assert feed.problems == ()
    [alert] = feed.alerts
    assert alert.id == "2a3938e1-d588-45fc-8c8f-0f51814d5409"
    assert alert.countries == ("AL",)
    assert alert.severity is Severity.NORMAL
    assert alert.source_level == NO_ADVICE_AGAINST_TRAVEL
    assert alert.category is Category.ADVISORY
    assert alert.title == "Albania travel advice"
    assert alert.url == "https://www.gov.uk/foreign-travel-advice/albania"
    assert alert.updated == datetime(2017, 2, 14, 15, 42, 21, tzinfo=UTC)
    assert alert.published == datetime(2016, 2, 29, 9, 24, 10, tzinfo=UTC)
    assert alert.facts["alert_status"] == "none"


def test_summary_says_what_changed_then_the_summary_part() -> None:
    [alert] = parse(albania()).alerts

    assert alert.summary.startswith("Latest update: Summary – the main opposition party")
    assert "The main opposition party has called for mass protests" in alert.summary
    assert len(alert.summary) <= 600
    assert "<p>" not in alert.summary


def test_body_has_every_part_under_its_own_heading_in_order() -> None:
    [alert] = parse(albania()).alerts

    titles = [part["title"] for part in albania()["details"]["parts"]]
    positions = [alert.body.index(f"## {title}\n") for title in titles]
    assert positions == sorted(positions)
    assert "<" not in alert.body


@pytest.mark.parametrize(
    ("statuses", "severity", "parts"),
    [
        (["avoid_all_travel_to_whole_country"], Severity.EXTREME, False),
        (["avoid_all_but_essential_travel_to_whole_country"], Severity.HIGH, False),
        (["avoid_all_travel_to_parts"], Severity.HIGH, True),
        (["avoid_all_but_essential_travel_to_parts"], Severity.CAUTION, True),
        (
            ["avoid_all_but_essential_travel_to_parts", "avoid_all_travel_to_whole_country"],
            Severity.EXTREME,
            True,
        ),
        ([], Severity.NORMAL, False),
    ],
)
def test_alert_status_sets_severity(statuses: list[str], severity: Severity, parts: bool) -> None:
    [alert] = parse(variant("syria", "Syria", statuses)).alerts

    assert alert.countries == ("SY",)
    assert alert.severity is severity
    assert ("parts" in alert.facts) is parts
    if statuses:
        assert alert.advice.startswith("FCDO advises against")
        assert "Syria" in alert.advice


def test_most_severe_status_gives_the_label() -> None:
    item = variant(
        "mali", "Mali", ["avoid_all_but_essential_travel_to_parts", "avoid_all_travel_to_parts"]
    )
    [alert] = parse(item).alerts

    assert alert.source_level == "FCDO advises against all travel to parts of the country"
    assert alert.advice == "FCDO advises against all travel to parts of Mali."


def test_unknown_alert_status_is_a_schema_change() -> None:
    with pytest.raises(SchemaChanged, match="avoid_everything"):
        parse(variant("mali", "Mali", ["avoid_everything"]))


def test_country_found_from_slug_when_name_is_unusual() -> None:
    item = variant("sao-tome-and-principe", "", [])

    [alert] = parse(item).alerts

    assert alert.countries == ("ST",)


def test_body_in_publishing_schema_list_form_is_read() -> None:
    item = albania()
    item["details"]["parts"] = [
        {
            "slug": "summary",
            "title": "Summary",
            "body": [
                {"content_type": "text/govspeak", "content": "govspeak source"},
                {"content_type": "text/html", "content": "<p>Protests in <b>Tirana</b>.</p>"},
            ],
        }
    ]

    [alert] = parse(item).alerts

    assert alert.body == "## Summary\n\nProtests in Tirana."


def test_index_document_parses_to_no_alerts() -> None:
    feed = UkFcdoAdapter().parse(INDEX.read_bytes(), source="uk-fcdo")

    assert feed.alerts == ()
    assert feed.problems == ()


def test_item_without_country_is_a_schema_change() -> None:
    item = albania()
    del item["details"]["country"]

    with pytest.raises(SchemaChanged, match=r"details\.country"):
        parse(item)


def test_other_document_type_is_a_schema_change() -> None:
    item = albania()
    item["document_type"] = "news_story"

    with pytest.raises(SchemaChanged, match="news_story"):
        parse(item)


def test_bytes_that_are_not_json_are_malformed() -> None:
    with pytest.raises(FeedMalformed):
        UkFcdoAdapter().parse(b"<html>maintenance</html>", source="uk-fcdo")


CHILD_LEVELS = {
    "afghanistan": ("Afghanistan", ["avoid_all_travel_to_whole_country"], ("AF",), 4),
    "austria": ("Austria", [], ("AT",), 1),
    "finland": ("Finland", [], ("FI",), 1),
    "india": ("India", ["avoid_all_but_essential_travel_to_parts"], ("IN",), 2),
    "sao-tome-and-principe": ("São Tomé and Principe", [], ("ST",), 1),
    "spain": ("Spain", ["avoid_all_travel_to_parts"], ("ES",), 3),
}  # malaysia, also in the index, is left unserved: a failing item


async def test_poll_fetches_index_then_every_country(feed_server: Any) -> None:
    for slug, (name, statuses, _, _) in CHILD_LEVELS.items():
        feed_server.add(
            f"/api/content/foreign-travel-advice/{slug}",
            json.dumps(variant(slug, name, statuses)).encode(),
            content_type="application/json",
        )
    async with httpx.AsyncClient() as http:
        outcome = await UkFcdoAdapter(concurrency=3).poll(
            FeedClient(http), feed_server.url(INDEX_NAME), source="uk-fcdo",
            validators=Validators(),
        )  # fmt: skip

    assert outcome.feed is not None
    by_id = {alert.id: alert for alert in outcome.feed.alerts}
    assert set(by_id) == {f"id-{slug}" for slug in CHILD_LEVELS}
    for slug, (_, _, countries, severity) in CHILD_LEVELS.items():
        assert by_id[f"id-{slug}"].countries == countries, slug
        assert by_id[f"id-{slug}"].severity == severity, slug
    [problem] = outcome.feed.problems
    assert "malaysia" in problem and "404" in problem
    assert outcome.documents_fetched == 1 + 7
    assert feed_server.requests["/api/content/foreign-travel-advice/spain"] == 1


async def test_unchanged_index_costs_one_request(feed_server: Any) -> None:
    for slug, (name, statuses, _, _) in CHILD_LEVELS.items():
        feed_server.add(
            f"/api/content/foreign-travel-advice/{slug}",
            json.dumps(variant(slug, name, statuses)).encode(),
        )
    adapter = UkFcdoAdapter()
    async with httpx.AsyncClient() as http:
        client = FeedClient(http)
        url = feed_server.url(INDEX_NAME)
        first = await adapter.poll(client, url, source="uk-fcdo", validators=Validators())
        second = await adapter.poll(client, url, source="uk-fcdo", validators=first.validators)

    assert second.feed is None
    assert feed_server.conditional_requests["/" + INDEX_NAME] == 1
    assert feed_server.requests["/api/content/foreign-travel-advice/austria"] == 1


async def test_poll_where_no_country_can_be_read_fails_loudly(feed_server: Any) -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(FetchFailed, match="none of the 7 country items"):
            await UkFcdoAdapter().poll(
                FeedClient(http), feed_server.url(INDEX_NAME), source="uk-fcdo",
                validators=Validators(),
            )  # fmt: skip


async def test_poll_of_something_else_than_the_index_is_a_schema_change(
    feed_server: Any,
) -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(SchemaChanged):
            await UkFcdoAdapter().poll(
                FeedClient(http), feed_server.url(ALBANIA.name), source="uk-fcdo",
                validators=Validators(),
            )  # fmt: skip
