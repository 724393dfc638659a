"""WHO Disease Outbreak News.

There is no sample in feeds/: the fixture below is derived from the published format of
the WHO website's OData API (https://www.who.int/api/news/diseaseoutbreaknews), an object
{"@odata.context", "value": [...]} whose reports carry Id, DonId, Title, PublicationDate,
ItemDefaultUrl and HTML sections (Summary, Epidemiology, Assessment, Advice, ...).
Texts are abridged from real reports.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bot.alerts import Alert, Category, Severity
from bot.sources.base import FeedClient, FeedMalformed, SchemaChanged, Validators
from bot.sources.who_don import WhoDonAdapter


def report(don_id: str, title: str, published: str = "2024-10-11T15:20:41Z", **extra: Any) -> dict:
    item = {
        "Id": f"guid-{don_id}",
        "DonId": don_id,
        "Title": title,
        "PublicationDate": published,
        "ItemDefaultUrl": f"/{don_id}",
        "Summary": f"<p>Summary of {title}.</p>",
        "Epidemiology": "<p>Cases were reported.</p>",
        "Assessment": '<div><p paraid="1">The risk is assessed as <b>high</b>.&nbsp;</p></div>',
        "Advice": "<p>WHO advises against any restriction of travel to, or trade with, "
        "affected countries.</p>",
    }
    item.update(extra)
    return item


ANSWER: dict[str, Any] = {
    "@odata.context": "http://www.who.int/api/news/$metadata#diseaseoutbreaknews",
    "value": [
        report("2024-DON537", "Marburg virus disease - Rwanda"),
        report("2024-DON530", "Avian Influenza A(H5N1) - Cambodia"),
        report("2025-DON560", "Measles - United States of America"),
        report("2023-DON470", "Cholera - Somalia, Kenya and Ethiopia"),
        report(
            "2026-DON613",
            "Ebola disease caused by Bundibugyo virus, Democratic Republic of the Congo & Uganda",
        ),
        report("2022-DON400", "Middle East respiratory syndrome coronavirus – Oman"),
        report("2006-DON001", "Avian influenza – situation in Egypt - update 4"),
        report("2019-DON200", "Dengue fever - Bosnia and Herzegovina"),
        report(
            "2024-DON540",
            "x",
            OverrideTitle="Mpox - Sweden",
            UseOverrideTitle=True,
        ),
        report("2025-DON551", "Sudan virus disease – Uganda (update)"),
        report("2025-DON552", "Sudan virus disease in Uganda"),
        report(
            "2024-DON528",
            "Cholera – Global situation",
            Summary="<p>Since 1 January 2024, cases have been reported from Afghanistan, "
            "Yemen and the Democratic Republic of the Congo.</p>",
        ),
        report("2024-DON999", "Yellow fever - Global"),  # no country: reported
        {"DonId": "2024-DON998", "PublicationDate": "2024-01-01T00:00:00Z"},  # no title
        report("2024-DON997", "Cholera - Haiti", published="last Tuesday"),
    ],
}
EXPECTED = {  # DonId -> (countries, severity)
    "2024-DON537": (("RW",), Severity.HIGH),
    "2024-DON530": (("KH",), Severity.HIGH),
    "2025-DON560": (("US",), Severity.CAUTION),
    "2023-DON470": (("ET", "KE", "SO"), Severity.CAUTION),
    "2026-DON613": (("CD", "UG"), Severity.HIGH),
    "2022-DON400": (("OM",), Severity.HIGH),
    "2006-DON001": (("EG",), Severity.HIGH),
    "2019-DON200": (("BA",), Severity.CAUTION),
    "2024-DON540": (("SE",), Severity.CAUTION),
    # The disease's name holds a country's, and "(update)" ends the title.
    "2025-DON551": (("UG",), Severity.HIGH),
    "2025-DON552": (("UG",), Severity.HIGH),
    # A global report: the countries its summary names.
    "2024-DON528": (("AF", "CD", "YE"), Severity.CAUTION),
}


def parse(document: Any) -> Any:
    return WhoDonAdapter().parse(json.dumps(document).encode(), source="who-don")


@pytest.fixture(scope="module")
def feed() -> Any:
    return parse(ANSWER)


@pytest.fixture(scope="module")
def by_id(feed: Any) -> dict[str, Alert]:
    return {alert.id: alert for alert in feed.alerts}


@pytest.mark.parametrize("don_id", sorted(EXPECTED))
def test_each_report_names_its_countries_and_severity(by_id: dict[str, Alert], don_id: str) -> None:
    countries, severity = EXPECTED[don_id]
    alert = by_id[don_id]

    assert alert.countries == countries
    assert alert.severity is severity
    assert alert.category is Category.HEALTH


def test_unusable_reports_are_skipped_and_reported(feed: Any) -> None:
    assert {alert.id for alert in feed.alerts} == set(EXPECTED)
    problems = " | ".join(feed.problems)
    assert len(feed.problems) == 3
    assert "no country in the title 'Yellow fever - Global'" in problems
    assert "no Title" in problems
    assert "last Tuesday" in problems


def test_report_reads_like_the_website(by_id: dict[str, Alert]) -> None:
    alert = by_id["2024-DON537"]

    assert alert.title == "Marburg virus disease - Rwanda"
    assert alert.url == "https://www.who.int/emergencies/disease-outbreak-news/item/2024-DON537"
    assert alert.published == datetime(2024, 10, 11, 15, 20, 41, tzinfo=UTC)
    assert alert.summary == "Summary of Marburg virus disease - Rwanda."
    assert alert.advice.startswith("WHO advises against any restriction of travel")
    assert alert.facts["high_fatality"] == "yes"


def test_body_has_each_section_under_its_heading(by_id: dict[str, Alert]) -> None:
    body = by_id["2024-DON537"].body

    headings = ["## Summary", "## Epidemiology", "## Risk assessment", "## WHO advice"]
    assert [body.index(h) for h in headings] == sorted(body.index(h) for h in headings)
    assert "The risk is assessed as high." in body
    assert "<" not in body and "&nbsp;" not in body


def test_override_title_is_used_when_the_site_uses_it(by_id: dict[str, Alert]) -> None:
    assert by_id["2024-DON540"].title == "Mpox - Sweden"


def test_old_report_without_don_id_uses_its_page_id() -> None:
    old = report("", "Cholera - Zimbabwe", PublicationDateAndTime="2018-10-05T00:00:00Z")
    del old["PublicationDate"]
    old["Id"] = "7c1a-guid"
    old["ItemDefaultUrl"] = "/2018_10_05-en"

    [alert] = parse({"value": [old]}).alerts

    assert alert.id == "7c1a-guid"
    assert alert.countries == ("ZW",)
    assert alert.url.endswith("/item/2018_10_05-en")


def test_empty_answer_is_no_news() -> None:
    feed = parse({"@odata.context": "x", "value": []})

    assert feed.alerts == ()
    assert feed.problems == ()


@pytest.mark.parametrize(
    "document",
    [
        [report("2024-DON537", "Marburg virus disease - Rwanda")],
        {"items": []},
        {"value": [{"Headline": "Marburg - Rwanda", "PublicationDate": "2024-10-11"}]},
        {"value": [{"Title": "Marburg - Rwanda", "Date": "2024-10-11"}]},
    ],
)
def test_unknown_shapes_are_schema_changes(document: Any) -> None:
    with pytest.raises(SchemaChanged):
        parse(document)


def test_invalid_json_is_malformed() -> None:
    with pytest.raises(FeedMalformed):
        WhoDonAdapter().parse(b'{"value": [', source="who-don")


async def test_poll_reads_the_api_over_http(feed_server: Any) -> None:
    url = feed_server.add(
        "/api/news/diseaseoutbreaknews", json.dumps(ANSWER).encode(),
        content_type="application/json",
    )  # fmt: skip
    async with httpx.AsyncClient() as http:
        outcome = await WhoDonAdapter().poll(
            FeedClient(http), url, source="who-don", validators=Validators()
        )

    assert outcome.feed is not None
    assert {alert.id for alert in outcome.feed.alerts} == set(EXPECTED)
