"""CAP 1.1 / 1.2: the real NSW RFS and NWS samples, the NWS Atom index, and variants
built here from them (updates and cancels, languages, geocodes, other events)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.alerts import Category, Severity
from bot.sources.base import FeedClient, FeedMalformed, SchemaChanged, Validators
from bot.sources.cap import CapAdapter, category_of, locate, sender_country

FEEDS = Path(__file__).resolve().parents[2] / "feeds"
RFS = FEEDS / "cap12-au-nsw-rfs-2011-10-05.cap.xml"
NWS = FEEDS / "nws-cap11-alert-2010-08-30.cap.xml"
NWS_INDEX = FEEDS / "nws-cap11-atom-index-2010-08-31.atom"
NWS_ID = "NOAA-NWS-ALERTS-MT20100830100700TFXFlashFloodWatchTFX20100830180000MT"


def parse(body: bytes) -> Any:
    return CapAdapter().parse(body, source="cap")


def nws_variant(*replacements: tuple[str, str]) -> bytes:
    """The NWS alert with some of its text replaced (each replacement must apply)."""
    text = NWS.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text.encode()


def cap12(info_blocks: str, *, msg_type: str = "Alert", status: str = "Actual") -> bytes:
    """A minimal CAP 1.2 alert with the given <info> blocks, no namespace prefix."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>2.49.0.1.250.0.FR.20240101</identifier>
  <sender>vigilance@meteo.fr</sender>
  <sent>2024-01-01T06:00:00+01:00</sent>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>
  {info_blocks}
