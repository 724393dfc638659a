from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.alerts import Category, Severity
from bot.sources.base import FeedMalformed, SchemaChanged
from bot.sources.gdacs import GdacsAdapter

SAMPLE = Path(__file__).resolve().parents[2] / "feeds" / "gdacs-rss-2019-12-30.xml"

C, EQ, DR = Category.CYCLONE, Category.EARTHQUAKE, Category.DROUGHT
# Read off each item of the sample by hand: guid -> (countries, severity, category, ended).
# Countries are gdacs:iso3 plus every name in gdacs:country and the cyclone's "affects
# these countries:" list; "Southeast Of Loyalty Islands" is off New Caledonia (the Loyalty
# Islands), and GDACS's own iso3 for it is VUT.
EXPECTED: dict[str, tuple[set[str], int, Category, bool]] = {
    "TC1000643": ({"MU"}, 1, C, False),
    "EQ1199929": ({"ZA"}, 1, EQ, False),
    "TC1000642": ({"FJ", "TO", "NU"}, 1, C, False),
    "EQ1199647": ({"VU", "NC"}, 1, EQ, False),
    "TC1000641": ({"PH"}, 3, C, False),
    "DR1013682": ({"BG", "IQ", "IR", "TR"}, 1, DR, False),
    "DR1013588": ({"AU"}, 1, DR, False),
    "DR1013281": ({"AU"}, 3, DR, True),
    "DR1013282": ({"AR", "CL"}, 3, DR, True),
    "DR1013280": (
        {"BA", "BG", "BY", "HR", "MD", "ME", "PL", "RO", "RS", "RU", "UA"},
        1,
        DR,
        True,
    ),
    "DR1013258": ({"CN"}, 3, DR, True),
    "DR1012926": ({"AR", "BO", "BR", "PY"}, 3, DR, True),
    "DR1012806": ({"CN", "IN", "LA", "MM", "TH", "VN"}, 3, DR, True),
    "DR1012728": ({"AO", "BW", "LS", "MZ", "NA", "ZA", "ZM", "ZW"}, 3, DR, True),
    "DR1012686": ({"PH"}, 1, DR, True),
    "DR1012649": ({"BZ", "GT", "HN", "MX", "NI"}, 3, DR, True),
}


@pytest.fixture(scope="module")
def feed():
    return GdacsAdapter().parse(SAMPLE.read_bytes(), source="gdacs")


def test_every_item_comes_out_with_countries_severity_category_and_state(feed):
    got = {
        alert.id: (set(alert.countries), int(alert.severity), alert.category, alert.cancelled)
        for alert in feed.alerts
    }
    assert got == EXPECTED
    assert feed.problems == ()


def test_the_byte_order_mark_before_the_declaration_is_accepted():
    assert SAMPLE.read_bytes().startswith(b"\xef\xbb\xbf<?xml")
    assert len(GdacsAdapter().parse(SAMPLE.read_bytes(), source="gdacs").alerts) == 16


def test_a_cyclone_is_normalised_with_point_dates_and_facts(feed):
    sarai = next(a for a in feed.alerts if a.id == "TC1000642")
    assert sarai.source == "gdacs"
    assert sarai.source_level == "Green alert"
    assert (sarai.latitude, sarai.longitude) == (-20.5, -178.8)
    assert sarai.published == datetime(2019, 12, 26, 6, tzinfo=UTC)
    assert sarai.updated == datetime(2019, 12, 29, 18, tzinfo=UTC)
    assert sarai.url == "http://www.gdacs.org/report.aspx?eventtype=TC&eventid=1000642"
    assert sarai.facts["episode"] == "15"
    assert sarai.facts["event_type"] == "TC"
    assert sarai.facts["event_name"] == "SARAI-19"
    assert sarai.facts["alert_score"] == "1"
    assert sarai.facts["population"].endswith("is 9677")
    assert sarai.facts["severity"] == "Tropical Storm (maximum wind speed of 111 km/h)"
    assert sarai.summary.startswith("From 26/12/2019 to 29/12/2019, a Tropical Storm")


