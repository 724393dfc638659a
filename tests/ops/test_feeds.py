"""The open feeds over real HTTP: Atom and JSON Feed of the current alerts, filterable by
country, and CAP 1.2 documents for hazards that validate against the standard's schema."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from lxml import etree

from bot.standin import StandIn
from tests.desks.harness import ADMIN, Person, join, organisation
from tests.ops.conftest import OpsBot

ATOM = "{http://www.w3.org/2005/Atom}"
CAP_SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("cap12_subset.xsd"))))
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@pytest.fixture
async def bot(ops_bot: Callable[..., Awaitable[OpsBot]]) -> OpsBot:
    bot = await ops_bot()
    reports = await bot.runtime.poll_all()
    assert {report.status for report in reports} == {"ok"}
    return bot


async def test_atom_feed_lists_current_alerts_and_filters_by_country(bot: OpsBot) -> None:
    async with httpx.AsyncClient(base_url=bot.url) as http:
        everything = await http.get("/feeds/alerts.atom")
        germany = await http.get("/feeds/alerts.atom", params={"country": "de"})
    assert everything.headers["content-type"].startswith("application/atom+xml")
    feed = etree.fromstring(everything.content, SAFE_PARSER)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) > 5
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}"), required
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == len(ids)

    only_germany = etree.fromstring(germany.content, SAFE_PARSER).findall(f"{ATOM}entry")
    assert 0 < len(only_germany) < len(entries)
    for entry in only_germany:
        terms = {c.get("term") for c in entry.findall(f"{ATOM}category")}
        assert "DE" in terms


async def test_json_feed_carries_normalised_fields_and_links_hazards_to_cap(bot: OpsBot) -> None:
    async with httpx.AsyncClient(base_url=bot.url) as http:
        document = (await http.get("/feeds/alerts.json")).json()
        mexico = (await http.get("/feeds/alerts.json?country=MX")).json()
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    sources = {item["_travel_risk"]["source"] for item in document["items"]}
    assert sources == {"us-state", "usgs"}
    quakes = [i for i in document["items"] if i["_travel_risk"]["category"] == "earthquake"]
    assert quakes and all("cap_url" in i["_travel_risk"] for i in quakes)
    advisories = [i for i in document["items"] if i["_travel_risk"]["source"] == "us-state"]
    assert advisories and not any("cap_url" in i["_travel_risk"] for i in advisories)
    assert mexico["items"]
    assert all("MX" in item["_travel_risk"]["countries"] for item in mexico["items"])


async def test_cap_documents_validate_and_advisories_have_none(bot: OpsBot) -> None:
    async with httpx.AsyncClient(base_url=bot.url) as http:
        items = (await http.get("/feeds/alerts.json")).json()["items"]
        caps = [i["_travel_risk"]["cap_url"] for i in items if "cap_url" in i["_travel_risk"]]
        assert caps
        for url in caps:
            response = await http.get(url)
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("application/cap+xml")
            document = etree.fromstring(response.content, SAFE_PARSER)
            CAP_SCHEMA.assertValid(document)
        advisory = next(i for i in items if i["_travel_risk"]["source"] == "us-state")
        version = await bot.runtime.services.db.fetch_value(
            "SELECT max(id) FROM alert_versions WHERE source = 'us-state' AND alert_id = ?",
            (advisory["_travel_risk"]["alert_id"],),
        )
        assert (await http.get(f"/feeds/cap/{version}.xml")).status_code == 404
        assert (await http.get("/feeds/cap/999999.xml")).status_code == 404


async def test_feeds_refuse_a_malformed_country(bot: OpsBot) -> None:
    async with httpx.AsyncClient(base_url=bot.url) as http:
        for country in ("XX", "Germany", "D", "1", "<b>"):
            for path in ("/feeds/alerts.atom", "/feeds/alerts.json"):
                response = await http.get(path, params={"country": country})
                assert response.status_code == 400, (path, country)


async def test_desk_warnings_and_announcements_are_never_published(
    ops_bot: Callable[..., Awaitable[OpsBot]], standin: StandIn
) -> None:
    bot = await ops_bot(admin_ids=frozenset({ADMIN}))
    await bot.runtime.poll_all()
    lead, nomad = Person(standin, 601, "lead"), Person(standin, 501, "nomad")
    await organisation(bot.runtime, standin, "Acme", lead)
    await join(bot.runtime, lead, nomad)
    today = bot.clock().date().isoformat()
    await lead.say(f"/trip_add @nomad Japan {today} {today}")
    summary = await lead.say(
        "/broadcast\nTitle: Private quake note\nCountries: Japan\nSeverity: 4\n"
        "Category: earthquake\nEvent: Only for Acme's travellers.",
        answers=2,
    )
    await lead.press_and_read(summary, "dsk:send:1")
    preview = await Person(standin, ADMIN).say("/announce Private admin note")
    await Person(standin, ADMIN).press_and_read(preview, "adm:ann:send:1")
    await bot.runtime.dispatcher.drain()
    received = [m.text for m in nomad.inbox()]  # sent to their readers, yet not published
    assert any("Private quake note" in t for t in received) and "Private admin note" in received

    db = bot.runtime.services.db
    private = [
        row[0]
        for row in await db.fetch_all(
            "SELECT id FROM alert_versions WHERE source LIKE 'desk:%' OR source = 'announcement'"
        )
    ]
    assert len(private) == 2
    async with httpx.AsyncClient(base_url=bot.url) as http:
        for version in private:
            assert (await http.get(f"/feeds/cap/{version}.xml")).status_code == 404
        for path in ("/feeds/alerts.atom", "/feeds/alerts.json"):
            for params in ({}, {"country": "JP"}):
                response = await http.get(path, params=params)
                assert response.status_code == 200
                for private_text in ("Private", "desk:", "announcement", "Acme"):
                    assert private_text not in response.text, (path, params, private_text)
        public = await db.fetch_value("SELECT max(id) FROM alert_versions WHERE source = 'usgs'")
        assert (await http.get(f"/feeds/cap/{public}.xml")).status_code == 200