</alert>""".encode()


def info(
    *,
    language: str = "en-GB",
    category: str = "Met",
    event: str = "Wind",
    severity: str = "Moderate",
    headline: str = "Yellow wind warning",
    area: str = "",
) -> str:
    return f"""<info>
    <language>{language}</language><category>{category}</category><event>{event}</event>
    <urgency>Immediate</urgency><severity>{severity}</severity><certainty>Likely</certainty>
    <expires>2024-01-02T06:00:00+01:00</expires>
    <headline>{headline}</headline><description>Text in {language}.</description>
    <instruction>Instruction {language}.</instruction>
    <area><areaDesc>Somewhere</areaDesc>{area}</area>
  </info>"""


def test_nsw_fire_cap12_with_prefix() -> None:
    feed = parse(RFS.read_bytes())

    assert feed.problems == ()
    [alert] = feed.alerts
    assert alert.id == "tag:www.rfs.nsw.gov.au2011-10-06:40184"
    assert alert.countries == ("AU",)
    assert alert.severity is Severity.NORMAL  # Minor
    assert alert.source_level == "Minor"
    assert alert.category is Category.WILDFIRE  # categories Fire and Met: the fire wins
    assert (alert.latitude, alert.longitude) == (-35.3888, 147.0598)  # the circle's centre
    assert alert.expires == datetime(2011, 10, 6, 13, 4, tzinfo=UTC)
    assert alert.published == datetime(2011, 10, 5, 13, 4, tzinfo=UTC)
    assert alert.title == "Yerong Creek Structure Fire"
    assert "LOCATION: 12 Cox Street, Yerong Creek\nCOUNCIL AREA: Lockhart" in alert.summary
    assert alert.facts["urgency"] == "Expected"
    assert alert.facts["certainty"] == "Observed"
    assert alert.url == "http://www.rfs.nsw.gov.au/dsp_content.cfm?cat_id=683"
    assert alert.cancelled is False


def test_nws_cap11_without_prefix() -> None:
    [alert] = parse(NWS.read_bytes()).alerts

    assert alert.id == NWS_ID
    assert alert.countries == ("US",)  # FIPS6 and UGC geocodes
    assert alert.severity is Severity.HIGH  # Severe
    assert alert.category is Category.FLOOD  # Met, but the event is a flash flood
    assert alert.expires == datetime(2010, 8, 30, 18, 0, tzinfo=UTC)
    assert alert.advice.startswith("A FLASH FLOOD WATCH MEANS THAT CONDITIONS MAY DEVELOP")
    assert alert.latitude is None and alert.longitude is None
    assert alert.facts["area"] == "Central and Southern Lewis and Clark; Lewis and Clark"


def test_update_keeps_the_id_of_the_first_message() -> None:
    refs = (
        "w-nws.webmaster@noaa.gov,SECOND,2010-08-30T06:00:00-06:00 "
        "w-nws.webmaster@noaa.gov,FIRST,2010-08-30T02:00:00-06:00"
    )
    body = nws_variant(
        ("<msgType>Alert</msgType>", f"<msgType>Update</msgType><references>{refs}</references>"),
        (NWS_ID, "THIRD"),
    )

    [alert] = parse(body).alerts

    assert alert.id == "FIRST"
    assert alert.facts["message_id"] == "THIRD"
    assert alert.cancelled is False


def test_cancel_withdraws_the_same_alert() -> None:
    refs = f"w-nws.webmaster@noaa.gov,{NWS_ID},2010-08-30T04:07:00-06:00"
    body = nws_variant(
        ("<msgType>Alert</msgType>", f"<msgType>Cancel</msgType><references>{refs}</references>"),
        (NWS_ID, "NOAA-NWS-ALERTS-CANCEL-1"),
    )

    [alert] = parse(body).alerts

    assert alert.id == NWS_ID
    assert alert.cancelled is True


@pytest.mark.parametrize("status", ["Test", "Exercise", "System", "Draft"])
def test_messages_that_are_not_real_alerts_are_ignored(status: str) -> None:
    feed = parse(nws_variant(("<status>Actual</status>", f"<status>{status}</status>")))

    assert feed.alerts == ()
    assert feed.problems == ()


@pytest.mark.parametrize(
    ("onset", "starts"),
    [
        # issued at 2010-08-30T04:07-06:00: a watch for later in the day begins then
        ("2010-08-30T12:00:00-06:00", datetime(2010, 8, 30, 18, tzinfo=UTC)),
        ("2010-08-30T04:07:00-06:00", None),  # under way from the moment it was sent
        ("2010-08-29T20:00:00-06:00", None),
        ("soon", None),  # unreadable: the alert without a start, not refused
    ],
)
def test_a_warning_issued_ahead_says_when_it_begins(onset: str, starts: datetime | None) -> None:
    body = nws_variant(("</effective>", f"</effective>\n<onset>{onset}</onset>"))

    [alert] = parse(body).alerts

    assert alert.starts == starts


@pytest.mark.parametrize("scope", ["Restricted", "Private", " private "])
def test_messages_not_for_the_public_are_ignored(scope: str) -> None:
    """CAP's scope says who a message is for: a restricted or private one is not for
    travellers, whatever else it says."""
    feed = parse(nws_variant(("<scope>Public</scope>", f"<scope>{scope}</scope>")))

    assert feed.alerts == ()
    assert feed.problems == ()


def test_a_restricted_index_entry_is_ignored_and_a_public_one_read() -> None:
    public = district_entry("Kreis Vulkaneifel", "DE356", identifier="DWD.1")
    restricted = district_entry("Stadt Köln", "DE315", identifier="DWD.2").replace(
        "<cap:status>", "<cap:scope>Restricted</cap:scope><cap:status>"
    )

    feed = parse(district_index(public, restricted))

    assert [alert.id for alert in feed.alerts] == ["DWD.1"]


@pytest.mark.parametrize(
    ("word", "severity"),
    [
        ("Extreme", Severity.EXTREME),
        ("Severe", Severity.HIGH),
        ("Moderate", Severity.CAUTION),
        ("Minor", Severity.NORMAL),
        ("Unknown", Severity.CAUTION),  # not graded: not put below caution
        ("Yellow", Severity.CAUTION),  # no CAP word: the same
    ],
)
def test_cap_severity_maps_to_severity(word: str, severity: Severity) -> None:
    body = nws_variant(("<severity>Severe</severity>", f"<severity>{word}</severity>"))

    [alert] = parse(body).alerts

    assert alert.severity is severity
    assert alert.source_level == word


@pytest.mark.parametrize(
    ("category", "event", "expected"),
    [
        ("Geo", "Tsunami Warning", Category.TSUNAMI),
        ("Geo", "Earthquake", Category.EARTHQUAKE),
        ("Geo", "Volcanic ash", Category.VOLCANO),
        ("Geo", "Landslide", Category.OTHER),
        ("Met", "Hurricane Warning", Category.CYCLONE),
        ("Met", "Red Flag Warning", Category.WEATHER),
        ("Met", "Excessive Heat Warning", Category.WEATHER),
        ("Fire", "Bushfire", Category.WILDFIRE),
        ("Health", "Cholera outbreak", Category.HEALTH),
        ("Security", "Civil unrest", Category.SECURITY),
        ("Env", "Air pollution", Category.OTHER),
    ],
)
def test_category_comes_from_event_then_cap_category(
    category: str, event: str, expected: Category
) -> None:
    body = nws_variant(
        ("<category>Met</category>", f"<category>{category}</category>"),
        ("<event>Flash Flood Watch</event>", f"<event>{event}</event>"),
        ("<headline>Flash Flood Watch", f"<headline>{event}"),
    )

    [alert] = parse(body).alerts

    assert alert.category is expected


def test_english_info_is_main_text_and_others_are_translations() -> None:
    blocks = info(language="fr-FR", headline="Vigilance jaune vent") + info(language="en-GB")

    [alert] = parse(cap12(blocks)).alerts

    assert alert.title == "Yellow wind warning"
    assert alert.summary == "Text in en-GB."
    assert alert.translations["fr"].title == "Vigilance jaune vent"
    assert alert.translations["fr"].summary == "Text in fr-FR."
    assert alert.text_for("fr").advice == alert.translations["fr"].advice == "Instruction fr-FR."
    assert alert.text_for("de").advice == alert.advice == "Instruction en-GB."
    assert alert.text_for("fr").title == "Vigilance jaune vent"
    assert alert.countries == ("FR",)  # from the sender, having no usable area


@pytest.mark.parametrize(
    ("geocode", "expected"),
    [
        ("<valueName>EMMA_ID</valueName><value>FR433</value>", ("FR",)),
        ("<valueName>NUTS3</valueName><value>EL301</value>", ("GR",)),
        ("<valueName>NUTS2</valueName><value>UKI3</value>", ("GB",)),
        ("<valueName>ISO 3166-2</valueName><value>DE-BY</value>", ("DE",)),
        ("<valueName>UGC</valueName><value>PRZ001</value>", ("PR",)),
        ("<valueName>FIPS6</valueName><value>066010</value>", ("GU",)),
        ("<valueName>SAME</valueName><value>006037</value>", ("US",)),
        ("<valueName>SAME</valueName><value>072127</value>", ("PR",)),
        # The NWS's Guam office warns three countries of their own: not the US.
        ("<valueName>UGC</valueName><value>PWZ001 FMZ002 MHZ001</value>", ("FM", "MH", "PW")),
        ("<valueName>FIPS6</valueName><value>070002 064005 068010</value>", ("FM", "MH", "PW")),
        ("<valueName>FIPS6</valueName><value>074300</value>", ("UM",)),
        # The Guam office writes Rota, Saipan and Tinian under Guam's number and letters.
        ("<valueName>FIPS6</valueName><value>066010 066100 066110</value>", ("GU", "MP")),
        ("<valueName>UGC</valueName><value>GUC010</value>", ("GU",)),
        ("<valueName>UGC</valueName><value>GUZ001 GUZ004</value>", ("GU", "MP")),
        # Marine zones: the waters of Palau, Chuuk, Majuro, American Samoa, Puerto Rico.
        ("<valueName>UGC</valueName><value>PMZ161 PMZ172 PMZ181</value>", ("FM", "MH", "PW")),
        ("<valueName>UGC</valueName><value>PSZ150</value>", ("AS",)),
        ("<valueName>UGC</valueName><value>AMZ725 AMZ742</value>", ("PR", "VI")),
        ("<valueName>UGC</valueName><value>AMZ650 GMZ034 PZZ750</value>", ("US",)),
    ],
)
def test_geocodes_name_countries(geocode: str, expected: tuple[str, ...]) -> None:
    blocks = info(area=f"<geocode>{geocode}</geocode>")

    [alert] = parse(cap12(blocks)).alerts

    assert alert.countries == expected


def test_polygon_centre_gives_position_and_country() -> None:
    # A triangle around Lyon, closed on its first vertex as CAP requires.
    polygon = "45.9,4.6 45.6,5.1 45.5,4.6 45.9,4.6"
    blocks = info(area=f"<polygon>{polygon}</polygon>")
    body = cap12(blocks).replace(b"vigilance@meteo.fr", b"someone@example.com")

    [alert] = parse(body).alerts

    assert alert.countries == ("FR",)
    assert alert.latitude == pytest.approx((45.9 + 45.6 + 45.5) / 3)
    assert alert.longitude == pytest.approx((4.6 + 5.1 + 4.6) / 3)


def test_geocodes_decide_the_country_and_a_border_polygon_adds_none() -> None:
    """A Detroit River warning for Wayne County, Michigan, whose polygon's centre is
    nearer Windsor than any US town: the geocodes say US, and Canada is not told."""
    polygon = "42.33,-83.05 42.33,-83.01 42.27,-83.03 42.33,-83.05"
    geocode = "<geocode><valueName>UGC</valueName><value>MIC163</value></geocode>"
    body = cap12(info(area=f"<polygon>{polygon}</polygon>{geocode}"))

    [alert] = parse(body).alerts

    assert alert.countries == ("US",)
    assert alert.latitude == pytest.approx((42.33 + 42.33 + 42.27) / 3)


def test_alert_with_no_place_at_all_is_a_problem() -> None:
    body = cap12(info()).replace(b"vigilance@meteo.fr", b"someone@example.com")

    feed = parse(body)

    assert feed.alerts == ()
    [problem] = feed.problems
    assert "no country" in problem


def test_atom_index_yields_alerts_from_its_cap_fields() -> None:
    feed = parse(NWS_INDEX.read_bytes())

    assert feed.problems == ()
    assert [alert.countries for alert in feed.alerts] == [("US",), ("US",)]
    # Both say cap:severity "Unknown": not graded, so not put below caution.
    assert [alert.severity for alert in feed.alerts] == [Severity.CAUTION, Severity.CAUTION]
    assert all(alert.category is Category.WEATHER for alert in feed.alerts)
    first = feed.alerts[0]
    assert first.id.endswith("x=CT20100831030400OKXAirQualityAlertOKX20100901031500CT")
    assert first.title.startswith("Air Quality Alert issued August 30 at 11:04PM EDT")
    assert first.facts["event"] == "Air Quality Alert"
    assert first.expires == datetime(2010, 9, 1, 3, 15, tzinfo=UTC)
    assert first.summary.startswith("...AIR QUALITY ALERT IS IN EFFECT FROM 2 PM TUESDAY")


def test_index_entry_without_id_or_date_is_reported_among_good_ones() -> None:
    text = NWS_INDEX.read_text()
    start = text.index("<entry>")
    broken = "<entry><title>No id</title><cap:severity>Severe</cap:severity></entry>"

    feed = parse((text[:start] + broken + text[start:]).encode())

    assert len(feed.alerts) == 2
    assert feed.problems == ("entry 0: index entry without an id or a date",)


def test_rss_index_is_read_too() -> None:
    body = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2"><channel>
<title>Warnings</title>
<item><title>Orange thunderstorm warning</title><link>https://example.org/cap/1.xml</link>
<guid>urn:example:1</guid><pubDate>Mon, 01 Jan 2024 06:00:00 GMT</pubDate>
<cap:event>Thunderstorm</cap:event><cap:severity>Severe</cap:severity>
<cap:geocode><valueName>EMMA_ID</valueName><value>IT003</value></cap:geocode></item>
</channel></rss>"""

    [alert] = parse(body).alerts

    assert alert.id == "urn:example:1"
    assert alert.title == "Orange thunderstorm warning"
    assert alert.countries == ("IT",)
    assert alert.severity is Severity.HIGH
    assert alert.url == "https://example.org/cap/1.xml"