def test_an_earthquake_carries_its_magnitude(feed):
    quake = next(a for a in feed.alerts if a.id == "EQ1199929")
    assert quake.facts["magnitude"] == "5.5"
    assert quake.severity is Severity.NORMAL


def test_a_drought_body_adds_the_impact_its_description_leaves_out(feed):
    drought = next(a for a in feed.alerts if a.id == "DR1013682")
    assert drought.body == (
        "The Drought alert level is Green.\n\nMinor impact for agricultural drought in 349846 km2."
    )


def test_a_new_episode_is_an_update_of_the_same_alert_with_a_new_version():
    body = SAMPLE.read_bytes()
    episode_16 = body.replace(
        b"<gdacs:episodeid>15</gdacs:episodeid>", b"<gdacs:episodeid>16</gdacs:episodeid>"
    ).replace(b"higher is 9677</gdacs:population>", b"higher is 20000</gdacs:population>")
    before = next(a for a in GdacsAdapter().parse(body, source="g").alerts if a.id == "TC1000642")
    after = next(
        a for a in GdacsAdapter().parse(episode_16, source="g").alerts if a.id == "TC1000642"
    )
    assert after.facts["episode"] == "16"
    assert after.version != before.version


def _feed(item_body: str) -> bytes:
    return (
        '<rss version="2.0" xmlns:gdacs="http://www.gdacs.org" '
        'xmlns:georss="http://www.georss.org/georss"><channel>'
        f"<item>{item_body}</item>"
        "<item><title>ok</title><pubDate>Sun, 29 Dec 2019 12:00:00 GMT</pubDate>"
        "<gdacs:eventtype>FL</gdacs:eventtype><gdacs:eventid>7</gdacs:eventid>"
        "<gdacs:alertlevel>Red</gdacs:alertlevel><gdacs:iso3>BGD</gdacs:iso3></item>"
        "</channel></rss>"
    ).encode()


def test_an_item_with_an_unknown_alert_level_is_skipped_and_reported():
    feed = GdacsAdapter().parse(
        _feed(
            "<title>odd</title><gdacs:eventtype>EQ</gdacs:eventtype>"
            "<gdacs:eventid>1</gdacs:eventid><gdacs:alertlevel>Purple</gdacs:alertlevel>"
        ),
        source="gdacs",
    )
    assert [(a.id, a.countries, a.severity, a.category) for a in feed.alerts] == [
        ("FL7", ("BD",), Severity.EXTREME, Category.FLOOD)
    ]
    assert len(feed.problems) == 1 and "Purple" in feed.problems[0]


def test_an_offshore_event_without_iso3_gets_its_country_from_the_coordinates():
    feed = GdacsAdapter().parse(
        _feed(
            "<title>Green earthquake alert in Pacific Ocean</title>"
            "<pubDate>Sun, 29 Dec 2019 12:00:00 GMT</pubDate>"
            "<gdacs:eventtype>EQ</gdacs:eventtype><gdacs:eventid>2</gdacs:eventid>"
            "<gdacs:alertlevel>Green</gdacs:alertlevel><gdacs:iso3></gdacs:iso3>"
            "<gdacs:country></gdacs:country><georss:point>35.6 139.9</georss:point>"
        ),
        source="gdacs",
    )
    quake = next(a for a in feed.alerts if a.id == "EQ2")
    assert quake.countries == ("JP",)
    assert (quake.latitude, quake.longitude) == (35.6, 139.9)