@pytest.mark.parametrize(
    ("sender", "country"),
    [
        ("webmaster@rfs.nsw.gov.au", "AU"),
        ("https://www.krisinformation.se/", "SE"),  # Krisinformation's Atom author
        ("http://www.meteo.fr:8080/vigilance", "FR"),
        ("w-nws.webmaster@noaa.gov", "US"),
        ("cap@meteoalarm.eu", None),  # .eu names no country
        ("Environnement Canada", None),
        ("", None),
    ],
)
def test_a_sender_address_names_its_country(sender: str, country: str | None) -> None:
    assert sender_country(sender) == country


def test_points_written_lon_lat_are_read_in_the_senders_country() -> None:
    """Krisinformation.se writes its circles "lon,lat": as written they lie in the Arabian
    Sea or in Pakistan, which would tell travellers there of a storm in Sweden."""
    capture = (
        Path(__file__).parent / "captures" / "cap12-se-krisinformation-atom-index-2018-11-21.atom"
    )

    feed = parse(capture.read_bytes())

    assert [alert.countries for alert in feed.alerts] == [("SE",)] * 4
    for alert in feed.alerts:
        assert alert.latitude is not None and alert.longitude is not None
        assert 55 < alert.latitude < 70 and 10 < alert.longitude < 25, alert.facts["area"]
    assert feed.alerts[0].facts["area"] == "Gävleborgs län; Gävle"