def test_an_event_with_no_country_and_no_position_is_skipped_and_reported():
    """It could reach nobody: not kept as an alert, told to whoever reads source health."""
    feed = GdacsAdapter().parse(
        _feed(
            "<title>Green earthquake alert in [unknown]</title>"
            "<pubDate>Sun, 29 Dec 2019 12:00:00 GMT</pubDate>"
            "<gdacs:eventtype>EQ</gdacs:eventtype><gdacs:eventid>3</gdacs:eventid>"
            "<gdacs:alertlevel>Green</gdacs:alertlevel><gdacs:iso3></gdacs:iso3>"
            "<gdacs:country></gdacs:country>"
        ),
        source="gdacs",
    )
    assert "EQ3" not in {alert.id for alert in feed.alerts}
    assert feed.problems == (
        "'Green earthquake alert in [unknown]': no country recognised and no position:"
        " it reaches nobody",
    )


def test_rss_without_a_channel_is_a_schema_change():
    with pytest.raises(SchemaChanged):
        GdacsAdapter().parse(b"<rss/>", source="gdacs")


def test_truncated_xml_is_malformed():
    with pytest.raises(FeedMalformed):
        GdacsAdapter().parse(SAMPLE.read_bytes()[:5000], source="gdacs")


def _variant(guid: str, *, event_type: str, level: str) -> bytes:
    """The real sample with one item's gdacs:eventtype and gdacs:alertlevel changed."""
    body = SAMPLE.read_bytes()
    start = body.rindex(b"<item>", 0, body.index(f">{guid}</guid>".encode()))
    end = body.index(b"</item>", start)
    item = body[start:end]
    old_type = item.split(b"<gdacs:eventtype>")[1].split(b"</gdacs:eventtype>")[0]
    old_level = item.split(b"<gdacs:alertlevel>")[1].split(b"</gdacs:alertlevel>")[0]
    item = item.replace(
        b"<gdacs:eventtype>" + old_type, b"<gdacs:eventtype>" + event_type.encode()
    ).replace(b"<gdacs:alertlevel>" + old_level, b"<gdacs:alertlevel>" + level.encode())
    return body[:start] + item + body[end:]


@pytest.mark.parametrize(
    ("event_type", "level", "category", "severity"),
    [
        ("VO", "Green", Category.VOLCANO, Severity.NORMAL),
        ("VO", "Orange", Category.VOLCANO, Severity.HIGH),
        ("VO", "Red", Category.VOLCANO, Severity.EXTREME),
        ("WF", "Green", Category.WILDFIRE, Severity.NORMAL),
        ("WF", "Orange", Category.WILDFIRE, Severity.HIGH),
        ("WF", "Red", Category.WILDFIRE, Severity.EXTREME),
        ("FL", "Orange", Category.FLOOD, Severity.HIGH),
        ("TS", "Red", Category.TSUNAMI, Severity.EXTREME),
        ("EQ", "Orange", Category.EARTHQUAKE, Severity.HIGH),
        ("XX", "Orange", Category.OTHER, Severity.HIGH),  # a type GDACS may add later
    ],
)
def test_event_type_and_alert_level_give_category_and_severity(
    event_type: str, level: str, category: Category, severity: Severity
):
    """The Mauritius cyclone's item (id 1000643, Green) as each other type and level."""
    feed = GdacsAdapter().parse(
        _variant("TC1000643", event_type=event_type, level=level), source="g"
    )
    assert feed.problems == ()
    [alert] = [a for a in feed.alerts if a.id == f"{event_type}1000643"]
    assert (alert.category, alert.severity) == (category, severity)
    assert alert.source_level == f"{level} alert" and alert.facts["event_type"] == event_type
    assert alert.countries == ("MU",)
    assert len(feed.alerts) == 16 and "TC1000643" not in {a.id for a in feed.alerts}


def test_alert_level_is_read_whatever_its_case():
    feed = GdacsAdapter().parse(_variant("EQ1199929", event_type="EQ", level="ORANGE"), source="g")
    quake = next(a for a in feed.alerts if a.id == "EQ1199929")
    assert quake.severity is Severity.HIGH