@pytest.mark.parametrize(
    ("centres", "sender", "countries", "first"),
    [
        ([(61.44, 16.57)], "SE", {"SE"}, (61.44, 16.57)),  # lat,lon as CAP says
        ([(16.57, 61.44), (20.25, 66.86)], "SE", {"SE"}, (61.44, 16.57)),  # lon,lat
        ([(13.45, 144.78)], "US", {"GU"}, (13.45, 144.78)),  # NWS Guam: not swapped
        ([(20.25, 66.86)], None, {"IN"}, (20.25, 66.86)),  # no sender to say otherwise
        ([], "SE", set(), None),
    ],
)
def test_locate_reads_points_as_written_unless_swapping_finds_the_sender(
    centres: list[tuple[float, float]],
    sender: str | None,
    countries: set[str],
    first: tuple[float, float] | None,
) -> None:
    assert locate(centres, sender) == (countries, first)


def test_several_alerts_in_one_document_are_each_read() -> None:
    """SMHI serves its warnings as <alerts><alert>...</alert>...</alerts>."""
    good = (
        cap12(info())
        .decode()
        .split("?>", 1)[1]
        .replace(' xmlns="urn:oasis:names:tc:emergency:cap:1.2"', "")
    )
    broken = good.replace("<identifier>2.49.0.1.250.0.FR.20240101</identifier>", "")
    body = f'<alerts xmlns="urn:oasis:names:tc:emergency:cap:1.2">{good}{broken}</alerts>'

    feed = parse(body.encode())

    assert [alert.id for alert in feed.alerts] == ["2.49.0.1.250.0.FR.20240101"]
    assert feed.alerts[0].countries == ("FR",)
    assert feed.problems == ("alert 1: CAP alert without identifier or sent",)


def test_an_index_of_bare_links_read_from_a_file_says_where_its_alerts_are() -> None:
    """`python -m bot parse` has no network: a poll fetches each linked document."""
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>Alerts</title>
<entry><id>tag:example.org,2024:1</id><title>Special weather statement</title>
<updated>2024-05-10T02:17:00Z</updated>
<link href="https://example.org/cap/1.xml" rel="alternate"/></entry></feed>"""

    feed = parse(body)

    assert feed.alerts == ()
    assert feed.problems == (
        "entry 0: its CAP document is https://example.org/cap/1.xml, read by a poll",
    )


def test_xml_that_is_not_cap_is_a_schema_change() -> None:
    with pytest.raises(SchemaChanged, match="html"):
        parse(b"<html><body>Service unavailable</body></html>")


def test_broken_xml_is_malformed() -> None:
    with pytest.raises(FeedMalformed):
        parse(RFS.read_bytes()[:700])


def atom_index(links: list[tuple[str, str]], updated: str = "2010-08-30T04:07:00-06:00") -> bytes:
    """An Atom index in the NWS shape whose entries link to `links` (id, href), each entry
    last updated at `updated`."""
    entries = "".join(
        f"""<entry><id>{entry_id}</id><updated>{updated}</updated>
<title>Flash Flood Watch issued by NWS</title>
<link type="application/cap+xml" href="{href}"/>
<summary>Index summary</summary><cap:severity>Moderate</cap:severity>
<cap:msgType>Alert</cap:msgType>
<cap:geocode><valueName>UGC</valueName><value>MTZ014</value></cap:geocode></entry>"""
        for entry_id, href in links
    )
    return f"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"
      xmlns:cap="urn:oasis:names:tc:emergency:cap:1.1">
<id>index</id><title>Index</title><updated>2010-08-30T04:07:00-06:00</updated>
{entries}</feed>""".encode()


async def test_poll_fetches_each_linked_cap_document(feed_server: Any) -> None:
    rfs = feed_server.url(RFS.name)
    nws = feed_server.url(NWS.name)
    missing = feed_server.url("/gone.cap.xml")
    index = feed_server.add(
        "/index.atom", atom_index([("e1", rfs), ("e2", nws), ("e3", missing)]),
        content_type="application/atom+xml",
    )  # fmt: skip

    async with httpx.AsyncClient() as http:
        outcome = await CapAdapter(concurrency=2).poll(
            FeedClient(http), index, source="cap", validators=Validators()
        )

    assert outcome.feed is not None
    by_id = {alert.id: alert for alert in outcome.feed.alerts}
    assert set(by_id) == {"tag:www.rfs.nsw.gov.au2011-10-06:40184", NWS_ID, "e3"}
    assert by_id[NWS_ID].severity is Severity.HIGH  # from the full document, not the index
    assert by_id[NWS_ID].url == nws  # the document's own address, having no <web>
    assert by_id["tag:www.rfs.nsw.gov.au2011-10-06:40184"].countries == ("AU",)
    # The missing document falls back to what its index entry says, and is reported.
    assert by_id["e3"].severity is Severity.CAUTION
    assert by_id["e3"].countries == ("US",)
    [problem] = outcome.feed.problems
    assert "gone.cap.xml" in problem and "404" in problem
    assert outcome.documents_fetched == 4


async def poll_twice(feed_server: Any, before: bytes, after: bytes) -> tuple[Any, Any]:
    """Two polls of one index by one client, the index served as `before`, then `after`."""
    index = feed_server.add("/index.atom", before, content_type="application/atom+xml")
    async with httpx.AsyncClient() as http:
        client = FeedClient(http)
        first = await CapAdapter().poll(client, index, source="cap", validators=Validators())
        feed_server.add("/index.atom", after, content_type="application/atom+xml")
        second = await CapAdapter().poll(client, index, source="cap", validators=first.validators)
    return first, second


async def test_when_the_index_changes_its_unchanged_documents_cost_no_request(
    feed_server: Any,
) -> None:
    """A busy index (MeteoAlarm's lists hundreds of documents) changes with every new
    warning, or at every request: a document whose entry gives the date it gave when the
    document was read is not asked for again."""
    rfs = feed_server.url(RFS.name)
    nws = feed_server.url(NWS.name)
    first, second = await poll_twice(
        feed_server, atom_index([("e1", rfs)]), atom_index([("e1", rfs), ("e2", nws)])
    )

    assert first.feed is not None and second.feed is not None
    assert [a.id for a in second.feed.alerts] == [first.feed.alerts[0].id, NWS_ID]
    assert second.feed.alerts[0] == first.feed.alerts[0]  # read from the kept copy
    assert feed_server.requests["/" + RFS.name] == 1
    assert feed_server.requests["/" + NWS.name] == 1


async def test_an_unchanged_entry_is_trusted_for_an_hour_and_then_its_document_read_again(
    feed_server: Any,
) -> None:
    """A publisher may change a document and not its entry's date: after an hour the
    document is asked for again, and what changed in it comes through."""
    now = [0.0]
    link = feed_server.add("/warning.cap.xml", NWS.read_bytes(), content_type="application/xml")
    index = feed_server.add(
        "/index.atom", atom_index([("e1", link)]), content_type="application/atom+xml"
    )
    upgraded = NWS.read_bytes().replace(
        b"<severity>Severe</severity>", b"<severity>Extreme</severity>"
    )
    severities = []
    async with httpx.AsyncClient() as http:
        client = FeedClient(http, clock=lambda: now[0])
        for moment, body in ((0.0, None), (3599.0, upgraded), (3600.0, None)):
            now[0] = moment
            if body is not None:
                feed_server.add("/warning.cap.xml", body, content_type="application/xml")
            outcome = await CapAdapter().poll(client, index, source="cap", validators=Validators())
            severities.append(outcome.feed.alerts[0].severity)

    # Within the hour the kept copy speaks; after it, the document as it now is.
    assert severities == [Severity.HIGH, Severity.HIGH, Severity.EXTREME]
    assert feed_server.requests["/warning.cap.xml"] == 2


async def test_a_document_whose_entry_was_updated_is_asked_for_conditionally(
    feed_server: Any,
) -> None:
    """The entry's new date says the document may have changed: it is asked for again,
    conditionally, and an unchanged one costs a 304 and comes from the kept copy."""
    rfs = feed_server.url(RFS.name)
    first, second = await poll_twice(
        feed_server,
        atom_index([("e1", rfs)]),
        atom_index([("e1", rfs)], updated="2010-08-30T05:00:00-06:00"),
    )

    assert first.feed is not None and second.feed is not None
    assert second.feed.alerts == first.feed.alerts
    assert feed_server.conditional_requests["/" + RFS.name] == 1
    assert feed_server.requests["/" + RFS.name] == 2


async def test_poll_of_a_single_cap_document_and_then_not_modified(feed_server: Any) -> None:
    adapter = CapAdapter()
    url = feed_server.url(RFS.name)
    async with httpx.AsyncClient() as http:
        client = FeedClient(http)
        first = await adapter.poll(client, url, source="cap", validators=Validators())
        second = await adapter.poll(client, url, source="cap", validators=first.validators)

    assert first.feed is not None
    assert [alert.countries for alert in first.feed.alerts] == [("AU",)]
    assert second.feed is None


# The event words as the regular expressions they were first written as: category_of
# must read any text exactly as these do.
_EVENT_REGEXES = (
    (re.compile(r"tsunami", re.I), Category.TSUNAMI),
    (re.compile(r"earthquake|seismic", re.I), Category.EARTHQUAKE),
    (re.compile(r"volcan|ash ?fall", re.I), Category.VOLCANO),
    (re.compile(r"hurricane|typhoon|cyclone|tropical storm", re.I), Category.CYCLONE),
    (re.compile(r"flood", re.I), Category.FLOOD),
    (re.compile(r"bush ?fire|wild ?fire|forest[ -]fire|grass ?fire", re.I), Category.WILDFIRE),
    (re.compile(r"drought", re.I), Category.DROUGHT),
)
_EVENT_PIECES = st.sampled_from(
    ["tsunami", "Earth", "quake", "SEISMIC", "volcan", "ash", " ", "fall", "Hurricane",
     "tropical", "storm", "flood", "bush", "Wild", "fire", "forest", "grass", "drought",
     "Air Quality Alert", "ſ", "K", "İ", "ß", "é", "ＦＩＲＥ", "\n"]
)  # fmt: skip


@given(st.lists(_EVENT_PIECES, max_size=12).map("".join))
def test_event_words_are_read_as_their_regular_expressions(event):
    # With <category>Met, what the event words do not decide is weather.
    expected = next((c for p, c in _EVENT_REGEXES if p.search(event)), Category.WEATHER)
    assert category_of(["Met"], event) == expected


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        # MeteoAlarm's Atom index gives no <category>: its events say what they are.
        ("Yellow Wind warning", Category.WEATHER),
        ("Orange Snow-ice warning", Category.WEATHER),
        ("Red High-temperature warning", Category.WEATHER),
        ("Yellow Thunderstorm warning", Category.WEATHER),
        ("Yellow Coastalevent warning", Category.WEATHER),
        ("Orange Avalanches warning", Category.WEATHER),
        ("Yellow Rain-flood warning", Category.FLOOD),
        ("Orange Forest-fire warning", Category.WILDFIRE),
        ("Varning för storm i Norrbottens län", Category.WEATHER),
        # Whole words only: "ice" in "police", "heat" in "theatre", "rain" in "training".
        ("Police operation in the city centre", Category.OTHER),
        ("Theatre evacuated", Category.OTHER),
        ("Training exercise", Category.OTHER),
        ("Viktigt meddelande till allmänheten", Category.OTHER),
    ],
)
def test_with_no_category_weather_words_say_weather(event: str, expected: Category) -> None:
    assert category_of([], event) is expected


def district_entry(district: str, code: str, *, identifier: str = "DWD.1", link: str = "") -> str:
    """An entry of MeteoAlarm's index: one district of one message."""
    href = link or "https://feeds.meteoalarm.org/api/v1/warnings/feeds-germany/uuid-1"
    return f"""<entry>
<cap:geocode><valueName>EMMA_ID</valueName><value>{code}</value></cap:geocode>
<cap:areaDesc>{district}</cap:areaDesc><cap:event>frost</cap:event>
<cap:sent>2023-04-28T09:00:00+00:00</cap:sent><cap:expires>2023-04-29T07:00:00+00:00</cap:expires>
<cap:severity>Minor</cap:severity><cap:message_type>Alert</cap:message_type>
<cap:status>Actual</cap:status><cap:identifier>{identifier}</cap:identifier>
<link href="{href}" type="application/cap+xml"/>
<id>{href}?index_info=1&amp;index_area={code}</id><updated>2023-04-28T09:00:00Z</updated>
<title>Yellow Low-temperature Warning issued for Germany - {district}</title></entry>"""


def district_index(*entries: str) -> bytes:
    return (
        '<feed xmlns="http://www.w3.org/2005/Atom"'
        ' xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">'
        "<id>tag:meteoalarm.org,2021-02-19:DE</id>" + "".join(entries) + "</feed>"
    ).encode()


def test_index_entries_of_one_message_are_one_alert_with_every_area() -> None:
    body = district_index(
        district_entry("Kreis Vulkaneifel", "DE356"),
        district_entry("Stadt Köln", "DE315"),
        district_entry("Kreis Paderborn", "DE416"),
        district_entry("Kreis Leipzig", "DE711", identifier="DWD.2"),
    )

    first, second = parse(body).alerts

    assert first.id == "DWD.1"
    assert first.title == "Yellow Low-temperature Warning issued for Germany"
    assert first.facts["area"] == "Kreis Vulkaneifel; Stadt Köln; Kreis Paderborn"
    assert first.countries == ("DE",)
    # A message of one district keeps its own title.
    assert second.title == "Yellow Low-temperature Warning issued for Germany - Kreis Leipzig"


async def poll_districts(feed_server: Any, link: str, districts: int) -> Any:
    """A poll of an index listing one message once per district, each entry linking to
    `link`."""
    entries = (district_entry(f"District {n}", f"DE{n}", link=link) for n in range(districts))
    index = feed_server.add(
        "/districts.atom", district_index(*entries), content_type="application/atom+xml"
    )
    async with httpx.AsyncClient() as http:
        return await CapAdapter().poll(
            FeedClient(http), index, source="cap", validators=Validators()
        )


async def test_entries_of_one_message_fetch_their_document_once(feed_server: Any) -> None:
    outcome = await poll_districts(feed_server, feed_server.url(RFS.name), 5)

    assert outcome.feed is not None
    assert [alert.id for alert in outcome.feed.alerts] == ["tag:www.rfs.nsw.gov.au2011-10-06:40184"]
    assert feed_server.requests["/" + RFS.name] == 1
    assert outcome.documents_fetched == 2  # the index and the one document


async def test_when_the_shared_document_fails_its_entries_make_one_alert(feed_server: Any) -> None:
    outcome = await poll_districts(feed_server, feed_server.url("/gone.cap.xml"), 3)

    assert outcome.feed is not None
    [alert] = outcome.feed.alerts
    assert alert.facts["area"] == "District 0; District 1; District 2"
    [problem] = outcome.feed.problems
    assert "gone.cap.xml" in problem and "404" in problem


@pytest.mark.parametrize(
    ("severity", "awareness", "expected", "level"),
    [
        # the DWD's orange thunderstorms
        ("Moderate", "3; orange; Severe", Severity.HIGH, "Orange (Moderate)"),
        ("Moderate", "2; yellow; Moderate", Severity.CAUTION, "Yellow (Moderate)"),
        ("Severe", "2; yellow; Moderate", Severity.HIGH, "Yellow (Severe)"),  # the higher
        ("Minor", "4; red; Extreme", Severity.EXTREME, "Red (Minor)"),
        ("Moderate", "orange", Severity.CAUTION, "Moderate"),  # no level number: CAP's
    ],
)
def test_meteoalarms_awareness_level_raises_the_cap_severity(
    severity: str, awareness: str, expected: Severity, level: str
) -> None:
    """MeteoAlarm's level is its colour, which readers of its warnings know it by."""
    parameter = (
        "<parameter><valueName>awareness_type</valueName><value>3; Thunderstorm</value>"
        f"</parameter><parameter><valueName>awareness_level</valueName><value>{awareness}"
        "</value></parameter>"
    )
    block = info(severity=severity).replace("<area>", parameter + "<area>")

    [alert] = parse(cap12(block)).alerts

    assert alert.severity is expected
    assert alert.source_level == level


@pytest.mark.parametrize(
    ("author", "title", "event", "severity", "expected", "level"),
    [
        (  # the DWD's orange thunderstorms are Moderate; MeteoAlarm's title says orange
            "meteoalarm.org",
            "Orange Thunderstorm Warning issued for Germany - Kreis Cochem-Zell",
            "heavy thunderstorms with gale- or storm-force gusts and heavy rain",
            "Moderate",
            Severity.HIGH,
            "Orange (Moderate)",
        ),
        (
            "meteoalarm.org",
            "Yellow Frost Warning",
            "frost",
            "Minor",
            Severity.CAUTION,
            "Yellow (Minor)",
        ),
        (
            "meteoalarm.org",
            "Warning",
            "Red Heat warning",
            "Severe",
            Severity.EXTREME,
            "Red (Severe)",
        ),
        (
            "meteoalarm.org",
            "Yellow Wind Warning",
            "Yellow Wind",
            "Severe",
            Severity.HIGH,
            "Yellow (Severe)",
        ),
        (
            "meteoalarm.org",
            "Thunderstorm Warning",
            "storms",
            "Moderate",
            Severity.CAUTION,
            "Moderate",
        ),
        (  # the US NWS's fire-weather warning: "Red" is no colour there
            "w-nws.webmaster@noaa.gov",
            "Red Flag Warning issued August 30 at 4:05AM MDT",
            "Red Flag Warning",
            "Minor",
            Severity.NORMAL,
            "Minor",
        ),
    ],
)
def test_meteoalarms_index_entries_give_their_colour_in_the_title_or_event(
    author: str, title: str, event: str, severity: str, expected: Severity, level: str
) -> None:
    """MeteoAlarm's documents give their colour as the awareness_level parameter, which
    the index leaves out: when the documents cannot be fetched, the index must not tell a
    reader of an orange warning that it is yellow."""
    entry = (
        district_entry("Kreis Cochem-Zell", "DE135")
        .replace("<cap:event>frost</cap:event>", f"<cap:event>{event}</cap:event>")
        .replace("<cap:severity>Minor</cap:severity>", f"<cap:severity>{severity}</cap:severity>")
        .replace(
            "<title>Yellow Low-temperature Warning issued for Germany - Kreis Cochem-Zell",
            f"<title>{title}",
        )
        .replace("</entry>", f"<author><name>{author}</name></author></entry>")
    )

    [alert] = parse(district_index(entry)).alerts

    assert alert.severity is expected
    assert alert.source_level == level


def test_a_cap_message_followed_by_junk_is_read_and_the_junk_reported() -> None:
    feed = parse(RFS.read_bytes() + b"\n\x00junk")

    [alert] = feed.alerts
    assert alert.id == "tag:www.rfs.nsw.gov.au2011-10-06:40184"
    assert feed.problems == ("5 bytes after the end of the document left out",)


async def test_a_linked_document_followed_by_junk_still_gives_its_full_text(
    feed_server: Any,
) -> None:
    document = feed_server.add("/junk.cap.xml", RFS.read_bytes() + b"\n\x00junk")
    index = feed_server.add(
        "/index.atom", atom_index([("e1", document)]), content_type="application/atom+xml"
    )

    async with httpx.AsyncClient() as http:
        outcome = await CapAdapter().poll(
            FeedClient(http), index, source="cap", validators=Validators()
        )

    assert outcome.feed is not None
    [alert] = outcome.feed.alerts
    assert alert.id == "tag:www.rfs.nsw.gov.au2011-10-06:40184"  # the document, not the entry
    assert outcome.feed.problems == ("5 bytes after the end of the document left out",)
